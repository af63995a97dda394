#include "domain/auth/lockout.h"

#include <algorithm>

namespace cognate::domain::auth {
namespace {

std::int64_t ReadInt(const nlohmann::json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

}  // namespace

LockoutState ReadLockout(const nlohmann::json& user_doc) {
  LockoutState s;
  if (!user_doc.is_object()) return s;
  const auto it = user_doc.find(kLockoutMember);
  if (it == user_doc.end() || !it->is_object()) return s;
  s.failures = static_cast<int>(std::clamp<std::int64_t>(ReadInt(*it, "failures"), 0, 1000));
  s.last_failure_ms = ReadInt(*it, "last_failure_ms");
  s.locked_until_ms = ReadInt(*it, "locked_until_ms");
  return s;
}

void WriteLockout(nlohmann::json& user_doc, const LockoutState& state) {
  if (!user_doc.is_object()) user_doc = nlohmann::json::object();
  if (state == LockoutState{}) {
    user_doc.erase(kLockoutMember);
    return;
  }
  user_doc[kLockoutMember] = {{"failures", state.failures},
                              {"last_failure_ms", state.last_failure_ms},
                              {"locked_until_ms", state.locked_until_ms}};
}

LockoutState EffectiveLockout(const LockoutState& state, std::int64_t now_ms) {
  if (state.failures == 0 && state.locked_until_ms == 0) return {};
  const std::int64_t quiet_since = std::max(state.last_failure_ms, state.locked_until_ms);
  if (now_ms - quiet_since >= kQuietResetMs) return {};
  return state;
}

bool IsLockedOut(const LockoutState& state, std::int64_t now_ms) {
  return now_ms < EffectiveLockout(state, now_ms).locked_until_ms;
}

std::int64_t LockoutDurationMs(int failures) {
  if (failures < kFreeFailures) return 0;
  const int exponent = failures - kFreeFailures;  // the 5th failure locks 1 s, the 6th 2 s, ...
  if (exponent >= 20) return kMaxLockoutMs;
  return std::min<std::int64_t>(1000LL << exponent, kMaxLockoutMs);
}

LockoutState AfterFailure(const LockoutState& state, std::int64_t now_ms) {
  LockoutState next = EffectiveLockout(state, now_ms);
  next.failures += 1;
  next.last_failure_ms = now_ms;
  const std::int64_t lock = LockoutDurationMs(next.failures);
  next.locked_until_ms = lock > 0 ? now_ms + lock : 0;
  return next;
}

}  // namespace cognate::domain::auth
