#include "domain/users/self_service.h"

#include "crypto/crypto.h"
#include "domain/auth/secret_hash.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/migration.h"
#include "domain/users/password.h"
#include "domain/users/user_support.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

constexpr char kUserNotFoundForClient[] = "Username/client id combination not found.";

// MutateUser's lookup by sub.
auto BySub(ServiceContext& ctx, const std::string& pool_id, const std::string& sub) {
  return [&ctx, &pool_id, &sub]() -> Result<UserRecord> {
    auto row = ctx.store.GetUserBySub(pool_id, sub);
    if (row) return FromRow(*row);
    if (row.error().IsNotFound()) return ApiError::UserNotFound();
    return StoreFailure("GetUserBySub", row.error());
  };
}

ApiError UnknownUser(const AppClient& client) {
  if (client.prevent_user_existence_errors) return CodeError(CodeOutcome::kMismatch);
  return ApiError::UserNotFound(kUserNotFoundForClient);
}

// SignUp's own wording of a policy violation (the other operations say "does not conform to").
ApiError SignUpPasswordError(const std::string& violation) {
  return {ErrorCode::kInvalidPassword, "Password did not conform with policy: " + violation};
}

CodeDelivery Delivery(bool email, const std::string& value) {
  return {MaskDestination(email, value), email ? "EMAIL" : "SMS", email ? "email" : "phone_number"};
}

std::string CodePurposeFor(std::string_view attribute) {
  return std::string(attribute == "email" ? kCodeVerifyEmail : kCodeVerifyPhone);
}

// Where a sign-up code goes: the auto-verified phone number first, then the e-mail address.
std::optional<bool> SignUpChannel(const PoolRules& rules, const UserRecord& user) {
  if (rules.IsAutoVerified("phone_number") && user.Attribute("phone_number")) return false;
  if (rules.IsAutoVerified("email") && user.Attribute("email")) return true;
  return std::nullopt;
}

// A plausible delivery for a user that does not exist (PreventUserExistenceErrors): stable for a
// username, shaped like a real one.
CodeDelivery SimulatedDelivery(const PoolRules& rules, const std::string& username,
                               bool prefer_email) {
  if (IsValidEmail(username)) return Delivery(true, username);
  if (IsValidPhoneNumber(username)) return Delivery(false, username);
  const std::string h = crypto::Sha256(rules.pool_id() + "\n" + username);
  auto byte = [&h](std::size_t i) { return static_cast<unsigned char>(h[i]); };
  if (prefer_email) {
    std::string fake = "a@b.com";
    fake[0] = static_cast<char>('a' + byte(0) % 26);
    fake[2] = static_cast<char>('a' + byte(1) % 26);
    return Delivery(true, fake);
  }
  std::string fake = "+1555555";
  for (std::size_t i = 0; i < 4; ++i) fake += static_cast<char>('0' + byte(2 + i) % 10);
  return Delivery(false, fake);
}

// Marks `attribute` verified when it still holds `destination`.
void VerifyIfStill(UserRecord& user, std::string_view attribute, const std::string& destination) {
  if (destination.empty()) return;
  if (auto v = user.Attribute(attribute); v && *v == destination) {
    user.attributes[std::string(attribute) + "_verified"] = "true";
  }
}

json* Pending(UserRecord& user) {
  auto it = user.doc.find("pending_attributes");
  return it != user.doc.end() && it->is_object() ? &*it : nullptr;
}

std::optional<std::string> PendingValue(const UserRecord& user, std::string_view attribute) {
  auto it = user.doc.find("pending_attributes");
  if (it == user.doc.end() || !it->is_object()) return std::nullopt;
  auto v = it->find(std::string(attribute));
  if (v == it->end() || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

void ClearPending(UserRecord& user, std::string_view attribute) {
  if (json* p = Pending(user)) {
    p->erase(std::string(attribute));
    if (p->empty()) user.doc.erase("pending_attributes");
  }
}

// Wrong previous passwords given to ChangePassword: after this many within the window, further
// attempts are refused for the rest of it.
constexpr std::int64_t kMaxChangePasswordFailures = 5;
constexpr std::int64_t kChangePasswordWindowMs = 15LL * 60 * 1000;

// Wrong previous passwords counted within the window that ends at `now_ms`.
std::int64_t RecentFailures(const UserRecord& user, std::int64_t now_ms) {
  auto it = user.doc.find("change_password_failures");
  if (it == user.doc.end() || !it->is_object()) return 0;
  const std::int64_t last = it->value("last_ms", std::int64_t{0});
  if (last + kChangePasswordWindowMs < now_ms) return 0;
  return it->value("count", std::int64_t{0});
}

Result<void> CheckVerifiableAttribute(const std::string& attribute) {
  if (attribute == "email" || attribute == "phone_number") return {};
  return ApiError::InvalidParameter("Invalid attribute name: " + attribute +
                                    ". Only email and phone_number can be verified.");
}

}  // namespace

// ---- helpers --------------------------------------------------------------------------------

std::string MaskDestination(bool email, std::string_view value) {
  if (value.empty()) return {};
  if (email) {
    const auto at = value.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= value.size()) return "***";
    std::string out(1, value[0]);
    out += "***@";
    const std::string_view domain = value.substr(at + 1);
    out += domain[0];
    out += "***";
    const auto dot = domain.rfind('.');
    if (dot != std::string_view::npos && dot > 0) out += domain.substr(dot);
    return out;
  }
  if (value.size() <= 4) return std::string(value.size(), '*');
  std::string out;
  std::size_t start = 0;
  if (value[0] == '+') {
    out = "+";
    start = 1;
  }
  out.append(value.size() - 4 - start, '*');
  out += value.substr(value.size() - 4);
  return out;
}

Result<AppClient> LoadAppClient(ServiceContext& ctx, const std::string& client_id) {
  return userpool::LoadClientFacts(ctx, "", client_id);
}

Result<void> CheckSecretHash(const AppClient& client, const std::string& username,
                             const std::optional<std::string>& secret_hash) {
  if (!client.secret) return {};
  if (secret_hash &&
      crypto::ConstantTimeEquals(
          *secret_hash, auth::ComputeSecretHash(*client.secret, username, client.client_id))) {
    return {};
  }
  return ApiError::NotAuthorized("Unable to verify secret hash for client " + client.client_id);
}

// ---- unsigned operations ----------------------------------------------------------------------

struct SelfService::ClientCall {
  AppClient client;
  PoolRules rules;
};

Result<SelfService::ClientCall> SelfService::OpenClientCall(
    const std::string& client_id, const std::string& username,
    const std::optional<std::string>& secret_hash) {
  auto client = LoadAppClient(ctx_, client_id);
  if (!client) return client.error();
  if (auto ok = CheckSecretHash(*client, username, secret_hash); !ok) return ok.error();
  auto rules = LoadPoolRules(ctx_, client->pool_id);
  if (!rules) return rules.error();
  return ClientCall{std::move(*client), std::move(*rules)};
}

Result<SignUpResult> SelfService::SignUp(const SignUpInput& input) {
  auto call = OpenClientCall(input.client_id, input.username, input.secret_hash);
  if (!call) return call.error();
  const AppClient* client = &call->client;
  const PoolRules& rules = call->rules;
  if (!input.password) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: "
        "Member must not be null");
  }

  const std::int64_t now = ctx_.clock.NowMillis();
  auto built = BuildNewUser(rules, kStatusUnconfirmed, now, input.username, input.attributes);
  if (!built) return built.error();
  UserRecord& user = *built;
  if (auto v = rules.PasswordViolation(*input.password)) return SignUpPasswordError(*v);

  auto existing =
      ctx_.store.GetUserByUsernameKey(rules.pool_id(), rules.NormalizeUsername(user.username));
  if (existing) return ApiError(ErrorCode::kUsernameExists, "User already exists");
  if (!existing.error().IsNotFound()) return StoreFailure("GetUserByUsernameKey", existing.error());
  if (auto ok = CheckAliasesFree(ctx_, rules, user, /*force_alias_creation=*/false,
                                 /*creating=*/true);
      !ok) {
    return ok.error();
  }

  triggers::PreSignUpCall pre_sign_up;
  pre_sign_up.client_id = client->client_id;
  pre_sign_up.client_metadata = input.client_metadata;
  auto decision = RunPreSignUpFor(ctx_, rules, user, pre_sign_up, input.validation_data);
  if (!decision) return decision.error();
  if (decision->auto_confirm_user) user.status = std::string(kStatusConfirmed);

  SetUserPassword(ctx_, user, *input.password);
  // An auto-confirmed user gets no code.
  const std::optional<bool> found_channel = SignUpChannel(rules, user);
  const bool send_code = found_channel.has_value() && !decision->auto_confirm_user;
  const bool by_email = found_channel.value_or(false);
  std::string code, destination;
  if (send_code) {
    code = NewCode(ctx_);
    destination = *user.Attribute(by_email ? "email" : "phone_number");
    user.SetCode(kCodeSignUp, code, now + kSignUpCodeValidityMs, destination);
    (void)NoteCodeSend(user, kCodeSignUp, now);
  }
  if (auto ok = InsertNewUser(ctx_, rules, user, "User already exists"); !ok) return ok.error();

  SignUpResult out;
  out.user_sub = user.sub;
  out.user_confirmed = decision->auto_confirm_user;
  if (send_code) {
    const messaging::ConfirmationLink link{ctx_.config.public_url, client->client_id, user.username,
                                           code};
    if (auto sent = SendCodeMessage(ctx_, rules, user, by_email, destination, code,
                                    std::string(kCodeSignUp), &link,
                                    {"SignUp", client->client_id, input.client_metadata});
        !sent) {
      return sent.error();
    }
    out.delivery = Delivery(by_email, destination);
  }
  return out;
}

Result<void> SelfService::ConfirmSignUp(const ConfirmSignUpInput& input) {
  auto call = OpenClientCall(input.client_id, input.username, input.secret_hash);
  if (!call) return call.error();
  const AppClient* client = &call->client;
  const PoolRules& rules = call->rules;
  auto found = FindUser(ctx_.store, rules, input.username);
  if (!found) {
    if (found.error().is(ErrorCode::kUserNotFound)) return UnknownUser(*client);
    return found.error();
  }
  const std::string sub = found->sub;
  const std::int64_t now = ctx_.clock.NowMillis();
  CodeOutcome outcome = CodeOutcome::kNoCode;
  auto saved = MutateUser(
      ctx_, rules, BySub(ctx_, rules.pool_id(), sub), [&](UserRecord& u) -> Result<void> {
        if (u.status != kStatusUnconfirmed) {
          return ApiError::NotAuthorized("User cannot be confirmed. Current status is " + u.status);
        }
        outcome = ConsumeCode(u, kCodeSignUp, input.code, now);
        if (outcome != CodeOutcome::kOk) return {};  // keep the attempt count
        u.status = std::string(kStatusConfirmed);
        const std::string destination = CodeDestination(u, kCodeSignUp);
        VerifyIfStill(u, "email", destination);
        VerifyIfStill(u, "phone_number", destination);
        return CheckAliasesFree(ctx_, rules, u, input.force_alias_creation, /*creating=*/false);
      });
  if (!saved) return saved.error();
  if (outcome != CodeOutcome::kOk) return CodeError(outcome);
  return triggers::RunPostConfirmation(
      ctx_, rules.lambda_config(), triggers::ConfirmationSource::kConfirmSignUp, HookUserOf(*saved),
      client->client_id, input.client_metadata);
}

Result<CodeDelivery> SelfService::ResendConfirmationCode(const ClientUserInput& input) {
  auto call = OpenClientCall(input.client_id, input.username, input.secret_hash);
  if (!call) return call.error();
  const AppClient* client = &call->client;
  const PoolRules& rules = call->rules;
  auto found = FindUser(ctx_.store, rules, input.username);
  if (!found) {
    if (!found.error().is(ErrorCode::kUserNotFound)) return found.error();
    if (!client->prevent_user_existence_errors) {
      return ApiError::UserNotFound(kUserNotFoundForClient);
    }
    return SimulatedDelivery(rules, input.username, !rules.IsAutoVerified("phone_number"));
  }
  const std::string sub = found->sub;
  const std::int64_t now = ctx_.clock.NowMillis();
  const std::string code = NewCode(ctx_);
  bool email = false;
  std::string destination;
  auto user = MutateUser(ctx_, rules, BySub(ctx_, rules.pool_id(), sub),
                         [&](UserRecord& u) -> Result<void> {
                           if (u.status != kStatusUnconfirmed) {
                             return ApiError::InvalidParameter("User is already confirmed.");
                           }
                           const std::optional<bool> channel = SignUpChannel(rules, u);
                           if (!channel)
                             return ApiError::InvalidParameter("Auto verification not turned on.");
                           if (auto ok = NoteCodeSend(u, kCodeSignUp, now); !ok) return ok.error();
                           email = *channel;
                           destination = *u.Attribute(email ? "email" : "phone_number");
                           u.SetCode(kCodeSignUp, code, now + kSignUpCodeValidityMs, destination);
                           return {};
                         });
  if (!user) return user.error();
  const messaging::ConfirmationLink link{ctx_.config.public_url, client->client_id, user->username,
                                         code};
  if (auto sent = SendCodeMessage(ctx_, rules, *user, email, destination, code, "sign_up", &link,
                                  {"ResendCode", client->client_id, input.client_metadata});
      !sent) {
    return sent.error();
  }
  return Delivery(email, destination);
}

Result<CodeDelivery> SelfService::ForgotPassword(const ClientUserInput& input) {
  auto call = OpenClientCall(input.client_id, input.username, input.secret_hash);
  if (!call) return call.error();
  const AppClient* client = &call->client;
  const PoolRules& rules = call->rules;
  auto found = FindUser(ctx_.store, rules, input.username);
  if (!found) {
    if (!found.error().is(ErrorCode::kUserNotFound)) return found.error();
    // Lazy migration: the pool's UserMigration function may know the user.
    MigrationInput migration;
    migration.forgot_password = true;
    migration.client_id = client->client_id;
    migration.username = input.username;
    migration.client_metadata = input.client_metadata;
    auto migrated = MigrateUser(ctx_, rules, migration);
    if (!migrated &&
        !(migrated.error().is(ErrorCode::kUserNotFound) && client->prevent_user_existence_errors)) {
      return migrated.error();
    }
    if (migrated && *migrated) found = std::move(**migrated);
  }
  if (!found) {
    if (!client->prevent_user_existence_errors) {
      return ApiError::UserNotFound(kUserNotFoundForClient);
    }
    const bool prefer_email = rules.recovery_channels().empty() ||
                              rules.recovery_channels().front() != RecoveryChannel::kVerifiedPhone;
    return SimulatedDelivery(rules, input.username, prefer_email);
  }
  const std::string sub = found->sub;
  const std::int64_t now = ctx_.clock.NowMillis();
  const std::string code = NewCode(ctx_);
  bool email = false;
  std::string destination;
  auto user = MutateUser(
      ctx_, rules, BySub(ctx_, rules.pool_id(), sub), [&](UserRecord& u) -> Result<void> {
        if (!u.enabled) return ApiError::NotAuthorized("User is disabled.");
        if (u.status == kStatusForceChangePassword) {
          return ApiError::NotAuthorized("User password cannot be reset in the current state.");
        }
        destination.clear();
        for (RecoveryChannel ch : rules.recovery_channels()) {
          if (ch == RecoveryChannel::kAdminOnly) break;
          const bool by_email = ch == RecoveryChannel::kVerifiedEmail;
          const char* attr = by_email ? "email" : "phone_number";
          if (u.Attribute(attr) &&
              u.IsTrue(by_email ? "email_verified" : "phone_number_verified")) {
            email = by_email;
            destination = *u.Attribute(attr);
            break;
          }
        }
        if (destination.empty()) {
          return ApiError::InvalidParameter(
              "Cannot reset password for the user as there is no registered/verified email or "
              "phone_number");
        }
        if (auto ok = NoteCodeSend(u, kCodeForgotPassword, now); !ok) return ok.error();
        u.SetCode(kCodeForgotPassword, code, now + kResetCodeValidityMs, destination);
        return {};
      });
  if (!user) return user.error();
  if (auto sent = SendCodeMessage(ctx_, rules, *user, email, destination, code,
                                  std::string(kCodeForgotPassword), nullptr,
                                  {"ForgotPassword", client->client_id, input.client_metadata});
      !sent) {
    return sent.error();
  }
  return Delivery(email, destination);
}

Result<void> SelfService::ConfirmForgotPassword(const ConfirmForgotPasswordInput& input) {
  auto call = OpenClientCall(input.client_id, input.username, input.secret_hash);
  if (!call) return call.error();
  const AppClient* client = &call->client;
  const PoolRules& rules = call->rules;
  auto found = FindUser(ctx_.store, rules, input.username);
  if (!found) {
    if (found.error().is(ErrorCode::kUserNotFound)) return UnknownUser(*client);
    return found.error();
  }
  if (auto v = rules.PasswordViolation(input.password)) return PasswordPolicyError(*v);
  // The hash and verifier are computed only for a code that matches (outside the retry loop).
  std::optional<PasswordSecrets> secrets;
  if (found->CheckCode(kCodeForgotPassword, input.code, /*now_ms=*/0)) {
    secrets =
        DerivePasswordSecrets(ctx_, rules.pool_id(), found->sub, SrpUserId(*found), input.password);
  }
  const std::string sub = found->sub;
  const std::int64_t now = ctx_.clock.NowMillis();
  CodeOutcome outcome = CodeOutcome::kNoCode;
  auto saved = MutateUser(
      ctx_, rules, BySub(ctx_, rules.pool_id(), sub), [&](UserRecord& u) -> Result<void> {
        if (!secrets && u.CheckCode(kCodeForgotPassword, input.code, 0)) {
          // A new code arrived between the read and now: let the caller retry.
          return CodeError(CodeOutcome::kMismatch);
        }
        outcome = ConsumeCode(u, kCodeForgotPassword, input.code, now);
        if (outcome != CodeOutcome::kOk) return {};  // keep the attempt count
        ApplyPasswordSecrets(u, *secrets);
        if (u.status == kStatusResetRequired || u.status == kStatusForceChangePassword) {
          u.status = std::string(kStatusConfirmed);
        }
        u.SetTemporaryPasswordExpiresMs(0);
        const std::string destination = CodeDestination(u, kCodeForgotPassword);
        VerifyIfStill(u, "email", destination);
        VerifyIfStill(u, "phone_number", destination);
        return {};
      });
  if (!saved) return saved.error();
  if (outcome != CodeOutcome::kOk) return CodeError(outcome);
  return triggers::RunPostConfirmation(
      ctx_, rules.lambda_config(), triggers::ConfirmationSource::kConfirmForgotPassword,
      HookUserOf(*saved), client->client_id, input.client_metadata);
}

// ---- token-authorized operations ---------------------------------------------------------------

struct SelfService::TokenUser {
  PoolRules rules;
  UserRecord user;
  tokens::AccessTokenClaims claims;
};

Result<UserRecord> SelfService::AuthorizeUser(std::string_view access_token,
                                              tokens::AccessTokenClaims* claims_out) {
  if (!gate_.verify) return ApiError::Internal("no access token verifier");
  auto claims = gate_.verify(access_token);
  if (!claims) return claims.error();
  auto row = ctx_.store.GetUserBySub(claims->pool_id, claims->sub);
  if (!row) {
    if (!row.error().IsNotFound()) return StoreFailure("GetUserBySub", row.error());
    // A user row exists only inside its pool (deleting a pool deletes its users in the same
    // transaction), so only a missing user can mean a missing pool; say which.
    if (auto pool = userpool::LoadPool(ctx_, claims->pool_id); !pool) return pool.error();
    return ApiError::UserNotFound();
  }
  UserRecord user = FromRow(*row);
  if (!user.enabled) return ApiError::NotAuthorized("User is disabled.");
  if (user.status == kStatusResetRequired) {
    return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
  }
  if (claims_out != nullptr) *claims_out = std::move(*claims);
  return user;
}

Result<SelfService::TokenUser> SelfService::Authorize(std::string_view access_token) {
  tokens::AccessTokenClaims claims;
  auto user = AuthorizeUser(access_token, &claims);
  if (!user) return user.error();
  auto rules = LoadPoolRules(ctx_, claims.pool_id);
  if (!rules) return rules.error();
  return TokenUser{std::move(*rules), std::move(*user), std::move(claims)};
}

Result<UserRecord> SelfService::GetUser(std::string_view access_token) {
  // The pool's rules play no part in the answer: GetUser reads the token's user and nothing else.
  return AuthorizeUser(access_token, nullptr);
}

Result<void> SelfService::ChangePassword(std::string_view access_token,
                                         const std::optional<std::string>& previous_password,
                                         const std::string& proposed_password) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  const std::string current = who->user.PasswordHash();
  const std::int64_t now = ctx_.clock.NowMillis();
  if (RecentFailures(who->user, now) >= kMaxChangePasswordFailures) {
    return ApiError(ErrorCode::kLimitExceeded, std::string(kAttemptLimitMessage));
  }
  if (!current.empty() &&
      (!previous_password || !crypto::VerifyPassword(*previous_password, current))) {
    // Counted in the user's document so the limit holds on every node.
    (void)MutateUser(ctx_, who->rules, BySub(ctx_, who->user.pool_id, who->user.sub),
                     [&](UserRecord& u) -> Result<void> {
                       const std::int64_t failures = RecentFailures(u, now) + 1;
                       u.doc["change_password_failures"] = {{"count", failures}, {"last_ms", now}};
                       return {};
                     });
    return ApiError::NotAuthorized("Incorrect username or password.");
  }
  if (auto v = who->rules.PasswordViolation(proposed_password)) return PasswordPolicyError(*v);
  const PasswordSecrets secrets = DerivePasswordSecrets(ctx_, who->rules.pool_id(), who->user.sub,
                                                        SrpUserId(who->user), proposed_password);
  auto saved = MutateUser(ctx_, who->rules, BySub(ctx_, who->user.pool_id, who->user.sub),
                          [&](UserRecord& u) -> Result<void> {
                            if (u.PasswordHash() != current) {
                              return ApiError::NotAuthorized("Incorrect username or password.");
                            }
                            ApplyPasswordSecrets(u, secrets);
                            u.doc.erase("change_password_failures");
                            return {};
                          });
  if (!saved) return saved.error();
  return {};
}

Result<std::vector<CodeDelivery>> SelfService::UpdateUserAttributes(
    std::string_view access_token, const std::vector<AttributeInput>& attributes,
    const json& client_metadata) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  const PoolRules& rules = who->rules;
  const std::int64_t now = ctx_.clock.NowMillis();
  struct Send {
    bool email;
    std::string destination;
    std::string code;
  };
  std::vector<Send> sends;

  auto user = MutateUser(
      ctx_, rules, BySub(ctx_, who->user.pool_id, who->user.sub),
      [&](UserRecord& u) -> Result<void> {
        sends.clear();
        const UserRecord before = u;
        auto changes = ApplyAttributes(rules, u, attributes, AttributeWriteMode::kUpdate);
        if (!changes) return changes.error();
        for (const bool email : {false, true}) {
          const char* attr = email ? "email" : "phone_number";
          const std::string verified = std::string(attr) + "_verified";
          const bool changed = email ? changes->email_changed : changes->phone_changed;
          if (!changed) continue;
          ClearPending(u, attr);
          if (!rules.IsAutoVerified(attr) || u.IsTrue(verified)) continue;
          const std::string value = u.Attribute(attr).value_or("");
          if (value.empty()) continue;
          if (rules.RequiresVerificationBeforeUpdate(attr) && before.Attribute(attr) &&
              before.IsTrue(verified)) {
            // The verified old value stays in force; the new one waits for its code.
            u.attributes[attr] = *before.Attribute(attr);
            u.attributes[verified] = "true";
            if (!u.doc.contains("pending_attributes") || !u.doc["pending_attributes"].is_object()) {
              u.doc["pending_attributes"] = json::object();
            }
            u.doc["pending_attributes"][attr] = value;
          }
          const std::string code = NewCode(ctx_);
          u.SetCode(CodePurposeFor(attr), code, now + kVerifyCodeValidityMs, value);
          sends.push_back({email, value, code});
        }
        return CheckAliasesFree(ctx_, rules, u, /*force_alias_creation=*/false, false);
      });
  if (!user) return user.error();
  std::vector<CodeDelivery> out;
  for (const Send& s : sends) {
    if (auto sent = SendCodeMessage(
            ctx_, rules, *user, s.email, s.destination, s.code, "verify_attribute", nullptr,
            {"UpdateUserAttribute", who->claims.client_id, client_metadata});
        !sent) {
      return sent.error();
    }
    out.push_back(Delivery(s.email, s.destination));
  }
  return out;
}

Result<void> SelfService::DeleteUserAttributes(std::string_view access_token,
                                               const std::vector<std::string>& names) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  auto user = MutateUser(ctx_, who->rules, BySub(ctx_, who->user.pool_id, who->user.sub),
                         [&](UserRecord& u) -> Result<void> {
                           auto changes = DeleteAttributes(who->rules, u, names);
                           if (!changes) return changes.error();
                           for (const auto& name : names) ClearPending(u, name);
                           return {};
                         });
  if (!user) return user.error();
  return {};
}

Result<void> SelfService::DeleteUser(std::string_view access_token) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  if (gate_.revoke_all) {
    if (auto ok = gate_.revoke_all(who->user.pool_id, who->user.sub); !ok) return ok.error();
  }
  auto st = ctx_.store.DeleteUser(who->user.pool_id, who->user.sub);
  if (!st) {
    if (st.error().IsNotFound()) return ApiError::UserNotFound();
    return StoreFailure("DeleteUser", st.error());
  }
  return {};
}

Result<CodeDelivery> SelfService::GetUserAttributeVerificationCode(std::string_view access_token,
                                                                   const std::string& attribute,
                                                                   const json& client_metadata) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  if (auto ok = CheckVerifiableAttribute(attribute); !ok) return ok.error();
  const PoolRules& rules = who->rules;
  const bool email = attribute == "email";
  const std::string purpose = CodePurposeFor(attribute);
  const std::int64_t now = ctx_.clock.NowMillis();
  const std::string code = NewCode(ctx_);
  std::string destination;
  auto user = MutateUser(ctx_, rules, BySub(ctx_, who->user.pool_id, who->user.sub),
                         [&](UserRecord& u) -> Result<void> {
                           auto value = PendingValue(u, attribute);
                           if (!value) value = u.Attribute(attribute);
                           if (!value || value->empty()) {
                             return ApiError::InvalidParameter(
                                 "User does not have a value for the attribute " + attribute + ".");
                           }
                           if (auto ok = NoteCodeSend(u, purpose, now); !ok) return ok.error();
                           destination = *value;
                           u.SetCode(purpose, code, now + kVerifyCodeValidityMs, destination);
                           return {};
                         });
  if (!user) return user.error();
  if (auto sent =
          SendCodeMessage(ctx_, rules, *user, email, destination, code, "verify_attribute", nullptr,
                          {"VerifyUserAttribute", who->claims.client_id, client_metadata});
      !sent) {
    return sent.error();
  }
  return Delivery(email, destination);
}

Result<void> SelfService::VerifyUserAttribute(std::string_view access_token,
                                              const std::string& attribute,
                                              const std::string& code) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  if (auto ok = CheckVerifiableAttribute(attribute); !ok) return ok.error();
  const PoolRules& rules = who->rules;
  const std::string purpose = CodePurposeFor(attribute);
  const std::int64_t now = ctx_.clock.NowMillis();
  CodeOutcome outcome = CodeOutcome::kNoCode;
  auto saved = MutateUser(
      ctx_, rules, BySub(ctx_, who->user.pool_id, who->user.sub),
      [&](UserRecord& u) -> Result<void> {
        outcome = ConsumeCode(u, purpose, code, now);
        if (outcome != CodeOutcome::kOk) return {};  // keep the attempt count
        const std::string destination = CodeDestination(u, purpose);
        if (auto pending = PendingValue(u, attribute); pending && *pending == destination) {
          u.attributes[attribute] = destination;
          ClearPending(u, attribute);
        }
        if (u.Attribute(attribute) != destination) {
          outcome = CodeOutcome::kExpired;  // the value changed since the code was sent
          return {};
        }
        u.attributes[attribute + "_verified"] = "true";
        return CheckAliasesFree(ctx_, rules, u, /*force_alias_creation=*/false, false);
      });
  if (!saved) return saved.error();
  if (outcome != CodeOutcome::kOk) return CodeError(outcome);
  return {};
}

}  // namespace cognate::domain::users
