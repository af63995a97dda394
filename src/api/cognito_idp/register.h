#pragma once
// Registration of every implemented cognito-idp operation. Each family file builds its domain
// service from the context and registers thin JSON handlers that capture it.

#include "api/dispatcher.h"
#include "domain/service_context.h"

namespace cognate::api::cognito_idp {

// Every implemented cognito-idp operation (called once by the composition root).
void RegisterAll(HandlerRegistry& registry, domain::ServiceContext& ctx);

// Families (one file each).
void RegisterPoolOps(HandlerRegistry& registry, domain::ServiceContext& ctx);  // pools, clients, tags
void RegisterUserOps(HandlerRegistry& registry, domain::ServiceContext& ctx);  // users, groups

}  // namespace cognate::api::cognito_idp
