#include "domain/users/user_service.h"

#include <algorithm>

#include "crypto/crypto.h"
#include "domain/pagination/pagination_token.h"
#include "domain/users/list_filter.h"
#include "domain/users/password.h"

namespace cognate::domain::users {
namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kResetCodeValidityMs = 60LL * 60 * 1000;  // one hour
constexpr std::int64_t kVerifyCodeValidityMs = kDayMs;
constexpr int kMaxRetries = 5;

std::string NewCode() { return messaging::GenerateCode(); }

std::string KeyAttribute(const std::string& key) { return key.substr(0, key.find(':')); }

ApiError StoreFailure(const char* what, const store::StoreError& e) {
  return ApiError::Internal(std::string(what) + ": " + e.detail());
}

ApiError PasswordPolicyError(const std::string& violation) {
  return {ErrorCode::kInvalidPassword, "Password does not conform to policy: " + violation};
}

}  // namespace

ApiError AliasConflictError(const PoolRules& rules, const std::string& detail, bool creating) {
  std::string attr = KeyAttribute(detail);
  if (attr != "email" && attr != "phone_number" && attr != "preferred_username") attr = "email";
  std::string message = "An account with the given " + attr + " already exists.";
  if (creating && rules.IsUsernameAttribute(attr)) {
    return {ErrorCode::kUsernameExists, std::move(message)};
  }
  return {ErrorCode::kAliasExists, std::move(message)};
}

Result<void> UserService::Save(const PoolRules& rules, UserRecord& user) {
  user.modified_ms = ctx_.clock.NowMillis();
  auto st = ctx_.store.UpdateUser(ToRow(rules, user), user.version);
  if (st) {
    ++user.version;
    return {};
  }
  const auto& e = st.error();
  if (e.IsNotFound()) return ApiError::UserNotFound();
  if (e.IsConflict()) {
    if (e.detail() == "version") {
      return ApiError(ErrorCode::kConcurrentModification, "Concurrent modification.",
                      "user version moved on");
    }
    return AliasConflictError(rules, e.detail(), /*creating=*/false);
  }
  return StoreFailure("UpdateUser", e);
}

template <class Fn>
Result<UserRecord> UserService::Mutate(const PoolRules& rules, const std::string& username,
                                       Fn&& change) {
  for (int attempt = 0;; ++attempt) {
    auto user = FindUser(ctx_.store, rules, username);
    if (!user) return user.error();
    if (auto ok = change(*user); !ok) return ok.error();
    auto saved = Save(rules, *user);
    if (saved) return std::move(*user);
    if (!saved.error().is(ErrorCode::kConcurrentModification) || attempt + 1 >= kMaxRetries) {
      return saved.error();
    }
  }
}

Result<void> UserService::CheckAliasesFree(const PoolRules& rules, const UserRecord& user,
                                           bool force_alias_creation, bool creating) {
  for (const auto& key : UniqueKeys(rules, user)) {
    auto holder = ctx_.store.GetUserByUniqueKey(rules.pool_id(), key);
    if (!holder) {
      if (holder.error().IsNotFound()) continue;
      return StoreFailure("GetUserByUniqueKey", holder.error());
    }
    if (holder->sub == user.sub) continue;
    const std::string attr = KeyAttribute(key);
    const bool movable = force_alias_creation && !rules.IsUsernameAttribute(attr) &&
                         (attr == "email" || attr == "phone_number");
    if (!movable) return AliasConflictError(rules, key, creating);
    // ForceAliasCreation: the previous holder keeps the value but it is no longer verified,
    // so it stops being a sign-in alias.
    UserRecord previous = FromRow(*holder);
    previous.attributes[attr + "_verified"] = "false";
    if (auto saved = Save(rules, previous); !saved) return saved.error();
  }
  return {};
}

Result<void> UserService::SendInvitation(const PoolRules& rules, const UserRecord& user,
                                         const std::string& shown_username,
                                         const std::string& password,
                                         const std::vector<std::string>& mediums) {
  const MessageTemplate& t = rules.invite_template();
  for (const std::string medium : {"EMAIL", "SMS"}) {
    if (std::find(mediums.begin(), mediums.end(), medium) == mediums.end()) continue;
    OutboundMessage m;
    m.pool_id = rules.pool_id();
    m.username = user.username;
    m.purpose = "invitation";
    if (medium == "EMAIL") {
      auto email = user.Attribute("email");
      if (!email) continue;
      m.channel = OutboundMessage::Channel::kEmail;
      m.destination = *email;
      messaging::RenderedEmail e = messaging::RenderInviteEmail(t, shown_username, password);
      m.subject = std::move(e.subject);
      m.body = std::move(e.body);
    } else {
      auto phone = user.Attribute("phone_number");
      if (!phone) continue;
      m.channel = OutboundMessage::Channel::kSms;
      m.destination = *phone;
      m.body = messaging::RenderInviteSms(t, shown_username, password);
    }
    if (auto sent = ctx_.messages.Send(m); !sent) return sent.error();
  }
  return {};
}

Result<void> UserService::SendCode(const PoolRules& rules, const UserRecord& user, bool email,
                                   const std::string& code, const std::string& purpose) {
  const messaging::VerificationTemplate& t = rules.verification_template();
  OutboundMessage m;
  m.pool_id = rules.pool_id();
  m.username = user.username;
  m.purpose = purpose;
  if (email) {
    m.channel = OutboundMessage::Channel::kEmail;
    m.destination = user.Attribute("email").value_or("");
    messaging::RenderedEmail e = messaging::RenderVerificationEmail(t, code, user.username);
    m.subject = std::move(e.subject);
    m.body = std::move(e.body);
  } else {
    m.channel = OutboundMessage::Channel::kSms;
    m.destination = user.Attribute("phone_number").value_or("");
    m.body = messaging::RenderVerificationSms(t, code, user.username);
  }
  return ctx_.messages.Send(m);
}

Result<UserRecord> UserService::AdminCreateUser(const AdminCreateUserInput& input) {
  auto rules_or = LoadPoolRules(ctx_, input.pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  if (input.message_action == "RESEND") return ResendInvitation(rules, input);

  const std::int64_t now = ctx_.clock.NowMillis();
  UserRecord user;
  user.pool_id = input.pool_id;
  user.sub = crypto::NewUuid();
  user.status = std::string(kStatusForceChangePassword);
  user.enabled = true;
  user.created_ms = now;
  user.modified_ms = now;
  user.attributes["sub"] = user.sub;

  std::vector<AttributeInput> attrs = input.attributes;
  if (!rules.username_attributes().empty()) {
    const bool by_email = rules.IsUsernameAttribute("email");
    const bool by_phone = rules.IsUsernameAttribute("phone_number");
    std::string attr;
    if (by_email && IsValidEmail(input.username)) {
      attr = "email";
    } else if (by_phone && IsValidPhoneNumber(input.username)) {
      attr = "phone_number";
    } else if (by_email && by_phone) {
      return ApiError::InvalidParameter("Username should be either an email or a phone number.");
    } else {
      return ApiError::InvalidParameter(by_email ? "Username should be an email."
                                                 : "Username should be a phone number.");
    }
    std::erase_if(attrs, [&](const AttributeInput& a) { return a.name == attr; });
    attrs.push_back({attr, input.username});
    user.username = user.sub;
  } else {
    if (rules.IsAliasAttribute("email") && IsValidEmail(input.username)) {
      return ApiError::InvalidParameter(
          "Username cannot be of email format, since user pool is configured for email alias.");
    }
    if (rules.IsAliasAttribute("phone_number") && IsValidPhoneNumber(input.username)) {
      return ApiError::InvalidParameter(
          "Username cannot be of phone number format, since user pool is configured for "
          "phone_number alias.");
    }
    user.username = input.username;
  }

  auto applied = ApplyAttributes(rules, user, attrs, AttributeWriteMode::kCreate);
  if (!applied) return applied.error();
  if (auto ok = CheckRequiredAttributes(rules, user); !ok) return ok.error();

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
  if (auto ok = CheckAliasesFree(rules, user, input.force_alias_creation, /*creating=*/true); !ok) {
    return ok.error();
  }

  SetUserPassword(ctx_, user, password);
  const int days = rules.password_policy().temporary_password_validity_days;
  user.SetTemporaryPasswordExpiresMs(now + static_cast<std::int64_t>(days > 0 ? days : 7) * kDayMs);

  for (int attempt = 0;; ++attempt) {
    auto created = ctx_.store.CreateUser(ToRow(rules, user));
    if (created) break;
    const auto& e = created.error();
    if (e.IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + input.pool_id + " does not exist.");
    }
    if (!e.IsConflict()) return StoreFailure("CreateUser", e);
    if (e.detail() == "username") {
      return ApiError(ErrorCode::kUsernameExists, "User account already exists");
    }
    if (e.detail() == "sub" && attempt < kMaxRetries) {  // a UUID clash: draw another
      const std::string old_sub = user.sub;
      user.sub = crypto::NewUuid();
      user.attributes["sub"] = user.sub;
      if (user.username == old_sub) user.username = user.sub;
      continue;
    }
    return AliasConflictError(rules, e.detail(), /*creating=*/true);
  }
  user.version = 1;

  if (!suppress) {
    if (auto sent = SendInvitation(rules, user, input.username, password, mediums); !sent) {
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

  auto user = Mutate(rules, input.username, [&](UserRecord& u) -> Result<void> {
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
  if (auto sent = SendInvitation(rules, *user, input.username, password, mediums); !sent) {
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
                                                    const std::vector<AttributeInput>& attributes) {
  auto rules_or = LoadPoolRules(ctx_, pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  const std::int64_t now = ctx_.clock.NowMillis();
  std::string email_code, phone_code;

  auto user = Mutate(rules, username, [&](UserRecord& u) -> Result<void> {
    auto changes = ApplyAttributes(rules, u, attributes, AttributeWriteMode::kUpdate);
    if (!changes) return changes.error();
    if (auto ok = CheckAliasesFree(rules, u, /*force_alias_creation=*/false, false); !ok) {
      return ok.error();
    }
    email_code.clear();
    phone_code.clear();
    if (changes->email_changed && !u.IsTrue("email_verified") && rules.IsAutoVerified("email")) {
      email_code = NewCode();
      u.SetCode(kCodeVerifyEmail, email_code, now + kVerifyCodeValidityMs, *u.Attribute("email"));
    }
    if (changes->phone_changed && !u.IsTrue("phone_number_verified") &&
        rules.IsAutoVerified("phone_number")) {
      phone_code = NewCode();
      u.SetCode(kCodeVerifyPhone, phone_code, now + kVerifyCodeValidityMs,
                *u.Attribute("phone_number"));
    }
    return {};
  });
  if (!user) return user.error();
  if (!email_code.empty()) {
    if (auto sent = SendCode(rules, *user, true, email_code, "verify_attribute"); !sent) {
      return sent.error();
    }
  }
  if (!phone_code.empty()) {
    if (auto sent = SendCode(rules, *user, false, phone_code, "verify_attribute"); !sent) {
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
  auto user = Mutate(*rules, username, [&](UserRecord& u) -> Result<void> {
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
  auto user = Mutate(*rules, username, [&](UserRecord& u) -> Result<void> {
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
  auto user = Mutate(rules, username, [&](UserRecord& u) -> Result<void> {
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
                                                 const std::string& username) {
  auto rules_or = LoadPoolRules(ctx_, pool_id);
  if (!rules_or) return rules_or.error();
  const PoolRules& rules = *rules_or;
  const std::string code = NewCode();
  const std::int64_t expires = ctx_.clock.NowMillis() + kResetCodeValidityMs;
  enum class Channel { kNone, kEmail, kSms };
  Channel channel = Channel::kNone;  // where the code went, if anywhere

  auto user = Mutate(rules, username, [&](UserRecord& u) -> Result<void> {
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
    auto sent = SendCode(rules, *user, channel == Channel::kEmail, code, "forgot_password");
    if (!sent) return sent.error();
  }
  return {};
}

Result<void> UserService::AdminConfirmSignUp(const std::string& pool_id,
                                             const std::string& username) {
  auto rules = LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user = Mutate(*rules, username, [&](UserRecord& u) -> Result<void> {
    if (u.status != kStatusUnconfirmed) {
      return ApiError::NotAuthorized("User cannot be confirmed. Current status is " + u.status);
    }
    u.status = std::string(kStatusConfirmed);
    u.ClearCode(kCodeSignUp);
    return {};
  });
  if (!user) return user.error();
  return {};
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
