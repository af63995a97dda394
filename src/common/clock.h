#pragma once
// Time and randomness are injected everywhere so expiry and ids are testable without sleeping.

#include <chrono>
#include <cstdint>
#include <string>

namespace cognate {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch.
  virtual std::int64_t NowMillis() const = 0;
  std::int64_t NowSeconds() const { return NowMillis() / 1000; }
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock a test moves by hand.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms) {}
  std::int64_t NowMillis() const override { return now_ms_; }
  void AdvanceMillis(std::int64_t ms) { now_ms_ += ms; }
  void SetMillis(std::int64_t ms) { now_ms_ = ms; }

 private:
  std::int64_t now_ms_;
};

class Random {
 public:
  virtual ~Random() = default;
  // `n` bytes from a cryptographically secure source (a fake in unit tests).
  virtual std::string Bytes(std::size_t n) = 0;
};

}  // namespace cognate
