#include "http/message.h"

#include <nlohmann/json.hpp>

#include "api/wire.h"

namespace cognate::http {
namespace {

void SetIfAbsent(BeastResponse& res, std::string_view name, std::string_view value) {
  if (res.find(name) == res.end()) res.set(name, value);
}

void AddOriginHeader(std::string_view origin, BeastResponse& res) {
  if (origin.empty()) {
    res.set(beast_http::field::access_control_allow_origin, "*");
  } else {
    res.set(beast_http::field::access_control_allow_origin, origin);
    res.set(beast_http::field::vary, "Origin");
  }
}

}  // namespace

api::ApiRequest ToApiRequest(BeastRequest&& req, std::string request_id, std::string source_ip) {
  api::ApiRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.headers.reserve(16);
  for (const auto& field : req) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.source_ip = std::move(source_ip);
  out.request_id = std::move(request_id);
  return out;
}

BeastResponse ToBeastResponse(api::ApiResponse&& res, const std::string& request_id,
                              unsigned version, bool keep_alive) {
  BeastResponse out;
  out.version(version);
  out.result(static_cast<unsigned>(res.status));
  for (auto& [name, value] : res.headers) {
    // Framing headers are ours to set.
    if (beast_http::string_to_field(name) == beast_http::field::content_length ||
        beast_http::string_to_field(name) == beast_http::field::transfer_encoding ||
        beast_http::string_to_field(name) == beast_http::field::connection) {
      continue;
    }
    out.insert(name, value);
  }
  SetIfAbsent(out, "x-amzn-RequestId", request_id);
  if (out.find(beast_http::field::date) == out.end()) {
    out.set(beast_http::field::date, HttpDate(std::chrono::system_clock::now()));
  }
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

bool IsPreflight(const BeastRequest& req) { return req.method() == beast_http::verb::options; }

BeastResponse PreflightResponse(const BeastRequest& req, const std::string& request_id,
                                bool keep_alive) {
  BeastResponse out{beast_http::status::ok, req.version()};
  auto origin = req[beast_http::field::origin];
  AddOriginHeader(origin, out);
  auto requested = req[beast_http::field::access_control_request_headers];
  out.set(beast_http::field::access_control_allow_headers,
          requested.empty() ? kDefaultAllowHeaders : std::string_view(requested));
  out.set(beast_http::field::access_control_allow_methods, kAllowMethods);
  out.set(beast_http::field::access_control_max_age, kCorsMaxAge);
  out.set(beast_http::field::access_control_expose_headers, kExposeHeaders);
  out.set("x-amzn-RequestId", request_id);
  out.set(beast_http::field::date, HttpDate(std::chrono::system_clock::now()));
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

void AddCorsHeaders(std::string_view origin, BeastResponse& res) {
  if (res.find(beast_http::field::access_control_allow_origin) == res.end()) {
    AddOriginHeader(origin, res);
  }
  SetIfAbsent(res, "Access-Control-Expose-Headers", kExposeHeaders);
}

BeastResponse ServerErrorResponse(unsigned status, std::string_view type, std::string_view message,
                                  const std::string& request_id, unsigned version,
                                  bool keep_alive) {
  BeastResponse out;
  out.version(version);
  out.result(status);
  out.set(beast_http::field::content_type, "application/x-amz-json-1.1");
  out.set("x-amzn-RequestId", request_id);
  out.set("x-amzn-ErrorType", type);
  out.set(beast_http::field::date, HttpDate(std::chrono::system_clock::now()));
  nlohmann::json body = {{"__type", type}, {"message", message}};
  out.body() = body.dump();
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

std::string HttpDate(std::chrono::system_clock::time_point t) {
  return api::HttpDate(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string_view PathOf(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

}  // namespace cognate::http
