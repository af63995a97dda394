#include "domain/mfa/user_mfa.h"

#include <algorithm>
#include <array>

#include "crypto/crypto.h"
#include "crypto/totp.h"

namespace cognate::domain::mfa {
namespace {

using nlohmann::json;
using users::UserRecord;

constexpr std::array<const char*, 3> kCanonicalOrder = {kSmsMfa, kSoftwareTokenMfa, kEmailOtp};

bool HasAttribute(const UserRecord& user, std::string_view name) {
  auto v = user.Attribute(name);
  return v && !v->empty();
}

ApiError NoDeliveryConfig(std::string_view factor) {
  return ApiError::InvalidParameter("User does not have delivery config set to turn on " +
                                    std::string(factor));
}

std::string Aad(const UserRecord& user) {
  return "software-token:" + user.pool_id + ":" + user.sub;
}

}  // namespace

std::vector<std::string> EnabledFactors(const UserRecord& user) {
  std::vector<std::string> out;
  const auto it = user.doc.find(kMfaSettingsMember);
  if (it == user.doc.end() || !it->is_array()) return out;
  for (const char* f : kCanonicalOrder) {
    if (std::find(it->begin(), it->end(), json(f)) != it->end()) out.emplace_back(f);
  }
  return out;
}

std::string PreferredFactor(const UserRecord& user) {
  const auto it = user.doc.find(kPreferredMember);
  return it != user.doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool HasVerifiedSoftwareToken(const UserRecord& user) {
  const auto it = user.doc.find(kSoftwareTokenMember);
  return it != user.doc.end() && it->is_object() && it->contains("secret");
}

bool HasPendingSoftwareToken(const UserRecord& user) {
  const auto it = user.doc.find(kPendingTokenMember);
  return it != user.doc.end() && it->is_object() && it->contains("secret");
}

void EnableFactor(UserRecord& user, std::string_view factor) {
  std::vector<std::string> now = EnabledFactors(user);
  if (std::find(now.begin(), now.end(), factor) == now.end()) now.emplace_back(factor);
  json list = json::array();
  for (const char* f : kCanonicalOrder) {
    if (std::find(now.begin(), now.end(), f) != now.end()) list.push_back(f);
  }
  user.doc[kMfaSettingsMember] = std::move(list);
}

void DisableFactor(UserRecord& user, std::string_view factor) {
  json list = json::array();
  for (const auto& f : EnabledFactors(user)) {
    if (f != factor) list.push_back(f);
  }
  if (list.empty()) {
    user.doc.erase(kMfaSettingsMember);
  } else {
    user.doc[kMfaSettingsMember] = std::move(list);
  }
  if (PreferredFactor(user) == factor) user.doc.erase(kPreferredMember);
}

Result<void> ApplyPreference(UserRecord& user, const MfaPreference& p) {
  struct Block {
    const std::optional<FactorSetting>* setting;
    const char* factor;
  };
  const std::array<Block, 3> blocks = {Block{&p.sms, kSmsMfa},
                                       Block{&p.software_token, kSoftwareTokenMfa},
                                       Block{&p.email, kEmailOtp}};
  // Check everything before changing anything.
  for (const Block& b : blocks) {
    if (!*b.setting || !(*b.setting)->enabled) continue;
    const std::string_view f = b.factor;
    if (f == kSmsMfa && !HasAttribute(user, "phone_number")) return NoDeliveryConfig(f);
    if (f == kEmailOtp && !HasAttribute(user, "email")) return NoDeliveryConfig(f);
    if (f == kSoftwareTokenMfa && !HasVerifiedSoftwareToken(user)) {
      if (HasPendingSoftwareToken(user)) {
        return ApiError::InvalidParameter("User has not verified software token mfa");
      }
      return NoDeliveryConfig(f);
    }
  }
  for (const Block& b : blocks) {
    if (!*b.setting) continue;
    const FactorSetting& s = **b.setting;
    if (s.enabled) {
      EnableFactor(user, b.factor);
      if (s.preferred) {
        user.doc[kPreferredMember] = b.factor;
      } else if (PreferredFactor(user) == b.factor) {
        user.doc.erase(kPreferredMember);
      }
    } else {
      DisableFactor(user, b.factor);
    }
  }
  return {};
}

Result<void> ApplyMfaOptions(UserRecord& user, const std::vector<MfaOption>& options) {
  for (const auto& o : options) {
    if (o.delivery_medium != "SMS" || o.attribute_name != "phone_number") {
      return ApiError::InvalidParameter(
          "Only the SMS delivery medium with the phone_number attribute is supported in "
          "MFAOptions.");
    }
  }
  if (options.empty()) {
    DisableFactor(user, kSmsMfa);
    return {};
  }
  if (!HasAttribute(user, "phone_number")) return NoDeliveryConfig(kSmsMfa);
  EnableFactor(user, kSmsMfa);
  return {};
}

std::vector<std::string> UsableFactors(const PoolMfa& pool, const UserRecord& user) {
  std::vector<std::string> out;
  if (pool.mode == "OFF") return out;
  for (const auto& f : EnabledFactors(user)) {
    if (f == kSmsMfa && pool.sms && HasAttribute(user, "phone_number")) out.push_back(f);
    if (f == kSoftwareTokenMfa && pool.software_token && HasVerifiedSoftwareToken(user)) {
      out.push_back(f);
    }
    if (f == kEmailOtp && pool.email && HasAttribute(user, "email")) out.push_back(f);
  }
  return out;
}

std::string SealTotpSecret(const ServiceContext& ctx, const UserRecord& user,
                           std::string_view secret) {
  return crypto::Base64Encode(ctx.secret_box.Seal(secret, Aad(user)));
}

std::optional<std::string> OpenTotpSecret(const ServiceContext& ctx, const UserRecord& user,
                                          std::string_view sealed_b64) {
  auto sealed = crypto::Base64Decode(sealed_b64);
  if (!sealed) return std::nullopt;
  return ctx.secret_box.Open(*sealed, Aad(user));
}

std::string NewTotpSecret() { return crypto::RandomBytes(kTotpSecretBytes); }

TotpOutcome CheckSoftwareToken(const ServiceContext& ctx, UserRecord& user, std::string_view code,
                               std::int64_t now_s) {
  if (!HasVerifiedSoftwareToken(user)) return TotpOutcome::kMismatch;
  json& token = user.doc[kSoftwareTokenMember];
  auto secret = OpenTotpSecret(ctx, user, token.value("secret", ""));
  if (!secret) return TotpOutcome::kMismatch;
  auto step = crypto::VerifyTotp(*secret, code, now_s, /*window=*/1);
  if (!step) return TotpOutcome::kMismatch;
  const auto last = token.value("last_step", static_cast<std::uint64_t>(0));
  if (token.contains("last_step") && *step <= last) return TotpOutcome::kReused;
  token["last_step"] = *step;
  return TotpOutcome::kOk;
}

ApiError TotpError(TotpOutcome outcome) {
  if (outcome == TotpOutcome::kReused) {
    return ApiError(ErrorCode::kExpiredCode, "Your software token has already been used once.");
  }
  return ApiError(ErrorCode::kCodeMismatch, "Invalid code received for user");
}

}  // namespace cognate::domain::mfa
