#include "api/cognito_idp/register.h"

namespace cognate::api::cognito_idp {

void RegisterAll(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  RegisterPoolOps(registry, ctx);
  RegisterUserOps(registry, ctx);
  auto tokens = std::make_shared<domain::tokens::TokenService>(ctx);
  RegisterSelfServiceOps(registry, ctx, tokens);
}

}  // namespace cognate::api::cognito_idp
