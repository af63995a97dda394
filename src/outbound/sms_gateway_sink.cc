#include "outbound/sms_gateway_sink.h"

#include <curl/curl.h>

#include <memory>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "outbound/curl_global.h"
#include "outbound/outbox_sink.h"

namespace cognate::outbound {
namespace {

// Cognito's message when an SMS cannot be sent (decisions.md: SMS delivery failures).
constexpr const char* kSmsFailure = "Unable to deliver the SMS message.";
constexpr std::size_t kMaxResponse = 64 * 1024;

ApiError SmsFailure(std::string detail) {
  return ApiError(ErrorCode::kCodeDeliveryFailure, kSmsFailure, std::move(detail));
}

// Discards the gateway's answer (kept small: it is never logged).
std::size_t Discard(char*, std::size_t size, std::size_t n, void* user) {
  auto* total = static_cast<std::size_t*>(user);
  *total += size * n;
  return *total > kMaxResponse ? 0 : size * n;
}

}  // namespace

SmsGatewaySink::SmsGatewaySink(SmsGatewayOptions options) : options_(std::move(options)) {
  EnsureCurlInitialized();
}

Result<void> SmsGatewaySink::Send(const domain::OutboundMessage& message) {
  const std::string masked = MaskDestination(message.destination);
  if (message.channel != domain::OutboundMessage::Channel::kSms) {
    return SmsFailure("SMS gateway given a non-SMS message");
  }
  const nlohmann::json payload = {{"to", message.destination},
                                  {"body", message.body},
                                  {"pool_id", message.pool_id},
                                  {"purpose", message.purpose}};
  const std::string body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return SmsFailure("curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  if (!options_.token.empty()) {
    curl_slist* h =
        curl_slist_append(headers.get(), ("Authorization: Bearer " + options_.token).c_str());
    if (h == nullptr) return SmsFailure("curl_slist_append failed");
  }
  std::size_t received = 0;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);

  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status >= 200 && status < 300)) {
    spdlog::error("sms gateway: sending {} ({}) via {} failed: {}", masked, message.purpose,
                  RedactUrl(options_.url), errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return SmsFailure(std::string("sms gateway: ") + curl_easy_strerror(rc));
  }
  if (status < 200 || status >= 300) {
    spdlog::error("sms gateway: sending {} ({}) via {} failed: HTTP {}", masked, message.purpose,
                  RedactUrl(options_.url), status);
    return SmsFailure("sms gateway: HTTP " + std::to_string(status));
  }
  spdlog::info("message for {} ({}) sent via {}", masked, message.purpose, RedactUrl(options_.url));
  return {};
}

}  // namespace cognate::outbound
