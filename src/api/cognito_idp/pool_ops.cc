#include "api/cognito_idp/register.h"
namespace cognate::api::cognito_idp {
void RegisterPoolOps(HandlerRegistry&, domain::ServiceContext&) {}  // filled in by the pool work
}  // namespace cognate::api::cognito_idp
