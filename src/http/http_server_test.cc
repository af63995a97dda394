#include "http/http_server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sched.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/durability.h"
#include "common/io_wait.h"

namespace cognate::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class FakeHandler final : public api::RequestHandler {
 public:
  std::function<api::ApiResponse(const api::ApiRequest&)> fn;
  std::atomic<int> calls{0};
  std::mutex mu;
  api::ApiRequest last;

  api::ApiResponse Handle(const api::ApiRequest& request) override {
    ++calls;
    {
      std::lock_guard lock(mu);
      last = request;
    }
    if (fn) return fn(request);
    api::ApiResponse r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
    r.body = "echo:" + request.body;
    r.operation = "Echo";
    return r;
  }
  std::function<bool(const api::ApiRequest&)> inline_safe;
  bool IsInlineSafe(const api::ApiRequest& request) const override {
    return inline_safe && inline_safe(request);
  }
  std::function<bool(const api::ApiRequest&)> cpu_heavy;
  bool IsCpuHeavy(const api::ApiRequest& request) const override {
    return cpu_heavy && cpu_heavy(request);
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions opts = {}) {
    opts.port = 0;
    opts.io_threads = opts.io_threads ? opts.io_threads : 2;
    opts.compute_threads = opts.compute_threads ? opts.compute_threads : 2;
    opts.access_log = false;
    server_ = std::make_unique<HttpServer>(handler_, opts);
    ASSERT_EQ(server_->Start(), "");
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  tcp::socket Connect() {
    tcp::socket s(ioc_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return s;
  }

  static bh::request<bh::string_body> Post(std::string body, bool keep_alive = true) {
    bh::request<bh::string_body> req{bh::verb::post, "/", 11};
    req.set(bh::field::host, "localhost");
    req.set(bh::field::content_type, "application/x-amz-json-1.1");
    req.set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools");
    req.body() = std::move(body);
    req.keep_alive(keep_alive);
    req.prepare_payload();
    return req;
  }

  static bh::response<bh::string_body> Read(tcp::socket& s, beast::flat_buffer& buf,
                                            beast::error_code& ec) {
    bh::response<bh::string_body> res;
    bh::read(s, buf, res, ec);
    return res;
  }

  // Round trip on a fresh connection.
  bh::response<bh::string_body> RoundTrip(bh::request<bh::string_body> req) {
    auto s = Connect();
    bh::write(s, req);
    beast::flat_buffer buf;
    beast::error_code ec;
    auto res = Read(s, buf, ec);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  // True when the server closed `s` (EOF or reset) within `wait`.
  static bool ClosedByPeer(tcp::socket& s) {
    char c;
    beast::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  asio::io_context ioc_;
  FakeHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ConvertsRequestAndResponse) {
  StartServer();
  auto req = Post(R"({"MaxResults":1})");
  req.set(bh::field::authorization, "AWS4-HMAC-SHA256 Credential=x");
  auto res = RoundTrip(req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"(echo:{"MaxResults":1})");
  EXPECT_EQ(res[bh::field::content_type], "application/x-amz-json-1.1");
  std::string rid(res["x-amzn-RequestId"]);
  EXPECT_EQ(rid.size(), 36u);
  EXPECT_FALSE(res[bh::field::date].empty());
  EXPECT_EQ(res[bh::field::access_control_allow_origin], "*");
  EXPECT_EQ(res[bh::field::access_control_expose_headers],
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date");

  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.last.method, "POST");
  EXPECT_EQ(handler_.last.target, "/");
  EXPECT_EQ(handler_.last.request_id, rid);
  EXPECT_EQ(handler_.last.source_ip, "127.0.0.1");
  EXPECT_EQ(handler_.last.Header("x-amz-target"),
            "AWSCognitoIdentityProviderService.ListUserPools");
  EXPECT_EQ(handler_.last.Header("Authorization"), "AWS4-HMAC-SHA256 Credential=x");
}

TEST_F(HttpServerTest, HandlerHeadersAndStatusPassThrough) {
  handler_.fn = [](const api::ApiRequest&) {
    api::ApiResponse r;
    r.status = 400;
    r.headers.emplace_back("x-amzn-ErrorType", "UserNotFoundException");
    r.headers.emplace_back("x-amzn-RequestId", "handler-id");
    r.headers.emplace_back("Content-Length", "999");  // ignored: framing is ours
    r.body = R"({"__type":"UserNotFoundException","message":"User does not exist."})";
    return r;
  };
  StartServer();
  auto res = RoundTrip(Post("{}"));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res["x-amzn-ErrorType"], "UserNotFoundException");
  EXPECT_EQ(res["x-amzn-RequestId"], "handler-id");
  EXPECT_EQ(res.body(), R"({"__type":"UserNotFoundException","message":"User does not exist."})");
}

TEST_F(HttpServerTest, HeadGetsHeadersWithoutBody) {
  StartServer();
  auto s = Connect();
  bh::request<bh::string_body> head{bh::verb::head, "/health", 11};
  head.set(bh::field::host, "x");
  bh::write(s, head);
  bh::response_parser<bh::string_body> parser;
  parser.skip(true);  // a response to HEAD has no body
  beast::flat_buffer buf;
  bh::read(s, buf, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(parser.get()[bh::field::content_length], "5");  // "echo:"
  // The connection is still in step: a second request works.
  bh::write(s, Post("after"));
  beast::error_code ec;
  EXPECT_EQ(Read(s, buf, ec).body(), "echo:after");
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  handler_.fn = [](const api::ApiRequest&) -> api::ApiResponse { throw std::runtime_error("x"); };
  StartServer();
  auto res = RoundTrip(Post("{}"));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res["x-amzn-ErrorType"], "InternalErrorException");
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  auto s = Connect();
  beast::flat_buffer buf;
  for (int i = 0; i < 5; ++i) {
    bh::write(s, Post("n" + std::to_string(i)));
    beast::error_code ec;
    auto res = Read(s, buf, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.body(), "echo:n" + std::to_string(i));
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(handler_.calls.load(), 5);
}

// A connection's read buffer starts at 8 KiB: requests far larger grow it, and the small ones
// after them on the same connection are read as before.
TEST_F(HttpServerTest, RequestsLargerThanTheReadBufferAreReadWhole) {
  StartServer();
  auto s = Connect();
  beast::flat_buffer buf;
  for (std::size_t size : {10u, 8191u, 8192u, 8193u, 20000u, 10u, 300000u, 5u}) {
    const std::string body(size, static_cast<char>('a' + size % 26));
    bh::write(s, Post(body));
    beast::error_code ec;
    auto res = Read(s, buf, ec);
    ASSERT_FALSE(ec) << size << ": " << ec.message();
    EXPECT_EQ(res.body(), "echo:" + body) << size;
  }
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  auto s = Connect();
  bh::write(s, Post("x", /*keep_alive=*/false));
  beast::flat_buffer buf;
  beast::error_code ec;
  auto res = Read(s, buf, ec);
  ASSERT_FALSE(ec);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(ClosedByPeer(s));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  handler_.fn = [](const api::ApiRequest& r) {
    if (r.body == "slow") std::this_thread::sleep_for(100ms);
    api::ApiResponse res;
    res.body = r.body;
    return res;
  };
  StartServer();
  auto s = Connect();
  // Three requests in one write.
  std::string wire;
  for (const char* b : {"slow", "fast", "last"}) {
    std::ostringstream os;
    os << Post(b);
    wire += os.str();
  }
  asio::write(s, asio::buffer(wire));
  beast::flat_buffer buf;
  for (const char* want : {"slow", "fast", "last"}) {
    beast::error_code ec;
    auto res = Read(s, buf, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.body(), want);
  }
}

TEST_F(HttpServerTest, BodyOverLimitIs413) {
  HttpServerOptions o;
  o.body_limit = 1024;
  StartServer(o);
  auto ok = RoundTrip(Post(std::string(1024, 'a')));
  EXPECT_EQ(ok.result_int(), 200);
  auto s = Connect();
  bh::write(s, Post(std::string(1025, 'a')));
  beast::flat_buffer buf;
  beast::error_code ec;
  auto res = Read(s, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(handler_.calls.load(), 1);
}

TEST_F(HttpServerTest, DefaultBodyLimitIsOneMebibyte) {
  StartServer();
  EXPECT_EQ(RoundTrip(Post(std::string(1 << 20, 'a'))).result_int(), 200);
  EXPECT_EQ(RoundTrip(Post(std::string((1 << 20) + 1, 'a'))).result_int(), 413);
}

// The client writes the whole refused body before it reads; the server must take it in
// rather than reset the connection, or the 413 never arrives.
TEST_F(HttpServerTest, BodyFarOverLimitStillGets413AfterTheClientWritesIt) {
  HttpServerOptions o;
  o.body_limit = 1024;
  StartServer(o);
  auto s = Connect();
  beast::error_code ec;
  bh::write(s, Post(std::string(8 << 20, 'a')), ec);
  ASSERT_FALSE(ec) << ec.message();
  beast::flat_buffer buf;
  auto res = Read(s, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(handler_.calls.load(), 0);
}

// A client that never stops sending after its 413 holds the connection for 2 s at most.
TEST_F(HttpServerTest, EndlessSenderAfterA413IsCutOff) {
  HttpServerOptions o;
  o.body_limit = 1024;
  StartServer(o);
  auto s = Connect();
  asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                          "1000000000\r\n\r\n")));
  const auto started = std::chrono::steady_clock::now();
  const std::string chunk(4096, 'a');
  beast::error_code ec;
  while (!ec && std::chrono::steady_clock::now() - started < 10s) {
    asio::write(s, asio::buffer(chunk), ec);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(ec) << "the server still reads after 10 s";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  HttpServerOptions o;
  o.body_limit = 100;
  StartServer(o);
  auto s = Connect();
  std::string wire =
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "50\r\n" +
      std::string(0x50, 'a') + "\r\n50\r\n" + std::string(0x50, 'b') + "\r\n0\r\n\r\n";
  asio::write(s, asio::buffer(wire));
  beast::flat_buffer buf;
  beast::error_code ec;
  auto res = Read(s, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413);
}

TEST_F(HttpServerTest, HeadersOverLimitAre431) {
  StartServer();
  auto ok = Post("{}");
  ok.set("X-Big", std::string(15 * 1024, 'h'));
  EXPECT_EQ(RoundTrip(ok).result_int(), 200);

  auto big = Post("{}");
  big.set("X-Big", std::string(17 * 1024, 'h'));
  auto s = Connect();
  beast::error_code ec;
  bh::write(s, big, ec);
  beast::flat_buffer buf;
  auto res = Read(s, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_EQ(handler_.calls.load(), 1);
}

TEST_F(HttpServerTest, GarbageIs400) {
  StartServer();
  auto s = Connect();
  asio::write(s, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  beast::flat_buffer buf;
  beast::error_code ec;
  auto res = Read(s, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(handler_.calls.load(), 0);
}

TEST_F(HttpServerTest, CorsPreflightEchoesOriginAndHeaders) {
  StartServer();
  bh::request<bh::string_body> req{bh::verb::options, "/", 11};
  req.set(bh::field::host, "localhost");
  req.set(bh::field::origin, "http://localhost:3000");
  req.set(bh::field::access_control_request_method, "POST");
  req.set(bh::field::access_control_request_headers, "content-type,x-amz-target,x-amz-user-agent");
  auto res = RoundTrip(req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bh::field::access_control_allow_origin], "http://localhost:3000");
  EXPECT_EQ(res[bh::field::access_control_allow_headers],
            "content-type,x-amz-target,x-amz-user-agent");
  EXPECT_NE(res[bh::field::access_control_allow_methods].find("POST"), std::string::npos);
  EXPECT_EQ(res[bh::field::access_control_max_age], "86400");
  EXPECT_EQ(handler_.calls.load(), 0);  // answered by the server itself
}

TEST_F(HttpServerTest, CorsPreflightWithoutOriginAllowsAny) {
  StartServer();
  bh::request<bh::string_body> req{bh::verb::options, "/", 11};
  req.set(bh::field::host, "localhost");
  auto res = RoundTrip(req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bh::field::access_control_allow_origin], "*");
  EXPECT_NE(res[bh::field::access_control_allow_headers].find("x-amz-target"), std::string::npos);
}

TEST_F(HttpServerTest, CorsHeadersOnResponsesEchoOrigin) {
  StartServer();
  auto req = Post("{}");
  req.set(bh::field::origin, "https://app.example.com");
  auto res = RoundTrip(req);
  EXPECT_EQ(res[bh::field::access_control_allow_origin], "https://app.example.com");
  EXPECT_EQ(res[bh::field::access_control_expose_headers],
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date");
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpServerOptions o;
  o.idle_timeout = 200ms;
  StartServer(o);
  auto s = Connect();
  bh::write(s, Post("a"));
  beast::flat_buffer buf;
  beast::error_code ec;
  Read(s, buf, ec);
  ASSERT_FALSE(ec);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedByPeer(s));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 5s);
}

TEST_F(HttpServerTest, SlowRequestHitsReadTimeout) {
  HttpServerOptions o;
  o.read_timeout = 200ms;
  o.idle_timeout = 10s;
  StartServer(o);
  auto s = Connect();
  asio::write(
      s, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedByPeer(s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(handler_.calls.load(), 0);
}

TEST_F(HttpServerTest, SlowHandlerDoesNotBlockOtherConnections) {
  std::promise<void> release;
  auto released = release.get_future().share();
  handler_.fn = [released](const api::ApiRequest& r) {
    if (r.body == "block") released.wait_for(5s);
    api::ApiResponse res;
    res.body = r.body;
    return res;
  };
  HttpServerOptions o;
  o.io_threads = 1;
  o.compute_threads = 2;
  StartServer(o);
  auto blocked = Connect();
  bh::write(blocked, Post("block"));
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  auto res = RoundTrip(Post("quick"));
  EXPECT_EQ(res.body(), "quick");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  release.set_value();
  beast::flat_buffer buf;
  beast::error_code ec;
  EXPECT_EQ(Read(blocked, buf, ec).body(), "block");
}

// The lane for CPU-heavy requests runs one at a time per slot; a request that waits on I/O
// (common/io_wait.h) lets another heavy request run meanwhile, and takes the slot back after.
TEST_F(HttpServerTest, AHeavyRequestWaitingOnIoLetsAnotherRun) {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> running{0}, most{0};
  auto count_in = [&] {
    const int now = running.fetch_add(1) + 1;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
  };
  handler_.cpu_heavy = [](const api::ApiRequest&) { return true; };
  handler_.fn = [&](const api::ApiRequest& r) {
    count_in();
    if (r.body == "wait") {
      running.fetch_sub(1);
      {
        IoWait waiting;  // as a database round trip does
        released.wait_for(5s);
      }
      count_in();
    } else {
      std::this_thread::sleep_for(20ms);  // "CPU" work, holding the slot
    }
    running.fetch_sub(1);
    api::ApiResponse res;
    res.body = r.body;
    return res;
  };
  HttpServerOptions o;
  o.heavy_threads = 1;  // one slot
  o.heavy_threads_per_slot = 4;
  StartServer(o);
  auto waiter = Connect();
  bh::write(waiter, Post("wait"));
  std::this_thread::sleep_for(50ms);
  // Two CPU requests while the first waits: both run (the slot is free), one after the other.
  std::vector<std::future<std::string>> quick;
  for (int i = 0; i < 2; ++i) {
    quick.push_back(std::async(std::launch::async, [this, i] {
      return RoundTrip(Post("cpu" + std::to_string(i))).body();
    }));
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(quick[i].wait_for(3s), std::future_status::ready)
        << "blocked behind a waiting request";
    EXPECT_EQ(quick[i].get(), "cpu" + std::to_string(i));
  }
  release.set_value();
  beast::flat_buffer buf;
  beast::error_code ec;
  EXPECT_EQ(Read(waiter, buf, ec).body(), "wait");
  EXPECT_EQ(most.load(), 1);  // never two heavy requests computing at once
}

// A request whose wait ends while another holds the only slot goes on without one after a
// short while rather than waiting out the other's work (or deadlocking with it over a lock).
TEST_F(HttpServerTest, AfterItsWaitAHeavyRequestDoesNotQueueLongForASlot) {
  std::promise<void> hold_started;
  auto started = hold_started.get_future().share();
  std::promise<void> release_hold;
  auto released = release_hold.get_future().share();
  handler_.cpu_heavy = [](const api::ApiRequest&) { return true; };
  handler_.fn = [&, started, released](const api::ApiRequest& r) {
    if (r.body == "wait") {
      IoWait waiting;  // gives the slot to "hold", and ends while "hold" still has it
      started.wait_for(5s);
    } else {
      hold_started.set_value();
      released.wait_for(5s);  // holds the slot (no IoWait) until the test says so
    }
    api::ApiResponse res;
    res.body = r.body;
    return res;
  };
  HttpServerOptions o;
  o.heavy_threads = 1;
  o.heavy_threads_per_slot = 2;
  StartServer(o);
  auto waiter = Connect();
  bh::write(waiter, Post("wait"));
  std::this_thread::sleep_for(50ms);
  auto holder = Connect();
  bh::write(holder, Post("hold"));
  beast::flat_buffer buf;
  beast::error_code ec;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Read(waiter, buf, ec).body(), "wait");  // while "hold" still holds the slot
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  release_hold.set_value();
  beast::flat_buffer buf2;
  EXPECT_EQ(Read(holder, buf2, ec).body(), "hold");
}

// A disk that syncs when the test says so: it holds WhenDurable's answers until Release().
class FakeDisk final : public DurabilitySource {
 public:
  void WhenDurable(std::uint64_t commit, std::function<void(bool)> done) override {
    std::lock_guard lock(mu_);
    commits_.push_back(commit);
    waiting_.push_back(std::move(done));
    cv_.notify_all();
  }
  // Waits until `n` answers have been asked for in all; returns the commits they wait for.
  std::vector<std::uint64_t> AwaitHeld(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 5s, [&] { return commits_.size() >= n; });
    return commits_;
  }
  void Release(bool ok) {
    std::vector<std::function<void(bool)>> out;
    {
      std::lock_guard lock(mu_);
      out.swap(waiting_);
    }
    for (auto& done : out) done(ok);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::uint64_t> commits_;
  std::vector<std::function<void(bool)>> waiting_;
};

// A handler whose writes were deferred to the disk (common/durability.h) is answered only once
// the disk says they are durable, and its thread serves other requests meanwhile; a failed sync
// turns the answer into a 500.
TEST_F(HttpServerTest, AnswersWaitForTheirWritesToReachTheDisk) {
  FakeDisk disk;
  handler_.fn = [&disk](const api::ApiRequest& r) {
    if (r.body != "read") {
      DeferDurability(disk, 3);
      DeferDurability(disk, 7);  // the scope keeps the last commit
    }
    api::ApiResponse res;
    res.body = "wrote:" + r.body;
    return res;
  };
  HttpServerOptions o;
  o.compute_threads = 1;  // the one thread must be free for the read below
  StartServer(o);
  auto writer = Connect();
  bh::write(writer, Post("a"));
  EXPECT_EQ(disk.AwaitHeld(1), std::vector<std::uint64_t>{7});
  EXPECT_EQ(RoundTrip(Post("read")).body(), "wrote:read");  // no write: answered at once
  writer.non_blocking(true);
  char c;
  beast::error_code ec;
  writer.read_some(asio::buffer(&c, 1), ec);
  EXPECT_EQ(ec, asio::error::would_block);  // still held
  writer.non_blocking(false);
  disk.Release(true);
  beast::flat_buffer buf;
  auto res = Read(writer, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "wrote:a");

  bh::write(writer, Post("b"));
  disk.AwaitHeld(2);
  disk.Release(false);
  res = Read(writer, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res["x-amzn-ErrorType"], "InternalErrorException");
}

// Stop() waits for answers held by the disk before it tears the I/O threads down.
TEST_F(HttpServerTest, StopWaitsForAnswersHeldByTheDisk) {
  FakeDisk disk;
  handler_.fn = [&disk](const api::ApiRequest&) {
    DeferDurability(disk, 1);
    return api::ApiResponse{};
  };
  StartServer();
  auto writer = Connect();
  bh::write(writer, Post("a"));
  disk.AwaitHeld(1);
  std::thread stopper([this] { server_->Stop(); });
  std::this_thread::sleep_for(100ms);
  disk.Release(true);  // after Stop() began: the answer still goes out
  beast::flat_buffer buf;
  beast::error_code ec;
  auto res = Read(writer, buf, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 200);
  stopper.join();
}

// Answers that finish together reach their own connections: the I/O thread's mailbox takes them
// in batches (many pushed before one wake-up) and keeps working for the next round.
TEST_F(HttpServerTest, BurstOfCompletionsReachesEachConnection) {
  std::promise<void> release;
  auto released = release.get_future().share();
  handler_.fn = [released](const api::ApiRequest& r) {
    released.wait_for(5s);
    api::ApiResponse res;
    res.body = "answer to " + r.body;
    return res;
  };
  HttpServerOptions o;
  o.io_threads = 1;
  o.compute_threads = 8;
  StartServer(o);
  constexpr int kConnections = 24;
  std::vector<tcp::socket> sockets;
  for (int i = 0; i < kConnections; ++i) {
    sockets.push_back(Connect());
    bh::write(sockets.back(), Post("r" + std::to_string(i)));
  }
  std::this_thread::sleep_for(100ms);  // eight handlers wait, the rest are queued
  release.set_value();
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kConnections; ++i) {
      beast::flat_buffer buf;
      beast::error_code ec;
      auto res = Read(sockets[i], buf, ec);
      ASSERT_FALSE(ec) << ec.message();
      EXPECT_EQ(res.body(), "answer to r" + std::to_string(i + round * 100)) << "round " << round;
    }
    if (round == 0) {  // every connection again, on the same keep-alive sockets
      for (int i = 0; i < kConnections; ++i) {
        bh::write(sockets[i], Post("r" + std::to_string(i + 100)));
      }
    }
  }
}

TEST_F(HttpServerTest, InlineSafeRequestsBypassABusyComputePool) {
  // One compute thread, held by a slow request; an inline-safe request is answered meanwhile
  // (on its I/O thread), which proves it never queued for the compute pool.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> slow_started{false};
  handler_.fn = [&](const api::ApiRequest& req) {
    if (req.body == "slow") {
      slow_started = true;
      released.wait();
    }
    api::ApiResponse r;
    r.status = 200;
    r.body = "ok:" + req.body;
    return r;
  };
  handler_.inline_safe = [](const api::ApiRequest& req) { return req.body == "quick"; };
  HttpServerOptions opts;
  opts.compute_threads = 1;
  opts.inline_reads = true;
  StartServer(opts);
  auto slow = Connect();
  bh::write(slow, Post("slow"));
  for (int i = 0; i < 500 && !slow_started; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_TRUE(slow_started);
  auto quick = RoundTrip(Post("quick"));
  EXPECT_EQ(quick.body(), "ok:quick");
  release.set_value();
  beast::flat_buffer buf;
  beast::error_code ec;
  EXPECT_EQ(Read(slow, buf, ec).body(), "ok:slow");
}

// The policy each thread answers under: inline-safe requests run on the I/O thread, the others on
// a compute thread.
TEST_F(HttpServerTest, IoThreadsRunUnderBatchSchedulingUnlessTurnedOff) {
  handler_.fn = [](const api::ApiRequest& req) {
    api::ApiResponse r;
    r.status = 200;
    r.body = req.body + ":" + std::to_string(sched_getscheduler(0));
    return r;
  };
  handler_.inline_safe = [](const api::ApiRequest& req) { return req.body == "io"; };
  for (bool batch : {true, false}) {
    HttpServerOptions opts;
    opts.inline_reads = true;
    opts.io_batch_scheduling = batch;
    StartServer(opts);
    const int io_policy = batch ? SCHED_BATCH : SCHED_OTHER;
    EXPECT_EQ(RoundTrip(Post("io")).body(), "io:" + std::to_string(io_policy)) << batch;
    EXPECT_EQ(RoundTrip(Post("compute")).body(), "compute:" + std::to_string(SCHED_OTHER)) << batch;
    server_->Stop();
  }
}

// The store sizes its reader connections by this count (each request may hold one).
TEST(HttpServerOptionsTest, HandlerThreadsCountEveryThreadThatMayRunAHandler) {
  HttpServerOptions o;
  o.io_threads = 2;
  o.compute_threads = 3;
  o.heavy_threads = 1;
  o.inline_reads = false;
  EXPECT_EQ(HandlerThreads(o), 4u);
  o.inline_reads = true;  // the I/O threads answer GetUser themselves
  EXPECT_EQ(HandlerThreads(o), 6u);
  o.heavy_threads_per_slot = 4;  // the sign-in lane on PostgreSQL
  EXPECT_EQ(HandlerThreads(o), 9u);
  o.heavy_threads_per_slot = 1;
  o.compute_threads = 0;  // defaults: at least 4 compute threads, at least one heavy
  EXPECT_GE(HandlerThreads(o), 2u + 4u + 1u);
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlightRequest) {
  std::atomic<bool> entered{false};
  handler_.fn = [&entered](const api::ApiRequest& r) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    api::ApiResponse res;
    res.body = "done";
    return res;
  };
  StartServer();
  auto idle = Connect();  // an idle keep-alive connection: closed at once by Stop()
  auto busy = Connect();
  bh::write(busy, Post("x"));
  while (!entered) std::this_thread::sleep_for(5ms);

  auto t0 = std::chrono::steady_clock::now();
  std::thread stopper([this] { server_->Stop(); });
  beast::flat_buffer buf;
  beast::error_code ec;
  auto res = Read(busy, buf, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "done");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(ClosedByPeer(idle));
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(server_->OpenConnectionsForTest(), 0);

  // No longer accepting.
  tcp::socket s(ioc_);
  beast::error_code cec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), cec);
  EXPECT_TRUE(cec);
}

TEST_F(HttpServerTest, StopIsBoundedWhenAHandlerOverruns) {
  handler_.fn = [](const api::ApiRequest&) {
    std::this_thread::sleep_for(600ms);
    return api::ApiResponse{};
  };
  HttpServerOptions o;
  o.shutdown_grace = 100ms;
  StartServer(o);
  auto busy = Connect();
  bh::write(busy, Post("x"));
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  // Bounded by grace + the handler already running (it cannot be interrupted).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(ClosedByPeer(busy));
}

// Writes a fresh self-signed P-256 certificate and key; returns {cert path, key path}.
std::pair<std::string, std::string> WriteSelfSignedCert() {
  std::string base = "/tmp/cognate-http-tls-" + std::to_string(::getpid());
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, pkey, EVP_sha256());
  FILE* c = std::fopen((base + ".crt").c_str(), "w");
  PEM_write_X509(c, x);
  std::fclose(c);
  FILE* k = std::fopen((base + ".key").c_str(), "w");
  PEM_write_PrivateKey(k, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  X509_free(x);
  EVP_PKEY_free(pkey);
  return {base + ".crt", base + ".key"};
}

TEST_F(HttpServerTest, ServesTlsWhenGivenACertificate) {
  auto [cert, key] = WriteSelfSignedCert();
  HttpServerOptions o;
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  StartServer(o);
  EXPECT_TRUE(server_->tls());
  namespace ssl = asio::ssl;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);
  ssl::stream<tcp::socket> s(ioc_, ctx);
  s.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  s.handshake(ssl::stream_base::client);
  beast::flat_buffer buf;
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
    bh::write(s, Post("secure" + std::to_string(i)));
    bh::response<bh::string_body> res;
    bh::read(s, buf, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "echo:secure" + std::to_string(i));
  }
  // A plain-HTTP client gets nothing useful and does not hurt the server.
  auto plain = Connect();
  beast::error_code ec;
  bh::write(plain, Post("x"), ec);
  beast::flat_buffer pbuf;
  Read(plain, pbuf, ec);
  EXPECT_TRUE(ec);
  std::remove(cert.c_str());
  std::remove(key.c_str());
}

TEST_F(HttpServerTest, StartFailsOnBadAddressOrMissingTlsFiles) {
  HttpServerOptions o;
  o.bind_address = "not an address";
  HttpServer bad(handler_, o);
  EXPECT_NE(bad.Start(), "");
  HttpServerOptions t;
  t.port = 0;
  t.tls_cert_file = "/nonexistent/cert.pem";
  t.tls_key_file = "/nonexistent/key.pem";
  HttpServer tls(handler_, t);
  EXPECT_NE(tls.Start(), "");
}

TEST_F(HttpServerTest, StartFailsWhenPortTaken) {
  StartServer();
  HttpServerOptions o;
  o.port = server_->port();
  HttpServer second(handler_, o);
  EXPECT_NE(second.Start(), "");
}

}  // namespace
}  // namespace cognate::http
