#pragma once
// The local outbox: every message the domain would send (codes, invitations) is appended as one
// JSON line to a file (data/outbox.jsonl by default) that a developer or a test reads back. The
// file is created 0600 and each line is fsync'd before Send() returns.

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "domain/messaging/message_sink.h"

namespace cognate::outbound {

class OutboxSink final : public domain::MessageSink {
 public:
  // Appends to `path` (its directory is created if missing). `clock` stamps each line.
  OutboxSink(std::filesystem::path path, const Clock& clock);

  // Appends one line {"time","channel","destination","subject","body","pool_id","username",
  // "purpose"} and logs the masked destination and purpose (never the body, which holds codes).
  // CodeDeliveryFailureException when the file cannot be written.
  Result<void> Send(const domain::OutboundMessage& message) override;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  const Clock& clock_;
  std::mutex mu_;
};

// "j***@example.com" for an email address, "+*******1234" for a phone number.
std::string MaskDestination(std::string_view destination);

}  // namespace cognate::outbound
