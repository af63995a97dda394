#pragma once
// Cognito's defaults for a user pool's configuration, shared by the pool service (which writes
// them into the pool document at create) and by services that send messages when a pool leaves
// a template unset.

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "domain/messaging/templates.h"

namespace cognate::domain::userpool {

inline constexpr std::int64_t kDefaultTemporaryPasswordValidityDays = 7;

// Minimum length 8, all four character classes, temporary passwords valid 7 days.
inline nlohmann::json DefaultPasswordPolicy() {
  return nlohmann::json{{"MinimumLength", 8},
                        {"RequireUppercase", true},
                        {"RequireLowercase", true},
                        {"RequireNumbers", true},
                        {"RequireSymbols", true},
                        {"TemporaryPasswordValidityDays", kDefaultTemporaryPasswordValidityDays}};
}

// Verified email first, then verified phone number.
inline nlohmann::json DefaultAccountRecoverySetting() {
  return nlohmann::json{
      {"RecoveryMechanisms",
       nlohmann::json::array(
           {nlohmann::json{{"Priority", 1}, {"Name", "verified_email"}},
            nlohmann::json{{"Priority", 2}, {"Name", "verified_phone_number"}}})}};
}

// Message texts Cognito uses when the pool sets none (defined once, in messaging/templates.h).
inline constexpr std::string_view kDefaultVerificationEmailSubject =
    messaging::kDefaultVerificationSubject;
inline constexpr std::string_view kDefaultVerificationMessage =
    messaging::kDefaultVerificationMessage;
inline constexpr std::string_view kDefaultInviteEmailSubject = messaging::kDefaultInviteSubject;
inline constexpr std::string_view kDefaultInviteMessage = messaging::kDefaultInviteMessage;
inline constexpr std::string_view kDefaultAuthenticationMessage =
    messaging::kDefaultAuthenticationMessage;

}  // namespace cognate::domain::userpool
