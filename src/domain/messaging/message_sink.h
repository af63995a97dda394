#pragma once
// Where the domain hands messages (codes, invitations) for delivery. Implementations live in
// outbound/ (local outbox file, SMTP, SMS gateway); unit tests use RecordingMessageSink.

#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"

namespace cognate::domain {

struct OutboundMessage {
  enum class Channel { kEmail, kSms };
  Channel channel = Channel::kEmail;
  std::string destination;  // email address or E.164 phone number
  std::string subject;      // email only
  std::string body;
  std::string pool_id;
  std::string username;
  std::string purpose;  // "invitation", "sign_up", "forgot_password", ...
};

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Delivers `message` or returns CodeDeliveryFailureException.
  virtual Result<void> Send(const OutboundMessage& message) = 0;
};

// A sink that keeps messages in memory (unit tests, and a `--dev` inspection aid).
class RecordingMessageSink final : public MessageSink {
 public:
  Result<void> Send(const OutboundMessage& message) override {
    std::lock_guard lock(mu_);
    sent_.push_back(message);
    return {};
  }
  std::vector<OutboundMessage> Sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<OutboundMessage> sent_;
};

}  // namespace cognate::domain
