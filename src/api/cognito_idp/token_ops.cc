// Token handlers: RevokeToken, GlobalSignOut, AdminUserGlobalSignOut. Decode -> TokenService ->
// encode.

#include <memory>
#include <utility>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "crypto/crypto.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::tokens::TokenService;
using nlohmann::json;

// RevokeToken's client checks, in Cognito's order: the client exists, its secret matches when
// it has one, and token revocation is on.
Result<void> CheckRevokingClient(domain::ServiceContext& ctx, const std::string& client_id,
                                 const std::optional<std::string>& given_secret) {
  auto client = domain::userpool::LoadClientById(ctx, client_id);
  if (!client) return client.error();
  auto secret = domain::userpool::OpenClientSecret(ctx, *client);
  if (!secret) return secret.error();
  if (*secret && (!given_secret || !crypto::ConstantTimeEquals(**secret, *given_secret))) {
    return ApiError(ErrorCode::kUnauthorized,
                    "Unable to verify secret hash for client " + client_id);
  }
  auto doc = domain::userpool::ParseDoc(client->doc);
  if (!doc) return doc.error();
  auto it = doc->find("EnableTokenRevocation");
  if (it != doc->end() && it->is_boolean() && !it->get<bool>()) {
    return ApiError(ErrorCode::kUnsupportedOperation,
                    "Token revocation is not enabled for this app client.");
  }
  return {};
}

}  // namespace

void RegisterTokenOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                      std::shared_ptr<TokenService> tokens) {
  domain::ServiceContext* c = &ctx;

  registry.Register("RevokeToken", [c, tokens](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "Token"));
    COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
    COGNATE_ASSIGN_OR_RETURN(secret, OptionalString(in, "ClientSecret"));
    if (auto ok = CheckRevokingClient(*c, client_id, secret); !ok) return ok.error();
    if (auto r = tokens->RevokeRefreshToken(client_id, token); !r) return r.error();
    return json::object();
  });

  registry.Register("GlobalSignOut", [tokens](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(access_token, RequiredString(in, "AccessToken"));
    COGNATE_ASSIGN_OR_RETURN(claims, tokens->VerifyAccessToken(access_token));
    if (auto r = tokens->RevokeAllForUser(claims.pool_id, claims.sub); !r) return r.error();
    return json::object();
  });

  registry.Register(
      "AdminUserGlobalSignOut", [c, tokens](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
        COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
        COGNATE_ASSIGN_OR_RETURN(rules, domain::users::LoadPoolRules(*c, pool_id));
        COGNATE_ASSIGN_OR_RETURN(user, domain::users::FindUser(c->store, rules, username));
        if (auto r = tokens->RevokeAllForUser(pool_id, user.sub); !r) {
          return r.error();
        }
        return json::object();
      });
}

}  // namespace cognate::api::cognito_idp
