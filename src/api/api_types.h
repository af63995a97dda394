#pragma once
// Transport-neutral request and response, so api/ never sees Beast. http/ converts.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cognate::api {

struct ApiRequest {
  std::string method;  // "POST"
  std::string target;  // request-target as received: path and query
  // Headers as received, in order; names keep their case (compare case-insensitively).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string source_ip;
  std::string request_id;  // assigned by http/ (UUID), echoed as x-amzn-RequestId

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type included
  std::string body;
  // For the access log only: the operation name and the error type, when there is one.
  std::string operation;
  std::string error_type;
};

// Something that answers requests. Handle() may block (database, password hashing), so http/
// calls it on the compute pool, never on an I/O thread. It must not throw.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual ApiResponse Handle(const ApiRequest& request) = 0;
  // True for requests whose work is dominated by deliberate CPU cost (password hashing, SRP
  // modexps): http/ runs them on a separate, lower-priority lane so that a flood of sign-ins
  // does not queue cheap calls such as GetUser behind them. Must be cheap; must not throw.
  virtual bool IsCpuHeavy(const ApiRequest& /*request*/) const { return false; }
  // True for requests that only read a few rows and verify a signature (tens of microseconds):
  // http/ may answer them on the I/O thread itself, sparing two thread hops, when it is told
  // that the store's reads never block (HttpServerOptions::inline_reads). Must be cheap; must
  // not throw.
  virtual bool IsInlineSafe(const ApiRequest& /*request*/) const { return false; }
};

}  // namespace cognate::api
