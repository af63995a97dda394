#pragma once
// OAuth 2.0 / OpenID Connect for a user pool, as Cognito's authorization server does it:
// /oauth2/authorize (authorization code with PKCE, implicit), /oauth2/token (authorization_code,
// refresh_token, client_credentials), /oauth2/userInfo, /oauth2/revoke and /logout. The HTTP
// shapes live in api/oauth2/; the rules live here. The hosted pages (api/hosted_ui/) use
// ParseAuthorize to validate the request they carry and CompleteAuthorize once the person has
// signed in.
//
// The app client's CallbackURLs, LogoutURLs, DefaultRedirectURI, AllowedOAuthFlows,
// AllowedOAuthScopes and AllowedOAuthFlowsUserPoolClient are enforced exactly: a redirect_uri
// must equal one of the CallbackURLs byte for byte (no prefix, query or trailing-slash leeway),
// and a request with a bad client or redirect URI is never redirected anywhere.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/oauth/hosted_session.h"
#include "domain/service_context.h"
#include "domain/tokens/token_service.h"

namespace cognate::domain::oauth {

using Params = std::map<std::string, std::string, std::less<>>;

// A valid /oauth2/authorize request (the hosted pages carry it along in their query string).
struct AuthorizeRequest {
  std::string pool_id;
  std::string client_id;
  std::string redirect_uri;
  std::string response_type;        // "code" or "token"
  std::vector<std::string> scopes;  // granted: the requested ones (all allowed when none asked)
  std::string state;
  std::string nonce;
  std::string code_challenge;
  std::string code_challenge_method;  // "S256" or "plain" (with a challenge)
  std::string identity_provider;
  std::string idp_identifier;
  std::string prompt;  // "", "login", "none", ...
  std::string login_hint;
  std::string lang;
  // The client's SupportedIdentityProviders include COGNITO: the pool's own users may sign in
  // (the password form, a hosted session). Not a parameter: ParseAuthorize reads it from the
  // client every time.
  bool cognito_allowed = true;

  // The request as query parameters, in a stable order, for /login?<...> and its forms.
  std::vector<std::pair<std::string, std::string>> ToParams() const;
};

// Why an authorize request cannot go on, and where to say so.
struct AuthorizeFailure {
  // True when the client and redirect URI are valid: the browser goes back to `redirect_uri` with
  // error, error_description and state. False: an error page, never a redirect.
  bool redirect = false;
  std::string redirect_uri;
  std::string state;
  std::string error;  // "invalid_request", "unauthorized_client", "invalid_scope", ...
  std::string description;
};

// An error answer of /oauth2/token, /oauth2/userInfo or /oauth2/revoke: HTTP status and the
// RFC 6749 / 6750 error code ("invalid_request", "invalid_client" (401), "invalid_grant",
// "unauthorized_client", "unsupported_grant_type", "invalid_scope", "invalid_token" (401),
// "insufficient_scope" (403), "unsupported_token_type", "server_error" (500)).
struct OAuthFailure {
  int status = 400;
  std::string error;
  std::string description;
};

template <class T>
using OAuthResult = std::variant<T, OAuthFailure>;

// HTTP Basic credentials (client id, secret), when the request had them
// (api::web::BasicCredentials).
using BasicAuth = std::optional<std::pair<std::string, std::string>>;

// Where /logout sends the browser.
struct LogoutOutcome {
  std::string location;  // the logout_uri, or /login?<authorize parameters>
  bool end_session = true;
};

// What Cognito's hosted pages say when the identity provider asked for (COGNITO, the pool's own
// users) is not one of the client's SupportedIdentityProviders.
inline constexpr std::string_view kNoLoginOption =
    "Login option is not available. Please try another one";

// How long an authorization code lives, and the ephemeral kinds that hold codes and used codes.
inline constexpr std::int64_t kAuthorizationCodeSeconds = 300;
inline constexpr const char* kAuthorizationCodeKind = "oauth_code";
inline constexpr const char* kUsedCodeKind = "oauth_code_used";

class OAuthService {
 public:
  OAuthService(ServiceContext& ctx, std::shared_ptr<tokens::TokenService> tokens);
  ~OAuthService();
  OAuthService(const OAuthService&) = delete;
  OAuthService& operator=(const OAuthService&) = delete;

  // Validates /oauth2/authorize (or /login) parameters against the app client. `host_pool_id` is
  // the pool whose domain the request arrived on ("" on the main host: the pool comes from the
  // client); a client of another pool is refused.
  std::variant<AuthorizeRequest, AuthorizeFailure> ParseAuthorize(const Params& params,
                                                                  std::string_view host_pool_id);

  // The URL the browser goes to once `user` is signed in: the redirect URI with `code` and
  // `state` (response_type=code; the code is single-use, lives 5 minutes and is bound to the
  // client, the redirect URI, the PKCE challenge, the nonce and the scopes), or with the tokens in
  // the fragment (response_type=token). Errors: NotAuthorizedException "Login option is not
  // available. Please try another one" when the client does not support COGNITO (the user is one
  // of the pool's own); the token service's, when tokens are issued now.
  Result<std::string> CompleteAuthorize(const AuthorizeRequest& request, const HostedUser& user);

  // POST /oauth2/token with its form body: grant_type authorization_code (code, redirect_uri,
  // code_verifier), refresh_token (refresh_token, scope: no wider than granted) or
  // client_credentials (scope: custom scopes of the client). The client authenticates by Basic or
  // by client_id + client_secret in the body (a public client by client_id alone). The answer is
  // the token response JSON. A code is used once: presenting it again revokes the tokens it gave.
  // A code of another client, with another redirect URI or a wrong verifier is invalid_grant,
  // the same answer as an unknown code.
  OAuthResult<nlohmann::json> Token(const Params& form, const BasicAuth& basic,
                                    std::string_view host_pool_id);

  // GET|POST /oauth2/userInfo with a Bearer access token holding openid (or the admin scope):
  // sub, username and the readable attributes the token's scopes open (email: email,
  // email_verified; phone: phone_number, phone_number_verified; profile: the others; the admin
  // scope: all). Values are strings, as Cognito answers.
  OAuthResult<nlohmann::json> UserInfo(std::string_view access_token);

  // POST /oauth2/revoke (token, client authentication as for Token): revokes the refresh token's
  // family. nullopt on success.
  std::optional<OAuthFailure> Revoke(const Params& form, const BasicAuth& basic,
                                     std::string_view host_pool_id);

  // GET /logout: client_id + logout_uri (exactly one of the client's LogoutURLs), or client_id +
  // redirect_uri + response_type (+ the other authorize parameters; a valid authorize request) to
  // go back to the login page. A failure is shown as an error page, never redirected.
  std::variant<LogoutOutcome, AuthorizeFailure> Logout(const Params& params,
                                                       std::string_view host_pool_id);

  HostedSessions& sessions() { return sessions_; }
  tokens::TokenService& token_service() { return *tokens_; }

 private:
  struct AuthedClient;
  // Client authentication of the token and revocation endpoints.
  OAuthResult<AuthedClient> Authenticate(const Params& form, const BasicAuth& basic,
                                         std::string_view host_pool_id);

  ServiceContext& ctx_;
  std::shared_ptr<tokens::TokenService> tokens_;
  HostedSessions sessions_;
};

}  // namespace cognate::domain::oauth
