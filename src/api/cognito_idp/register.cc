#include "api/cognito_idp/register.h"

namespace cognate::api::cognito_idp {

void RegisterAll(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  RegisterPoolOps(registry, ctx);
  RegisterUserOps(registry, ctx);
}

}  // namespace cognate::api::cognito_idp
