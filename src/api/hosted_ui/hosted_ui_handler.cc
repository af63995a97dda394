// Placeholder for the contract; the pages work replaces it.
#include "api/hosted_ui/hosted_ui_handler.h"

#include "api/web.h"

namespace cognate::api::hosted_ui {

struct HostedUiHandler::Impl {};

HostedUiHandler::HostedUiHandler(domain::ServiceContext& /*ctx*/,
                                 std::shared_ptr<domain::tokens::TokenService> /*tokens*/,
                                 domain::oauth::OAuthService& /*oauth*/)
    : impl_(std::make_unique<Impl>()) {}

HostedUiHandler::~HostedUiHandler() = default;

ApiResponse HostedUiHandler::Handle(const ApiRequest& /*request*/) {
  return web::Html(404, "<!doctype html><title>Not found</title><p>Not implemented yet.</p>");
}

void RegisterRoutes(Router& router, HostedUiHandler& handler) {
  router.AddPrefix("/login", handler);
}

}  // namespace cognate::api::hosted_ui
