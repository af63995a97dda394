#pragma once
// The state of a sign-in between challenges ("Session" on the wire), shared by every node through
// the EphemeralStore.
//
// A handle is an opaque random string handed to the client as the Session of a challenge. The
// store keeps the state under kind "auth_session", key = hex SHA-256 of the handle, so a database
// dump yields no usable handle. Secrets of a step (the SRP exponent b) are
// sealed with the master key, bound to the handle's key. A handle is answered once: Take deletes
// it atomically, so a replay finds nothing. The row outlives the session by a grace period so an
// expired handle is told apart from an unknown one.
//
// PASSWORD_VERIFIER is the exception: clients answer it without a Session and echo its
// SECRET_BLOCK, and the block itself carries the step's state (as Cognito's opaque block does),
// so beginning the step writes nothing. See SealPasswordVerifier.
//
// Challenges added later (SMS_MFA, SOFTWARE_TOKEN_MFA, MFA_SETUP, SELECT_MFA_TYPE,
// DEVICE_SRP_AUTH, CUSTOM_CHALLENGE) keep their own members under `data` and record what the
// user has already proven in `passed`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::users {
class PoolRules;
}  // namespace cognate::domain::users

namespace cognate::domain::auth {

inline constexpr const char* kSessionKind = "auth_session";
// How long an expired session's row is kept to answer "session is expired".
inline constexpr std::int64_t kExpiredSessionGraceMs = 15LL * 60 * 1000;
// The marker of a PASSWORD_VERIFIER block answered without starting its token family.
inline constexpr const char* kSpentBlockKind = "srp_block_spent";

struct AuthSession {
  std::string pool_id;
  std::string client_id;
  // The user's sub; empty for a decoy (an unknown user under PreventUserExistenceErrors).
  std::string sub;
  std::string username;        // the user's username as stored (USERNAME in challenges)
  std::string given_username;  // USERNAME as the caller typed it (alias, e-mail, ...)
  std::string flow;            // the AuthFlow that began the sign-in
  std::string challenge;       // the ChallengeName this handle answers
  bool admin = false;          // begun by AdminInitiateAuth
  std::int64_t expires_ms = 0;
  std::int64_t auth_time_s = 0;     // when the first factor was proven (0 before)
  std::vector<std::string> passed;  // factors proven so far ("PASSWORD", "PASSWORD_VERIFIER", ...)
  nlohmann::json data = nlohmann::json::object();  // challenge-specific state
  // The token family (origin_jti) the sign-in starts when it ends in tokens; "" = a new random
  // one. Preset by a PASSWORD_VERIFIER block, whose one answer the family's row then marks.
  std::string family_id;

  // True when the session belongs to this pool and client and waits for `challenge_name`.
  bool Awaits(std::string_view pool, std::string_view client,
              std::string_view challenge_name) const {
    return pool_id == pool && client_id == client && challenge == challenge_name;
  }

  nlohmann::json ToJson() const;
  // nullopt when `j` is not a session document.
  static std::optional<AuthSession> FromJson(const nlohmann::json& j);
};

// The SRP state of a PASSWORD_VERIFIER step: the client's A, the server's B and its secret b
// (big-endian bytes).
struct SrpStepState {
  std::string A;
  std::string B;
  std::string b;
};

struct OpenedBlock {
  AuthSession session;
  SrpStepState srp;
};

class SessionStore {
 public:
  explicit SessionStore(ServiceContext& ctx) : ctx_(ctx) {}

  // A fresh handle: 96 random bytes in base64url (128 characters, within Cognito's 20..2048).
  static std::string NewHandle();
  // The store key of a handle (hex SHA-256).
  static std::string KeyOf(std::string_view handle);

  // Stores `session` under `handle` until session.expires_ms (plus the grace period).
  Result<void> Put(std::string_view handle, const AuthSession& session);
  // The session without consuming it, to validate an answer before committing to it.
  // NotAuthorizedException "Invalid session for the user." (unknown, used, damaged) or
  // "Invalid session for the user, session is expired.".
  Result<AuthSession> Peek(std::string_view handle);
  // Consumes the session: exactly one caller gets it. Errors as Peek.
  Result<AuthSession> Take(std::string_view handle);

  // A PASSWORD_VERIFIER step's SECRET_BLOCK: the session and its SRP state, CBOR-encoded and
  // sealed with the master key (at most about 1.8 KB of base64 for a 128-character username,
  // the longest DEVICE_KEY and no custom state; within a Session's 2,048 characters, as
  // USER_AUTH and CUSTOM_AUTH clients send it as one). Presets session.family_id when empty. The
  // block is answered once: an answer that starts the family named by session.family_id spends
  // it through that family's row (CreateTokenFamily refuses a second one); any other outcome
  // must call SpendPasswordVerifier.
  std::string SealPasswordVerifier(AuthSession& session, const SrpStepState& srp) const;
  // The block's state if it is ours, unexpired and unspent. NotAuthorizedException "Invalid
  // session for the user." (damaged, foreign, spent) or "..., session is expired.".
  Result<OpenedBlock> OpenPasswordVerifier(std::string_view block);
  // Marks the block of `session` spent until it expires; "Invalid session for the user." when
  // another answer spent it first.
  Result<void> SpendPasswordVerifier(const AuthSession& session);

  // Seals / opens a secret of the step behind `handle`.
  std::string Seal(std::string_view handle, std::string_view plain) const;
  std::optional<std::string> Open(std::string_view handle, std::string_view sealed_b64) const;

 private:
  Result<AuthSession> Decode(const std::string& doc);
  ServiceContext& ctx_;
};

// NotAuthorizedException "Invalid session for the user.".
ApiError InvalidSession();
// NotAuthorizedException "Invalid session for the user, session is expired.".
ApiError ExpiredSession();

// Whether `given` names the session's user: its username or the name the client first sent,
// both normalised by the pool's rules (case sensitivity).
bool SameUser(const users::PoolRules& rules, const AuthSession& s, const std::string& given);

}  // namespace cognate::domain::auth
