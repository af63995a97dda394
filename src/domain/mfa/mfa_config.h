#pragma once
// A user pool's MFA configuration: SetUserPoolMfaConfig / GetUserPoolMfaConfig, and the reading
// of it the sign-in flows use.
//
// Where it lives in the pool document (pool_repository.h: members outside UserPoolType start
// with '_' and DescribeUserPool hides them):
//   "MfaConfiguration": "OFF" | "ON" | "OPTIONAL"          (UserPoolType, also set by
//                                                           Create/UpdateUserPool)
//   "SmsConfiguration", "SmsAuthenticationMessage"          (UserPoolType; SmsMfaConfiguration)
//   "_SmsMfaEnabled": bool                                  (absent on pools never given a
//                                                           SetUserPoolMfaConfig: SMS MFA is on
//                                                           when MFA is and an SmsConfiguration
//                                                           exists, as CreateUserPool implies)
//   "_SoftwareTokenMfaConfiguration": {"Enabled": bool}
//   "_EmailMfaConfiguration": {"Message"?, "Subject"?}      (present = email MFA enabled)
//   "_WebAuthnConfiguration": {...}                          (kept and echoed)

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::mfa {

// MFA factor names as Cognito spells them (UserMFASettingList, challenge names).
inline constexpr const char* kSmsMfa = "SMS_MFA";
inline constexpr const char* kSoftwareTokenMfa = "SOFTWARE_TOKEN_MFA";
inline constexpr const char* kEmailOtp = "EMAIL_OTP";

// Cognito's default texts for MFA messages.
inline constexpr const char* kDefaultEmailMfaSubject = "Your authentication code";
inline constexpr const char* kDefaultMfaMessage = "Your authentication code is {####}. ";

// What the sign-in flows need to know of a pool's MFA configuration.
struct PoolMfa {
  std::string mode = "OFF";  // MfaConfiguration
  bool sms = false;          // SMS MFA usable (never when mode is OFF)
  bool software_token = false;
  bool email = false;
  std::string sms_message;    // SmsAuthenticationMessage or the default
  std::string email_message;  // EmailMfaConfiguration.Message or the default
  std::string email_subject;  // EmailMfaConfiguration.Subject or the default
};

// The MFA configuration of a pool document (UserPoolType plus private members). Never fails.
PoolMfa ReadPoolMfa(const nlohmann::json& pool_doc);

// The GetUserPoolMfaConfig response of a pool document: MfaConfiguration always, the factor
// blocks only for enabled factors (and only when MFA is not OFF), WebAuthnConfiguration when set.
nlohmann::json MfaConfigJson(const nlohmann::json& pool_doc);

// Applies a SetUserPoolMfaConfigRequest (already shape-checked) to a pool document. As in
// Cognito the request replaces the factor configuration: a factor block it leaves out turns that
// factor off; an absent MfaConfiguration keeps the pool's mode. InvalidParameterException:
//  - "Invalid MFA configuration given, can't turn off MFA and configure an MFA together." (OFF
//    with a factor block),
//  - "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be
//    enabled." (ON / OPTIONAL with no factor),
//  - SMS MFA without an SmsConfiguration (given or already on the pool),
//  - email MFA unless EmailConfiguration.EmailSendingAccount is DEVELOPER;
// FeatureUnavailableInTierException for email MFA on a LITE pool.
Result<void> ApplyMfaConfig(const nlohmann::json& input, nlohmann::json& pool_doc);

class MfaConfigService {
 public:
  explicit MfaConfigService(ServiceContext& ctx) : ctx_(ctx) {}

  // GetUserPoolMfaConfig. ResourceNotFoundException for an unknown pool.
  Result<nlohmann::json> Get(const std::string& pool_id);
  // SetUserPoolMfaConfig: ApplyMfaConfig, stored with optimistic concurrency (a lost race is
  // retried once, then ConcurrentModificationException); returns the new configuration.
  Result<nlohmann::json> Set(const nlohmann::json& input);

 private:
  ServiceContext& ctx_;
};

// The pool's MFA configuration by id (ResourceNotFoundException when absent).
Result<PoolMfa> LoadPoolMfa(ServiceContext& ctx, const std::string& pool_id);

}  // namespace cognate::domain::mfa
