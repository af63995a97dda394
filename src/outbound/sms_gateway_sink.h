#pragma once
// SMS delivery through an HTTP gateway: each message is one JSON POST
// {"to","body","pool_id","purpose"} to the configured URL (libcurl), optionally with
// `Authorization: Bearer <token>`. Any 2xx answer means delivered.

#include <chrono>
#include <string>

#include "domain/messaging/message_sink.h"

namespace cognate::outbound {

struct SmsGatewayOptions {
  std::string url;    // http:// or https://
  std::string token;  // empty: no Authorization header
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{10'000};
};

class SmsGatewaySink final : public domain::MessageSink {
 public:
  explicit SmsGatewaySink(SmsGatewayOptions options);

  // POSTs the message. CodeDeliveryFailureException for an e-mail message, a connection failure,
  // a timeout or a non-2xx status; the log names the masked number and status, never the body.
  Result<void> Send(const domain::OutboundMessage& message) override;

  const SmsGatewayOptions& options() const { return options_; }

 private:
  SmsGatewayOptions options_;
};

}  // namespace cognate::outbound
