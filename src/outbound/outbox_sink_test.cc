#include "outbound/outbox_sink.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cognate::outbound {
namespace {

namespace fs = std::filesystem;

class OutboxSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cognate-outbox-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<nlohmann::json> Lines() {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "outbox.jsonl");
    std::string line;
    while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  static domain::OutboundMessage Message(std::string destination, std::string body) {
    domain::OutboundMessage m;
    m.destination = std::move(destination);
    m.subject = "Your verification code";
    m.body = std::move(body);
    m.pool_id = "us-east-1_abc";
    m.username = "alice";
    m.purpose = "sign_up";
    return m;
  }

  fs::path dir_;
  FakeClock clock_{1'700'000'000'123};
};

TEST_F(OutboxSinkTest, AppendsOneJsonLinePerMessage) {
  OutboxSink sink(dir_ / "outbox.jsonl", clock_);
  ASSERT_TRUE(sink.Send(Message("alice@example.com", "Your code is 123456")));
  auto sms = Message("+15551234567", "Code 999999");
  sms.channel = domain::OutboundMessage::Channel::kSms;
  sms.purpose = "forgot_password";
  ASSERT_TRUE(sink.Send(sms));

  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["channel"], "email");
  EXPECT_EQ(lines[0]["destination"], "alice@example.com");
  EXPECT_EQ(lines[0]["subject"], "Your verification code");
  EXPECT_EQ(lines[0]["body"], "Your code is 123456");
  EXPECT_EQ(lines[0]["pool_id"], "us-east-1_abc");
  EXPECT_EQ(lines[0]["username"], "alice");
  EXPECT_EQ(lines[0]["purpose"], "sign_up");
  EXPECT_EQ(lines[0]["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(lines[1]["channel"], "sms");
  EXPECT_EQ(lines[1]["purpose"], "forgot_password");
}

TEST_F(OutboxSinkTest, FileIsPrivate) {
  OutboxSink sink(dir_ / "outbox.jsonl", clock_);
  ASSERT_TRUE(sink.Send(Message("a@b.c", "x")));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "outbox.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(OutboxSinkTest, ConcurrentSendsKeepLinesWhole) {
  OutboxSink sink(dir_ / "outbox.jsonl", clock_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&sink, t] {
      for (int i = 0; i < 25; ++i) {
        ASSERT_TRUE(sink.Send(Message("u" + std::to_string(t) + "@x.io", std::string(500, 'z'))));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Lines().size(), 100u);  // every line parses
}

TEST_F(OutboxSinkTest, InvalidUtf8DoesNotThrow) {
  OutboxSink sink(dir_ / "outbox.jsonl", clock_);
  EXPECT_TRUE(sink.Send(Message("a@b.c", std::string("bad \xff\xfe bytes"))));
  EXPECT_EQ(Lines().size(), 1u);
}

TEST_F(OutboxSinkTest, UnwritablePathIsCodeDeliveryFailure) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "no-such-dir-is-a-file").put('x');
  OutboxSink bad(dir_ / "no-such-dir-is-a-file" / "outbox.jsonl", clock_);
  auto r = bad.Send(Message("a@b.c", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
}

TEST(MaskDestinationTest, MasksEmailAndPhone) {
  EXPECT_EQ(MaskDestination("alice@example.com"), "a***@example.com");
  EXPECT_EQ(MaskDestination("@example.com"), "***@example.com");
  EXPECT_EQ(MaskDestination("+15551234567"), "+*******4567");
  EXPECT_EQ(MaskDestination("123"), "***");
  EXPECT_EQ(MaskDestination(""), "");
}

}  // namespace
}  // namespace cognate::outbound
