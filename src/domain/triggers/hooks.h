#pragma once
// The user-lifecycle triggers: PreSignUp, PostConfirmation, PreAuthentication,
// PostAuthentication, CustomMessage and the custom senders (CustomSMSSender /
// CustomEmailSender), each building its own `request` and reading its own `response` on top of
// triggers.h. Every function here is a no-op costing one lookup in the pool's (cached)
// LambdaConfig when the pool does not name the trigger or the server has no invoker.
//
// LambdaConfig itself (CreateUserPool / UpdateUserPool) is checked by ValidateLambdaConfig.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/messaging/message_sink.h"
#include "domain/messaging/templates.h"
#include "domain/service_context.h"
#include "domain/triggers/triggers.h"

namespace cognate::domain::triggers {

// ---- configuration --------------------------------------------------------------------------

// Checks a LambdaConfig as CreateUserPool / UpdateUserPool receive it (after the API model's
// own checks) and returns what the pool stores: the object as given. Function values are Lambda
// ARNs ("arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]") or http(s):// URLs;
// KMSKeyID a KMS key or alias ARN, required when CustomSMSSender / CustomEmailSender is set;
// PreTokenGeneration and PreTokenGenerationConfig.LambdaArn, when both are given, name the same
// function; V2_0 / V3_0 pre-token events need the ESSENTIALS / PLUS tier (`tier`).
// InvalidParameterException / FeatureUnavailableInTierException with the messages in
// docs/decisions.md.
Result<nlohmann::json> ValidateLambdaConfig(const nlohmann::json& lambda_config,
                                            std::string_view tier);

// True when `value` is an http:// or https:// URL with a host and no whitespace.
bool IsTriggerUrl(std::string_view value);

// ---- who a trigger is about ------------------------------------------------------------------

struct HookUser {
  std::string pool_id;
  std::string username;                           // userName
  std::map<std::string, std::string> attributes;  // request.userAttributes
  std::string status;                             // cognito:user_status ("" to leave out)
};

// ---- PreSignUp -------------------------------------------------------------------------------

struct PreSignUpCall {
  bool admin = false;  // PreSignUp_AdminCreateUser (else PreSignUp_SignUp)
  std::string client_id = std::string(kNoClientId);
  nlohmann::json validation_data;  // {name: value} or null when the call had none
  nlohmann::json client_metadata = nlohmann::json::object();
};

// What the handler decided (all false when the pool has no PreSignUp trigger).
struct PreSignUpDecision {
  bool auto_confirm_user = false;
  bool auto_verify_email = false;
  bool auto_verify_phone = false;
};

// Runs PreSignUp for the user about to be created (`user.attributes` as the caller gave them;
// no status). InvalidLambdaResponseException for a response member that is not a boolean;
// InvalidParameterException when auto-verification names an attribute the user lacks.
Result<PreSignUpDecision> RunPreSignUp(const ServiceContext& ctx,
                                       const nlohmann::json& lambda_config, const HookUser& user,
                                       const PreSignUpCall& call);

// ---- PostConfirmation ------------------------------------------------------------------------

enum class ConfirmationSource { kConfirmSignUp, kConfirmForgotPassword };

// Runs PostConfirmation_ConfirmSignUp / _ConfirmForgotPassword for the (already saved) user.
Result<void> RunPostConfirmation(const ServiceContext& ctx, const nlohmann::json& lambda_config,
                                 ConfirmationSource source, const HookUser& user,
                                 std::string_view client_id, const nlohmann::json& client_metadata);

// ---- PreAuthentication / PostAuthentication -------------------------------------------------

// PreAuthentication_Authentication: `user` is nullptr for an unknown user under
// PreventUserExistenceErrors (request.userNotFound = true, userName as typed). The call's
// ClientMetadata travels as request.validationData, as Cognito sends it.
Result<void> RunPreAuthentication(const ServiceContext& ctx, const nlohmann::json& lambda_config,
                                  std::string_view pool_id, const HookUser* user,
                                  std::string_view typed_username, std::string_view client_id,
                                  const nlohmann::json& client_metadata);

// PostAuthentication_Authentication after a sign-in issued tokens; `new_device_used` when the
// sign-in registered a new device.
Result<void> RunPostAuthentication(const ServiceContext& ctx, const nlohmann::json& lambda_config,
                                   const HookUser& user, std::string_view client_id,
                                   bool new_device_used, const nlohmann::json& client_metadata);

// ---- messages --------------------------------------------------------------------------------

// A code or invitation message about to go out, already rendered with the pool's template.
struct CodeMessageCall {
  // The trigger-source suffix: "SignUp", "AdminCreateUser", "ResendCode", "ForgotPassword",
  // "UpdateUserAttribute", "VerifyUserAttribute" or "Authentication".
  std::string source;
  std::string client_id = std::string(kNoClientId);
  nlohmann::json client_metadata = nlohmann::json::object();
  std::string code;  // the code, or the temporary password of an invitation
  // The invitation's {username} value (AdminCreateUser: the username as the admin typed it);
  // empty for code messages (request.usernameParameter is then null).
  std::string shown_username;
  // Set when the e-mail is a CONFIRM_WITH_LINK e-mail: a custom emailMessage may then carry
  // {##label##} links.
  const messaging::ConfirmationLink* link = nullptr;
};

// Delivers `message` through ctx.messages, unless the pool's LambdaConfig says otherwise:
//  - CustomEmailSender (e-mail) / CustomSMSSender (SMS) replace the delivery: the function gets
//    CustomEmailSender_<source> / CustomSMSSender_<source> with request.code = the code sealed
//    under the key KMSKeyID names (crypto/aes_gcm.h) and nothing reaches ctx.messages;
//  - else CustomMessage_<source> may replace the texts: response.smsMessage / emailMessage /
//    emailSubject with {####} (and {username} for invitations) are rendered and sent; a text
//    without the code placeholder (or over Cognito's length limits) leaves the pool's text.
// InvalidLambdaResponseException for a response member that is not a string or null.
Result<void> DeliverMessage(const ServiceContext& ctx, const nlohmann::json& lambda_config,
                            const HookUser& user, OutboundMessage message,
                            const CodeMessageCall& call);

}  // namespace cognate::domain::triggers
