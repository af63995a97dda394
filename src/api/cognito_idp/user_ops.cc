// Admin user handlers: AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminUpdateUserAttributes,
// AdminDeleteUserAttributes, AdminEnableUser, AdminDisableUser, AdminSetUserPassword,
// AdminResetUserPassword, AdminConfirmSignUp, ListUsers. Decode -> UserService -> encode.

#include "api/cognito_idp/user_ops.h"

#include <memory>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "domain/triggers/triggers.h"
#include "domain/users/user_service.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::users::UserService;
using nlohmann::json;

// Pool and username, the first two members of nearly every admin operation.
struct PoolUser {
  std::string pool_id;
  std::string username;
};

Result<PoolUser> ReadPoolUser(const json& in) {
  COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
  COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
  return PoolUser{pool_id, username};
}

}  // namespace

void RegisterUserOps(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  auto users = std::make_shared<UserService>(ctx);

  registry.Register("AdminCreateUser", [users](const json& in, const CallContext&) -> Result<json> {
    domain::users::AdminCreateUserInput input;
    COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
    input.pool_id = pu.pool_id;
    input.username = pu.username;
    COGNATE_ASSIGN_OR_RETURN(attrs, AttributeList(in, "UserAttributes"));
    input.attributes = attrs;
    COGNATE_ASSIGN_OR_RETURN(validation, AttributeList(in, "ValidationData"));
    input.validation_data = validation;
    input.client_metadata = domain::triggers::ClientMetadata(in);
    COGNATE_ASSIGN_OR_RETURN(temp, OptionalString(in, "TemporaryPassword"));
    input.temporary_password = temp;
    COGNATE_ASSIGN_OR_RETURN(force, OptionalBool(in, "ForceAliasCreation"));
    input.force_alias_creation = force.value_or(false);
    COGNATE_ASSIGN_OR_RETURN(action, OptionalString(in, "MessageAction"));
    input.message_action = action.value_or("");
    if (!input.message_action.empty() && input.message_action != "RESEND" &&
        input.message_action != "SUPPRESS") {
      return ApiError::InvalidParameter(
          "1 validation error detected: Value '" + input.message_action +
          "' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value "
          "set: [RESEND, SUPPRESS]");
    }
    COGNATE_ASSIGN_OR_RETURN(mediums, OptionalStringList(in, "DesiredDeliveryMediums"));
    input.desired_delivery_mediums = mediums.value_or(std::vector<std::string>{});
    for (const auto& m : input.desired_delivery_mediums) {
      if (m != "SMS" && m != "EMAIL") {
        return ApiError::InvalidParameter(
            "1 validation error detected: Value '[" + m +
            "]' at 'desiredDeliveryMediums' failed to satisfy constraint: Member must satisfy "
            "constraint: [Member must satisfy enum value set: [SMS, EMAIL]]");
      }
    }
    COGNATE_ASSIGN_OR_RETURN(user, users->AdminCreateUser(input));
    return json{{"User", UserTypeJson(user)}};
  });

  registry.Register("AdminGetUser", [users](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
    COGNATE_ASSIGN_OR_RETURN(user, users->AdminGetUser(pu.pool_id, pu.username));
    return AdminGetUserJson(user);
  });

  registry.Register("AdminDeleteUser", [users](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
    return Empty(users->AdminDeleteUser(pu.pool_id, pu.username));
  });

  registry.Register("AdminUpdateUserAttributes",
                    [users](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
                      if (!in.contains("UserAttributes")) {
                        return ApiError::InvalidParameter(
                            "1 validation error detected: Value null at 'userAttributes' failed "
                            "to satisfy constraint: Member must not be null");
                      }
                      COGNATE_ASSIGN_OR_RETURN(attrs, AttributeList(in, "UserAttributes"));
                      return Empty(users->AdminUpdateUserAttributes(
                          pu.pool_id, pu.username, attrs, domain::triggers::ClientMetadata(in)));
                    });

  registry.Register(
      "AdminDeleteUserAttributes", [users](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
        COGNATE_ASSIGN_OR_RETURN(names, OptionalStringList(in, "UserAttributeNames"));
        if (!names) {
          return ApiError::InvalidParameter(
              "1 validation error detected: Value null at 'userAttributeNames' "
              "failed to satisfy constraint: Member must not be null");
        }
        return Empty(users->AdminDeleteUserAttributes(pu.pool_id, pu.username, *names));
      });

  registry.Register("AdminEnableUser", [users](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
    return Empty(users->AdminSetUserEnabled(pu.pool_id, pu.username, true));
  });

  registry.Register("AdminDisableUser",
                    [users](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
                      return Empty(users->AdminSetUserEnabled(pu.pool_id, pu.username, false));
                    });

  registry.Register("AdminSetUserPassword",
                    [users](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
                      COGNATE_ASSIGN_OR_RETURN(password, RequiredString(in, "Password"));
                      COGNATE_ASSIGN_OR_RETURN(permanent, OptionalBool(in, "Permanent"));
                      return Empty(users->AdminSetUserPassword(pu.pool_id, pu.username, password,
                                                               permanent.value_or(false)));
                    });

  registry.Register("AdminResetUserPassword",
                    [users](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
                      return Empty(users->AdminResetUserPassword(
                          pu.pool_id, pu.username, domain::triggers::ClientMetadata(in)));
                    });

  registry.Register("AdminConfirmSignUp",
                    [users](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pu, ReadPoolUser(in));
                      return Empty(users->AdminConfirmSignUp(pu.pool_id, pu.username,
                                                             domain::triggers::ClientMetadata(in)));
                    });

  registry.Register("ListUsers", [users](const json& in, const CallContext&) -> Result<json> {
    domain::users::ListUsersInput input;
    COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
    input.pool_id = pool_id;
    COGNATE_ASSIGN_OR_RETURN(to_get, OptionalStringList(in, "AttributesToGet"));
    input.attributes_to_get = to_get;
    COGNATE_ASSIGN_OR_RETURN(limit, OptionalInt(in, "Limit"));
    if (limit && (*limit < 0 || *limit > 60)) {
      return ApiError::InvalidParameter(
          "1 validation error detected: Value '" + std::to_string(*limit) +
          "' at 'limit' failed to satisfy constraint: Member must have value " +
          (*limit < 0 ? "greater than or equal to 0" : "less than or equal to 60"));
    }
    input.limit = static_cast<int>(limit.value_or(0));
    COGNATE_ASSIGN_OR_RETURN(token, OptionalString(in, "PaginationToken"));
    input.pagination_token = token.value_or("");
    COGNATE_ASSIGN_OR_RETURN(filter, OptionalString(in, "Filter"));
    input.filter = filter.value_or("");
    COGNATE_ASSIGN_OR_RETURN(page, users->ListUsers(input));
    json list = json::array();
    for (const auto& u : page.users) list.push_back(UserTypeJson(u));
    json out = {{"Users", std::move(list)}};
    if (!page.pagination_token.empty()) out["PaginationToken"] = page.pagination_token;
    return out;
  });

  RegisterGroupOps(registry, ctx);
}

}  // namespace cognate::api::cognito_idp
