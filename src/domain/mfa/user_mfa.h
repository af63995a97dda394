#pragma once
// A user's MFA state, kept in the user document (users/user_record.h), and the rules on it.
// Members (owned by the MFA feature):
//   "mfa_settings": ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]  (UserMFASettingList, enabled
//                                                                   factors, in this order)
//   "preferred_mfa": "SOFTWARE_TOKEN_MFA"                           (PreferredMfaSetting)
//   "software_token": {"secret": <sealed>, "last_step": n, "name": "..."}  (verified TOTP)
//   "software_token_pending": {"secret": <sealed>}                  (associated, not verified)
// TOTP secrets are sealed with the master key (aad "software-token:<pool>:<sub>") and kept as
// base64; "last_step" is the last RFC 6238 time step accepted, so no code is accepted twice.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/mfa/mfa_config.h"
#include "domain/service_context.h"
#include "domain/users/user_record.h"

namespace cognate::domain::mfa {

inline constexpr const char* kMfaSettingsMember = "mfa_settings";
inline constexpr const char* kPreferredMember = "preferred_mfa";
inline constexpr const char* kSoftwareTokenMember = "software_token";
inline constexpr const char* kPendingTokenMember = "software_token_pending";

// Bytes of a new TOTP secret (SecretCode is its base32: 52 characters, as Cognito's).
inline constexpr std::size_t kTotpSecretBytes = 32;

// The factors the user enabled (UserMFASettingList), in canonical order.
std::vector<std::string> EnabledFactors(const users::UserRecord& user);
// PreferredMfaSetting, "" when none.
std::string PreferredFactor(const users::UserRecord& user);
bool HasVerifiedSoftwareToken(const users::UserRecord& user);
bool HasPendingSoftwareToken(const users::UserRecord& user);

// One SMSMfaSettings / SoftwareTokenMfaSettings / EmailMfaSettings block.
struct FactorSetting {
  bool enabled = false;
  bool preferred = false;
};

struct MfaPreference {
  std::optional<FactorSetting> sms;
  std::optional<FactorSetting> software_token;
  std::optional<FactorSetting> email;
};

// Applies Set/AdminSetUserMFAPreference to the user's document. InvalidParameterException
// "User does not have delivery config set to turn on <FACTOR>" when enabling SMS without a
// phone_number, email without an email, or TOTP never associated; "User has not verified
// software token mfa" when TOTP is associated but not verified. Disabling the preferred factor
// clears the preference; a block with PreferredMfa and not Enabled only clears it too.
Result<void> ApplyPreference(users::UserRecord& user, const MfaPreference& preference);

// Legacy MFAOptions (Set/AdminSetUserSettings): [{DeliveryMedium SMS, AttributeName
// phone_number}] enables SMS MFA, an empty list disables it. InvalidParameterException for any
// other option, or "User does not have delivery config set to turn on SMS_MFA" without a phone.
struct MfaOption {
  std::string delivery_medium;
  std::string attribute_name;
};
Result<void> ApplyMfaOptions(users::UserRecord& user, const std::vector<MfaOption>& options);

// Adds / removes a factor in mfa_settings (keeping canonical order); removing the preferred one
// clears the preference.
void EnableFactor(users::UserRecord& user, std::string_view factor);
void DisableFactor(users::UserRecord& user, std::string_view factor);

// The factors a sign-in can use for MFA: enabled by the user, by the pool, and deliverable
// (SMS needs a phone_number, email an email, TOTP a verified token).
std::vector<std::string> UsableFactors(const PoolMfa& pool, const users::UserRecord& user);

// The TOTP secret sealed / opened for the user's document.
std::string SealTotpSecret(const ServiceContext& ctx, const users::UserRecord& user,
                           std::string_view secret);
std::optional<std::string> OpenTotpSecret(const ServiceContext& ctx, const users::UserRecord& user,
                                          std::string_view sealed_b64);

// A new random secret (raw bytes).
std::string NewTotpSecret();

enum class TotpOutcome : std::uint8_t { kOk, kMismatch, kReused };

// Checks `code` against the user's verified token at `now_s` (±1 step) and, on success, records
// the step as used (kReused when that step or a later one was already accepted).
TotpOutcome CheckSoftwareToken(const ServiceContext& ctx, users::UserRecord& user,
                               std::string_view code, std::int64_t now_s);

// Errors of a failed TOTP check during sign-in: CodeMismatchException "Invalid code received for
// user", ExpiredCodeException "Your software token has already been used once.".
ApiError TotpError(TotpOutcome outcome);

}  // namespace cognate::domain::mfa
