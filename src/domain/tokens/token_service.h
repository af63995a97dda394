#pragma once
// Cognito's tokens for one user pool: RS256 ID and access tokens with Cognito's claims, opaque
// refresh tokens grouped in token families (one per sign-in), the pool's signing keys (created on
// first use, sealed at rest, rotated by command), and the checks every token-authorized
// operation makes. State lives in the store (KeyStore, TokenStore), so revocation holds on every
// node. Thread-safe: one instance serves all requests; parsed keys are cached per pool.
//
// Token shapes (as Cognito issues them):
//   ID token:     sub, [email_verified, email, phone_number(_verified), other readable
//                 attributes], cognito:username, cognito:groups (when any), iss, aud, origin_jti,
//                 event_id, token_use "id", auth_time, exp, iat, jti
//   access token: sub, cognito:groups (when any), [device_key], iss, client_id, origin_jti,
//                 event_id, token_use "access", scope, auth_time, exp, iat, jti, username
//   refresh token: opaque; sealed (SecretBox) {family id, random}; stored only as SHA-256.
// iss = "<public_url>/<pool id>". Validity from the app client (AccessTokenValidity,
// IdTokenValidity, RefreshTokenValidity with TokenValidityUnits; defaults 60 min / 60 min /
// 30 days).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"
#include "domain/tokens/pre_token.h"

namespace cognate::domain::users {
class PoolRules;
}  // namespace cognate::domain::users

namespace cognate::domain::tokens {

// The scope Cognito puts in access tokens from the user-pool API sign-in flows.
inline constexpr std::string_view kAdminScope = "aws.cognito.signin.user.admin";

// What a completed sign-in established, for a new token family.
struct SignInGrant {
  std::string pool_id;
  std::string client_id;
  std::string sub;               // the user; attributes and groups are read from the store
  std::int64_t auth_time_s = 0;  // when the user authenticated (now for a sign-in)
  // The family's id (origin_jti) when the sign-in names it (a PASSWORD_VERIFIER block does, so
  // its family's row marks it answered); "" = a new random one.
  std::string family_id;
  std::string device_key;           // remembered device, if any (issue 4)
  std::vector<std::string> scopes;  // empty: {kAdminScope}
  // Whether to issue a refresh token (false for e.g. OAuth implicit flows).
  bool issue_refresh_token = true;
  // PreTokenGeneration: the event's triggerSource and request.clientMetadata.
  TokenSource source = TokenSource::kAuthentication;
  nlohmann::json client_metadata = nlohmann::json::object();
  // OAuth 2.0 sign-ins (/oauth2/authorize, code or implicit): the family remembers it, so this
  // sign-in and every refresh of it issue an ID token only when `scopes` hold "openid", and the
  // ID token carries at_hash (OIDC Core 3.1.3.6) and, when given, the authorize request's nonce.
  bool oauth = false;
  std::string nonce;
  // The pool's rules when the caller has just loaded them in this request (spares the pool's
  // read and their copy); else, or when they are another pool's, they are loaded.
  const users::PoolRules* rules = nullptr;
};

// A client_credentials grant (/oauth2/token) or GetClientToken: an access token for the client
// itself (sub = client id), no ID or refresh token, no family (it cannot be revoked).
struct ClientCredentialsGrant {
  std::string pool_id;
  std::string client_id;
  std::vector<std::string> scopes;  // already checked against the client's AllowedOAuthScopes
  nlohmann::json client_metadata = nlohmann::json::object();
  // The client's row when the caller has just read it (spares a read); else it is loaded.
  const store::ClientRow* client = nullptr;
};

struct IssuedTokens {
  std::string id_token;  // empty for OAuth families without the openid scope
  std::string access_token;
  std::string refresh_token;      // empty when not issued (refresh without rotation)
  std::int64_t expires_in_s = 0;  // of the access token
  std::string token_type = "Bearer";
  std::string family_id;   // origin_jti
  std::string sub;         // the user the tokens are for
  std::string device_key;  // the device the family is bound to, or ""
};

struct RefreshInput {
  std::string pool_id;    // when known (AdminInitiateAuth); "" = taken from the client
  std::string client_id;  // must be the client the token was issued to
  std::string refresh_token;
  // From AuthParameters DEVICE_KEY, if given. A family bound to a device refreshes only with
  // that device's key (NotAuthorizedException "Invalid Refresh Token" otherwise).
  std::string device_key;
  // GetTokensFromRefreshToken: rotate when the client's RefreshTokenRotation is ENABLED.
  bool allow_rotation = false;
  // PreTokenGeneration (TokenGeneration_RefreshTokens): request.clientMetadata.
  nlohmann::json client_metadata = nlohmann::json::object();
};

// The claims of a verified, live access token.
struct AccessTokenClaims {
  std::string pool_id;
  std::string client_id;
  std::string sub;
  std::string username;
  std::string family_id;  // origin_jti
  std::string jti;
  std::vector<std::string> scopes;
  std::string device_key;
  std::int64_t auth_time_s = 0;
  std::int64_t exp_s = 0;
  nlohmann::json claims;  // everything, as signed
};

class TokenService {
 public:
  explicit TokenService(ServiceContext& ctx);
  ~TokenService();
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  // Starts a token family and issues ID, access and (unless disabled) refresh tokens for the
  // user, reading its current attributes and groups. Creates the pool's first signing key when
  // it has none. The pool's PreTokenGeneration function (pre_token.h) sees and may change the
  // claims first; its failures fail the issue (nothing is recorded). Errors:
  // ResourceNotFoundException for a missing pool/client, UserNotFoundException "User does not
  // exist." when the sub is gone, NotAuthorizedException "Invalid session for the user." when
  // grant.family_id names a family that exists (the sign-in was completed before).
  Result<IssuedTokens> IssueForSignIn(const SignInGrant& grant);

  // client_credentials: an access token {sub: client id, token_use "access", scope, auth_time,
  // iss, exp, iat, version 2, jti, client_id}, valid for the client's AccessTokenValidity, after
  // the pool's PreTokenGeneration V3_0 function (TokenGeneration_ClientCredentials). Only
  // access_token and expires_in are set. ResourceNotFoundException for a missing pool/client.
  Result<IssuedTokens> IssueClientCredentials(const ClientCredentialsGrant& grant);

  // The scopes a live refresh token's family was granted (for /oauth2/token's scope check).
  // NotAuthorizedException "Invalid Refresh Token" when it is not a live token of `client_id`.
  Result<std::vector<std::string>> RefreshTokenScopes(const std::string& client_id,
                                                      std::string_view refresh_token);

  // REFRESH_TOKEN_AUTH / REFRESH_TOKEN / GetTokensFromRefreshToken: new ID and access tokens
  // in the same family, with the user's current attributes and groups, through the pool's
  // PreTokenGeneration function (TokenGeneration_RefreshTokens) like a sign-in. With rotation, also
  // a new refresh token; the old one keeps working for the client's RetryGracePeriodSeconds, and a
  // rotated-out token presented after that revokes the whole family (reuse detection).
  // NotAuthorizedException: "Invalid Refresh Token" (malformed, unknown, another client or pool),
  // "Refresh Token has expired", "Refresh Token has been revoked", "User is disabled.",
  // "User does not exist." (per PreventUserExistenceErrors the caller may rewrite it).
  Result<IssuedTokens> Refresh(const RefreshInput& input);

  // The check at the door of every token-authorized operation: an RS256 access token signed by
  // one of its pool's keys, token_use "access", not expired, its family not revoked.
  // NotAuthorizedException: "Invalid Access Token" (malformed, bad signature, unknown kid, wrong
  // token_use or issuer), "Access Token has expired", "Access Token has been revoked".
  // `required_scope` (default the admin scope) must be among the token's scopes.
  Result<AccessTokenClaims> VerifyAccessToken(std::string_view token,
                                              std::string_view required_scope = kAdminScope);

  // RevokeToken: revokes the family of `refresh_token` (its refresh and every access token).
  // The caller checks the client and its secret first. UnsupportedTokenTypeException when the
  // token is not a refresh token; UnauthorizedException "Invalid Refresh Token" when it is not
  // this client's; revoking twice succeeds.
  Result<void> RevokeRefreshToken(const std::string& client_id, std::string_view refresh_token);

  // GlobalSignOut / AdminUserGlobalSignOut: revokes every family of the user.
  Result<void> RevokeAllForUser(const std::string& pool_id, const std::string& sub);

  // {"keys":[...]} for /<pool>/.well-known/jwks.json: every key not yet deleted.
  // ResourceNotFoundException when the pool does not exist.
  Result<std::string> JwksJson(const std::string& pool_id);
  // The OIDC discovery document for /<pool>/.well-known/openid-configuration.
  Result<nlohmann::json> OpenIdConfiguration(const std::string& pool_id);
  // Adds a new signing key that signs from now on; the previous keys are retired but stay in the
  // JWKS (they verify tokens already issued) until `DeleteRetiredKeys`. Returns the new kid.
  Result<std::string> RotateSigningKey(const std::string& pool_id);
  // Deletes keys retired more than `older_than_s` seconds ago; returns how many.
  Result<int> DeleteRetiredKeys(const std::string& pool_id, std::int64_t older_than_s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cognate::domain::tokens
