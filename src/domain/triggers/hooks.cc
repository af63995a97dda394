// PreSignUp, PostConfirmation, PreAuthentication and PostAuthentication: their requests and
// responses (see hooks.h).

#include "domain/triggers/hooks.h"

#include <utility>

namespace cognate::domain::triggers {
namespace {

using Json = nlohmann::json;

ApiError BadResponse(std::string_view trigger, std::string_view member) {
  return ApiError(
      ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
      std::string(trigger) + " replied with a " + std::string(member) + " that is not a boolean");
}

// A boolean response member: absent or null is false; anything but a boolean is refused.
Result<bool> BoolMember(const Json& response, std::string_view trigger, std::string_view key) {
  auto it = response.find(key);
  if (it == response.end() || it->is_null()) return false;
  if (!it->is_boolean()) return BadResponse(trigger, key);
  return it->get<bool>();
}

Event BaseEvent(std::string source, const HookUser& user, std::string_view client_id) {
  Event e;
  e.trigger_source = std::move(source);
  e.user_pool_id = user.pool_id;
  e.username = user.username;
  e.client_id = client_id.empty() ? std::string(kNoClientId) : std::string(client_id);
  e.request["userAttributes"] = EventUserAttributes(user.attributes, user.status);
  return e;
}

bool HasValue(const HookUser& user, const char* attribute) {
  auto it = user.attributes.find(attribute);
  return it != user.attributes.end() && !it->second.empty();
}

}  // namespace

Result<PreSignUpDecision> RunPreSignUp(const ServiceContext& ctx, const Json& lambda_config,
                                       const HookUser& user, const PreSignUpCall& call) {
  PreSignUpDecision decision;
  if (ctx.triggers == nullptr || lambda_config.empty()) return decision;
  Event e = BaseEvent(call.admin ? "PreSignUp_AdminCreateUser" : "PreSignUp_SignUp", user,
                      call.client_id);
  e.request["validationData"] =
      call.validation_data.is_object() ? call.validation_data : Json(nullptr);
  e.request["clientMetadata"] =
      call.client_metadata.is_object() ? call.client_metadata : Json::object();
  e.response = {{"autoConfirmUser", false}, {"autoVerifyPhone", false}, {"autoVerifyEmail", false}};
  auto response = CallIfConfigured(ctx, lambda_config, Trigger::kPreSignUp, e);
  if (!response) return response.error();
  if (!*response) return decision;
  const Json& r = **response;
  auto confirm = BoolMember(r, "PreSignUp", "autoConfirmUser");
  if (!confirm) return confirm.error();
  auto email = BoolMember(r, "PreSignUp", "autoVerifyEmail");
  if (!email) return email.error();
  auto phone = BoolMember(r, "PreSignUp", "autoVerifyPhone");
  if (!phone) return phone.error();
  if (*email && !HasValue(user, "email")) {
    return ApiError::InvalidParameter("Cannot auto verify email: the user has no email attribute.");
  }
  if (*phone && !HasValue(user, "phone_number")) {
    return ApiError::InvalidParameter(
        "Cannot auto verify phone_number: the user has no phone_number attribute.");
  }
  decision.auto_confirm_user = *confirm && !call.admin;
  decision.auto_verify_email = *email;
  decision.auto_verify_phone = *phone;
  return decision;
}

Result<void> RunPostConfirmation(const ServiceContext& ctx, const Json& lambda_config,
                                 ConfirmationSource source, const HookUser& user,
                                 std::string_view client_id, const Json& client_metadata) {
  if (ctx.triggers == nullptr || lambda_config.empty()) return {};
  Event e = BaseEvent(source == ConfirmationSource::kConfirmSignUp
                          ? "PostConfirmation_ConfirmSignUp"
                          : "PostConfirmation_ConfirmForgotPassword",
                      user, client_id);
  e.request["clientMetadata"] = client_metadata.is_object() ? client_metadata : Json::object();
  auto response = CallIfConfigured(ctx, lambda_config, Trigger::kPostConfirmation, e);
  if (!response) return response.error();
  return {};
}

Result<void> RunPreAuthentication(const ServiceContext& ctx, const Json& lambda_config,
                                  std::string_view pool_id, const HookUser* user,
                                  std::string_view typed_username, std::string_view client_id,
                                  const Json& client_metadata) {
  if (ctx.triggers == nullptr || lambda_config.empty()) return {};
  if (!TargetFor(lambda_config, Trigger::kPreAuthentication)) return {};
  Event e;
  if (user != nullptr) {
    e = BaseEvent("PreAuthentication_Authentication", *user, client_id);
  } else {
    HookUser unknown;
    unknown.pool_id = std::string(pool_id);
    unknown.username = std::string(typed_username);
    e = BaseEvent("PreAuthentication_Authentication", unknown, client_id);
    e.request["userNotFound"] = true;
  }
  e.request["validationData"] = client_metadata.is_object() ? client_metadata : Json::object();
  auto response = CallIfConfigured(ctx, lambda_config, Trigger::kPreAuthentication, e);
  if (!response) return response.error();
  return {};
}

Result<void> RunPostAuthentication(const ServiceContext& ctx, const Json& lambda_config,
                                   const HookUser& user, std::string_view client_id,
                                   bool new_device_used, const Json& client_metadata) {
  if (ctx.triggers == nullptr || lambda_config.empty()) return {};
  Event e = BaseEvent("PostAuthentication_Authentication", user, client_id);
  e.request["newDeviceUsed"] = new_device_used;
  e.request["clientMetadata"] = client_metadata.is_object() ? client_metadata : Json::object();
  auto response = CallIfConfigured(ctx, lambda_config, Trigger::kPostAuthentication, e);
  if (!response) return response.error();
  return {};
}

}  // namespace cognate::domain::triggers
