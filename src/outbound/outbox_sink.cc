#include "outbound/outbox_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace cognate::outbound {
namespace {

std::string Iso8601(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof(frac), ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(buf, n) + frac;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string MaskDestination(std::string_view destination) {
  auto at = destination.find('@');
  if (at != std::string_view::npos) {
    std::string out;
    if (at > 0) out += destination[0];
    out += "***";
    out += destination.substr(at);
    return out;
  }
  // A phone number (or anything else): keep a leading '+' and the last four characters.
  std::string out;
  std::size_t keep = destination.size() > 4 ? 4 : 0;
  for (std::size_t i = 0; i < destination.size(); ++i) {
    if (i == 0 && destination[i] == '+') {
      out += '+';
    } else if (i + keep >= destination.size()) {
      out += destination[i];
    } else {
      out += '*';
    }
  }
  return out;
}

OutboxSink::OutboxSink(std::filesystem::path path, const Clock& clock)
    : path_(std::move(path)), clock_(clock) {}

Result<void> OutboxSink::Send(const domain::OutboundMessage& message) {
  nlohmann::json line = {
      {"time", Iso8601(clock_.NowMillis())},
      {"channel", message.channel == domain::OutboundMessage::Channel::kSms ? "sms" : "email"},
      {"destination", message.destination},
      {"subject", message.subject},
      {"body", message.body},
      {"pool_id", message.pool_id},
      {"username", message.username},
      {"purpose", message.purpose},
  };
  // Invalid UTF-8 in a field must not throw: replace it.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  std::lock_guard lock(mu_);
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    spdlog::error("outbox: cannot open {}: {}", path_.string(), std::strerror(err));
    return ApiError(ErrorCode::kCodeDeliveryFailure, "Unable to deliver the message.",
                    "outbox open failed");
  }
  bool ok = WriteAll(fd, text) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    spdlog::error("outbox: cannot write {}: {}", path_.string(), std::strerror(err));
    return ApiError(ErrorCode::kCodeDeliveryFailure, "Unable to deliver the message.",
                    "outbox write failed");
  }
  spdlog::info("message for {} ({}) written to outbox", MaskDestination(message.destination),
               message.purpose);
  return {};
}

}  // namespace cognate::outbound
