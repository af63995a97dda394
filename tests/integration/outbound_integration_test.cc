// SmtpSink against a real SMTP server (aiosmtpd) and SmsGatewaySink against a real HTTP server,
// both started by the test on free loopback ports and stopped at the end.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "helper_process.h"
#include "outbound/sms_gateway_sink.h"
#include "outbound/smtp_sink.h"

namespace cognate::outbound {
namespace {

namespace fs = std::filesystem;
using domain::OutboundMessage;
using nlohmann::json;

const std::string kSupport = std::string(COGNATE_SOURCE_DIR) + "/tests/support/";

class FixedClock final : public Clock {
 public:
  std::int64_t NowMillis() const override { return 1'796'036'400'000; }  // 2026-11-30 11:00 UTC
};

// A port nothing listens on (bound, then released).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::vector<json> ReadLines(const fs::path& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

// Waits up to 10 s for `n` lines (the servers write after answering).
std::vector<json> WaitForLines(const fs::path& path, std::size_t n) {
  for (int i = 0; i < 200; ++i) {
    auto lines = ReadLines(path);
    if (lines.size() >= n) return lines;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ReadLines(path);
}

std::string Header(const std::string& data, const std::string& name) {
  std::istringstream in(data);
  std::string value;
  bool in_header = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (in_header && (line[0] == ' ' || line[0] == '\t')) {
      value += line;
      continue;
    }
    in_header = false;
    if (line.rfind(name + ": ", 0) == 0) {
      value = line.substr(name.size() + 2);
      in_header = true;
    }
  }
  return value;
}

std::string Body(const std::string& data) {
  auto p = data.find("\r\n\r\n");
  return p == std::string::npos ? "" : data.substr(p + 4);
}

class OutboundIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cognate-outbound-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    server_.Stop();
    fs::remove_all(dir_);
  }

  // Starts aiosmtpd; skips the test when it is not installed.
  bool StartSmtp(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {(dir_ / "mail.jsonl").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto port = server_.Start(kSupport + "smtp_capture.py", args);
    if (!port) return false;
    port_ = *port;
    return true;
  }

  OutboundMessage Email(std::string to, std::string subject, std::string body) {
    OutboundMessage m;
    m.channel = OutboundMessage::Channel::kEmail;
    m.destination = std::move(to);
    m.subject = std::move(subject);
    m.body = std::move(body);
    m.pool_id = "us-east-1_Test";
    m.username = "alice";
    m.purpose = "invitation";
    return m;
  }

  SmtpOptions Smtp() {
    SmtpOptions o;
    o.url = "smtp://127.0.0.1:" + std::to_string(port_);
    o.from = "Cognate <no-reply@example.com>";
    o.timeout = std::chrono::seconds(10);
    return o;
  }

  fs::path dir_;
  testing::HelperProcess server_;
  int port_ = 0;
  FixedClock clock_;
};

#define START_SMTP_OR_SKIP(...)                                                         \
  if (!StartSmtp(__VA_ARGS__)) {                                                        \
    if (server_.exit_code() == 77) GTEST_SKIP() << "python3-aiosmtpd is not installed"; \
    FAIL() << "smtp_capture.py did not start (exit " << server_.exit_code() << ")";     \
  }

TEST_F(OutboundIntegrationTest, SmtpDeliversAnAsciiMessage) {
  START_SMTP_OR_SKIP();
  SmtpSink sink(Smtp(), clock_);
  auto sent = sink.Send(Email("alice@example.com", "Your temporary password",
                              "Your username is alice and temporary password is Xy7!abcd. "));
  ASSERT_TRUE(sent) << sent.error().internal();
  auto mail = WaitForLines(dir_ / "mail.jsonl", 1);
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0]["mail_from"], "no-reply@example.com");
  EXPECT_EQ(mail[0]["rcpt_tos"], json::array({"alice@example.com"}));
  const std::string data = mail[0]["data"];
  EXPECT_EQ(Header(data, "Subject"), "Your temporary password");
  EXPECT_EQ(Header(data, "From"), "Cognate <no-reply@example.com>");
  EXPECT_EQ(Header(data, "To"), "alice@example.com");
  EXPECT_EQ(Header(data, "Date"), "Mon, 30 Nov 2026 11:00:00 +0000");
  EXPECT_EQ(Header(data, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(data, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(data, "Content-Transfer-Encoding"), "7bit");
  EXPECT_NE(Header(data, "Message-ID").find("@example.com>"), std::string::npos);
  EXPECT_EQ(Body(data), "Your username is alice and temporary password is Xy7!abcd. \r\n");
}

TEST_F(OutboundIntegrationTest, SmtpEncodesNonAsciiAndKeepsDotLines) {
  START_SMTP_OR_SKIP();
  SmtpSink sink(Smtp(), clock_);
  const std::string subject = "Votre code de vérification ✓";
  const std::string body = "Bonjour Zoë,\n.\nVotre code est 123456.";
  ASSERT_TRUE(sink.Send(Email("zoe@example.com", subject, body)));
  auto mail = WaitForLines(dir_ / "mail.jsonl", 1);
  ASSERT_EQ(mail.size(), 1u);
  const std::string data = mail[0]["data"];
  EXPECT_EQ(Header(data, "Subject").rfind("=?UTF-8?B?", 0), 0u) << data;
  EXPECT_EQ(Header(data, "Content-Transfer-Encoding"), "quoted-printable");
  // The lone "." line arrives intact (libcurl dot-stuffs, the server unstuffs).
  EXPECT_EQ(Body(data), "Bonjour Zo=C3=AB,\r\n.\r\nVotre code est 123456.\r\n");
  // The encoded words decode back to the subject.
  std::string decoded;
  std::string s = Header(data, "Subject");
  for (std::size_t p = s.find("=?UTF-8?B?"); p != std::string::npos;
       p = s.find("=?UTF-8?B?", p + 1)) {
    auto end = s.find("?=", p + 10);
    decoded += crypto::Base64Decode(s.substr(p + 10, end - p - 10)).value_or("?");
  }
  EXPECT_EQ(decoded, subject);
}

TEST_F(OutboundIntegrationTest, SmtpAuthenticates) {
  START_SMTP_OR_SKIP({"--auth", "mailer:s3cret"});
  SmtpOptions o = Smtp();
  o.username = "mailer";
  o.password = "s3cret";
  SmtpSink sink(o, clock_);
  auto sent = sink.Send(Email("bob@example.com", "s", "b"));
  ASSERT_TRUE(sent) << sent.error().internal();
  auto mail = WaitForLines(dir_ / "mail.jsonl", 1);
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].value("auth", false), true);

  // Without credentials the server refuses the message.
  SmtpSink anonymous(Smtp(), clock_);
  auto refused = anonymous.Send(Email("bob@example.com", "s", "b"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type_name(), "CodeDeliveryFailureException");
  EXPECT_EQ(ReadLines(dir_ / "mail.jsonl").size(), 1u);
}

TEST_F(OutboundIntegrationTest, SmtpRefusesHeaderInjection) {
  START_SMTP_OR_SKIP();
  SmtpSink sink(Smtp(), clock_);
  for (const auto& m :
       {Email("a@example.com\r\nBcc: evil@example.com", "s", "b"),
        Email("a@example.com", "s\r\nBcc: evil@example.com", "b"),
        Email("a@example.com", "s\nX: y", "b"), Email("Eve <a@example.com>", "s", "b"),
        Email("not-an-address", "s", "b"), Email("", "s", "b")}) {
    auto r = sink.Send(m);
    ASSERT_FALSE(r) << m.destination;
    EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
    EXPECT_EQ(r.error().message(), "Invalid email provided/Unable to send the email");
  }
  SmtpOptions bad_from = Smtp();
  bad_from.from = "a@example.com\r\nBcc: evil@example.com";
  EXPECT_FALSE(SmtpSink(bad_from, clock_).Send(Email("a@example.com", "s", "b")));
  // Nothing reached the server; a good message still goes through afterwards.
  ASSERT_TRUE(sink.Send(Email("a@example.com", "s", "b")));
  EXPECT_EQ(WaitForLines(dir_ / "mail.jsonl", 1).size(), 1u);
}

TEST(OutboundFailureTest, SmtpUnreachableIsCodeDeliveryFailure) {
  FixedClock clock;
  SmtpOptions o;
  o.url = "smtp://127.0.0.1:" + std::to_string(ClosedPort());
  o.connect_timeout = std::chrono::seconds(2);
  SmtpSink sink(o, clock);
  OutboundMessage m;
  m.destination = "a@example.com";
  m.body = "123456";
  auto r = sink.Send(m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
}

TEST_F(OutboundIntegrationTest, RequiredStartTlsNeverFallsBackToPlainText) {
  START_SMTP_OR_SKIP();  // aiosmtpd without a TLS context offers no STARTTLS
  SmtpOptions o = Smtp();
  o.starttls = StartTls::kRequired;
  auto r = SmtpSink(o, clock_).Send(Email("a@example.com", "s", "b"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
  // "try" falls back to plain text.
  o.starttls = StartTls::kTry;
  EXPECT_TRUE(SmtpSink(o, clock_).Send(Email("a@example.com", "s", "b")));
  EXPECT_EQ(WaitForLines(dir_ / "mail.jsonl", 1).size(), 1u);
}

class SmsGatewayIntegrationTest : public OutboundIntegrationTest {
 protected:
  bool StartGateway(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {(dir_ / "sms.jsonl").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto port = server_.Start(kSupport + "http_recorder.py", args);
    if (!port) return false;
    port_ = *port;
    return true;
  }
  OutboundMessage Sms() {
    OutboundMessage m;
    m.channel = OutboundMessage::Channel::kSms;
    m.destination = "+15555550100";
    m.body = "Your verification code is 123456. ";
    m.pool_id = "us-east-1_Test";
    m.purpose = "sign_up";
    return m;
  }
  std::string Url() { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
  SmsGatewayOptions Gateway(std::string token) {
    SmsGatewayOptions o;
    o.url = Url();
    o.token = std::move(token);
    return o;
  }
};

TEST_F(SmsGatewayIntegrationTest, PostsJsonWithBearerToken) {
  ASSERT_TRUE(StartGateway());
  SmsGatewaySink sink(Gateway("tok-123"));
  auto sent = sink.Send(Sms());
  ASSERT_TRUE(sent) << sent.error().internal();
  auto reqs = WaitForLines(dir_ / "sms.jsonl", 1);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["path"], "/sms");
  EXPECT_EQ(reqs[0]["headers"]["Authorization"], "Bearer tok-123");
  EXPECT_EQ(reqs[0]["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(json::parse(reqs[0]["body"].get<std::string>()),
            (json{{"to", "+15555550100"},
                  {"body", "Your verification code is 123456. "},
                  {"pool_id", "us-east-1_Test"},
                  {"purpose", "sign_up"}}));

  SmsGatewaySink no_token(Gateway(""));
  ASSERT_TRUE(no_token.Send(Sms()));
  reqs = WaitForLines(dir_ / "sms.jsonl", 2);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_FALSE(reqs[1]["headers"].contains("Authorization"));
}

TEST_F(SmsGatewayIntegrationTest, Non2xxIsCodeDeliveryFailure) {
  ASSERT_TRUE(StartGateway({"--status", "503"}));
  SmsGatewaySink sink(Gateway(""));
  auto r = sink.Send(Sms());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
  EXPECT_EQ(WaitForLines(dir_ / "sms.jsonl", 1).size(), 1u);
}

TEST_F(SmsGatewayIntegrationTest, TimeoutIsCodeDeliveryFailure) {
  ASSERT_TRUE(StartGateway({"--delay", "3"}));
  SmsGatewayOptions o = Gateway("");
  o.timeout = std::chrono::milliseconds(500);
  auto r = SmsGatewaySink(o).Send(Sms());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
}

TEST(OutboundFailureTest, SmsGatewayUnreachableIsCodeDeliveryFailure) {
  SmsGatewayOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/";
  OutboundMessage m;
  m.channel = OutboundMessage::Channel::kSms;
  m.destination = "+15555550100";
  auto r = SmsGatewaySink(o).Send(m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
}

}  // namespace
}  // namespace cognate::outbound
