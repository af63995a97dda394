#include "domain/users/migration.h"

#include <algorithm>

#include "domain/messaging/templates.h"
#include "domain/mfa/user_mfa.h"
#include "domain/triggers/triggers.h"
#include "domain/users/password.h"
#include "domain/users/user_support.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

ApiError Unrecognizable(std::string_view why) {
  return ApiError(ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
                  "UserMigration: " + std::string(why));
}

// The member `key` of `response`, or nullptr when absent or null.
const json* NonNullMember(const json& response, std::string_view key) {
  auto it = response.find(key);
  if (it == response.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

ApiError MigrationFailed(const std::string& client_id) {
  return ApiError::UserNotFound("Exception migrating user in app client " + client_id + ".");
}

Result<MigrationResponse> ReadMigrationResponse(const json& response,
                                                const std::string& client_id) {
  MigrationResponse out;
  const json* attrs = NonNullMember(response, "userAttributes");
  if (attrs == nullptr) return MigrationFailed(client_id);
  if (!attrs->is_object()) return Unrecognizable("userAttributes is not an object");
  for (const auto& [name, value] : attrs->items()) {
    if (!value.is_string()) return Unrecognizable("userAttributes." + name + " is not a string");
    if (name == "username") {
      out.username = value.get<std::string>();
      continue;
    }
    if (name == "sub" || name.rfind("cognito:", 0) == 0) continue;
    out.attributes.push_back({name, value.get<std::string>()});
  }
  if (out.attributes.empty() && !out.username) return MigrationFailed(client_id);

  out.final_status = std::string(kStatusConfirmed);
  if (const json* s = NonNullMember(response, "finalUserStatus")) {
    if (!s->is_string()) return Unrecognizable("finalUserStatus is not a string");
    const auto v = s->get<std::string>();
    if (v != kStatusConfirmed && v != kStatusResetRequired) {
      return Unrecognizable("finalUserStatus " + v);
    }
    out.final_status = v;
  }
  if (const json* s = NonNullMember(response, "messageAction")) {
    if (!s->is_string()) return Unrecognizable("messageAction is not a string");
    const auto v = s->get<std::string>();
    if (v != "SUPPRESS" && v != "RESEND") return Unrecognizable("messageAction " + v);
    out.suppress = v == "SUPPRESS";
  }
  if (const json* m = NonNullMember(response, "desiredDeliveryMediums")) {
    if (!m->is_array()) return Unrecognizable("desiredDeliveryMediums is not a list");
    for (const auto& v : *m) {
      if (!v.is_string() || (v != "SMS" && v != "EMAIL")) {
        return Unrecognizable("desiredDeliveryMediums holds something other than SMS / EMAIL");
      }
      out.mediums.push_back(v.get<std::string>());
    }
  }
  for (auto [key, flag] : {std::pair{"forceAliasCreation", &out.force_alias_creation},
                           std::pair{"enableSMSMFA", &out.enable_sms_mfa}}) {
    if (const json* b = NonNullMember(response, key)) {
      if (!b->is_boolean()) return Unrecognizable(std::string(key) + " is not a boolean");
      *flag = b->get<bool>();
    }
  }
  return out;
}

Result<std::optional<UserRecord>> MigrateUser(ServiceContext& ctx, const PoolRules& rules,
                                              const MigrationInput& in) {
  if (ctx.triggers == nullptr) return std::optional<UserRecord>();
  const auto target = triggers::TargetFor(rules.lambda_config(), triggers::Trigger::kUserMigration);
  if (!target) return std::optional<UserRecord>();

  triggers::Event event;
  event.trigger_source =
      in.forgot_password ? "UserMigration_ForgotPassword" : "UserMigration_Authentication";
  event.user_pool_id = rules.pool_id();
  event.username = in.username;
  event.client_id = in.client_id;
  if (!in.forgot_password) event.request["password"] = in.password;
  const json metadata = in.client_metadata.is_object() ? in.client_metadata : json::object();
  event.request["validationData"] = metadata;
  event.request["clientMetadata"] = metadata;
  auto reply = triggers::Call(ctx, *target, triggers::Trigger::kUserMigration, event);
  if (!reply) {
    if (reply.error().is(ErrorCode::kUserLambdaValidation)) return MigrationFailed(in.client_id);
    return reply.error();
  }
  auto response = ReadMigrationResponse(*reply, in.client_id);
  if (!response) return response.error();

  const std::string status =
      in.forgot_password ? std::string(kStatusResetRequired) : response->final_status;
  const std::int64_t now = ctx.clock.NowMillis();
  const std::string username =
      rules.username_attributes().empty() && response->username ? *response->username : in.username;
  auto built = BuildNewUser(rules, status, now, username, response->attributes);
  if (!built) return built.error();
  UserRecord& user = *built;
  if (response->enable_sms_mfa) {
    if (!user.Attribute("phone_number")) return MigrationFailed(in.client_id);
    mfa::EnableFactor(user, "SMS_MFA");
  }
  const bool suppress = response->suppress;
  std::vector<std::string> mediums = response->mediums;
  if (mediums.empty()) mediums = {"SMS"};

  auto existing =
      ctx.store.GetUserByUsernameKey(rules.pool_id(), rules.NormalizeUsername(user.username));
  if (existing) return ApiError(ErrorCode::kUsernameExists, "User account already exists");
  if (!existing.error().IsNotFound()) return StoreFailure("GetUserByUsernameKey", existing.error());
  if (auto ok = CheckAliasesFree(ctx, rules, user, response->force_alias_creation,
                                 /*creating=*/true);
      !ok) {
    return ok.error();
  }
  if (status == kStatusConfirmed) SetUserPassword(ctx, user, in.password);
  if (auto ok = InsertNewUser(ctx, rules, user, "User account already exists"); !ok) {
    return ok.error();
  }
  if (!suppress) {
    // The welcome of a migrated user: the invitation without a temporary password.
    if (auto sent = SendInvitation(ctx, rules, user, username, "", mediums, "migration_welcome",
                                   in.client_id, in.client_metadata);
        !sent) {
      return sent.error();
    }
  }
  return std::optional<UserRecord>(std::move(user));
}

}  // namespace cognate::domain::users
