#pragma once
// Cognito's lockout after failed password sign-ins (developer guide, "Lockout behavior for failed
// sign-in attempts"): from the fifth consecutive failure on, the n-th failure locks the user for
// 2^(n-5) seconds (1 s, 2 s, 4 s, ...), up to 15 minutes. Attempts during a lockout are refused
// with NotAuthorizedException "Password attempts exceeded" and do not count. A successful sign-in,
// or 15 minutes without a failure, starts over.
//
// The state lives in the user document (member "sign_in_lockout"), so every node sees it. These
// functions are pure: the auth service reads the state, decides, and writes it back.

#include <cstdint>

#include <nlohmann/json.hpp>

namespace cognate::domain::auth {

inline constexpr int kFreeFailures = 5;
inline constexpr std::int64_t kMaxLockoutMs = 15LL * 60 * 1000;
inline constexpr std::int64_t kQuietResetMs = 15LL * 60 * 1000;
inline constexpr const char* kLockoutMember = "sign_in_lockout";

struct LockoutState {
  int failures = 0;                  // consecutive counted failures
  std::int64_t last_failure_ms = 0;  // time of the last counted failure
  std::int64_t locked_until_ms = 0;  // 0 when not locked

  bool operator==(const LockoutState&) const = default;
};

// The state stored in a user document (all zero when absent or unreadable).
LockoutState ReadLockout(const nlohmann::json& user_doc);
// Stores `state` in the document; removes the member when it is all zero.
void WriteLockout(nlohmann::json& user_doc, const LockoutState& state);

// `state` as it stands at `now_ms`: all zero once 15 minutes passed since the last failure.
LockoutState EffectiveLockout(const LockoutState& state, std::int64_t now_ms);
// True while a lockout holds at `now_ms` (the attempt must be refused, uncounted).
bool IsLockedOut(const LockoutState& state, std::int64_t now_ms);
// The state after a counted failure at `now_ms`.
LockoutState AfterFailure(const LockoutState& state, std::int64_t now_ms);
// How long the n-th consecutive failure locks the user (0 for the first four).
std::int64_t LockoutDurationMs(int failures);

}  // namespace cognate::domain::auth
