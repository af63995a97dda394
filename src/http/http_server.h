#pragma once
// The HTTP/1.1 listener: Boost.Beast over Asio with C++20 coroutines. One I/O thread per core
// (each with its own io_context, so a connection lives on one thread and needs no strand);
// RequestHandler::Handle runs on a bounded compute pool that the connection's coroutine awaits,
// so I/O threads never block on a password hash or a query. Keep-alive and pipelining (requests
// are answered one at a time, in order), header and body limits (431 / 413), read and idle
// timeouts, CORS as Cognito answers browser SDKs, optional TLS, an access log line per request
// and a graceful stop.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/api_types.h"

namespace cognate::http {

struct HttpServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 9229;  // 0 picks a free port; port() tells which
  int io_threads = 0;         // 0: one per core of the affinity mask
  int compute_threads = 0;    // 0: twice the cores, at least 4
  // CPU-heavy requests (RequestHandler::IsCpuHeavy) that run at once: 0 = one per core the
  // process may use (more only interleave 19 MiB argon2id working sets on one core). The lane
  // runs at a lower scheduling priority (nice +heavy_nice) than the I/O and compute threads.
  int heavy_threads = 0;
  // Threads of that lane per such slot. With more than one, a request that waits on I/O
  // (common/io_wait.h: a PostgreSQL round trip) gives its slot to another meanwhile; with one,
  // a thread goes from request to request without handing a slot over.
  int heavy_threads_per_slot = 1;
  int heavy_nice = 10;
  // When true, the I/O threads run under SCHED_BATCH (Linux): a woken I/O thread no longer
  // preempts a compute thread in the middle of its work but runs when that thread's time slice
  // ends or it blocks, so on a saturated core the I/O thread wakes once per batch of requests
  // rather than twice per request (docs/decisions.md, "I/O threads under SCHED_BATCH").
  bool io_batch_scheduling = true;
  std::size_t header_limit = 16 * 1024;  // start line + headers; more is answered 431
  std::size_t body_limit = 1024 * 1024;  // more is answered 413
  // Time allowed to receive a whole request once its first byte arrived (and to write a reply).
  std::chrono::milliseconds read_timeout{30'000};
  // Time a keep-alive connection may wait for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // On Stop(), how long in-flight requests may take to finish before connections are cut.
  std::chrono::milliseconds shutdown_grace{10'000};
  // PEM files; when both are set every connection is TLS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // More (certificate chain, key) PEM pairs, chosen by SNI: a client naming a host that a pair's
  // certificate covers (subjectAltName) gets that pair; any other gets the main one. Used for the
  // custom domains of user pools.
  std::vector<std::pair<std::string, std::string>> sni_certificates;
  bool access_log = true;
  // When true, requests for which RequestHandler::IsInlineSafe holds are answered on the I/O
  // thread without the hop to the compute pool. Set it only when the store's reads never block
  // (embedded SQLite, memory).
  bool inline_reads = false;
};

// How many threads may run RequestHandler::Handle at once under `options`: the compute pool,
// the lane for CPU-heavy requests and, with inline_reads, the I/O threads.
unsigned HandlerThreads(const HttpServerOptions& options);

class HttpServer {
 public:
  // `handler` must outlive the server.
  HttpServer(api::RequestHandler& handler, HttpServerOptions options);
  ~HttpServer();  // Stop()s if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads TLS material, binds, listens and starts the I/O and compute threads. Returns an empty
  // string on success, otherwise what went wrong (nothing is left running then).
  std::string Start();
  // The port actually bound (after Start()).
  std::uint16_t port() const;
  bool tls() const;

  // Graceful stop, callable from any thread but the server's own: stops accepting, closes idle
  // keep-alive connections, lets requests in flight finish and answers them with
  // `Connection: close`, cuts what is left after `shutdown_grace`, then joins every thread.
  // Idempotent.
  void Stop();
  // Blocks until SIGINT or SIGTERM arrives, then Stop()s. Call BlockStopSignals() first thing
  // in main(), before any thread starts, so a signal that arrives early waits for this call.
  void RunUntilSignal();
  // Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later).
  static void BlockStopSignals();

  // Connections currently open (tests).
  int OpenConnectionsForTest() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cognate::http
