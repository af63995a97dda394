#include "domain/users/user_service.h"

#include <algorithm>

#include "crypto/crypto.h"
#include "domain/pagination/pagination_token.h"
#include "domain/users/list_filter.h"
#include "domain/users/password.h"

namespace cognate::domain::users {
namespace {

// Finds the user by username, alias or sub for MutateUser.
auto ByName(ServiceContext& ctx, const PoolRules& rules, const std::string& username) {
  return [&ctx, &rules, &username] { return FindUser(ctx.store, rules, username); };
}

}  // namespace

Result<UserRecord> UserService::AdminCreateUser(const AdminCreateUserInput& input) {
  auto rules_or = LoadPoolRules(ctx_, input.pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  if (input.message_action == "RESEND") return ResendInvitation(rules, input);

  const std::int64_t now = ctx_.clock.NowMillis();
  auto built =
      BuildNewUser(rules, kStatusForceChangePassword, now, input.username, input.attributes);
  if (!built) return built.error();
  UserRecord& user = *built;

  std::string password;
  if (input.temporary_password && !input.temporary_password->empty()) {
    if (auto v = rules.PasswordViolation(*input.temporary_password)) return PasswordPolicyError(*v);
    password = *input.temporary_password;
  } else {
    password = rules.GeneratePassword();
  }

  const bool suppress = input.message_action == "SUPPRESS";
  std::vector<std::string> mediums = input.desired_delivery_mediums;
  if (mediums.empty()) {
    mediums = {"SMS"};
  } else if (!suppress) {
    const bool reachable = std::any_of(mediums.begin(), mediums.end(), [&](const auto& m) {
      return user.Attribute(m == "EMAIL" ? "email" : "phone_number").has_value();
    });
    if (!reachable) {
      return ApiError::InvalidParameter("User has no attribute matching desired delivery mediums");
    }
  }

  // Username first: Cognito reports a taken username before a taken alias.
  auto existing =
      ctx_.store.GetUserByUsernameKey(rules.pool_id(), rules.NormalizeUsername(user.username));
  if (existing) return ApiError(ErrorCode::kUsernameExists, "User account already exists");
  if (!existing.error().IsNotFound()) return StoreFailure("GetUserByUsernameKey", existing.error());
  if (auto ok = CheckAliasesFree(ctx_, rules, user, input.force_alias_creation, /*creating=*/true);
      !ok) {
    return ok.error();
  }

  triggers::PreSignUpCall pre_sign_up;
  pre_sign_up.admin = true;
  pre_sign_up.client_metadata = input.client_metadata;
  if (auto decision = RunPreSignUpFor(ctx_, rules, user, pre_sign_up, input.validation_data);
      !decision) {
    return decision.error();
  }

  SetUserPassword(ctx_, user, password);
  const int days = rules.password_policy().temporary_password_validity_days;
  user.SetTemporaryPasswordExpiresMs(now + static_cast<std::int64_t>(days > 0 ? days : 7) * kDayMs);

  if (auto ok = InsertNewUser(ctx_, rules, user, "User account already exists"); !ok) {
    return ok.error();
  }

  if (!suppress) {
    if (auto sent = SendInvitation(ctx_, rules, user, input.username, password, mediums,
                                   "invitation", "", input.client_metadata);
        !sent) {
      return sent.error();
    }
  }
  return user;
}

Result<UserRecord> UserService::ResendInvitation(const PoolRules& rules,
                                                 const AdminCreateUserInput& input) {
  std::string password;
  if (input.temporary_password && !input.temporary_password->empty()) {
    if (auto v = rules.PasswordViolation(*input.temporary_password)) return PasswordPolicyError(*v);
    password = *input.temporary_password;
  } else {
    password = rules.GeneratePassword();
  }
  auto target = FindUser(ctx_.store, rules, input.username);
  if (!target) return target.error();
  const PasswordSecrets secrets =
      DerivePasswordSecrets(ctx_, rules.pool_id(), target->sub, SrpUserId(*target), password);
  const int days = rules.password_policy().temporary_password_validity_days;
  const std::int64_t expires =
      ctx_.clock.NowMillis() + static_cast<std::int64_t>(days > 0 ? days : 7) * kDayMs;

  auto user = MutateUser(
      ctx_, rules, ByName(ctx_, rules, input.username), [&](UserRecord& u) -> Result<void> {
        if (u.status != kStatusForceChangePassword) {
          return ApiError(ErrorCode::kUnsupportedUserState,
                          "Resend not possible. " + u.username + " status is not " +
                              std::string(kStatusForceChangePassword));
        }
        ApplyPasswordSecrets(u, secrets);
        u.SetTemporaryPasswordExpiresMs(expires);
        return {};
      });
  if (!user) return user.error();
  std::vector<std::string> mediums = input.desired_delivery_mediums;
  if (mediums.empty()) mediums = {"SMS"};
  if (auto sent = SendInvitation(ctx_, rules, *user, input.username, password, mediums,
                                 "invitation", "", input.client_metadata);
      !sent) {
    return sent.error();
  }
  return user;
}

Result<UserRecord> UserService::AdminGetUser(const std::string& pool_id,
                                             const std::string& username) {
  auto rules = LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  return FindUser(ctx_.store, *rules, username);
}

Result<void> UserService::AdminDeleteUser(const std::string& pool_id, const std::string& username) {
  auto rules = LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user = FindUser(ctx_.store, *rules, username);
  if (!user) return user.error();
  auto st = ctx_.store.DeleteUser(pool_id, user->sub);
  if (!st) {
    if (st.error().IsNotFound()) return ApiError::UserNotFound();
    return StoreFailure("DeleteUser", st.error());
  }
  return {};
}

Result<void> UserService::AdminUpdateUserAttributes(const std::string& pool_id,
                                                    const std::string& username,
                                                    const std::vector<AttributeInput>& attributes,
                                                    const nlohmann::json& client_metadata) {
  auto rules_or = LoadPoolRules(ctx_, pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  const std::int64_t now = ctx_.clock.NowMillis();
  std::string email_code, phone_code;

  auto user =
      MutateUser(ctx_, rules, ByName(ctx_, rules, username), [&](UserRecord& u) -> Result<void> {
        auto changes = ApplyAttributes(rules, u, attributes, AttributeWriteMode::kUpdate);
        if (!changes) return changes.error();
        if (auto ok = CheckAliasesFree(ctx_, rules, u, /*force_alias_creation=*/false, false);
            !ok) {
          return ok.error();
        }
        email_code.clear();
        phone_code.clear();
        if (changes->email_changed && !u.IsTrue("email_verified") &&
            rules.IsAutoVerified("email")) {
          email_code = NewCode(ctx_);
          u.SetCode(kCodeVerifyEmail, email_code, now + kVerifyCodeValidityMs,
                    *u.Attribute("email"));
        }
        if (changes->phone_changed && !u.IsTrue("phone_number_verified") &&
            rules.IsAutoVerified("phone_number")) {
          phone_code = NewCode(ctx_);
          u.SetCode(kCodeVerifyPhone, phone_code, now + kVerifyCodeValidityMs,
                    *u.Attribute("phone_number"));
        }
        return {};
      });
  if (!user) return user.error();
  if (!email_code.empty()) {
    if (auto sent = SendCodeMessage(ctx_, rules, *user, true, *user->Attribute("email"), email_code,
                                    "verify_attribute", nullptr,
                                    {"UpdateUserAttribute", "", client_metadata});
        !sent) {
      return sent.error();
    }
  }
  if (!phone_code.empty()) {
    if (auto sent = SendCodeMessage(ctx_, rules, *user, false, *user->Attribute("phone_number"),
                                    phone_code, "verify_attribute", nullptr,
                                    {"UpdateUserAttribute", "", client_metadata});
        !sent) {
      return sent.error();
    }
  }
  return {};
}

Result<void> UserService::AdminDeleteUserAttributes(const std::string& pool_id,
                                                    const std::string& username,
                                                    const std::vector<std::string>& names) {
  auto rules = LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user =
      MutateUser(ctx_, *rules, ByName(ctx_, *rules, username), [&](UserRecord& u) -> Result<void> {
        auto changes = DeleteAttributes(*rules, u, names);
        if (!changes) return changes.error();
        return {};
      });
  if (!user) return user.error();
  return {};
}

Result<void> UserService::AdminSetUserEnabled(const std::string& pool_id,
                                              const std::string& username, bool enabled) {
  auto rules = LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user =
      MutateUser(ctx_, *rules, ByName(ctx_, *rules, username), [&](UserRecord& u) -> Result<void> {
        u.enabled = enabled;
        return {};
      });
  if (!user) return user.error();
  return {};
}

Result<void> UserService::AdminSetUserPassword(const std::string& pool_id,
                                               const std::string& username,
                                               const std::string& password, bool permanent) {
  auto rules_or = LoadPoolRules(ctx_, pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  // The user is looked up before the password is judged, as Cognito does.
  auto found = FindUser(ctx_.store, rules, username);
  if (!found) return found.error();
  if (auto v = rules.PasswordViolation(password)) return PasswordPolicyError(*v);
  const PasswordSecrets secrets =
      DerivePasswordSecrets(ctx_, rules.pool_id(), found->sub, SrpUserId(*found), password);
  const int days = rules.password_policy().temporary_password_validity_days;
  const std::int64_t expires =
      ctx_.clock.NowMillis() + static_cast<std::int64_t>(days > 0 ? days : 7) * kDayMs;
  auto user =
      MutateUser(ctx_, rules, ByName(ctx_, rules, username), [&](UserRecord& u) -> Result<void> {
        ApplyPasswordSecrets(u, secrets);
        u.ClearCode(kCodeForgotPassword);
        if (permanent) {
          u.status = std::string(kStatusConfirmed);
          u.SetTemporaryPasswordExpiresMs(0);
        } else {
          u.status = std::string(kStatusForceChangePassword);
          u.SetTemporaryPasswordExpiresMs(expires);
        }
        return {};
      });
  if (!user) return user.error();
  return {};
}

Result<void> UserService::AdminResetUserPassword(const std::string& pool_id,
                                                 const std::string& username,
                                                 const nlohmann::json& client_metadata) {
  auto rules_or = LoadPoolRules(ctx_, pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  const std::string code = NewCode(ctx_);
  const std::int64_t expires = ctx_.clock.NowMillis() + kResetCodeValidityMs;
  enum class Channel { kNone, kEmail, kSms };
  Channel channel = Channel::kNone;  // where the code went, if anywhere

  auto user =
      MutateUser(ctx_, rules, ByName(ctx_, rules, username), [&](UserRecord& u) -> Result<void> {
        if (u.status == kStatusForceChangePassword) {
          return ApiError::NotAuthorized("User password cannot be reset in the current state.");
        }
        channel = Channel::kNone;
        bool admin_only = false;
        for (RecoveryChannel ch : rules.recovery_channels()) {
          if (ch == RecoveryChannel::kAdminOnly) {
            admin_only = true;
            break;
          }
          if (ch == RecoveryChannel::kVerifiedEmail && u.Attribute("email") &&
              u.IsTrue("email_verified")) {
            channel = Channel::kEmail;
            break;
          }
          if (ch == RecoveryChannel::kVerifiedPhone && u.Attribute("phone_number") &&
              u.IsTrue("phone_number_verified")) {
            channel = Channel::kSms;
            break;
          }
        }
        if (channel == Channel::kNone && !admin_only) {
          return ApiError::InvalidParameter(
              "Cannot reset password for the user as there is no registered/verified email or "
              "phone_number");
        }
        u.status = std::string(kStatusResetRequired);
        if (channel != Channel::kNone) {
          u.SetCode(kCodeForgotPassword, code, expires,
                    *u.Attribute(channel == Channel::kEmail ? "email" : "phone_number"));
        }
        return {};
      });
  if (!user) return user.error();
  if (channel != Channel::kNone) {
    const bool email = channel == Channel::kEmail;
    auto sent = SendCodeMessage(
        ctx_, rules, *user, email, *user->Attribute(email ? "email" : "phone_number"), code,
        "forgot_password", nullptr, {"ForgotPassword", "", client_metadata});
    if (!sent) return sent.error();
  }
  return {};
}

Result<void> UserService::AdminConfirmSignUp(const std::string& pool_id,
                                             const std::string& username,
                                             const nlohmann::json& client_metadata) {
  auto rules = LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user =
      MutateUser(ctx_, *rules, ByName(ctx_, *rules, username), [&](UserRecord& u) -> Result<void> {
        if (u.status != kStatusUnconfirmed) {
          return ApiError::NotAuthorized("User cannot be confirmed. Current status is " + u.status);
        }
        u.status = std::string(kStatusConfirmed);
        u.ClearCode(kCodeSignUp);
        return {};
      });
  if (!user) return user.error();
  return triggers::RunPostConfirmation(ctx_, rules->lambda_config(),
                                       triggers::ConfirmationSource::kConfirmSignUp,
                                       HookUserOf(*user), "", client_metadata);
}

Result<UserPage> UserService::ListUsers(const ListUsersInput& input) {
  auto rules = LoadPoolRules(ctx_, input.pool_id);
  if (!rules) return rules.error();
  if (input.limit < 0 || input.limit > 60) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value '" + std::to_string(input.limit) +
        "' at 'limit' failed to satisfy constraint: Member must have value less than or equal "
        "to 60");
  }
  auto filter = ParseListFilter(input.filter);
  if (!filter) return filter.error();
  const std::string scope = "ListUsers:" + input.pool_id + ":" + input.filter;
  auto codec = PaginationCodec::FromStore(ctx_.store);
  if (!codec) return codec.error();
  std::string cursor;
  if (!input.pagination_token.empty()) {
    auto decoded = codec->Decode(scope, input.pagination_token);
    if (!decoded) return decoded.error();
    cursor = std::move(*decoded);
  }

  store::UserQuery query = ToUserQuery(*rules, *filter);
  query.cursor = cursor;
  query.limit = input.limit == 0 ? 60 : input.limit;
  auto page = ctx_.store.ListUsers(input.pool_id, query);
  if (!page) {
    if (page.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + input.pool_id + " does not exist.");
    }
    return StoreFailure("ListUsers", page.error());
  }
  UserPage out;
  for (const auto& row : page->items) {
    UserRecord u = FromRow(row);
    if (input.attributes_to_get) {
      const auto& wanted = *input.attributes_to_get;
      std::erase_if(u.attributes, [&](const auto& kv) {
        return std::find(wanted.begin(), wanted.end(), kv.first) == wanted.end();
      });
    }
    out.users.push_back(std::move(u));
  }
  if (!page->next_cursor.empty()) out.pagination_token = codec->Encode(scope, page->next_cursor);
  return out;
}

}  // namespace cognate::domain::users
