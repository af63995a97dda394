// Sign-in factor handlers: GetUserAuthFactors (access token) and AdminGetUserAuthFactors (IAM).
// Decode -> UserService / SelfService (who) + auth::UserAuthFactorsOf (what) -> encode.

#include <memory>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "domain/auth/user_auth.h"
#include "domain/users/self_service.h"
#include "domain/users/user_service.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

// {Username, PreferredMfaSetting, UserMFASettingList, ConfiguredUserAuthFactors}: the MFA members
// exactly as AdminGetUser shows them.
Result<json> AuthFactorsJson(domain::ServiceContext& ctx, const domain::users::UserRecord& user) {
  COGNATE_ASSIGN_OR_RETURN(factors, domain::auth::UserAuthFactorsOf(ctx, user));
  const json shown = AdminGetUserJson(user);
  json out = {{"Username", user.username}};
  for (const char* member : {"PreferredMfaSetting", "UserMFASettingList"}) {
    if (auto it = shown.find(member); it != shown.end()) out[member] = *it;
  }
  out["ConfiguredUserAuthFactors"] = factors;
  return out;
}

}  // namespace

void RegisterAuthFactorOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                           std::shared_ptr<domain::tokens::TokenService> tokens) {
  domain::users::AccessTokenGate gate;
  gate.verify = [tokens](std::string_view token) { return tokens->VerifyAccessToken(token); };
  gate.revoke_all = [tokens](const std::string& pool_id, const std::string& sub) {
    return tokens->RevokeAllForUser(pool_id, sub);
  };
  auto self = std::make_shared<domain::users::SelfService>(ctx, std::move(gate));
  auto users = std::make_shared<domain::users::UserService>(ctx);
  domain::ServiceContext* context = &ctx;

  registry.Register("GetUserAuthFactors",
                    [self, context](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
                      COGNATE_ASSIGN_OR_RETURN(user, self->GetUser(token));
                      return AuthFactorsJson(*context, user);
                    });
  registry.Register("AdminGetUserAuthFactors",
                    [users, context](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(user, users->AdminGetUser(pool_id, username));
                      return AuthFactorsJson(*context, user);
                    });
}

}  // namespace cognate::api::cognito_idp
