#pragma once
// What the admin (UserService) and self-service (SelfService) user operations share: saving a
// user with optimistic concurrency, alias uniqueness, creating a new user row, one-time codes
// (generation, lifetimes, send and wrong-attempt limits) and sending a code through the pool's
// VerificationMessageTemplate.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/messaging/templates.h"
#include "domain/service_context.h"
#include "domain/triggers/hooks.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::users {

// Code lifetimes (Cognito: 24 hours for sign-up and attribute verification, 1 hour for a
// password reset).
inline constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
inline constexpr std::int64_t kHourMs = 60LL * 60 * 1000;
inline constexpr std::int64_t kSignUpCodeValidityMs = kDayMs;
inline constexpr std::int64_t kVerifyCodeValidityMs = kDayMs;
inline constexpr std::int64_t kResetCodeValidityMs = kHourMs;
// At most this many user-requested codes of one purpose per user in a rolling hour
// (LimitExceededException beyond), and this many wrong guesses before a code is burned.
inline constexpr int kMaxCodeSendsPerHour = 5;
inline constexpr int kMaxWrongCodeAttempts = 5;
// Attempts to save a user before a lost optimistic-concurrency race is reported.
inline constexpr int kMaxSaveRetries = 5;

// Cognito's message for too many code requests or wrong codes.
inline constexpr std::string_view kAttemptLimitMessage =
    "Attempt limit exceeded, please try after some time.";

// A fresh one-time code: the deployment's --dev-fixed-code when set, else 6 random digits.
std::string NewCode(const ServiceContext& ctx);

// InternalErrorException naming the store call (details for the log only).
ApiError StoreFailure(const char* what, const store::StoreError& e);
// InvalidPasswordException "Password does not conform to policy: <violation>".
ApiError PasswordPolicyError(const std::string& violation);

// The ApiError for a store kConflict on a unique key `detail` (e.g. "email:a@b.c") of `rules`.
ApiError AliasConflictError(const PoolRules& rules, const std::string& detail, bool creating);

// Writes `user` (version check against user.version, bumped on success). A lost race is
// ConcurrentModificationException; a taken unique key AliasExistsException.
Result<void> SaveUser(ServiceContext& ctx, const PoolRules& rules, UserRecord& user);

// Loads the user with `find()`, applies `change(UserRecord&) -> Result<void>`, and saves,
// retrying lost races (each retry reloads and re-applies). Returns the saved user.
template <class Find, class Fn>
Result<UserRecord> MutateUser(ServiceContext& ctx, const PoolRules& rules, Find&& find,
                              Fn&& change) {
  for (int attempt = 0;; ++attempt) {
    Result<UserRecord> user = find();
    if (!user) return user.error();
    if (auto ok = change(*user); !ok) return ok.error();
    auto saved = SaveUser(ctx, rules, *user);
    if (saved) return std::move(*user);
    if (!saved.error().is(ErrorCode::kConcurrentModification) || attempt + 1 >= kMaxSaveRetries) {
      return saved.error();
    }
  }
}

// Checks that no other user holds one of `user`'s unique keys. With `force_alias_creation` an
// e-mail / phone alias moves: the previous holder keeps the value, unverified.
Result<void> CheckAliasesFree(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                              bool force_alias_creation, bool creating);

// Sets user.username from `username` the way AdminCreateUser and SignUp do: in pools with
// username attributes it must be an e-mail / phone number, becomes that attribute (appended to
// `attrs`) and the username is the sub; otherwise it must not look like an alias the pool uses.
// InvalidParameterException with Cognito's messages.
Result<void> AssignUsername(const PoolRules& rules, UserRecord& user, const std::string& username,
                            std::vector<AttributeInput>& attrs);

// A new user of `rules` in `status` (created now, a fresh sub) with its username assigned
// (AssignUsername), `attrs` applied in create mode and the required attributes checked: what
// AdminCreateUser and SignUp both build before their own checks.
Result<UserRecord> BuildNewUser(const PoolRules& rules, std::string_view status,
                                std::int64_t now_ms, const std::string& username,
                                std::vector<AttributeInput> attrs);

// Inserts a new user (version 1), drawing another sub on a UUID clash. `exists_message` is the
// UsernameExistsException text for a taken username ("User account already exists" for admins,
// "User already exists" for SignUp).
Result<void> InsertNewUser(ServiceContext& ctx, const PoolRules& rules, UserRecord& user,
                           const std::string& exists_message);

// The user as trigger events show it (userName, userAttributes, cognito:user_status).
triggers::HookUser HookUserOf(const UserRecord& user);

// The pool's invitation (InviteMessageTemplate) to each of `mediums` ("EMAIL", "SMS") the user
// has an address for, through CustomMessage_AdminCreateUser / the custom senders. `password` is
// the temporary password ("" for a migrated user's welcome); `purpose` names the message in the
// outbox; `client_id` "" means no app client.
Result<void> SendInvitation(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                            const std::string& shown_username, const std::string& password,
                            const std::vector<std::string>& mediums, const std::string& purpose,
                            const std::string& client_id, const nlohmann::json& client_metadata);

// Runs PreSignUp for `user`, about to be created (the event shows the attributes as given, no sub
// and no status; `validation_data` becomes request.validationData), and applies autoVerifyEmail /
// autoVerifyPhone to `user`. What autoConfirmUser means is the caller's.
Result<triggers::PreSignUpDecision> RunPreSignUpFor(
    const ServiceContext& ctx, const PoolRules& rules, UserRecord& user,
    triggers::PreSignUpCall call, const std::vector<AttributeInput>& validation_data);

// Which operation sends a message, for the CustomMessage / custom-sender events.
struct MessageOrigin {
  // Trigger-source suffix: "SignUp", "ResendCode", "ForgotPassword", "UpdateUserAttribute",
  // "VerifyUserAttribute", "Authentication" (invitations: "AdminCreateUser").
  std::string source;
  std::string client_id;  // "" for operations without an app client
  nlohmann::json client_metadata = nlohmann::json::object();
};

// Renders and sends a code message to `destination` by e-mail or SMS, through the pool's
// CustomMessage / CustomEmailSender / CustomSMSSender triggers when it names them
// (triggers::DeliverMessage). With `link` and a pool on CONFIRM_WITH_LINK the e-mail carries the
// confirmation link instead of the code.
Result<void> SendCodeMessage(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                             bool email, const std::string& destination, const std::string& code,
                             const std::string& purpose, const messaging::ConfirmationLink* link,
                             const MessageOrigin& origin);
// The same with the origin read from `purpose` ("sign_up" -> SignUp, "forgot_password" ->
// ForgotPassword, "verify_attribute" -> UpdateUserAttribute, else Authentication), no client.
Result<void> SendCodeMessage(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                             bool email, const std::string& destination, const std::string& code,
                             const std::string& purpose,
                             const messaging::ConfirmationLink* link = nullptr);

// Records a user-requested code send of `purpose` at `now_ms` in the user's doc, or
// LimitExceededException kAttemptLimitMessage when kMaxCodeSendsPerHour were sent in the last
// hour.
Result<void> NoteCodeSend(UserRecord& user, std::string_view purpose, std::int64_t now_ms);

enum class CodeOutcome : std::uint8_t {
  kOk,        // matched; the code is now used up
  kMismatch,  // wrong code (the attempt is counted; the last allowed one burns the code)
  kExpired,   // expired, already used or burned
  kNoCode,    // no code of this purpose was ever issued
  kLimited,   // burned by too many wrong attempts
};

// Checks `code` against the stored code of `purpose`, updating the doc: a match is used up, a
// mismatch counted. Save the user whatever the outcome.
CodeOutcome ConsumeCode(UserRecord& user, std::string_view purpose, std::string_view code,
                        std::int64_t now_ms);
// Where the code of `purpose` was sent ("" when unknown).
std::string CodeDestination(const UserRecord& user, std::string_view purpose);
// The error for a failed outcome: CodeMismatchException "Invalid verification code provided,
// please try again.", ExpiredCodeException "Invalid code provided, please request a code
// again.", LimitExceededException kAttemptLimitMessage.
ApiError CodeError(CodeOutcome outcome);

}  // namespace cognate::domain::users
