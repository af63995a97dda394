#pragma once
// Conversions between Beast messages and api::ApiRequest / ApiResponse, CORS, and the replies
// the server writes on its own (limits, preflight). Pure functions, tested without sockets.

#include <chrono>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "api/api_types.h"

namespace cognate::http {

namespace beast_http = boost::beast::http;
using BeastRequest = beast_http::request<beast_http::string_body>;
using BeastResponse = beast_http::response<beast_http::string_body>;

// Headers a browser may read from a cross-origin response (what Cognito exposes).
inline constexpr std::string_view kExposeHeaders =
    "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";
// Methods named in a preflight answer.
inline constexpr std::string_view kAllowMethods = "GET,POST,OPTIONS";
// Headers allowed when a preflight does not ask for any (what the AWS browser SDKs send).
inline constexpr std::string_view kDefaultAllowHeaders =
    "content-type,x-amz-target,x-amz-user-agent,x-amz-date,x-amz-security-token,"
    "x-amz-content-sha256,authorization,amz-sdk-invocation-id,amz-sdk-request,cache-control";
inline constexpr std::string_view kCorsMaxAge = "86400";

// The ApiRequest for `req` (its body moved out), tagged with `request_id` and `source_ip`.
api::ApiRequest ToApiRequest(BeastRequest&& req, std::string request_id, std::string source_ip);

// The Beast response for `res`: its headers, plus Date and x-amzn-RequestId when it has none.
BeastResponse ToBeastResponse(api::ApiResponse&& res, const std::string& request_id,
                              unsigned version, bool keep_alive);

// True for a request to answer as a CORS preflight (any OPTIONS request).
bool IsPreflight(const BeastRequest& req);
// The 200 preflight answer: allow-origin (echoed, or *), allow-headers (echoed, or the SDK set),
// allow-methods, max-age.
BeastResponse PreflightResponse(const BeastRequest& req, const std::string& request_id,
                                bool keep_alive);
// Adds Access-Control-Allow-Origin (echoing `origin`, or *) and -Expose-Headers to `res`
// unless the handler set them.
void AddCorsHeaders(std::string_view origin, BeastResponse& res);

// A JSON error the server writes itself (413, 431, 400 for unparsable requests, 500).
BeastResponse ServerErrorResponse(unsigned status, std::string_view type, std::string_view message,
                                  const std::string& request_id, unsigned version, bool keep_alive);

// RFC 7231 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::chrono::system_clock::time_point t);

// The path part of a request-target (no query string, which may carry codes or tokens).
std::string_view PathOf(std::string_view target);

}  // namespace cognate::http
