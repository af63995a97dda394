#pragma once
// The hosted-UI sign-in session (Cognito's `cognito` cookie): after a person signs in on the
// hosted pages, /oauth2/authorize lets them through again without a password until it expires
// (1 hour, as Cognito) or /logout ends it. One session belongs to one pool.
//
// The cookie value is a random handle (32 bytes, base64url); the store keeps the session under
// EphemeralRow kind "hosted_session", key = hex SHA-256 of the handle, so a database dump yields
// no usable cookie. Shared by every node.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::oauth {

inline constexpr const char* kHostedSessionKind = "hosted_session";
inline constexpr const char* kHostedSessionCookie = "cognito";
inline constexpr std::int64_t kHostedSessionSeconds = 3600;

// Who signed in on the hosted pages, and when.
struct HostedUser {
  std::string pool_id;
  std::string sub;
  std::string username;          // as stored
  std::int64_t auth_time_s = 0;  // when the person proved who they are (tokens' auth_time)
};

// The proof that a browser signed a user up on the hosted pages (cookie `cognito-signup`): when
// the same browser then confirms the account, the pages sign the user in (Cognito's hosted UI
// does). A random handle as for sessions (EphemeralRow kind "hosted_signup", key = hex SHA-256
// of the handle), naming the pool, the app client, the user's sub and the username as typed;
// it lives 30 minutes and is used once.
inline constexpr const char* kSignUpProofKind = "hosted_signup";
inline constexpr const char* kSignUpProofCookie = "cognito-signup";
inline constexpr std::int64_t kSignUpProofSeconds = 1800;

struct SignUpProof {
  std::string pool_id;
  std::string client_id;
  std::string sub;
  std::string username;  // as typed on the sign-up page
};

class HostedSessions {
 public:
  explicit HostedSessions(ServiceContext& ctx) : ctx_(ctx) {}

  // Starts a session for `user`; returns the cookie value (the handle).
  Result<std::string> Create(const HostedUser& user);
  // The live session named by `handle` in `pool_id`, or nullopt (unknown, expired, ended, another
  // pool, or a malformed handle). Never an error for a bad cookie.
  std::optional<HostedUser> Find(const std::string& pool_id, std::string_view handle);
  // Ends the session (idempotent).
  void End(std::string_view handle);

  // Records a sign-up proof; returns the cookie value (the handle).
  Result<std::string> CreateSignUpProof(const SignUpProof& proof);
  // Uses up the proof named by `handle` when it is live and names exactly `expected`'s pool,
  // client and username: its sub, once (a concurrent second use gets nullopt). nullopt for
  // anything else, which leaves a non-matching proof in place.
  std::optional<std::string> TakeSignUpProof(std::string_view handle, const SignUpProof& expected);

 private:
  ServiceContext& ctx_;
};

}  // namespace cognate::domain::oauth
