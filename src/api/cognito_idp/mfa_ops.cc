// MFA handlers: GetUserPoolMfaConfig, SetUserPoolMfaConfig (IAM); AssociateSoftwareToken,
// VerifySoftwareToken (access token or MFA_SETUP Session); SetUserMFAPreference, SetUserSettings
// (access token); AdminSetUserMFAPreference, AdminSetUserSettings, AdminDeleteSoftwareToken
// (IAM). Decode -> MfaConfigService / MfaService -> encode.

#include <memory>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "domain/mfa/mfa_config.h"
#include "domain/mfa/mfa_service.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::mfa::FactorSetting;
using domain::mfa::MfaOption;
using domain::mfa::MfaPreference;
using domain::mfa::MfaService;
using nlohmann::json;

ApiError WrongTypeAt(std::string_view member) {
  return ApiError::InvalidParameter("1 validation error detected: Value at '" +
                                    std::string(member) +
                                    "' failed to satisfy constraint: Member must be of the "
                                    "declared type");
}

// One {Enabled, PreferredMfa} block; absent is nullopt.
Result<std::optional<FactorSetting>> Setting(const json& in, const char* member) {
  const auto it = in.find(member);
  if (it == in.end() || it->is_null()) return std::optional<FactorSetting>();
  if (!it->is_object()) return WrongTypeAt(member);
  COGNATE_ASSIGN_OR_RETURN(enabled, OptionalBool(*it, "Enabled"));
  COGNATE_ASSIGN_OR_RETURN(preferred, OptionalBool(*it, "PreferredMfa"));
  return std::optional<FactorSetting>(
      FactorSetting{enabled.value_or(false), preferred.value_or(false)});
}

Result<MfaPreference> Preference(const json& in) {
  MfaPreference p;
  COGNATE_ASSIGN_OR_RETURN(sms, Setting(in, "SMSMfaSettings"));
  COGNATE_ASSIGN_OR_RETURN(totp, Setting(in, "SoftwareTokenMfaSettings"));
  COGNATE_ASSIGN_OR_RETURN(email, Setting(in, "EmailMfaSettings"));
  p.sms = sms;
  p.software_token = totp;
  p.email = email;
  return p;
}

Result<std::vector<MfaOption>> Options(const json& in) {
  std::vector<MfaOption> out;
  const auto it = in.find("MFAOptions");
  if (it == in.end() || it->is_null()) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value null at 'mFAOptions' failed to satisfy constraint: "
        "Member must not be null");
  }
  if (!it->is_array()) return WrongTypeAt("mFAOptions");
  for (const auto& o : *it) {
    if (!o.is_object()) return WrongTypeAt("mFAOptions.member");
    COGNATE_ASSIGN_OR_RETURN(medium, OptionalString(o, "DeliveryMedium"));
    COGNATE_ASSIGN_OR_RETURN(attr, OptionalString(o, "AttributeName"));
    out.push_back({medium.value_or(""), attr.value_or("")});
  }
  return out;
}

}  // namespace

void RegisterMfaOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                    std::shared_ptr<domain::tokens::TokenService> tokens) {
  auto config = std::make_shared<domain::mfa::MfaConfigService>(ctx);
  domain::users::AccessTokenGate gate;
  gate.verify = [tokens](std::string_view token) { return tokens->VerifyAccessToken(token); };
  auto mfa = std::make_shared<MfaService>(ctx, std::move(gate));

  registry.Register("GetUserPoolMfaConfig",
                    [config](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      return config->Get(pool_id);
                    });
  registry.Register(
      "SetUserPoolMfaConfig",
      [config](const json& in, const CallContext&) -> Result<json> { return config->Set(in); });

  registry.Register("AssociateSoftwareToken",
                    [mfa](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(token, OptionalString(in, "AccessToken"));
                      COGNATE_ASSIGN_OR_RETURN(session, OptionalString(in, "Session"));
                      COGNATE_ASSIGN_OR_RETURN(r, mfa->AssociateSoftwareToken(token, session));
                      json out = {{"SecretCode", r.secret_code}};
                      if (!r.session.empty()) out["Session"] = r.session;
                      return out;
                    });
  registry.Register(
      "VerifySoftwareToken", [mfa](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(token, OptionalString(in, "AccessToken"));
        COGNATE_ASSIGN_OR_RETURN(session, OptionalString(in, "Session"));
        COGNATE_ASSIGN_OR_RETURN(code, RequiredString(in, "UserCode"));
        COGNATE_ASSIGN_OR_RETURN(name, OptionalString(in, "FriendlyDeviceName"));
        COGNATE_ASSIGN_OR_RETURN(r, mfa->VerifySoftwareToken(token, session, code, name));
        json out = {{"Status", r.status}};
        if (!r.session.empty()) out["Session"] = r.session;
        return out;
      });

  registry.Register("SetUserMFAPreference",
                    [mfa](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
                      COGNATE_ASSIGN_OR_RETURN(p, Preference(in));
                      return Empty(mfa->SetUserMfaPreference(token, p));
                    });
  registry.Register("AdminSetUserMFAPreference",
                    [mfa](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(p, Preference(in));
                      return Empty(mfa->AdminSetUserMfaPreference(pool_id, username, p));
                    });
  registry.Register("SetUserSettings", [mfa](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
    COGNATE_ASSIGN_OR_RETURN(options, Options(in));
    return Empty(mfa->SetUserSettings(token, options));
  });
  registry.Register("AdminSetUserSettings",
                    [mfa](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(options, Options(in));
                      return Empty(mfa->AdminSetUserSettings(pool_id, username, options));
                    });
  registry.Register("AdminDeleteSoftwareToken",
                    [mfa](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      return Empty(mfa->AdminDeleteSoftwareToken(pool_id, username));
                    });
}

}  // namespace cognate::api::cognito_idp
