#include "api/cognito_idp/register.h"
namespace cognate::api::cognito_idp {
void RegisterUserOps(HandlerRegistry&, domain::ServiceContext&) {}  // filled in by the user work
}  // namespace cognate::api::cognito_idp
