#include "api/wire.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "common/json_dump.h"

namespace cognate::api {
namespace {

std::int64_t Now(std::int64_t now_epoch_s) {
  if (now_epoch_s >= 0) return now_epoch_s;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Longest x-amzn-ErrorMessage sent; the body always carries the whole message. Keeps echoed
// validation values from overflowing clients' header limits (node: 16 KiB for all headers).
constexpr std::size_t kMaxHeaderMessage = 1024;

// Header values must not carry CR, LF or other control characters.
std::string HeaderSafe(std::string_view s) {
  if (s.size() > kMaxHeaderMessage) {
    std::size_t cut = kMaxHeaderMessage;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 start
    s = s.substr(0, cut);
  }
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

void CommonHeaders(ApiResponse& r, std::string_view request_id, std::int64_t now_epoch_s) {
  r.headers.emplace_back("Content-Type", std::string(kAmzJson11));
  r.headers.emplace_back("x-amzn-RequestId", HeaderSafe(request_id));
  r.headers.emplace_back("Date", HttpDate(Now(now_epoch_s)));
}

}  // namespace

std::string HttpDate(std::int64_t epoch_s) {
  // Every answer carries one; a thread formats each second once.
  thread_local std::int64_t cached_s = -1;
  thread_local std::string cached;
  if (epoch_s == cached_s) return cached;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  cached = fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                       kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  cached_s = epoch_s;
  return cached;
}

ApiResponse JsonSuccess(const nlohmann::json& body, std::string_view request_id,
                        std::int64_t now_epoch_s) {
  ApiResponse r;
  r.status = 200;
  CommonHeaders(r, request_id, now_epoch_s);
  r.body = body.is_null() ? "{}" : DumpJson(body);
  return r;
}

ApiResponse JsonError(const ApiError& error, std::string_view request_id,
                      std::int64_t now_epoch_s) {
  ApiResponse r;
  r.status = error.http_status();
  CommonHeaders(r, request_id, now_epoch_s);
  std::string type(error.type_name());
  nlohmann::json body = {{"__type", type}};
  if (!error.message().empty()) body["message"] = error.message();
  if (!error.reason_code().empty()) body["reasonCode"] = error.reason_code();
  r.headers.emplace_back("x-amzn-ErrorType", type + ":");
  if (!error.message().empty()) {
    r.headers.emplace_back("x-amzn-ErrorMessage", HeaderSafe(error.message()));
  }
  r.body = DumpJson(body);
  r.error_type = type;
  return r;
}

}  // namespace cognate::api
