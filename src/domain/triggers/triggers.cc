#include "domain/triggers/triggers.h"
#include "common/json_parse.h"

#include <array>
#include <utility>

namespace cognate::domain::triggers {
namespace {

using Json = nlohmann::json;

struct TriggerInfo {
  Trigger trigger;
  std::string_view name;
};

constexpr std::array<TriggerInfo, 12> kTriggers{{
    {Trigger::kPreSignUp, "PreSignUp"},
    {Trigger::kCustomMessage, "CustomMessage"},
    {Trigger::kPostConfirmation, "PostConfirmation"},
    {Trigger::kPreAuthentication, "PreAuthentication"},
    {Trigger::kPostAuthentication, "PostAuthentication"},
    {Trigger::kDefineAuthChallenge, "DefineAuthChallenge"},
    {Trigger::kCreateAuthChallenge, "CreateAuthChallenge"},
    {Trigger::kVerifyAuthChallengeResponse, "VerifyAuthChallengeResponse"},
    {Trigger::kPreTokenGeneration, "PreTokenGeneration"},
    {Trigger::kUserMigration, "UserMigration"},
    {Trigger::kCustomSmsSender, "CustomSMSSender"},
    {Trigger::kCustomEmailSender, "CustomEmailSender"},
}};

// A non-empty string member of `object`, or nullopt.
std::optional<std::string> NonEmptyString(const Json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  auto value = it->get<std::string>();
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<Target> VersionedTarget(const Json& lambda_config, std::string_view key) {
  if (!lambda_config.is_object()) return std::nullopt;
  auto it = lambda_config.find(key);
  if (it == lambda_config.end() || !it->is_object()) return std::nullopt;
  auto arn = NonEmptyString(*it, "LambdaArn");
  if (!arn) return std::nullopt;
  Target target{*arn};
  if (auto version = NonEmptyString(*it, "LambdaVersion")) target.lambda_version = *version;
  return target;
}

}  // namespace

std::string_view TriggerName(Trigger trigger) {
  for (const auto& info : kTriggers) {
    if (info.trigger == trigger) return info.name;
  }
  return "Lambda";
}

std::optional<Target> TargetFor(const Json& lambda_config, Trigger trigger) {
  switch (trigger) {
    case Trigger::kPreTokenGeneration:
      if (auto t = VersionedTarget(lambda_config, "PreTokenGenerationConfig")) return t;
      break;
    case Trigger::kCustomSmsSender:
    case Trigger::kCustomEmailSender:
      return VersionedTarget(lambda_config, TriggerName(trigger));
    default:
      break;
  }
  if (auto arn = NonEmptyString(lambda_config, TriggerName(trigger))) return Target{*arn};
  return std::nullopt;
}

Json EventJson(const DeploymentConfig& config, const Event& event) {
  return Json{
      {"version", event.version},
      {"triggerSource", event.trigger_source},
      {"region", config.region},
      {"userPoolId", event.user_pool_id},
      {"userName", event.username},
      {"callerContext",
       {{"awsSdkVersion", "aws-sdk-unknown-unknown"}, {"clientId", event.client_id}}},
      {"request", event.request.is_object() ? event.request : Json::object()},
      {"response", event.response.is_object() ? event.response : Json::object()},
  };
}

Result<Json> Call(const ServiceContext& ctx, const Target& target, Trigger trigger,
                  const Event& event) {
  const std::string name(TriggerName(trigger));
  if (ctx.triggers == nullptr) {
    return ApiError(ErrorCode::kUnexpectedLambda,
                    name + " invocation failed due to error ResourceNotFoundException.",
                    "no trigger invoker is configured");
  }
  const Invocation reply =
      ctx.triggers->Invoke(target.function, EventJson(ctx.config, event).dump());
  switch (reply.status) {
    case Invocation::Status::kOk:
      break;
    case Invocation::Status::kFunctionError:
      return ApiError(ErrorCode::kUserLambdaValidation,
                      name + " failed with error " + reply.body + ".");
    case Invocation::Status::kTimeout:
      return ApiError(ErrorCode::kUnexpectedLambda,
                      name +
                          " invocation failed due to error Socket timeout while invoking Lambda "
                          "function.");
    case Invocation::Status::kUnreachable:
      return ApiError(
          ErrorCode::kUnexpectedLambda,
          name + " invocation failed due to error " +
              (reply.body.empty() ? std::string("ResourceNotFoundException") : reply.body) + ".");
  }
  Json parsed = ParseJson(reply.body);
  if (!parsed.is_object()) {
    return ApiError(ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
                    name + " replied with something other than a JSON object");
  }
  auto it = parsed.find("response");
  if (it == parsed.end() || it->is_null()) return Json::object();
  if (!it->is_object()) {
    return ApiError(ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
                    name + " replied with a response that is not an object");
  }
  return std::move(*it);
}

Result<std::optional<Json>> CallIfConfigured(const ServiceContext& ctx, const Json& lambda_config,
                                             Trigger trigger, const Event& event) {
  if (ctx.triggers == nullptr) return std::optional<Json>();
  auto target = TargetFor(lambda_config, trigger);
  if (!target) return std::optional<Json>();
  auto response = Call(ctx, *target, trigger, event);
  if (!response) return response.error();
  return std::optional<Json>(std::move(*response));
}

Json EventUserAttributes(const std::map<std::string, std::string>& attributes,
                         std::string_view status) {
  Json out = Json::object();
  for (const auto& [name, value] : attributes) out[name] = value;
  if (!status.empty()) out["cognito:user_status"] = std::string(status);
  return out;
}

Json ClientMetadata(const Json& api_input) {
  if (api_input.is_object()) {
    auto it = api_input.find("ClientMetadata");
    if (it != api_input.end() && it->is_object()) return *it;
  }
  return Json::object();
}

}  // namespace cognate::domain::triggers
