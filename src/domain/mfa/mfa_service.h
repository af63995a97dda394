#pragma once
// The user-side MFA operations with Cognito's rules and errors:
//   AssociateSoftwareToken / VerifySoftwareToken (by access token, or by the Session of an
//     MFA_SETUP challenge: each returns a new Session, the old one is spent),
//   SetUserMFAPreference / AdminSetUserMFAPreference,
//   SetUserSettings / AdminSetUserSettings (legacy MFAOptions),
//   AdminDeleteSoftwareToken.
// The user's state lives in the user document (user_mfa.h); MFA_SETUP sessions are the sign-in
// sessions of domain/auth/session.h (a session's pending secret is sealed to its handle).

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/auth/session.h"
#include "domain/mfa/user_mfa.h"
#include "domain/service_context.h"
#include "domain/users/self_service.h"

namespace cognate::domain::mfa {

// Session members of an MFA_SETUP challenge (AuthSession::data["mfa_setup"]).
inline constexpr const char* kSetupMember = "mfa_setup";

struct AssociateResult {
  std::string secret_code;  // base32
  std::string session;      // only when called with a Session
};

struct VerifyResult {
  std::string status = "SUCCESS";
  std::string session;  // only when called with a Session
};

class MfaService {
 public:
  MfaService(ServiceContext& ctx, users::AccessTokenGate gate)
      : ctx_(ctx), gate_(std::move(gate)), sessions_(ctx) {}

  // Exactly one of access_token / session. A new secret each call; with an access token it waits
  // in the user's document until verified (a verified token stays in use until then).
  // InvalidParameterException when neither or both are given; NotAuthorizedException for a bad
  // token or session ("Invalid session for the user[, session is expired.]").
  Result<AssociateResult> AssociateSoftwareToken(const std::optional<std::string>& access_token,
                                                 const std::optional<std::string>& session);

  // Verifies `user_code` against the associated secret (±1 step). Success makes it the user's
  // token (the step is used up); by Session it also enables SOFTWARE_TOKEN_MFA for the user (the
  // MFA_SETUP answer) and returns the Session to answer MFA_SETUP with.
  // EnableSoftwareTokenMFAException "Code mismatch and fail enable Software Token MFA" for a
  // wrong code; SoftwareTokenMFANotFoundException when nothing was associated.
  Result<VerifyResult> VerifySoftwareToken(const std::optional<std::string>& access_token,
                                           const std::optional<std::string>& session,
                                           const std::string& user_code,
                                           const std::optional<std::string>& friendly_name);

  Result<void> SetUserMfaPreference(std::string_view access_token, const MfaPreference& p);
  Result<void> AdminSetUserMfaPreference(const std::string& pool_id, const std::string& username,
                                         const MfaPreference& p);
  Result<void> SetUserSettings(std::string_view access_token,
                               const std::vector<MfaOption>& options);
  Result<void> AdminSetUserSettings(const std::string& pool_id, const std::string& username,
                                    const std::vector<MfaOption>& options);
  // Removes the user's software token (verified or pending) and SOFTWARE_TOKEN_MFA.
  Result<void> AdminDeleteSoftwareToken(const std::string& pool_id, const std::string& username);

 private:
  struct TokenUser {
    std::string pool_id;
    std::string sub;
  };
  Result<TokenUser> Authorize(std::string_view access_token);
  // Loads by sub, applies `change`, saves (retrying lost races).
  template <class Fn>
  Result<users::UserRecord> Mutate(const std::string& pool_id, const std::string& sub, Fn&& change);
  template <class Fn>
  Result<users::UserRecord> MutateByName(const std::string& pool_id, const std::string& username,
                                         Fn&& change);

  ServiceContext& ctx_;
  users::AccessTokenGate gate_;
  auth::SessionStore sessions_;
};

}  // namespace cognate::domain::mfa
