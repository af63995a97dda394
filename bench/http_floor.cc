// The HTTP floor: the least a Beast server spends per keep-alive request on this machine.
//
// A one-thread server that reads each request with the same Beast parser Cognate uses and answers
// it with a fixed body of --body-bytes and the headers an awsJson answer carries. It parses no
// JSON and does no work, so its CPU time per request under wrk is what any Beast-based server pays
// for the transport (the kernel's share included) before doing anything. bench/auth_bench.py runs
// it on the server's core in the same run as Cognate and counts it in the unavoidable cost of the
// scenarios whose real work is small (GetUser). Run: build/bench/http_floor --port 0 --body-bytes
// 400
#include <cstdio>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> Serve(tcp::socket socket, const std::string& body) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1u << 20);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (ec) break;
    const auto& req = parser.get();
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/x-amz-json-1.1");
    res.set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000");
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, kAwait);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const std::string& body) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kAwait);
    if (ec) co_return;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), body), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A do-nothing Beast HTTP server: the transport's cost per request"};
  unsigned short port = 0;
  std::size_t body_bytes = 400;
  app.add_option("--port", port, "port on 127.0.0.1 (0: a free one, printed)");
  app.add_option("--body-bytes", body_bytes, "size of every answer's body");
  CLI11_PARSE(app, argc, argv);

  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string body(body_bytes, 'x');
  if (body_bytes >= 2) body.front() = '{', body.back() = '}';
  std::printf("HTTPFLOOR port=%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  asio::co_spawn(ioc, Accept(acceptor, body), asio::detached);
  ioc.run();
  return 0;
}
