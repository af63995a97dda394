#pragma once
// Admin user operations of a user pool (the IAM-authorised Admin* family and ListUsers) with
// Cognito's behaviour and errors. Every operation first loads the pool
// (ResourceNotFoundException "User pool <id> does not exist.") and finds users by username,
// alias or sub (UserNotFoundException "User does not exist.").

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/service_context.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"
#include "domain/users/user_support.h"

namespace cognate::domain::users {

struct AdminCreateUserInput {
  std::string pool_id;
  std::string username;
  std::vector<AttributeInput> attributes;
  std::optional<std::string> temporary_password;
  bool force_alias_creation = false;
  std::string message_action;                                 // "", "RESEND" or "SUPPRESS"
  std::vector<std::string> desired_delivery_mediums;          // "SMS", "EMAIL"; default SMS
  std::vector<AttributeInput> validation_data;                // PreSignUp's request.validationData
  nlohmann::json client_metadata = nlohmann::json::object();  // ClientMetadata (triggers)
};

struct ListUsersInput {
  std::string pool_id;
  std::optional<std::vector<std::string>> attributes_to_get;
  int limit = 0;  // 0 = 60
  std::string pagination_token;
  std::string filter;
};

struct UserPage {
  std::vector<UserRecord> users;
  std::string pagination_token;  // "" when there are no more
};

class UserService {
 public:
  explicit UserService(ServiceContext& ctx) : ctx_(ctx) {}

  // Creates a user in FORCE_CHANGE_PASSWORD with a temporary password (given, checked against
  // the policy, or generated) and sends the invitation (unless SUPPRESS) to the desired
  // mediums the user has an address for. In pools with username attributes the username must
  // be an e-mail / phone number; it becomes that attribute and the username is the sub.
  // RESEND re-issues the temporary password of an existing FORCE_CHANGE_PASSWORD user.
  // Errors: UsernameExistsException "User account already exists" (or "An account with the
  // given email already exists." for username attributes), AliasExistsException,
  // InvalidPasswordException "Password does not conform to policy: ...",
  // InvalidParameterException (schema, formats, username shape), UserNotFoundException and
  // UnsupportedUserStateException (RESEND). PreSignUp_AdminCreateUser runs before the user is
  // stored (its autoVerifyEmail / autoVerifyPhone apply; autoConfirmUser does not); the
  // invitation goes through CustomMessage_AdminCreateUser / the custom senders.
  Result<UserRecord> AdminCreateUser(const AdminCreateUserInput& input);

  Result<UserRecord> AdminGetUser(const std::string& pool_id, const std::string& username);
  Result<void> AdminDeleteUser(const std::string& pool_id, const std::string& username);

  // Applies `attributes` (update mode of ApplyAttributes). A new e-mail / phone number is
  // unverified unless the call verifies it; when the pool auto-verifies it a code is sent.
  // AliasExistsException when a verified alias is taken by another user.
  Result<void> AdminUpdateUserAttributes(
      const std::string& pool_id, const std::string& username,
      const std::vector<AttributeInput>& attributes,
      const nlohmann::json& client_metadata = nlohmann::json::object());
  Result<void> AdminDeleteUserAttributes(const std::string& pool_id, const std::string& username,
                                         const std::vector<std::string>& names);

  // AdminEnableUser / AdminDisableUser (idempotent).
  Result<void> AdminSetUserEnabled(const std::string& pool_id, const std::string& username,
                                   bool enabled);

  // Permanent: CONFIRMED; otherwise FORCE_CHANGE_PASSWORD with a fresh validity period.
  // InvalidPasswordException "Password does not conform to policy: ...".
  Result<void> AdminSetUserPassword(const std::string& pool_id, const std::string& username,
                                    const std::string& password, bool permanent);

  // RESET_REQUIRED, with a code sent through the pool's recovery channel (stored under
  // kCodeForgotPassword for ConfirmForgotPassword). NotAuthorizedException "User password
  // cannot be reset in the current state." for FORCE_CHANGE_PASSWORD users;
  // InvalidParameterException "Cannot reset password for the user as there is no
  // registered/verified email or phone_number" when no channel fits.
  Result<void> AdminResetUserPassword(
      const std::string& pool_id, const std::string& username,
      const nlohmann::json& client_metadata = nlohmann::json::object());

  // UNCONFIRMED -> CONFIRMED. NotAuthorizedException
  // "User cannot be confirmed. Current status is <STATUS>" otherwise. Then
  // PostConfirmation_ConfirmSignUp (its failure fails the call; the user stays confirmed).
  Result<void> AdminConfirmSignUp(const std::string& pool_id, const std::string& username,
                                  const nlohmann::json& client_metadata = nlohmann::json::object());

  // Users matching the filter (see list_filter.h), at most `limit` (1..60, default 60),
  // attributes restricted to AttributesToGet when given.
  Result<UserPage> ListUsers(const ListUsersInput& input);

 private:
  Result<UserRecord> ResendInvitation(const PoolRules& rules, const AdminCreateUserInput& input);

  ServiceContext& ctx_;
};

}  // namespace cognate::domain::users
