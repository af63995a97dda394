#pragma once
// The per-pool OpenID documents Cognito serves under its issuer:
//   GET /{poolId}/.well-known/jwks.json            the pool's public signing keys
//   GET /{poolId}/.well-known/openid-configuration  the OIDC discovery document
// An unknown pool is a 404 (awsJson error body, ResourceNotFoundException). Register it on the
// router for both suffixes (Router::AddSuffix).

#include <memory>
#include <string_view>

#include "api/api_types.h"
#include "domain/tokens/token_service.h"

namespace cognate::api {

inline constexpr std::string_view kJwksSuffix = "/.well-known/jwks.json";
inline constexpr std::string_view kOpenIdConfigurationSuffix = "/.well-known/openid-configuration";

class WellKnownHandler final : public RequestHandler {
 public:
  explicit WellKnownHandler(std::shared_ptr<domain::tokens::TokenService> tokens)
      : tokens_(std::move(tokens)) {}
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  std::shared_ptr<domain::tokens::TokenService> tokens_;
};

}  // namespace cognate::api
