#pragma once
// Cognito's Lambda triggers, as events sent to HTTP functions: which function a pool names for a
// trigger (its LambdaConfig), the event envelope Cognito sends, and the reply's interpretation
// with Cognito's three errors. Each feature builds its own `request` and reads its own `response`
// members; this file owns only what every trigger shares.
//
// Errors (the handler's reply → what the API caller sees):
//   the function reported an error  → UserLambdaValidationException "<Trigger> failed with error
//   <message>." no answer in time / unreachable → UnexpectedLambdaException
//                                     "<Trigger> invocation failed due to error <reason>."
//   not a JSON object, or its `response` is present but not an object
//                                   → InvalidLambdaResponseException "Unrecognizable lambda output"
// Secrets (passwords, codes) may travel inside events; nothing here logs an event or a reply.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"
#include "domain/triggers/invoker.h"

namespace cognate::domain::triggers {

enum class Trigger {
  kPreSignUp,
  kCustomMessage,
  kPostConfirmation,
  kPreAuthentication,
  kPostAuthentication,
  kDefineAuthChallenge,
  kCreateAuthChallenge,
  kVerifyAuthChallengeResponse,
  kPreTokenGeneration,
  kUserMigration,
  kCustomSmsSender,
  kCustomEmailSender,
};

// The trigger's name as Cognito writes it in LambdaConfig and in error messages ("PreSignUp",
// "CustomSMSSender", ...).
std::string_view TriggerName(Trigger trigger);

// The function a pool names for a trigger.
struct Target {
  std::string function;                 // ARN, function name or http(s):// URL, as configured
  std::string lambda_version = "V1_0";  // PreTokenGenerationConfig / sender configs; else V1_0
};

// The target `lambda_config` (the pool's LambdaConfig object) names for `trigger`, or nullopt.
// PreTokenGeneration: PreTokenGenerationConfig {LambdaArn, LambdaVersion} wins over the legacy
// PreTokenGeneration ARN (V1_0). CustomSMSSender / CustomEmailSender: their {LambdaArn,
// LambdaVersion} objects.
std::optional<Target> TargetFor(const nlohmann::json& lambda_config, Trigger trigger);

// callerContext.clientId for operations that have no app client (AdminCreateUser, ...).
inline constexpr std::string_view kNoClientId = "CLIENT_ID_NOT_APPLICABLE";

// What a feature supplies; the envelope adds version, region, userPoolId and callerContext.
struct Event {
  std::string trigger_source;  // e.g. "PreSignUp_SignUp"
  std::string user_pool_id;
  std::string username;                              // userName
  std::string client_id = std::string(kNoClientId);  // callerContext.clientId
  nlohmann::json request = nlohmann::json::object();
  nlohmann::json response = nlohmann::json::object();  // initial values Cognito sends
  std::string version = "1";  // "1"; PreTokenGeneration V2_0 sends "2", V3_0 sends "3"
};

// The JSON Cognito sends for `event`:
// {version, triggerSource, region, userPoolId, userName,
//  callerContext {awsSdkVersion, clientId}, request, response}.
nlohmann::json EventJson(const DeploymentConfig& config, const Event& event);

// Sends `event` to `target` through ctx.triggers and returns the reply's `response` object ({}
// when the reply has none). Errors as described at the top of this file.
Result<nlohmann::json> Call(const ServiceContext& ctx, const Target& target, Trigger trigger,
                            const Event& event);

// Call() when `lambda_config` names `trigger` and the server has an invoker; nullopt otherwise.
Result<std::optional<nlohmann::json>> CallIfConfigured(const ServiceContext& ctx,
                                                       const nlohmann::json& lambda_config,
                                                       Trigger trigger, const Event& event);

// request.userAttributes as Cognito sends them: every attribute as a string, plus
// "cognito:user_status" when `status` is not empty.
nlohmann::json EventUserAttributes(const std::map<std::string, std::string>& attributes,
                                   std::string_view status);

// request.clientMetadata: the API call's ClientMetadata object, or {} when it has none.
nlohmann::json ClientMetadata(const nlohmann::json& api_input);

}  // namespace cognate::domain::triggers
