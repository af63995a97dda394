// Remembered-device handlers: ConfirmDevice, GetDevice, ListDevices, ForgetDevice,
// UpdateDeviceStatus (access token) and AdminGetDevice, AdminListDevices, AdminForgetDevice,
// AdminUpdateDeviceStatus (IAM). Decode -> DeviceService -> encode.

#include <memory>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "domain/auth/device_service.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::auth::DevicePage;
using domain::auth::DeviceRecord;
using domain::auth::DeviceService;
using nlohmann::json;

// DeviceType as Cognito returns it.
json DeviceJson(const DeviceRecord& d) {
  json attributes = json::array();
  attributes.push_back({{"Name", "device_status"}, {"Value", "valid"}});
  if (!d.name.empty()) attributes.push_back({{"Name", "device_name"}, {"Value", d.name}});
  attributes.push_back({{"Name", "dev:device_remembered_status"}, {"Value", d.remembered_status}});
  if (!d.last_ip.empty()) attributes.push_back({{"Name", "last_ip_used"}, {"Value", d.last_ip}});
  return {{"DeviceKey", d.key},
          {"DeviceAttributes", std::move(attributes)},
          {"DeviceCreateDate", EpochSeconds(d.created_ms)},
          {"DeviceLastModifiedDate", EpochSeconds(d.modified_ms)},
          {"DeviceLastAuthenticatedDate",
           EpochSeconds(d.last_auth_ms > 0 ? d.last_auth_ms : d.created_ms)}};
}

json PageJson(const DevicePage& page) {
  json list = json::array();
  for (const auto& d : page.devices) list.push_back(DeviceJson(d));
  json out = {{"Devices", std::move(list)}};
  if (!page.pagination_token.empty()) out["PaginationToken"] = page.pagination_token;
  return out;
}

// AccessToken is optional in the model of GetDevice and ForgetDevice but needed.
Result<std::string> AccessToken(const json& in) {
  COGNATE_ASSIGN_OR_RETURN(token, OptionalString(in, "AccessToken"));
  if (!token) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value null at 'accessToken' failed to satisfy constraint: "
        "Member must not be null");
  }
  return *token;
}

Result<std::optional<int>> Limit(const json& in) {
  COGNATE_ASSIGN_OR_RETURN(limit, OptionalInt(in, "Limit"));
  if (!limit) return std::optional<int>();
  return std::optional<int>(static_cast<int>(*limit));
}

}  // namespace

void RegisterDeviceOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                       std::shared_ptr<domain::tokens::TokenService> tokens) {
  domain::users::AccessTokenGate gate;
  gate.verify = [tokens](std::string_view token) { return tokens->VerifyAccessToken(token); };
  gate.revoke_all = [tokens](const std::string& pool_id, const std::string& sub) {
    return tokens->RevokeAllForUser(pool_id, sub);
  };
  auto devices = std::make_shared<DeviceService>(ctx, std::move(gate));

  registry.Register(
      "ConfirmDevice", [devices](const json& in, const CallContext& call) -> Result<json> {
        domain::auth::ConfirmDeviceInput input;
        COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
        COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
        COGNATE_ASSIGN_OR_RETURN(name, OptionalString(in, "DeviceName"));
        input.access_token = token;
        input.device_key = key;
        input.device_name = name;
        input.source_ip = call.source_ip;
        if (auto it = in.find("DeviceSecretVerifierConfig"); it != in.end() && it->is_object()) {
          COGNATE_ASSIGN_OR_RETURN(verifier, OptionalString(*it, "PasswordVerifier"));
          COGNATE_ASSIGN_OR_RETURN(salt, OptionalString(*it, "Salt"));
          input.password_verifier = verifier;
          input.salt = salt;
        }
        COGNATE_ASSIGN_OR_RETURN(necessary, devices->ConfirmDevice(input));
        return json{{"UserConfirmationNecessary", necessary}};
      });

  registry.Register("GetDevice", [devices](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, AccessToken(in));
    COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
    COGNATE_ASSIGN_OR_RETURN(device, devices->GetDevice(token, key));
    return json{{"Device", DeviceJson(device)}};
  });

  registry.Register("ListDevices", [devices](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
    COGNATE_ASSIGN_OR_RETURN(limit, Limit(in));
    COGNATE_ASSIGN_OR_RETURN(page_token, OptionalString(in, "PaginationToken"));
    COGNATE_ASSIGN_OR_RETURN(page, devices->ListDevices(token, limit, page_token));
    return PageJson(page);
  });

  registry.Register("ForgetDevice", [devices](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, AccessToken(in));
    COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
    if (auto ok = devices->ForgetDevice(token, key); !ok) return ok.error();
    return json::object();
  });

  registry.Register(
      "UpdateDeviceStatus", [devices](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
        COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
        COGNATE_ASSIGN_OR_RETURN(status, OptionalString(in, "DeviceRememberedStatus"));
        if (auto ok = devices->UpdateDeviceStatus(token, key, status); !ok) {
          return ok.error();
        }
        return json::object();
      });

  registry.Register(
      "AdminGetDevice", [devices](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
        COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
        COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
        COGNATE_ASSIGN_OR_RETURN(device, devices->AdminGetDevice(pool_id, username, key));
        return json{{"Device", DeviceJson(device)}};
      });

  registry.Register("AdminListDevices",
                    [devices](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(limit, Limit(in));
                      COGNATE_ASSIGN_OR_RETURN(page_token, OptionalString(in, "PaginationToken"));
                      COGNATE_ASSIGN_OR_RETURN(
                          page, devices->AdminListDevices(pool_id, username, limit, page_token));
                      return PageJson(page);
                    });

  registry.Register("AdminForgetDevice",
                    [devices](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
                      if (auto ok = devices->AdminForgetDevice(pool_id, username, key); !ok) {
                        return ok.error();
                      }
                      return json::object();
                    });

  registry.Register(
      "AdminUpdateDeviceStatus", [devices](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
        COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
        COGNATE_ASSIGN_OR_RETURN(key, RequiredString(in, "DeviceKey"));
        COGNATE_ASSIGN_OR_RETURN(status, OptionalString(in, "DeviceRememberedStatus"));
        if (auto ok = devices->AdminUpdateDeviceStatus(pool_id, username, key, status); !ok) {
          return ok.error();
        }
        return json::object();
      });
}

}  // namespace cognate::api::cognito_idp
