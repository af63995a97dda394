#include "http/http_server.h"

#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/durability.h"
#include "common/io_wait.h"
#include "crypto/crypto.h"
#include "http/message.h"

namespace cognate::http {
namespace {

// Lowers the calling thread's scheduling priority by `nice` the first time it is called on that
// thread (Linux applies nice per thread). Failure is harmless: the lane just keeps its priority.
void LowerThreadPriorityOnce(int nice) {
  thread_local bool lowered = false;
  if (lowered || nice <= 0) return;
  lowered = true;
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (errno == 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), current + nice);
}

// Where access lines go: the logger named "access" when the application registered one (main.cc
// registers one that writes without a flush of its own), else the default logger.
spdlog::logger& AccessLog() {
  static const std::shared_ptr<spdlog::logger> access = spdlog::get("access");
  return access ? *access : *spdlog::default_logger_raw();
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using beast_http::error;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// A connection's read buffer: SDK requests (headers and body) are well under this.
constexpr std::size_t kReadBufferBytes = 8192;

// SCHED_BATCH for the calling thread (Linux applies the policy per thread and keeps its nice
// value). Failure is harmless: the thread keeps the default policy.
void UseBatchScheduling() {
  const sched_param none{};
  if (sched_setscheduler(0, SCHED_BATCH, &none) != 0) {
    spdlog::debug("http: SCHED_BATCH refused for an I/O thread: {}", std::strerror(errno));
  }
}

// The cores this process may run on (its affinity mask, e.g. under taskset or a container's
// cpuset), falling back to the machine's count.
unsigned DefaultIoThreads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned IoThreads(const HttpServerOptions& o) {
  return o.io_threads > 0 ? static_cast<unsigned>(o.io_threads) : DefaultIoThreads();
}
unsigned ComputeThreads(const HttpServerOptions& o) {
  return o.compute_threads > 0 ? static_cast<unsigned>(o.compute_threads)
                               : std::max(4u, 2 * DefaultIoThreads());
}
// CPU-heavy requests run at once: one per core, since more only interleave 19 MiB argon2id
// working sets (docs/decisions.md).
unsigned HeavySlots(const HttpServerOptions& o) {
  return o.heavy_threads > 0 ? static_cast<unsigned>(o.heavy_threads) : DefaultIoThreads();
}
// The lane's threads: with several per slot, one runs while another waits on the database.
unsigned HeavyThreads(const HttpServerOptions& o) {
  return static_cast<unsigned>(std::max(1, o.heavy_threads_per_slot)) * HeavySlots(o);
}

}  // namespace

unsigned HandlerThreads(const HttpServerOptions& options) {
  return ComputeThreads(options) + HeavyThreads(options) +
         (options.inline_reads ? IoThreads(options) : 0);
}

// Outside the anonymous namespace: HttpServer::Impl (external linkage) holds the workers.
namespace http_detail {

// What Stop() may do to a connection from the connection's own thread.
struct ConnectionControl {
  bool idle = false;             // waiting for the first byte of a request
  std::function<void()> cancel;  // aborts a pending read (idle connections)
  std::function<void()> close;   // cuts the connection
};

// Completions handed from the compute lanes back to one I/O thread.
//
// asio's own post from a foreign thread wakes an io_context blocked in epoll_wait by an
// epoll_ctl made while holding the io_context's mutex. On a busy core the woken I/O thread
// preempts the (lower-priority) compute thread right there, then blocks on that very mutex, and
// the two bounce: about six context switches per request under load (bench/token_bench.py
// counts them). The mailbox holds its own lock only to push or to swap the queue out, and wakes
// the I/O thread with an eventfd write after unlocking, once per batch: the I/O thread drains
// every completion that arrived meanwhile in one wake-up.
class Mailbox {
 public:
  explicit Mailbox(asio::io_context& ioc)
      : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), descriptor_(ioc) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    descriptor_.assign(fd_);
  }

  // Any thread: `fn` runs on the I/O thread.
  template <class Fn>
  void Push(Fn fn) {
    auto item = std::make_unique<Item<Fn>>(std::move(fn));
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      wake = queue_.empty();
      queue_.push_back(std::move(item));
    }
    if (wake) {
      const std::uint64_t one = 1;
      // EAGAIN only when the counter is about to overflow: a wake-up is pending anyway.
      [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
    }
  }

  // The I/O thread, once before it runs: waits for pushes and runs them, until the io_context
  // stops (what is still queued then is destroyed unrun, as asio does with posted handlers).
  void Arm() {
    descriptor_.async_wait(asio::posix::descriptor_base::wait_read,
                           [this](const boost::system::error_code& ec) {
                             if (ec) return;  // cancelled: the worker is going away
                             Drain();
                             Arm();
                           });
  }

 private:
  struct ItemBase {
    virtual ~ItemBase() = default;
    virtual void Run() = 0;
  };
  template <class Fn>
  struct Item final : ItemBase {
    explicit Item(Fn f) : fn(std::move(f)) {}
    void Run() override { std::move(fn)(); }
    Fn fn;
  };

  void Drain() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &count, sizeof count);
    std::vector<std::unique_ptr<ItemBase>> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(queue_);
    }
    for (auto& item : batch) item->Run();
  }

  int fd_;
  asio::posix::stream_descriptor descriptor_;  // owns fd_
  std::mutex mu_;
  std::vector<std::unique_ptr<ItemBase>> queue_;  // guarded by mu_
};

// The cores of the lane for CPU-heavy requests. A heavy request runs while holding a slot and
// gives it up while it waits on I/O (common/io_wait.h), so another heavy request uses the core
// meanwhile; after the wait it takes a slot again, or goes on without one if none frees up
// within kMaxWait (so a wait can never deadlock with a slot holder over some other lock).
class CpuSlots final : public IoWaitHooks {
 public:
  explicit CpuSlots(unsigned n) : free_(n) {}

  void Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
    Holding() = true;
  }
  void Release() {
    if (!Holding()) return;
    Holding() = false;
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }
  void BeginWait() override {
    GaveUp() = Holding();
    Release();
  }
  void EndWait() override {
    if (!GaveUp()) return;
    GaveUp() = false;
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, kMaxWait, [&] { return free_ > 0; })) {
      --free_;
      Holding() = true;
    }
  }
  unsigned FreeForTest() {
    std::lock_guard lock(mu_);
    return free_;
  }

 private:
  static constexpr std::chrono::milliseconds kMaxWait{50};
  // Per thread: whether it holds a slot, and whether it gave one up for the current wait.
  static bool& Holding() {
    static thread_local bool holding = false;
    return holding;
  }
  static bool& GaveUp() {
    static thread_local bool gave_up = false;
    return gave_up;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned free_;  // guarded by mu_
};

// One I/O thread with its own io_context. `connections` is touched only on that thread.
struct IoWorker {
  std::list<ConnectionControl*> connections;  // declared before ioc: outlives its frames
  asio::io_context ioc{1};
  Mailbox mailbox{ioc};  // destroyed before ioc
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

}  // namespace http_detail

namespace {

using http_detail::ConnectionControl;
using http_detail::IoWorker;
using http_detail::Mailbox;

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(error::bad_target).category() &&
         ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message;
}

// The answer when a handler failed in a way it could not report itself.
api::ApiResponse InternalError() {
  api::ApiResponse r;
  r.status = 500;
  r.error_type = "InternalErrorException";
  r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  r.headers.emplace_back("x-amzn-ErrorType", "InternalErrorException");
  r.body = R"({"__type":"InternalErrorException","message":"Internal server error."})";
  return r;
}

}  // namespace

struct HttpServer::Impl {
  Impl(api::RequestHandler& h, HttpServerOptions o) : handler(h), options(std::move(o)) {}

  api::RequestHandler& handler;
  HttpServerOptions options;
  std::vector<std::unique_ptr<IoWorker>> workers;
  std::unique_ptr<asio::thread_pool> compute;
  std::unique_ptr<asio::thread_pool> heavy;            // IsCpuHeavy requests, at a lower priority
  std::unique_ptr<http_detail::CpuSlots> heavy_slots;  // how many of them run at once
  std::optional<tcp::acceptor> acceptor;
  std::optional<ssl::context> tls_context;
  std::list<ssl::context> sni_contexts;  // HttpServerOptions::sni_certificates, in order
  std::uint16_t bound_port = 0;
  std::size_t next_worker = 0;

  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> accept_loop_done{false};
  std::atomic<int> open_connections{0};
  std::atomic<int> awaiting_disk{0};  // answers held until their writes are durable
  std::mutex mu;
  std::condition_variable cv;  // signalled when a connection closes or Stop() begins
  bool stopped = false;        // guarded by mu

  // SNI: switches the handshake to the first extra certificate that covers the name asked for.
  static int ChooseByName(SSL* ssl, int* /*alert*/, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr) return SSL_TLSEXT_ERR_NOACK;
    auto* self = static_cast<Impl*>(arg);
    for (auto& ctx : self->sni_contexts) {
      X509* cert = SSL_CTX_get0_certificate(ctx.native_handle());
      if (cert != nullptr && X509_check_host(cert, name, 0, 0, nullptr) == 1) {
        SSL_set_SSL_CTX(ssl, ctx.native_handle());
        return SSL_TLSEXT_ERR_OK;
      }
    }
    return SSL_TLSEXT_ERR_OK;
  }

  std::string Start();
  void Stop();

  asio::awaitable<void> AcceptLoop();
  template <class Stream>
  asio::awaitable<void> Serve(Stream& stream, IoWorker& worker, std::string source_ip);
  template <class Stream>
  asio::awaitable<void> DrainBeforeClose(Stream& stream);
  asio::awaitable<void> ServePlain(tcp::socket socket, IoWorker& worker);
  asio::awaitable<void> ServeTls(tcp::socket socket, IoWorker& worker);
  // The compute hop: the request runs on the compute pool and the connection's coroutine resumes
  // on its I/O thread with the response. Built from a plain completion handler rather than a
  // capturing coroutine lambda inside a co_await expression: g++ 12 destroyed that lambda's
  // captures twice (a heap-use-after-free under concurrent connections).
  struct ComputeTask {
    api::ApiRequest request;
    api::ApiResponse response;
  };
  void RunHandler(ComputeTask& task);
  template <class Handler>
  void StartCompute(std::shared_ptr<ComputeTask> task, IoWorker& worker, Handler done) {
    const bool is_heavy = handler.IsCpuHeavy(task->request);
    asio::post(is_heavy ? *heavy : *compute,
               [this, is_heavy, &worker, task = std::move(task), done = std::move(done)]() mutable {
                 if (is_heavy) {
                   LowerThreadPriorityOnce(options.heavy_nice);
                   SetThreadIoWaitHooks(heavy_slots.get());
                   heavy_slots->Acquire();
                 }
                 DeferredDurability durability;
                 RunHandler(*task);  // `task` is shared: it outlives this frame on teardown
                 if (is_heavy) heavy_slots->Release();
                 DurabilitySource* disk = durability.source();
                 if (disk == nullptr) {
                   worker.mailbox.Push(std::move(done));
                   return;
                 }
                 // The answer leaves once the request's writes are on disk; this thread goes on
                 // to the next request meanwhile (common/durability.h).
                 awaiting_disk.fetch_add(1);
                 auto held = std::make_shared<Handler>(std::move(done));
                 disk->WhenDurable(durability.commit(), [this, &worker, task, held](bool ok) {
                   if (!ok) {
                     spdlog::error("http: request {}: its writes could not be synced to disk",
                                   task->request.request_id);
                     task->response = InternalError();
                   }
                   worker.mailbox.Push([held]() mutable { std::move (*held)(); });
                   if (awaiting_disk.fetch_sub(1) == 1) {
                     std::lock_guard lock(mu);
                     cv.notify_all();
                   }
                 });
               });
  }
  // co_spawn's completion handler for a connection's coroutine.
  void ConnectionEnded(std::exception_ptr e) {
    if (e) spdlog::error("http: connection ended by an exception");
    ConnectionClosed();
  }
  void ConnectionClosed() {
    {
      std::lock_guard lock(mu);
      open_connections.fetch_sub(1);
    }
    cv.notify_all();
  }
  // Runs `fn(control)` for each connection, on each worker's thread.
  void ForEachConnection(std::function<void(ConnectionControl&)> fn) {
    for (auto& w : workers) {
      asio::post(w->ioc, [w = w.get(), fn] {
        for (auto* c : w->connections) fn(*c);
      });
    }
  }
};

std::string HttpServer::Impl::Start() {
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return "TLS needs both a certificate and a key";
    }
    tls_context.emplace(ssl::context::tls_server);
    beast::error_code ec;
    tls_context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                 ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                             ec);
    if (!ec) tls_context->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return "cannot load TLS certificate " + options.tls_cert_file + ": " + ec.message();
    tls_context->use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
    if (ec) return "cannot load TLS key " + options.tls_key_file + ": " + ec.message();
    for (const auto& [cert, key] : options.sni_certificates) {
      ssl::context& extra = sni_contexts.emplace_back(ssl::context::tls_server);
      extra.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                        ec);
      if (!ec) extra.use_certificate_chain_file(cert, ec);
      if (ec) return "cannot load TLS certificate " + cert + ": " + ec.message();
      extra.use_private_key_file(key, ssl::context::pem, ec);
      if (ec) return "cannot load TLS key " + key + ": " + ec.message();
    }
    if (!sni_contexts.empty()) {
      SSL_CTX_set_tlsext_servername_callback(tls_context->native_handle(), &Impl::ChooseByName);
      SSL_CTX_set_tlsext_servername_arg(tls_context->native_handle(), this);
    }
  }

  const unsigned n_io = IoThreads(options);
  const unsigned n_compute = ComputeThreads(options);
  for (unsigned i = 0; i < n_io; ++i) workers.push_back(std::make_unique<IoWorker>());

  beast::error_code ec;
  auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec) return "bad bind address " + options.bind_address + ": " + ec.message();
  tcp::endpoint endpoint(address, options.port);
  acceptor.emplace(workers[0]->ioc);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string what = "cannot listen on " + options.bind_address + ":" +
                       std::to_string(options.port) + ": " + ec.message();
    acceptor.reset();
    workers.clear();
    return what;
  }
  bound_port = acceptor->local_endpoint(ec).port();

  compute = std::make_unique<asio::thread_pool>(n_compute);
  heavy_slots = std::make_unique<http_detail::CpuSlots>(HeavySlots(options));
  heavy = std::make_unique<asio::thread_pool>(HeavyThreads(options));
  asio::co_spawn(workers[0]->ioc, AcceptLoop(), [this](std::exception_ptr e) {
    if (e) spdlog::error("http: accept loop ended by an exception");
    {
      std::lock_guard lock(mu);
      accept_loop_done = true;
    }
    cv.notify_all();
  });
  for (auto& w : workers) {
    w->mailbox.Arm();
    w->guard.emplace(w->ioc.get_executor());
    w->thread = std::thread([w = w.get(), batch = options.io_batch_scheduling] {
      if (batch) UseBatchScheduling();
      w->ioc.run();
    });
  }
  started = true;
  return {};
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  while (!stopping) {
    IoWorker& worker = *workers[next_worker];
    next_worker = (next_worker + 1) % workers.size();
    auto [ec, socket] = co_await acceptor->async_accept(worker.ioc, kAwait);
    if (stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of descriptors and the like: say so and back off instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await timer.async_wait(kAwait);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    {
      std::lock_guard lock(mu);
      open_connections.fetch_add(1);
    }
    // A member function, not a lambda: a coroutine frame may only hold types with linkage
    // (GCC's -Wsubobject-linkage in a unity build).
    auto done = std::bind_front(&Impl::ConnectionEnded, this);
    if (tls_context) {
      asio::co_spawn(worker.ioc, ServeTls(std::move(socket), worker), done);
    } else {
      asio::co_spawn(worker.ioc, ServePlain(std::move(socket), worker), done);
    }
  }
}

asio::awaitable<void> HttpServer::Impl::ServePlain(tcp::socket socket, IoWorker& worker) {
  beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::string source_ip = ec ? std::string() : remote.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  co_await Serve(stream, worker, std::move(source_ip));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
}

asio::awaitable<void> HttpServer::Impl::ServeTls(tcp::socket socket, IoWorker& worker) {
  beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::string source_ip = ec ? std::string() : remote.address().to_string();
  ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls_context);
  beast::get_lowest_layer(stream).expires_after(options.read_timeout);
  auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server, kAwait);
  if (hs_ec) {
    spdlog::debug("http: TLS handshake with {} failed: {}", source_ip, hs_ec.message());
    beast::get_lowest_layer(stream).close();
    co_return;
  }
  co_await Serve(stream, worker, std::move(source_ip));
  if (!stopping && beast::get_lowest_layer(stream).socket().is_open()) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kAwait);
  }
  beast::get_lowest_layer(stream).close();
}

void HttpServer::Impl::RunHandler(ComputeTask& task) {
  try {
    task.response = handler.Handle(task.request);
    return;
  } catch (const std::exception& ex) {
    spdlog::error("http: request {} handler threw: {}", task.request.request_id, ex.what());
  } catch (...) {
    spdlog::error("http: request {} handler threw", task.request.request_id);
  }
  task.response = InternalError();
}

// After an error answer the client may still be sending the request we refused (a body
// over the limit, say). Closing with those bytes unread makes the kernel reset the
// connection, and the client loses the answer; so read and discard until the client
// closes, for at most two seconds and 16 MiB.
template <class Stream>
asio::awaitable<void> HttpServer::Impl::DrainBeforeClose(Stream& stream) {
  constexpr std::size_t kMaxDrain = 16u << 20;
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(std::chrono::seconds(2));
  std::array<char, 16384> sink;
  std::size_t drained = 0;
  while (!stopping && drained < kMaxDrain) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kAwait);
    if (ec) break;
    drained += n;
  }
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::Serve(Stream& stream, IoWorker& worker,
                                              std::string source_ip) {
  auto& lowest = beast::get_lowest_layer(stream);
  ConnectionControl control;
  control.cancel = [&lowest] { lowest.cancel(); };
  control.close = [&lowest] {
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest.socket().close(ignored);
  };
  worker.connections.push_front(&control);
  struct Unregister {
    IoWorker& w;
    std::list<ConnectionControl*>::iterator it;
    ~Unregister() { w.connections.erase(it); }
  } unregister{worker, worker.connections.begin()};

  // Room for a whole typical request from the start: Beast reads as much as the buffer has spare
  // capacity (at least 512 bytes), so an exact-fit buffer took three reads for a 1.2 kB GetUser.
  beast::flat_buffer buffer;
  buffer.reserve(kReadBufferBytes);
  for (;;) {
    if (stopping) break;
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options.header_limit, UINT32_MAX)));
    parser.body_limit(options.body_limit);

    // Idle until the first byte (unless pipelined bytes are waiting), then the read timeout.
    control.idle = buffer.size() == 0;
    lowest.expires_after(control.idle ? options.idle_timeout : options.read_timeout);
    auto [ec, n] = co_await beast_http::async_read_some(stream, buffer, parser, kAwait);
    control.idle = false;
    auto started_at = std::chrono::steady_clock::now();
    if (!ec && !parser.is_done()) {
      lowest.expires_after(options.read_timeout);
      if (parser.is_header_done() &&
          beast::iequals(parser.get()[beast_http::field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> cont{beast_http::status::continue_, 11};
        auto [wec, wn] = co_await beast_http::async_write(stream, cont, kAwait);
        ec = wec;
      }
      if (!ec) std::tie(ec, n) = co_await beast_http::async_read(stream, buffer, parser, kAwait);
    }
    std::string request_id = crypto::NewUuid();
    if (ec) {
      std::optional<BeastResponse> reply;
      if (ec == error::header_limit) {
        reply = ServerErrorResponse(431, "RequestHeaderFieldsTooLarge",
                                    "Request header fields too large.", request_id, 11, false);
      } else if (ec == error::body_limit) {
        reply = ServerErrorResponse(413, "RequestEntityTooLarge", "Request entity too large.",
                                    request_id, 11, false);
      } else if (IsParseError(ec)) {
        reply = ServerErrorResponse(400, "BadRequest", "Malformed HTTP request.", request_id, 11,
                                    false);
      }
      if (reply) {
        lowest.expires_after(options.read_timeout);
        auto [wec, wn] = co_await beast_http::async_write(stream, *reply, kAwait);
        if (!wec) co_await DrainBeforeClose(stream);
        if (options.access_log) {
          AccessLog().info("access id={} method=- path=- op=- status={} error={} ms=0 ip={}",
                           request_id, reply->result_int(), (*reply)["x-amzn-ErrorType"],
                           source_ip);
        }
      }
      break;  // end of stream, timeout, reset, cancelled by Stop(), or answered above
    }

    BeastRequest req = parser.release();
    bool keep_alive = req.keep_alive();
    bool head = req.method() == beast_http::verb::head;
    std::string method(req.method_string());
    std::string path(PathOf(req.target()));
    std::string origin(req[beast_http::field::origin]);
    BeastResponse res;
    std::string operation = "-";
    std::string error_type = "-";
    if (IsPreflight(req)) {
      res = PreflightResponse(req, request_id, keep_alive && !stopping);
    } else {
      unsigned version = req.version();
      auto task = std::make_shared<ComputeTask>();
      task->request = ToApiRequest(std::move(req), request_id, source_ip);
      lowest.expires_never();  // the handler's time is not the client's fault
      if (options.inline_reads && handler.IsInlineSafe(task->request)) {
        RunHandler(*task);
      } else {
        auto hop = asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
            [this, task, &worker](auto done) { StartCompute(task, worker, std::move(done)); },
            asio::use_awaitable);
        co_await std::move(hop);
      }
      api::ApiResponse api_res = std::move(task->response);
      if (!api_res.operation.empty()) operation = api_res.operation;
      if (!api_res.error_type.empty()) error_type = api_res.error_type;
      res = ToBeastResponse(std::move(api_res), request_id, version, keep_alive && !stopping);
      AddCorsHeaders(origin, res);
      if (head) res.body().clear();  // Content-Length stays that of the GET answer
    }

    lowest.expires_after(options.read_timeout);
    auto [wec, wn] = co_await beast_http::async_write(stream, res, kAwait);
    if (options.access_log) {
      auto ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_at)
              .count();
      AccessLog().info("access id={} method={} path={} op={} status={} error={} ms={:.1f} ip={}",
                       request_id, method, path, operation, res.result_int(), error_type, ms,
                       source_ip);
    }
    if (wec || !res.keep_alive()) break;
  }
}

void HttpServer::Impl::Stop() {
  {
    std::lock_guard lock(mu);
    if (stopped || !started) return;
    stopped = true;
    stopping = true;
  }
  cv.notify_all();
  // Stop accepting, then wake idle keep-alive connections so they close.
  asio::post(workers[0]->ioc, [this] {
    beast::error_code ignored;
    acceptor->close(ignored);
  });
  ForEachConnection([](ConnectionControl& c) {
    if (c.idle) c.cancel();
  });
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, options.shutdown_grace,
                [this] { return open_connections.load() == 0 && accept_loop_done.load(); });
    if (open_connections.load() > 0) {
      spdlog::warn("http: {} connection(s) still busy after {} ms; closing them",
                   open_connections.load(), options.shutdown_grace.count());
    }
  }
  ForEachConnection([](ConnectionControl& c) { c.close(); });
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(1),
                [this] { return open_connections.load() == 0 && accept_loop_done.load(); });
  }
  // Handlers still running finish before the I/O contexts (their completions' target) go away,
  // and so do answers still waiting for the disk (a sync takes milliseconds).
  compute->join();
  heavy->join();
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return awaiting_disk.load() == 0; });
  }
  for (auto& w : workers) {
    w->guard.reset();
    w->ioc.stop();
  }
  for (auto& w : workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  acceptor.reset();
  workers.clear();  // destroys frames of connections still suspended
  compute.reset();
  heavy.reset();
}

HttpServer::HttpServer(api::RequestHandler& handler, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(handler, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::Start() { return impl_->Start(); }

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

bool HttpServer::tls() const { return impl_->tls_context.has_value(); }

void HttpServer::Stop() { impl_->Stop(); }

void HttpServer::BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void HttpServer::RunUntilSignal() {
  BlockStopSignals();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signo = 0;
  while (sigwait(&set, &signo) != 0) {
  }
  spdlog::info("received {}; stopping", signo == SIGINT ? "SIGINT" : "SIGTERM");
  Stop();
}

int HttpServer::OpenConnectionsForTest() const { return impl_->open_connections.load(); }

}  // namespace cognate::http
