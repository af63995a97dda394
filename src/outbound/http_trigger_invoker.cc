#include "outbound/http_trigger_invoker.h"

#include <curl/curl.h>

#include <memory>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "crypto/crypto.h"
#include "outbound/curl_global.h"

namespace cognate::outbound {
namespace {

using domain::triggers::Invocation;
using SteadyClock = std::chrono::steady_clock;

struct Reply {
  std::string body;
  std::size_t limit = 0;
  bool function_error_header = false;
};

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* reply = static_cast<Reply*>(user);
  if (reply->body.size() + size * n > reply->limit) return 0;
  reply->body.append(data, size * n);
  return size * n;
}

std::size_t Header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* reply = static_cast<Reply*>(user);
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "x-amz-function-error:";
  if (line.size() >= kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    }
    if (match) reply->function_error_header = true;
  }
  return size * n;
}

// One easy handle per thread, reset between transfers: keeps connections to trigger hosts alive.
CURL* ThreadHandle() {
  thread_local std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (handle) curl_easy_reset(handle.get());
  return handle.get();
}

bool IsConnectionFailure(CURLcode rc) {
  // Only failures before the function could have seen the event: a retry never runs it twice.
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
         rc == CURLE_COULDNT_RESOLVE_PROXY;
}

// The function's own error message from a reply body, if it has Lambda's error shape.
std::optional<std::string> ErrorMessage(const std::string& body) {
  auto parsed = ParseJson(body);
  if (!parsed.is_object()) return std::nullopt;
  auto it = parsed.find("errorMessage");
  if (it == parsed.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

HttpTriggerInvoker::HttpTriggerInvoker(HttpTriggerOptions options) : options_(std::move(options)) {
  EnsureCurlInitialized();
  if (options_.attempts < 1) options_.attempts = 1;
}

std::string HttpTriggerInvoker::Resolve(std::string_view function) const {
  if (function.rfind("http://", 0) == 0 || function.rfind("https://", 0) == 0) {
    return std::string(function);
  }
  if (auto it = options_.functions.find(function); it != options_.functions.end()) {
    return it->second;
  }
  constexpr std::string_view kMarker = ":function:";
  if (function.rfind("arn:", 0) == 0) {
    auto at = function.find(kMarker);
    if (at != std::string_view::npos) {
      std::string_view name_and_qualifier = function.substr(at + kMarker.size());
      if (auto it = options_.functions.find(name_and_qualifier); it != options_.functions.end()) {
        return it->second;
      }
      std::string_view name = name_and_qualifier.substr(0, name_and_qualifier.find(':'));
      if (auto it = options_.functions.find(name); it != options_.functions.end()) {
        return it->second;
      }
    }
  }
  return {};
}

std::string HttpTriggerInvoker::Signature(std::string_view secret, std::string_view timestamp,
                                          std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  return "v1=" + crypto::HexEncode(crypto::HmacSha256(secret, message));
}

Invocation HttpTriggerInvoker::Invoke(std::string_view function, std::string_view event) {
  const std::string url = Resolve(function);
  if (url.empty()) {
    spdlog::warn("trigger: no URL is configured for function {}", function);
    return {Invocation::Status::kUnreachable, "ResourceNotFoundException"};
  }
  const std::string safe_url = RedactUrl(url);
  const auto started = SteadyClock::now();
  const auto deadline = started + options_.timeout;
  for (int attempt = 1;; ++attempt) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      spdlog::warn("trigger: {} timed out after {} attempt(s)", safe_url, attempt - 1);
      return {Invocation::Status::kTimeout, {}};
    }
    CURL* c = ThreadHandle();
    if (c == nullptr) return {Invocation::Status::kUnreachable, "ServiceException"};
    const std::string timestamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    std::unique_ptr<curl_slist, SlistDeleter> headers(
        curl_slist_append(nullptr, "Content-Type: application/json"));
    curl_slist_append(headers.get(), ("X-Cognate-Timestamp: " + timestamp).c_str());
    curl_slist_append(
        headers.get(),
        ("X-Cognate-Signature: " + Signature(options_.secret, timestamp, event)).c_str());
    curl_slist_append(headers.get(), "Expect:");
    Reply reply;
    reply.limit = options_.max_reply_bytes;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, event.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(event.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);

    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      spdlog::warn("trigger: {} timed out after {} ms", safe_url, elapsed);
      return {Invocation::Status::kTimeout, {}};
    }
    if (rc != CURLE_OK) {
      if (IsConnectionFailure(rc) && attempt < options_.attempts) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
        continue;
      }
      spdlog::warn("trigger: {} failed after {} attempt(s): {}", safe_url, attempt,
                   curl_easy_strerror(rc));
      if (rc == CURLE_WRITE_ERROR) return {Invocation::Status::kOk, "reply too large"};
      return {Invocation::Status::kUnreachable, "ServiceException"};
    }
    const bool ok_status = status >= 200 && status < 300;
    if (auto message = ErrorMessage(reply.body);
        message && (reply.function_error_header || !ok_status)) {
      spdlog::info("trigger: {} reported an error (HTTP {}, {} ms)", safe_url, status, elapsed);
      return {Invocation::Status::kFunctionError, std::move(*message)};
    }
    if (reply.function_error_header) {
      return {Invocation::Status::kFunctionError, "Unhandled"};
    }
    if (!ok_status) {
      spdlog::warn("trigger: {} answered HTTP {} ({} ms)", safe_url, status, elapsed);
      return {Invocation::Status::kUnreachable, "ServiceException"};
    }
    spdlog::debug("trigger: {} answered in {} ms", safe_url, elapsed);
    return {Invocation::Status::kOk, std::move(reply.body)};
  }
}

}  // namespace cognate::outbound
