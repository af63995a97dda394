// Placeholder for the contract; the oauth work replaces it.
#include "api/oauth2/oauth_handler.h"

#include "api/web.h"

namespace cognate::api::oauth2 {

ApiResponse OAuthHandler::Handle(const ApiRequest& /*request*/) {
  return web::OAuthError(400, "invalid_request", "The OAuth endpoints are not implemented yet.");
}

void RegisterRoutes(Router& router, OAuthHandler& handler) {
  router.AddPrefix("/oauth2/", handler);
  router.AddPrefix("/logout", handler);
}

}  // namespace cognate::api::oauth2
