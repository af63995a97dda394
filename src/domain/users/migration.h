#pragma once
// Lazy user migration (Cognito's UserMigration trigger): when a user the pool does not know signs
// in with a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, USER_AUTH
// with PASSWORD) or asks for a password reset (ForgotPassword), the pool's UserMigration function
// is asked about the user (UserMigration_Authentication with the password, or
// UserMigration_ForgotPassword) and its response creates the user:
//   userAttributes       the new user's attributes (strings; "username" names the username in
//                        pools without username attributes, else the name typed is used;
//                        "sub" and "cognito:*" are ignored);
//   finalUserStatus      CONFIRMED (default; the password typed becomes the user's password) or
//                        RESET_REQUIRED (no password kept: sign-in answers
//                        PasswordResetRequiredException). ForgotPassword always creates
//                        RESET_REQUIRED users;
//   messageAction        SUPPRESS: no welcome message; otherwise the pool's invitation message
//                        (AdminCreateUserConfig.InviteMessageTemplate, no temporary password) goes
//                        to desiredDeliveryMediums (SMS by default) the user has an address for;
//   forceAliasCreation   moves a taken e-mail / phone alias to the new user (else
//                        AliasExistsException);
//   enableSMSMFA         turns SMS MFA on for the user (needs a phone_number).
// request.validationData and request.clientMetadata both carry the call's ClientMetadata.
//
// Errors: the function reporting an error, or answering without userAttributes, is
// UserNotFoundException "Exception migrating user in app client <client id>." (callers under
// PreventUserExistenceErrors turn it into their unknown-user answer); a response member of the
// wrong type is InvalidLambdaResponseException "Unrecognizable lambda output"; timeouts and
// unreachable functions UnexpectedLambdaException (triggers.h); the attributes' own errors
// (InvalidParameterException, AliasExistsException, UsernameExistsException) as AdminCreateUser.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::users {

struct MigrationInput {
  bool forgot_password = false;  // UserMigration_ForgotPassword; else _Authentication
  std::string client_id;         // callerContext.clientId
  std::string username;          // the name the caller typed (the event's userName)
  std::string password;          // _Authentication only
  nlohmann::json client_metadata = nlohmann::json::object();  // the call's ClientMetadata
};

// The UserMigration function's response, read.
struct MigrationResponse {
  std::vector<AttributeInput> attributes;  // userAttributes (sub, username, cognito:* left out)
  std::optional<std::string> username;     // userAttributes.username
  std::string final_status;                // "CONFIRMED" or "RESET_REQUIRED"
  bool suppress = false;                   // messageAction SUPPRESS
  std::vector<std::string> mediums;        // desiredDeliveryMediums; empty: SMS
  bool force_alias_creation = false;
  bool enable_sms_mfa = false;
};

// Reads `response`. InvalidLambdaResponseException "Unrecognizable lambda output" for a member of
// the wrong type or value (finalUserStatus other than CONFIRMED / RESET_REQUIRED, messageAction
// other than SUPPRESS / RESEND, a medium other than SMS / EMAIL). No (or empty) userAttributes:
// MigrationFailed.
Result<MigrationResponse> ReadMigrationResponse(const nlohmann::json& response,
                                                const std::string& client_id);

// UserNotFoundException "Exception migrating user in app client <client_id>.".
ApiError MigrationFailed(const std::string& client_id);

// Asks the pool's UserMigration function about `in.username` and creates the user it describes.
// nullopt when the pool names no UserMigration function (or the server runs no triggers).
Result<std::optional<UserRecord>> MigrateUser(ServiceContext& ctx, const PoolRules& rules,
                                              const MigrationInput& in);

}  // namespace cognate::domain::users
