#pragma once
// The awsJson1_1 wire format of responses, written in exactly one place. Success: 200 with the JSON
// body. Error: the status of the error (400 client, 500 server, a few front-door errors 403/404/
// 413/503), body {"__type": T, "message": M} (plus "reasonCode" when set), and the headers
// x-amzn-ErrorType "T:", x-amzn-ErrorMessage M. Every response carries Content-Type
// application/x-amz-json-1.1, x-amzn-RequestId and Date.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/api_types.h"
#include "common/error.h"

namespace cognate::api {

inline constexpr std::string_view kAmzJson11 = "application/x-amz-json-1.1";

// A 200 response with `body` (null becomes {}). `now_epoch_s` < 0 means the system clock.
ApiResponse JsonSuccess(const nlohmann::json& body, std::string_view request_id,
                        std::int64_t now_epoch_s = -1);

// The wire form of `error`. Its internal() text is never sent.
ApiResponse JsonError(const ApiError& error, std::string_view request_id,
                      std::int64_t now_epoch_s = -1);

// RFC 7231 IMF-fixdate, e.g. "Sun, 22 Nov 2026 10:24:41 GMT".
std::string HttpDate(std::int64_t epoch_s);

}  // namespace cognate::api
