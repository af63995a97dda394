#pragma once
// Chooses the channel for each message: e-mail to the SMTP sink when one is configured, SMS to
// the gateway sink when one is configured, everything else to the local outbox (the default, so a
// developer can read codes without any relay).

#include "domain/messaging/message_sink.h"

namespace cognate::outbound {

class RoutingSink final : public domain::MessageSink {
 public:
  // `email` and `sms` may be null (not configured); `fallback` (the outbox) must outlive this.
  RoutingSink(domain::MessageSink& fallback, domain::MessageSink* email, domain::MessageSink* sms)
      : fallback_(fallback), email_(email), sms_(sms) {}

  // Hands `message` to the sink of its channel and returns that sink's result.
  Result<void> Send(const domain::OutboundMessage& message) override;

 private:
  domain::MessageSink& fallback_;
  domain::MessageSink* email_;
  domain::MessageSink* sms_;
};

}  // namespace cognate::outbound
