#pragma once
// The OAuth 2.0 endpoints of Cognito's authorization server, on the main host (the pool found
// from client_id) and on every pool domain (the pool found from Host):
//   GET  /oauth2/authorize   code / token response types, PKCE, state, nonce, scope, prompt ...
//   POST /oauth2/token       authorization_code, refresh_token, client_credentials
//   GET|POST /oauth2/userInfo
//   POST /oauth2/revoke
//   GET  /logout             logout_uri, or back to /login with the authorize parameters
// Thin: decode the request (api/web.h), call domain::oauth::OAuthService, encode the answer.

#include "api/api_types.h"
#include "api/router.h"
#include "domain/oauth/oauth_service.h"
#include "domain/service_context.h"

namespace cognate::api::oauth2 {

class OAuthHandler final : public RequestHandler {
 public:
  OAuthHandler(domain::ServiceContext& ctx, domain::oauth::OAuthService& oauth)
      : ctx_(ctx), oauth_(oauth) {}
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  domain::ServiceContext& ctx_;
  domain::oauth::OAuthService& oauth_;
};

// Registers the handler's paths on the router.
void RegisterRoutes(Router& router, OAuthHandler& handler);

}  // namespace cognate::api::oauth2
