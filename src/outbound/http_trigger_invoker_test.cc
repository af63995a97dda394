#include "outbound/http_trigger_invoker.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/crypto.h"

namespace cognate::outbound {
namespace {

using domain::triggers::Invocation;

HttpTriggerOptions Options() {
  HttpTriggerOptions o;
  o.functions = {{"pre-signup", "http://127.0.0.1:1/a"},
                 {"arn:aws:lambda:us-east-1:123456789012:function:exact", "http://h/exact"},
                 {"named:live", "http://h/live"}};
  o.secret = "s3cret";
  return o;
}

TEST(HttpTriggerInvokerTest, ResolvesUrlsNamesAndArns) {
  HttpTriggerInvoker invoker(Options());
  EXPECT_EQ(invoker.Resolve("https://fn.example/x"), "https://fn.example/x");
  EXPECT_EQ(invoker.Resolve("pre-signup"), "http://127.0.0.1:1/a");
  EXPECT_EQ(invoker.Resolve("arn:aws:lambda:us-east-1:123456789012:function:pre-signup"),
            "http://127.0.0.1:1/a");
  EXPECT_EQ(invoker.Resolve("arn:aws:lambda:us-east-1:123456789012:function:pre-signup:3"),
            "http://127.0.0.1:1/a");
  EXPECT_EQ(invoker.Resolve("arn:aws:lambda:us-east-1:123456789012:function:exact"),
            "http://h/exact");
  EXPECT_EQ(invoker.Resolve("arn:aws:lambda:us-east-1:123456789012:function:named:live"),
            "http://h/live");
  EXPECT_EQ(invoker.Resolve("arn:aws:lambda:us-east-1:123456789012:function:other"), "");
  EXPECT_EQ(invoker.Resolve("ftp://x"), "");
  EXPECT_EQ(invoker.Resolve(""), "");
}

TEST(HttpTriggerInvokerTest, SignatureIsHmacOfTimestampAndBody) {
  // Computed independently: HMAC-SHA256("key", "1700000000.{}").
  const std::string expected =
      "v1=" + crypto::HexEncode(crypto::HmacSha256("key", std::string("1700000000.{}")));
  EXPECT_EQ(HttpTriggerInvoker::Signature("key", "1700000000", "{}"), expected);
  EXPECT_NE(HttpTriggerInvoker::Signature("key", "1700000001", "{}"), expected);
  EXPECT_EQ(expected.size(), 3u + 64u);
}

TEST(HttpTriggerInvokerTest, UnknownFunctionIsResourceNotFound) {
  HttpTriggerInvoker invoker(Options());
  Invocation r = invoker.Invoke("nobody", "{}");
  EXPECT_EQ(r.status, Invocation::Status::kUnreachable);
  EXPECT_EQ(r.body, "ResourceNotFoundException");
}

TEST(HttpTriggerInvokerTest, RefusedConnectionIsUnreachableAfterRetries) {
  // A port that was bound and closed: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  ::close(fd);

  HttpTriggerInvoker invoker(Options());
  Invocation r = invoker.Invoke("http://127.0.0.1:" + std::to_string(port) + "/f", "{}");
  EXPECT_EQ(r.status, Invocation::Status::kUnreachable);
  EXPECT_EQ(r.body, "ServiceException");
}

}  // namespace
}  // namespace cognate::outbound
