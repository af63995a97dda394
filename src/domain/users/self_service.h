#pragma once
// The self-service user operations, with Cognito's behaviour and errors:
//  - unsigned, identified by ClientId (+ SECRET_HASH for clients with a secret): SignUp,
//    ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword;
//  - authorized by an access token: ChangePassword, GetUser, UpdateUserAttributes,
//    DeleteUserAttributes, DeleteUser, GetUserAttributeVerificationCode, VerifyUserAttribute.
// Codes are 6 digits (or the --dev fixed code), stored hashed per purpose, one-time, with the
// lifetimes, send limits and wrong-attempt limits of user_support.h.
//
// Doc members this service owns besides "codes": "code_sends" (send times per purpose, for the
// limit), "pending_attributes" {"email": "new@x"} (a change held back by
// UserAttributeUpdateSettings until VerifyUserAttribute) and "change_password_failures"
// {"count", "last_ms"} (wrong previous passwords given to ChangePassword).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/service_context.h"
#include "domain/tokens/token_service.h"
#include "domain/userpool/client_facts.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::users {

// CodeDeliveryDetailsType: where a code went, masked as Cognito shows it ("a***@e***.com",
// "+*******0100").
struct CodeDelivery {
  std::string destination;
  std::string delivery_medium;  // "EMAIL" | "SMS"
  std::string attribute_name;   // "email" | "phone_number"
};

// `value` (an e-mail address or phone number) masked for CodeDeliveryDetails.Destination.
std::string MaskDestination(bool email, std::string_view value);

// An app client as the unsigned operations see it.
using AppClient = userpool::ClientFacts;

// The client by id. ResourceNotFoundException "User pool client <id> does not exist.".
Result<AppClient> LoadAppClient(ServiceContext& ctx, const std::string& client_id);

// For a client with a secret, `secret_hash` must be auth::ComputeSecretHash(secret, username,
// id): NotAuthorizedException "Unable to verify secret hash for client <id>" otherwise (missing
// or wrong: the unsigned user operations do not tell the two apart). Clients without a secret
// ignore it.
Result<void> CheckSecretHash(const AppClient& client, const std::string& username,
                             const std::optional<std::string>& secret_hash);

struct SignUpInput {
  std::string client_id;
  std::optional<std::string> secret_hash;
  std::string username;
  std::optional<std::string> password;
  std::vector<AttributeInput> attributes;
  std::vector<AttributeInput> validation_data;                // PreSignUp's request.validationData
  nlohmann::json client_metadata = nlohmann::json::object();  // ClientMetadata (triggers)
};

struct SignUpResult {
  bool user_confirmed = false;
  std::string user_sub;
  std::optional<CodeDelivery> delivery;  // when a code was sent
};

struct ConfirmSignUpInput {
  std::string client_id;
  std::optional<std::string> secret_hash;
  std::string username;
  std::string code;
  bool force_alias_creation = false;
  nlohmann::json client_metadata = nlohmann::json::object();
};

// ResendConfirmationCode and ForgotPassword.
struct ClientUserInput {
  std::string client_id;
  std::optional<std::string> secret_hash;
  std::string username;
  nlohmann::json client_metadata = nlohmann::json::object();
};

struct ConfirmForgotPasswordInput {
  std::string client_id;
  std::optional<std::string> secret_hash;
  std::string username;
  std::string code;
  std::string password;
  nlohmann::json client_metadata = nlohmann::json::object();
};

// What token-authorized operations need from the token service (tokens::TokenService in
// production; a fake in tests): verification of an access token, and revocation of every token
// of a user (DeleteUser).
struct AccessTokenGate {
  std::function<Result<tokens::AccessTokenClaims>(std::string_view token)> verify;
  std::function<Result<void>(const std::string& pool_id, const std::string& sub)> revoke_all;
};

class SelfService {
 public:
  SelfService(ServiceContext& ctx, AccessTokenGate gate) : ctx_(ctx), gate_(std::move(gate)) {}

  // PreSignUp (PreSignUp_SignUp) may confirm the user (no code is then sent) and verify its
  // e-mail / phone number. PostConfirmation runs after ConfirmSignUp and ConfirmForgotPassword
  // succeed (a failing trigger fails the call; the change stays). Code messages go through
  // CustomMessage / the custom senders (SendCodeMessage).
  //
  // Creates an UNCONFIRMED user with the password (policy-checked: InvalidPasswordException
  // "Password did not conform with policy: ...") and sends the sign-up code (or link) to the
  // auto-verified attribute (phone number first, as Cognito does when both are auto-verified).
  // UsernameExistsException "User already exists" (or "An account with the given email already
  // exists." in username-attribute pools); InvalidParameterException for attributes.
  Result<SignUpResult> SignUp(const SignUpInput& input);

  // UNCONFIRMED -> CONFIRMED with the sign-up code; the attribute the code went to becomes
  // verified (AliasExistsException when that alias is taken, unless force_alias_creation).
  // CodeMismatchException / ExpiredCodeException / LimitExceededException (CodeError);
  // NotAuthorizedException "User cannot be confirmed. Current status is <STATUS>";
  // UserNotFoundException "Username/client id combination not found." (CodeMismatchException
  // with PreventUserExistenceErrors).
  Result<void> ConfirmSignUp(const ConfirmSignUpInput& input);

  // A new sign-up code. InvalidParameterException "User is already confirmed."; a simulated
  // delivery for unknown users with PreventUserExistenceErrors; LimitExceededException.
  Result<CodeDelivery> ResendConfirmationCode(const ClientUserInput& input);

  // Sends a password-reset code by the pool's AccountRecoverySetting (the user's status is not
  // changed). InvalidParameterException "Cannot reset password for the user as there is no
  // registered/verified email or phone_number"; NotAuthorizedException "User password cannot be
  // reset in the current state." (FORCE_CHANGE_PASSWORD); LimitExceededException; a simulated
  // delivery for unknown users with PreventUserExistenceErrors. An unknown user is first offered
  // to the pool's UserMigration function (UserMigration_ForgotPassword, migration.h), whose
  // answer creates a RESET_REQUIRED user the code then goes to.
  Result<CodeDelivery> ForgotPassword(const ClientUserInput& input);

  // Sets the password with the reset code: argon2id hash and SRP verifier; RESET_REQUIRED and
  // FORCE_CHANGE_PASSWORD become CONFIRMED; the e-mail / phone the code went to is verified.
  // InvalidPasswordException "Password does not conform to policy: ..."; code errors as above.
  Result<void> ConfirmForgotPassword(const ConfirmForgotPasswordInput& input);

  // The token-authorized operations first verify the access token (NotAuthorizedException from
  // the gate), then load the user by sub (UserNotFoundException "User does not exist."):
  // NotAuthorizedException "User is disabled." for a disabled user.

  // NotAuthorizedException "Incorrect username or password." for a wrong previous password;
  // after 5 of them within 15 minutes, LimitExceededException until 15 minutes have passed.
  Result<void> ChangePassword(std::string_view access_token,
                              const std::optional<std::string>& previous_password,
                              const std::string& proposed_password);
  Result<UserRecord> GetUser(std::string_view access_token);
  // Applies the attributes; a changed e-mail / phone number is unverified and, when the pool
  // auto-verifies it, gets a code. With AttributesRequireVerificationBeforeUpdate naming it, the
  // old value (and its verified flag) stays and the new one waits in "pending_attributes" until
  // VerifyUserAttribute. Returns one delivery per code sent.
  Result<std::vector<CodeDelivery>> UpdateUserAttributes(
      std::string_view access_token, const std::vector<AttributeInput>& attributes,
      const nlohmann::json& client_metadata = nlohmann::json::object());
  Result<void> DeleteUserAttributes(std::string_view access_token,
                                    const std::vector<std::string>& names);
  // Deletes the user and revokes its tokens.
  Result<void> DeleteUser(std::string_view access_token);
  // A verification code for "email" or "phone_number" (to the pending value when there is one).
  // InvalidParameterException for other names or an attribute the user does not have.
  Result<CodeDelivery> GetUserAttributeVerificationCode(
      std::string_view access_token, const std::string& attribute,
      const nlohmann::json& client_metadata = nlohmann::json::object());
  // Marks the attribute verified (applying a pending value). Code errors as above;
  // AliasExistsException when the verified value is another user's alias.
  Result<void> VerifyUserAttribute(std::string_view access_token, const std::string& attribute,
                                   const std::string& code);

 private:
  struct TokenUser;
  // The access token's user, enabled and not RESET_REQUIRED; its claims into `claims` if given.
  Result<UserRecord> AuthorizeUser(std::string_view access_token,
                                   tokens::AccessTokenClaims* claims);
  // The same with the user's pool rules, for the operations that change the user.
  Result<TokenUser> Authorize(std::string_view access_token);
  // What every unsigned operation does first: the client, its SECRET_HASH, the pool's rules.
  struct ClientCall;
  Result<ClientCall> OpenClientCall(const std::string& client_id, const std::string& username,
                                    const std::optional<std::string>& secret_hash);

  ServiceContext& ctx_;
  AccessTokenGate gate_;
};

}  // namespace cognate::domain::users
