#pragma once
// Cognito's defaults for a user pool's configuration, shared by the pool service (which writes
// them into the pool document at create) and by services that send messages when a pool leaves
// a template unset.

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

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

// Message texts Cognito uses when the pool sets none ({####} is the code, {username} the user
// name).
inline constexpr std::string_view kDefaultVerificationEmailSubject = "Your verification code";
inline constexpr std::string_view kDefaultVerificationMessage =
    "Your verification code is {####}. ";
inline constexpr std::string_view kDefaultInviteEmailSubject = "Your temporary password";
inline constexpr std::string_view kDefaultInviteMessage =
    "Your username is {username} and temporary password is {####}. ";
inline constexpr std::string_view kDefaultAuthenticationMessage =
    "Your authentication code is {####}. ";

}  // namespace cognate::domain::userpool
