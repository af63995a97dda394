#include "api/cognito_idp/register.h"

namespace cognate::api::cognito_idp {

std::shared_ptr<domain::tokens::TokenService> RegisterAll(HandlerRegistry& registry,
                                                          domain::ServiceContext& ctx) {
  auto tokens = std::make_shared<domain::tokens::TokenService>(ctx);
  RegisterPoolOps(registry, ctx);
  RegisterUserOps(registry, ctx);
  RegisterResourceServerOps(registry, ctx);
  RegisterDomainOps(registry, ctx);
  RegisterBrandingOps(registry, ctx);
  RegisterTokenOps(registry, ctx, tokens);
  RegisterAuthOps(registry, ctx, tokens);
  RegisterSelfServiceOps(registry, ctx, tokens);
  RegisterDeviceOps(registry, ctx, tokens);
  RegisterMfaOps(registry, ctx, tokens);
  RegisterAuthFactorOps(registry, ctx, tokens);
  return tokens;
}

}  // namespace cognate::api::cognito_idp
