#pragma once
// The group handlers, registered by RegisterUserOps (register.h) next to the user handlers.

#include "api/dispatcher.h"
#include "domain/service_context.h"

namespace cognate::api::cognito_idp {

// CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.
void RegisterGroupOps(HandlerRegistry& registry, domain::ServiceContext& ctx);

}  // namespace cognate::api::cognito_idp

// Unwraps a Result into `var` or returns its error from the enclosing handler.
#define COGNATE_ASSIGN_OR_RETURN(var, expr)       \
  auto var##_result = (expr);                     \
  if (!var##_result) return var##_result.error(); \
  auto& var = *var##_result
