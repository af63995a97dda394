#pragma once
// The hosted sign-in pages (Cognito's hosted UI), server-rendered from the templates in web/:
// /login, /signup, /confirm, /forgotPassword, /confirmForgotPassword, the challenge pages (new
// password, MFA, TOTP setup with a QR code, factor selection) and their static assets. Each page
// carries the authorize request it serves (domain::oauth::AuthorizeRequest::ToParams) in its query
// string; a completed sign-in starts the hosted session (cookie `cognito`) and ends with
// OAuthService::CompleteAuthorize's redirect. Every form has a CSRF token; every page the strict
// CSP of api/web.h.

#include <memory>

#include "api/api_types.h"
#include "api/router.h"
#include "domain/oauth/oauth_service.h"
#include "domain/service_context.h"
#include "domain/tokens/token_service.h"

namespace cognate::api::hosted_ui {

class HostedUiHandler final : public RequestHandler {
 public:
  HostedUiHandler(domain::ServiceContext& ctx, std::shared_ptr<domain::tokens::TokenService> tokens,
                  domain::oauth::OAuthService& oauth);
  ~HostedUiHandler() override;
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Registers the pages' paths on the router.
void RegisterRoutes(Router& router, HostedUiHandler& handler);

}  // namespace cognate::api::hosted_ui
