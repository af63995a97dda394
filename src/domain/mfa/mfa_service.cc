#include "domain/mfa/mfa_service.h"

#include "crypto/totp.h"
#include "domain/users/user_support.h"

namespace cognate::domain::mfa {
namespace {

using nlohmann::json;
using users::UserRecord;

constexpr const char* kMfaSetup = "MFA_SETUP";

ApiError CodeMismatchOnEnable() {
  return ApiError(ErrorCode::kEnableSoftwareTokenMFA,
                  "Code mismatch and fail enable Software Token MFA");
}

ApiError NotAssociated() {
  return ApiError(ErrorCode::kSoftwareTokenMFANotFound,
                  "Software Token MFA has not been set up for this user.");
}

Result<void> OneOf(const std::optional<std::string>& access_token,
                   const std::optional<std::string>& session) {
  if (access_token.has_value() == session.has_value()) {
    return ApiError::InvalidParameter("Exactly one of AccessToken or Session must be provided.");
  }
  return {};
}

}  // namespace

Result<MfaService::TokenUser> MfaService::Authorize(std::string_view access_token) {
  if (!gate_.verify) return ApiError::Internal("no access token verifier");
  auto claims = gate_.verify(access_token);
  if (!claims) return claims.error();
  auto row = ctx_.store.GetUserBySub(claims->pool_id, claims->sub);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::UserNotFound();
    return users::StoreFailure("GetUserBySub", row.error());
  }
  const UserRecord user = users::FromRow(*row);
  if (!user.enabled) return ApiError::NotAuthorized("User is disabled.");
  if (user.status == users::kStatusResetRequired) {
    return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
  }
  return TokenUser{claims->pool_id, claims->sub};
}

template <class Fn>
Result<UserRecord> MfaService::Mutate(const std::string& pool_id, const std::string& sub,
                                      Fn&& change) {
  auto rules = users::LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  return users::MutateUser(
      ctx_, *rules,
      [&]() -> Result<UserRecord> {
        auto row = ctx_.store.GetUserBySub(pool_id, sub);
        if (!row) {
          if (row.error().IsNotFound()) return ApiError::UserNotFound();
          return users::StoreFailure("GetUserBySub", row.error());
        }
        return users::FromRow(*row);
      },
      change);
}

template <class Fn>
Result<UserRecord> MfaService::MutateByName(const std::string& pool_id, const std::string& username,
                                            Fn&& change) {
  auto rules = users::LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  return users::MutateUser(
      ctx_, *rules, [&]() { return users::FindUser(ctx_.store, *rules, username); }, change);
}

// ---- software tokens ----------------------------------------------------------------------------

Result<AssociateResult> MfaService::AssociateSoftwareToken(
    const std::optional<std::string>& access_token, const std::optional<std::string>& session) {
  if (auto ok = OneOf(access_token, session); !ok) return ok.error();
  const std::string secret = NewTotpSecret();
  AssociateResult out;
  out.secret_code = crypto::Base32Encode(secret);
  if (access_token) {
    auto who = Authorize(*access_token);
    if (!who) return who.error();
    auto saved = Mutate(who->pool_id, who->sub, [&](UserRecord& u) -> Result<void> {
      u.doc[kPendingTokenMember] = {{"secret", SealTotpSecret(ctx_, u, secret)}};
      return {};
    });
    if (!saved) return saved.error();
    return out;
  }
  auto s = sessions_.Take(*session);
  if (!s) return s.error();
  if (s->challenge != kMfaSetup || s->sub.empty()) return auth::InvalidSession();
  const std::string handle = auth::SessionStore::NewHandle();
  s->data[kSetupMember] = {{"secret", sessions_.Seal(handle, secret)}, {"verified", false}};
  if (auto ok = sessions_.Put(handle, *s); !ok) return ok.error();
  out.session = handle;
  return out;
}

Result<VerifyResult> MfaService::VerifySoftwareToken(
    const std::optional<std::string>& access_token, const std::optional<std::string>& session,
    const std::string& user_code, const std::optional<std::string>& friendly_name) {
  if (auto ok = OneOf(access_token, session); !ok) return ok.error();
  const std::int64_t now_s = ctx_.clock.NowSeconds();
  VerifyResult out;
  if (access_token) {
    auto who = Authorize(*access_token);
    if (!who) return who.error();
    auto saved = Mutate(who->pool_id, who->sub, [&](UserRecord& u) -> Result<void> {
      if (!HasPendingSoftwareToken(u)) return NotAssociated();
      const std::string sealed = u.doc[kPendingTokenMember].value("secret", "");
      auto secret = OpenTotpSecret(ctx_, u, sealed);
      if (!secret) return NotAssociated();
      auto step = crypto::VerifyTotp(*secret, user_code, now_s, /*window=*/1);
      if (!step) return CodeMismatchOnEnable();
      json token = {{"secret", sealed}, {"last_step", *step}};
      if (friendly_name) token["name"] = *friendly_name;
      u.doc[kSoftwareTokenMember] = std::move(token);
      u.doc.erase(kPendingTokenMember);
      return {};
    });
    if (!saved) return saved.error();
    return out;
  }

  auto peek = sessions_.Peek(*session);
  if (!peek) return peek.error();
  if (peek->challenge != kMfaSetup || peek->sub.empty() || !peek->data.contains(kSetupMember)) {
    return auth::InvalidSession();
  }
  auto secret = sessions_.Open(*session, peek->data[kSetupMember].value("secret", ""));
  if (!secret) return auth::InvalidSession();
  auto step = crypto::VerifyTotp(*secret, user_code, now_s, /*window=*/1);
  if (!step) return CodeMismatchOnEnable();
  auto s = sessions_.Take(*session);  // one success per session
  if (!s) return s.error();
  auto saved = Mutate(s->pool_id, s->sub, [&](UserRecord& u) -> Result<void> {
    json token = {{"secret", SealTotpSecret(ctx_, u, *secret)}, {"last_step", *step}};
    if (friendly_name) token["name"] = *friendly_name;
    u.doc[kSoftwareTokenMember] = std::move(token);
    u.doc.erase(kPendingTokenMember);
    EnableFactor(u, kSoftwareTokenMfa);
    if (PreferredFactor(u).empty()) u.doc[kPreferredMember] = kSoftwareTokenMfa;
    return {};
  });
  if (!saved) return saved.error();
  const std::string handle = auth::SessionStore::NewHandle();
  s->data[kSetupMember] = {{"verified", true}};
  if (auto ok = sessions_.Put(handle, *s); !ok) return ok.error();
  out.session = handle;
  return out;
}

Result<void> MfaService::AdminDeleteSoftwareToken(const std::string& pool_id,
                                                  const std::string& username) {
  auto saved = MutateByName(pool_id, username, [&](UserRecord& u) -> Result<void> {
    u.doc.erase(kSoftwareTokenMember);
    u.doc.erase(kPendingTokenMember);
    DisableFactor(u, kSoftwareTokenMfa);
    return {};
  });
  if (!saved) return saved.error();
  return {};
}

// ---- preferences
// ----------------------------------------------------------------------------------

Result<void> MfaService::SetUserMfaPreference(std::string_view access_token,
                                              const MfaPreference& p) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  auto saved = Mutate(who->pool_id, who->sub,
                      [&](UserRecord& u) -> Result<void> { return ApplyPreference(u, p); });
  if (!saved) return saved.error();
  return {};
}

Result<void> MfaService::AdminSetUserMfaPreference(const std::string& pool_id,
                                                   const std::string& username,
                                                   const MfaPreference& p) {
  auto saved = MutateByName(pool_id, username,
                            [&](UserRecord& u) -> Result<void> { return ApplyPreference(u, p); });
  if (!saved) return saved.error();
  return {};
}

Result<void> MfaService::SetUserSettings(std::string_view access_token,
                                         const std::vector<MfaOption>& options) {
  auto who = Authorize(access_token);
  if (!who) return who.error();
  auto saved = Mutate(who->pool_id, who->sub,
                      [&](UserRecord& u) -> Result<void> { return ApplyMfaOptions(u, options); });
  if (!saved) return saved.error();
  return {};
}

Result<void> MfaService::AdminSetUserSettings(const std::string& pool_id,
                                              const std::string& username,
                                              const std::vector<MfaOption>& options) {
  auto saved = MutateByName(pool_id, username, [&](UserRecord& u) -> Result<void> {
    return ApplyMfaOptions(u, options);
  });
  if (!saved) return saved.error();
  return {};
}

}  // namespace cognate::domain::mfa
