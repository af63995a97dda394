// Sign-in handlers: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
// AdminRespondToAuthChallenge, GetTokensFromRefreshToken. Decode -> AuthService -> encode.
// ClientMetadata goes to the triggers (validated as a string map); AnalyticsMetadata and
// UserContextData are accepted (the model validates their shape) and not used yet.

#include <memory>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "domain/auth/auth_service.h"
#include "domain/triggers/triggers.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::auth::AuthOutcome;
using domain::auth::AuthService;
using domain::auth::StringMap;
using nlohmann::json;

// A map<string, string> member (AuthParameters, ChallengeResponses); absent is empty.
Result<StringMap> StringMapMember(const json& in, std::string_view member) {
  StringMap out;
  const auto it = in.find(member);
  if (it == in.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return ApiError::InvalidParameter("Invalid type for parameter " + std::string(member));
  }
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) {
      return ApiError::InvalidParameter("Invalid type for parameter " + std::string(member) + "." +
                                        key);
    }
    out[key] = value.get<std::string>();
  }
  return out;
}

json AuthenticationResultJson(const domain::tokens::IssuedTokens& t) {
  json r = {{"AccessToken", t.access_token},
            {"ExpiresIn", t.expires_in_s},
            {"TokenType", t.token_type},
            {"IdToken", t.id_token}};
  if (!t.refresh_token.empty()) r["RefreshToken"] = t.refresh_token;
  return r;
}

json OutcomeJson(const AuthOutcome& o) {
  json out = json::object();
  if (o.tokens) {
    out["AuthenticationResult"] = AuthenticationResultJson(*o.tokens);
    if (o.new_device) {
      out["AuthenticationResult"]["NewDeviceMetadata"] = {
          {"DeviceKey", o.new_device->device_key},
          {"DeviceGroupKey", o.new_device->device_group_key}};
    }
    out["ChallengeParameters"] = json::object();
    return out;
  }
  out["ChallengeName"] = o.challenge_name;
  if (!o.session.empty()) out["Session"] = o.session;
  json params = json::object();
  for (const auto& [k, v] : o.challenge_parameters) params[k] = v;
  out["ChallengeParameters"] = std::move(params);
  if (!o.available_challenges.empty()) out["AvailableChallenges"] = o.available_challenges;
  return out;
}

Result<json> Initiate(AuthService& auth, const json& in, bool admin) {
  domain::auth::InitiateAuthInput input;
  input.admin = admin;
  if (admin) {
    COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
    input.pool_id = pool_id;
  }
  COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
  input.client_id = client_id;
  COGNATE_ASSIGN_OR_RETURN(flow, RequiredString(in, "AuthFlow"));
  input.auth_flow = flow;
  COGNATE_ASSIGN_OR_RETURN(params, StringMapMember(in, "AuthParameters"));
  input.parameters = std::move(params);
  if (auto meta = StringMapMember(in, "ClientMetadata"); !meta) return meta.error();
  input.client_metadata = domain::triggers::ClientMetadata(in);
  COGNATE_ASSIGN_OR_RETURN(outcome, auth.InitiateAuth(input));
  return OutcomeJson(outcome);
}

Result<json> Respond(AuthService& auth, const json& in, bool admin) {
  domain::auth::RespondInput input;
  input.admin = admin;
  if (admin) {
    COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
    input.pool_id = pool_id;
  }
  COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
  input.client_id = client_id;
  COGNATE_ASSIGN_OR_RETURN(challenge, RequiredString(in, "ChallengeName"));
  input.challenge_name = challenge;
  COGNATE_ASSIGN_OR_RETURN(session, OptionalString(in, "Session"));
  input.session = session;
  COGNATE_ASSIGN_OR_RETURN(responses, StringMapMember(in, "ChallengeResponses"));
  input.responses = std::move(responses);
  if (auto meta = StringMapMember(in, "ClientMetadata"); !meta) return meta.error();
  input.client_metadata = domain::triggers::ClientMetadata(in);
  COGNATE_ASSIGN_OR_RETURN(outcome, auth.RespondToAuthChallenge(input));
  return OutcomeJson(outcome);
}

}  // namespace

void RegisterAuthOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                     std::shared_ptr<domain::tokens::TokenService> tokens) {
  auto auth = std::make_shared<AuthService>(ctx, domain::auth::MakeTokenIssuer(std::move(tokens)));

  registry.Register("InitiateAuth", [auth](const json& in, const CallContext&) -> Result<json> {
    return Initiate(*auth, in, /*admin=*/false);
  });
  registry.Register("AdminInitiateAuth",
                    [auth](const json& in, const CallContext&) -> Result<json> {
                      return Initiate(*auth, in, /*admin=*/true);
                    });
  registry.Register("RespondToAuthChallenge",
                    [auth](const json& in, const CallContext&) -> Result<json> {
                      return Respond(*auth, in, /*admin=*/false);
                    });
  registry.Register("AdminRespondToAuthChallenge",
                    [auth](const json& in, const CallContext&) -> Result<json> {
                      return Respond(*auth, in, /*admin=*/true);
                    });
  registry.Register("GetTokensFromRefreshToken",
                    [auth](const json& in, const CallContext&) -> Result<json> {
                      domain::auth::RefreshTokensInput input;
                      COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "RefreshToken"));
                      input.refresh_token = token;
                      COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
                      input.client_id = client_id;
                      COGNATE_ASSIGN_OR_RETURN(secret, OptionalString(in, "ClientSecret"));
                      input.client_secret = secret;
                      COGNATE_ASSIGN_OR_RETURN(device, OptionalString(in, "DeviceKey"));
                      input.device_key = device.value_or("");
                      if (auto meta = StringMapMember(in, "ClientMetadata"); !meta)
                        return meta.error();
                      input.client_metadata = domain::triggers::ClientMetadata(in);
                      COGNATE_ASSIGN_OR_RETURN(issued, auth->GetTokensFromRefreshToken(input));
                      return json{{"AuthenticationResult", AuthenticationResultJson(issued)}};
                    });
}

}  // namespace cognate::api::cognito_idp
