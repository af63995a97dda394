#pragma once
// Choice-based sign-in (AuthFlow USER_AUTH): which first factors a user may choose from, the
// factors GetUserAuthFactors reports, and the one-time sign-in codes of EMAIL_OTP / SMS_OTP as
// a first factor. The flow itself (InitiateAuth USER_AUTH, SELECT_CHALLENGE and the OTP
// answers) is AuthService's, in user_auth.cc; these are the pure rules it applies.
//
// A pool's Policies.SignInPolicy.AllowedFirstAuthFactors (PASSWORD always among them) bounds what
// any user may choose; a user offers PASSWORD and PASSWORD_SRP when they have a password,
// EMAIL_OTP with a verified e-mail address, SMS_OTP with a verified phone number. WEB_AUTHN is
// never available yet (passkeys come in a later issue): Cognito leaves a factor out of
// AvailableChallenges when the user cannot use it, and so do we.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/messaging/message_sink.h"
#include "domain/service_context.h"
#include "domain/users/user_record.h"

namespace cognate::domain::auth {

inline constexpr const char* kSelectChallenge = "SELECT_CHALLENGE";
inline constexpr const char* kEmailOtp = "EMAIL_OTP";
inline constexpr const char* kSmsOtp = "SMS_OTP";
inline constexpr const char* kPasswordChallenge = "PASSWORD";
inline constexpr const char* kPasswordSrpChallenge = "PASSWORD_SRP";
// Code purposes (user doc "codes") of the sign-in codes.
inline constexpr std::string_view kCodeSignInEmail = "sign_in_email_otp";
inline constexpr std::string_view kCodeSignInSms = "sign_in_sms_otp";

// Policies.SignInPolicy.AllowedFirstAuthFactors of a pool document; ["PASSWORD"] when unset or
// unreadable (Cognito's default).
std::vector<std::string> AllowedFirstAuthFactors(const nlohmann::json& pool_doc);

// True when the pool's feature plan (UserPoolTier) offers choice-based sign-in (not LITE).
bool TierAllowsUserAuth(const nlohmann::json& pool_doc);

// The first-factor challenges `user` may choose under `allowed`, in Cognito's order:
// PASSWORD and PASSWORD_SRP (the user has a password), EMAIL_OTP (verified e-mail), SMS_OTP
// (verified phone number).
std::vector<std::string> AvailableFirstChallenges(const std::vector<std::string>& allowed,
                                                  const users::UserRecord& user);

// What an unknown user is offered under PreventUserExistenceErrors: every challenge `allowed`
// names (as if the user had each factor), so the answer does not tell users apart.
std::vector<std::string> DecoyFirstChallenges(const std::vector<std::string>& allowed);

// GetUserAuthFactors.ConfiguredUserAuthFactors: PASSWORD when the user has a password,
// EMAIL_OTP / SMS_OTP when the pool allows the factor and the user has the verified attribute.
std::vector<std::string> ConfiguredUserAuthFactors(const std::vector<std::string>& allowed,
                                                   const users::UserRecord& user);

// ConfiguredUserAuthFactors of `user` under its pool's sign-in policy (GetUserAuthFactors and
// AdminGetUserAuthFactors). ResourceNotFoundException when the pool is gone.
Result<std::vector<std::string>> UserAuthFactorsOf(ServiceContext& ctx,
                                                   const users::UserRecord& user);

// The message carrying a sign-in code, in the texts of the pool's MFA messages (mfa::ReadPoolMfa:
// EmailMfaConfiguration Message / Subject, SmsAuthenticationMessage, or Cognito's defaults).
// {####} is the code, {username} the user name.
OutboundMessage SignInCodeMessage(const nlohmann::json& pool_doc, const std::string& pool_id,
                                  const std::string& username, bool email,
                                  const std::string& destination, const std::string& code);

}  // namespace cognate::domain::auth
