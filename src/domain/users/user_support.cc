#include "domain/users/user_support.h"

#include <algorithm>

#include "crypto/crypto.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

std::string KeyAttribute(const std::string& key) { return key.substr(0, key.find(':')); }

json* CodeEntry(UserRecord& user, std::string_view purpose) {
  auto codes = user.doc.find("codes");
  if (codes == user.doc.end() || !codes->is_object()) return nullptr;
  auto entry = codes->find(std::string(purpose));
  if (entry == codes->end() || !entry->is_object()) return nullptr;
  return &*entry;
}

std::int64_t IntMemberOrZero(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::string NewCode(const ServiceContext& ctx) {
  if (!ctx.config.dev_fixed_code.empty()) return ctx.config.dev_fixed_code;
  return messaging::GenerateCode();
}

ApiError StoreFailure(const char* what, const store::StoreError& e) {
  return ApiError::Internal(std::string(what) + ": " + e.detail());
}

ApiError PasswordPolicyError(const std::string& violation) {
  return {ErrorCode::kInvalidPassword, "Password does not conform to policy: " + violation};
}

ApiError AliasConflictError(const PoolRules& rules, const std::string& detail, bool creating) {
  std::string attr = KeyAttribute(detail);
  if (attr != "email" && attr != "phone_number" && attr != "preferred_username") attr = "email";
  std::string message = "An account with the given " + attr + " already exists.";
  if (creating && rules.IsUsernameAttribute(attr)) {
    return {ErrorCode::kUsernameExists, std::move(message)};
  }
  return {ErrorCode::kAliasExists, std::move(message)};
}

Result<void> SaveUser(ServiceContext& ctx, const PoolRules& rules, UserRecord& user) {
  user.modified_ms = ctx.clock.NowMillis();
  auto st = ctx.store.UpdateUser(ToRow(rules, user), user.version);
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

Result<void> CheckAliasesFree(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                              bool force_alias_creation, bool creating) {
  for (const auto& key : UniqueKeys(rules, user)) {
    auto holder = ctx.store.GetUserByUniqueKey(rules.pool_id(), key);
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
    if (auto saved = SaveUser(ctx, rules, previous); !saved) return saved.error();
  }
  return {};
}

Result<UserRecord> BuildNewUser(const PoolRules& rules, std::string_view status,
                                std::int64_t now_ms, const std::string& username,
                                std::vector<AttributeInput> attrs) {
  UserRecord user;
  user.pool_id = rules.pool_id();
  user.sub = crypto::NewUuid();
  user.status = std::string(status);
  user.enabled = true;
  user.created_ms = now_ms;
  user.modified_ms = now_ms;
  user.attributes["sub"] = user.sub;
  if (auto ok = AssignUsername(rules, user, username, attrs); !ok) return ok.error();
  auto applied = ApplyAttributes(rules, user, attrs, AttributeWriteMode::kCreate);
  if (!applied) return applied.error();
  if (auto ok = CheckRequiredAttributes(rules, user); !ok) return ok.error();
  return user;
}

Result<void> AssignUsername(const PoolRules& rules, UserRecord& user, const std::string& username,
                            std::vector<AttributeInput>& attrs) {
  if (!rules.username_attributes().empty()) {
    const bool by_email = rules.IsUsernameAttribute("email");
    const bool by_phone = rules.IsUsernameAttribute("phone_number");
    std::string attr;
    if (by_email && IsValidEmail(username)) {
      attr = "email";
    } else if (by_phone && IsValidPhoneNumber(username)) {
      attr = "phone_number";
    } else if (by_email && by_phone) {
      return ApiError::InvalidParameter("Username should be either an email or a phone number.");
    } else {
      return ApiError::InvalidParameter(by_email ? "Username should be an email."
                                                 : "Username should be a phone number.");
    }
    std::erase_if(attrs, [&](const AttributeInput& a) { return a.name == attr; });
    attrs.push_back({attr, username});
    user.username = user.sub;
    return {};
  }
  if (rules.IsAliasAttribute("email") && IsValidEmail(username)) {
    return ApiError::InvalidParameter(
        "Username cannot be of email format, since user pool is configured for email alias.");
  }
  if (rules.IsAliasAttribute("phone_number") && IsValidPhoneNumber(username)) {
    return ApiError::InvalidParameter(
        "Username cannot be of phone number format, since user pool is configured for "
        "phone_number alias.");
  }
  user.username = username;
  return {};
}

Result<void> InsertNewUser(ServiceContext& ctx, const PoolRules& rules, UserRecord& user,
                           const std::string& exists_message) {
  for (int attempt = 0;; ++attempt) {
    auto created = ctx.store.CreateUser(ToRow(rules, user));
    if (created) break;
    const auto& e = created.error();
    if (e.IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + rules.pool_id() + " does not exist.");
    }
    if (!e.IsConflict()) return StoreFailure("CreateUser", e);
    if (e.detail() == "username") return ApiError(ErrorCode::kUsernameExists, exists_message);
    if (e.detail() == "sub" && attempt < kMaxSaveRetries) {  // a UUID clash: draw another
      const std::string old_sub = user.sub;
      user.sub = crypto::NewUuid();
      user.attributes["sub"] = user.sub;
      if (user.username == old_sub) user.username = user.sub;
      continue;
    }
    return AliasConflictError(rules, e.detail(), /*creating=*/true);
  }
  user.version = 1;
  return {};
}

triggers::HookUser HookUserOf(const UserRecord& user) {
  return {user.pool_id, user.username, user.attributes, user.status};
}

Result<void> SendInvitation(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                            const std::string& shown_username, const std::string& password,
                            const std::vector<std::string>& mediums, const std::string& purpose,
                            const std::string& client_id, const nlohmann::json& client_metadata) {
  const messaging::MessageTemplate& t = rules.invite_template();
  for (const std::string medium : {"EMAIL", "SMS"}) {
    if (std::find(mediums.begin(), mediums.end(), medium) == mediums.end()) continue;
    OutboundMessage m;
    m.pool_id = rules.pool_id();
    m.username = user.username;
    m.purpose = purpose;
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
    triggers::CodeMessageCall call;
    call.source = "AdminCreateUser";
    if (!client_id.empty()) call.client_id = client_id;
    call.client_metadata = client_metadata;
    call.code = password;
    call.shown_username = shown_username;
    if (auto sent = triggers::DeliverMessage(ctx, rules.lambda_config(), HookUserOf(user),
                                             std::move(m), call);
        !sent) {
      return sent.error();
    }
  }
  return {};
}

Result<triggers::PreSignUpDecision> RunPreSignUpFor(
    const ServiceContext& ctx, const PoolRules& rules, UserRecord& user,
    triggers::PreSignUpCall call, const std::vector<AttributeInput>& validation_data) {
  if (!validation_data.empty()) {
    call.validation_data = nlohmann::json::object();
    for (const auto& v : validation_data) call.validation_data[v.name] = v.value;
  }
  triggers::HookUser hook_user = HookUserOf(user);
  hook_user.attributes.erase("sub");
  hook_user.status.clear();
  auto decision = triggers::RunPreSignUp(ctx, rules.lambda_config(), hook_user, call);
  if (!decision) return decision.error();
  if (decision->auto_verify_email) user.attributes["email_verified"] = "true";
  if (decision->auto_verify_phone) user.attributes["phone_number_verified"] = "true";
  return decision;
}

Result<void> SendCodeMessage(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                             bool email, const std::string& destination, const std::string& code,
                             const std::string& purpose, const messaging::ConfirmationLink* link,
                             const MessageOrigin& origin) {
  const messaging::VerificationTemplate& t = rules.verification_template();
  OutboundMessage m;
  m.pool_id = rules.pool_id();
  m.username = user.username;
  m.purpose = purpose;
  m.destination = destination;
  if (email) {
    m.channel = OutboundMessage::Channel::kEmail;
    messaging::RenderedEmail e = messaging::RenderVerificationEmail(t, code, user.username, link);
    m.subject = std::move(e.subject);
    m.body = std::move(e.body);
  } else {
    m.channel = OutboundMessage::Channel::kSms;
    m.body = messaging::RenderVerificationSms(t, code, user.username);
  }
  const nlohmann::json& lambda_config = rules.lambda_config();
  if (lambda_config.empty()) return ctx.messages.Send(m);
  triggers::CodeMessageCall call;
  call.source = origin.source;
  if (!origin.client_id.empty()) call.client_id = origin.client_id;
  call.client_metadata = origin.client_metadata;
  call.code = code;
  if (email && link != nullptr && t.confirm_with_link) call.link = link;
  return triggers::DeliverMessage(ctx, lambda_config, HookUserOf(user), std::move(m), call);
}

Result<void> SendCodeMessage(ServiceContext& ctx, const PoolRules& rules, const UserRecord& user,
                             bool email, const std::string& destination, const std::string& code,
                             const std::string& purpose, const messaging::ConfirmationLink* link) {
  MessageOrigin origin;
  if (purpose == kCodeSignUp) {
    origin.source = "SignUp";
  } else if (purpose == kCodeForgotPassword) {
    origin.source = "ForgotPassword";
  } else if (purpose == "verify_attribute") {
    origin.source = "UpdateUserAttribute";
  } else {
    origin.source = "Authentication";
  }
  return SendCodeMessage(ctx, rules, user, email, destination, code, purpose, link, origin);
}

Result<void> NoteCodeSend(UserRecord& user, std::string_view purpose, std::int64_t now_ms) {
  if (!user.doc.contains("code_sends") || !user.doc["code_sends"].is_object()) {
    user.doc["code_sends"] = json::object();
  }
  json& sends = user.doc["code_sends"][std::string(purpose)];
  json recent = json::array();
  if (sends.is_array()) {
    for (const auto& t : sends) {
      if (t.is_number_integer() && t.get<std::int64_t>() > now_ms - kHourMs) recent.push_back(t);
    }
  }
  if (static_cast<int>(recent.size()) >= kMaxCodeSendsPerHour) {
    return ApiError(ErrorCode::kLimitExceeded, std::string(kAttemptLimitMessage));
  }
  recent.push_back(now_ms);
  sends = std::move(recent);
  return {};
}

CodeOutcome ConsumeCode(UserRecord& user, std::string_view purpose, std::string_view code,
                        std::int64_t now_ms) {
  json* entry = CodeEntry(user, purpose);
  if (entry == nullptr) return CodeOutcome::kNoCode;
  if (entry->value("burned", false)) return CodeOutcome::kLimited;
  if (!entry->contains("hash")) return CodeOutcome::kExpired;  // used
  // Expiry is judged apart from the match, so an expired code reads as expired.
  if (!user.CheckCode(purpose, code, /*now_ms=*/0)) {
    const std::int64_t attempts = IntMemberOrZero(*entry, "failed_attempts") + 1;
    (*entry)["failed_attempts"] = attempts;
    if (attempts >= kMaxWrongCodeAttempts) {
      entry->erase("hash");
      (*entry)["burned"] = true;
    }
    return CodeOutcome::kMismatch;
  }
  const std::int64_t expires = IntMemberOrZero(*entry, "expires_ms");
  if (expires != 0 && expires < now_ms) return CodeOutcome::kExpired;
  entry->erase("hash");
  (*entry)["used_ms"] = now_ms;
  return CodeOutcome::kOk;
}

std::string CodeDestination(const UserRecord& user, std::string_view purpose) {
  auto codes = user.doc.find("codes");
  if (codes == user.doc.end() || !codes->is_object()) return {};
  auto entry = codes->find(std::string(purpose));
  if (entry == codes->end() || !entry->is_object()) return {};
  auto d = entry->find("destination");
  return d != entry->end() && d->is_string() ? d->get<std::string>() : std::string();
}

ApiError CodeError(CodeOutcome outcome) {
  switch (outcome) {
    case CodeOutcome::kExpired:
      return {ErrorCode::kExpiredCode, "Invalid code provided, please request a code again."};
    case CodeOutcome::kLimited:
      return {ErrorCode::kLimitExceeded, std::string(kAttemptLimitMessage)};
    case CodeOutcome::kOk:
    case CodeOutcome::kMismatch:
    case CodeOutcome::kNoCode:
      break;
  }
  return {ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again."};
}

}  // namespace cognate::domain::users
