// Self-service handlers: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
// ConfirmForgotPassword (unsigned, by ClientId) and ChangePassword, GetUser,
// UpdateUserAttributes, DeleteUserAttributes, DeleteUser, GetUserAttributeVerificationCode,
// VerifyUserAttribute (access token). Decode -> SelfService -> encode.

#include <memory>

#include "api/cognito_idp/register.h"
#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "domain/triggers/triggers.h"
#include "domain/users/self_service.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::users::CodeDelivery;
using domain::users::SelfService;
using nlohmann::json;

json DeliveryJson(const CodeDelivery& d) {
  return {{"Destination", d.destination},
          {"DeliveryMedium", d.delivery_medium},
          {"AttributeName", d.attribute_name}};
}

// The GetUser response: AdminGetUser's shape without the admin-only members.
json GetUserJson(const domain::users::UserRecord& user) {
  return UserJson(user, UserJsonView::kSelf);
}

}  // namespace

void RegisterSelfServiceOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                            std::shared_ptr<domain::tokens::TokenService> tokens) {
  domain::users::AccessTokenGate gate;
  gate.verify = [tokens](std::string_view token) { return tokens->VerifyAccessToken(token); };
  gate.revoke_all = [tokens](const std::string& pool_id, const std::string& sub) {
    return tokens->RevokeAllForUser(pool_id, sub);
  };
  auto self = std::make_shared<SelfService>(ctx, std::move(gate));

  registry.Register("SignUp", [self](const json& in, const CallContext&) -> Result<json> {
    domain::users::SignUpInput input;
    COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
    COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
    COGNATE_ASSIGN_OR_RETURN(secret_hash, OptionalString(in, "SecretHash"));
    COGNATE_ASSIGN_OR_RETURN(password, OptionalString(in, "Password"));
    COGNATE_ASSIGN_OR_RETURN(attrs, AttributeList(in, "UserAttributes"));
    COGNATE_ASSIGN_OR_RETURN(validation, AttributeList(in, "ValidationData"));
    input.client_id = client_id;
    input.username = username;
    input.secret_hash = secret_hash;
    input.password = password;
    input.attributes = attrs;
    input.validation_data = validation;
    input.client_metadata = domain::triggers::ClientMetadata(in);
    COGNATE_ASSIGN_OR_RETURN(result, self->SignUp(input));
    json out = {{"UserConfirmed", result.user_confirmed}, {"UserSub", result.user_sub}};
    if (result.delivery) out["CodeDeliveryDetails"] = DeliveryJson(*result.delivery);
    return out;
  });

  registry.Register("ConfirmSignUp", [self](const json& in, const CallContext&) -> Result<json> {
    domain::users::ConfirmSignUpInput input;
    COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
    COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
    COGNATE_ASSIGN_OR_RETURN(code, RequiredString(in, "ConfirmationCode"));
    COGNATE_ASSIGN_OR_RETURN(secret_hash, OptionalString(in, "SecretHash"));
    COGNATE_ASSIGN_OR_RETURN(force, OptionalBool(in, "ForceAliasCreation"));
    input.client_id = client_id;
    input.username = username;
    input.code = code;
    input.secret_hash = secret_hash;
    input.force_alias_creation = force.value_or(false);
    input.client_metadata = domain::triggers::ClientMetadata(in);
    return Empty(self->ConfirmSignUp(input));
  });

  auto client_user = [](const json& in) -> Result<domain::users::ClientUserInput> {
    COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
    COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
    COGNATE_ASSIGN_OR_RETURN(secret_hash, OptionalString(in, "SecretHash"));
    return domain::users::ClientUserInput{client_id, secret_hash, username,
                                          domain::triggers::ClientMetadata(in)};
  };

  registry.Register("ResendConfirmationCode",
                    [self, client_user](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(input, client_user(in));
                      COGNATE_ASSIGN_OR_RETURN(d, self->ResendConfirmationCode(input));
                      return json{{"CodeDeliveryDetails", DeliveryJson(d)}};
                    });

  registry.Register("ForgotPassword",
                    [self, client_user](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(input, client_user(in));
                      COGNATE_ASSIGN_OR_RETURN(d, self->ForgotPassword(input));
                      return json{{"CodeDeliveryDetails", DeliveryJson(d)}};
                    });

  registry.Register("ConfirmForgotPassword",
                    [self](const json& in, const CallContext&) -> Result<json> {
                      domain::users::ConfirmForgotPasswordInput input;
                      COGNATE_ASSIGN_OR_RETURN(client_id, RequiredString(in, "ClientId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(code, RequiredString(in, "ConfirmationCode"));
                      COGNATE_ASSIGN_OR_RETURN(password, RequiredString(in, "Password"));
                      COGNATE_ASSIGN_OR_RETURN(secret_hash, OptionalString(in, "SecretHash"));
                      input.client_id = client_id;
                      input.username = username;
                      input.code = code;
                      input.password = password;
                      input.secret_hash = secret_hash;
                      input.client_metadata = domain::triggers::ClientMetadata(in);
                      return Empty(self->ConfirmForgotPassword(input));
                    });

  registry.Register("ChangePassword", [self](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
    COGNATE_ASSIGN_OR_RETURN(previous, OptionalString(in, "PreviousPassword"));
    COGNATE_ASSIGN_OR_RETURN(proposed, RequiredString(in, "ProposedPassword"));
    return Empty(self->ChangePassword(token, previous, proposed));
  });

  registry.Register("GetUser", [self](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
    COGNATE_ASSIGN_OR_RETURN(user, self->GetUser(token));
    return GetUserJson(user);
  });

  registry.Register(
      "UpdateUserAttributes", [self](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
        COGNATE_ASSIGN_OR_RETURN(attrs, AttributeList(in, "UserAttributes"));
        COGNATE_ASSIGN_OR_RETURN(
            sent, self->UpdateUserAttributes(token, attrs, domain::triggers::ClientMetadata(in)));
        json list = json::array();
        for (const auto& d : sent) list.push_back(DeliveryJson(d));
        json out = json::object();
        if (!list.empty()) out["CodeDeliveryDetailsList"] = std::move(list);
        return out;
      });

  registry.Register(
      "DeleteUserAttributes", [self](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
        COGNATE_ASSIGN_OR_RETURN(names, OptionalStringList(in, "UserAttributeNames"));
        if (!names) {
          return ApiError::InvalidParameter(
              "1 validation error detected: Value null at 'userAttributeNames' failed to "
              "satisfy constraint: Member must not be null");
        }
        return Empty(self->DeleteUserAttributes(token, *names));
      });

  registry.Register("DeleteUser", [self](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
    return Empty(self->DeleteUser(token));
  });

  registry.Register("GetUserAttributeVerificationCode",
                    [self](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
                      COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "AttributeName"));
                      COGNATE_ASSIGN_OR_RETURN(
                          d, self->GetUserAttributeVerificationCode(
                                 token, name, domain::triggers::ClientMetadata(in)));
                      return json{{"CodeDeliveryDetails", DeliveryJson(d)}};
                    });

  registry.Register("VerifyUserAttribute",
                    [self](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(token, RequiredString(in, "AccessToken"));
                      COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "AttributeName"));
                      COGNATE_ASSIGN_OR_RETURN(code, RequiredString(in, "Code"));
                      return Empty(self->VerifyUserAttribute(token, name, code));
                    });
}

}  // namespace cognate::api::cognito_idp
