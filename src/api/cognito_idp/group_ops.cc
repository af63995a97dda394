// Group handlers: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
// AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

#include <memory>

#include "api/cognito_idp/user_json.h"
#include "api/cognito_idp/user_ops.h"
#include "domain/groups/group_service.h"

namespace cognate::api::cognito_idp {
namespace {

using domain::groups::GroupService;
using nlohmann::json;

Result<domain::groups::GroupInput> ReadGroupInput(const json& in) {
  domain::groups::GroupInput g;
  COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
  COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "GroupName"));
  COGNATE_ASSIGN_OR_RETURN(description, OptionalString(in, "Description"));
  COGNATE_ASSIGN_OR_RETURN(role_arn, OptionalString(in, "RoleArn"));
  COGNATE_ASSIGN_OR_RETURN(precedence, OptionalInt(in, "Precedence"));
  if (precedence && *precedence < 0) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value '" + std::to_string(*precedence) +
        "' at 'precedence' failed to satisfy constraint: Member must have value greater than or "
        "equal to 0");
  }
  g.pool_id = pool_id;
  g.name = name;
  g.description = description;
  g.role_arn = role_arn;
  g.precedence = precedence;
  return g;
}

struct Paging {
  int limit = 0;
  std::string token;
};

Result<Paging> ReadPaging(const json& in) {
  Paging p;
  COGNATE_ASSIGN_OR_RETURN(limit, OptionalInt(in, "Limit"));
  if (limit && (*limit < 0 || *limit > 60)) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value '" + std::to_string(*limit) +
        "' at 'limit' failed to satisfy constraint: Member must have value " +
        (*limit < 0 ? "greater than or equal to 0" : "less than or equal to 60"));
  }
  p.limit = static_cast<int>(limit.value_or(0));
  COGNATE_ASSIGN_OR_RETURN(token, OptionalString(in, "NextToken"));
  p.token = token.value_or("");
  return p;
}

json GroupsPage(const domain::groups::GroupPage& page) {
  json list = json::array();
  for (const auto& g : page.groups) list.push_back(GroupTypeJson(g));
  json out = {{"Groups", std::move(list)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

}  // namespace

void RegisterGroupOps(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  auto groups = std::make_shared<GroupService>(ctx);

  registry.Register("CreateGroup", [groups](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(input, ReadGroupInput(in));
    COGNATE_ASSIGN_OR_RETURN(group, groups->CreateGroup(input));
    return json{{"Group", GroupTypeJson(group)}};
  });

  registry.Register("GetGroup", [groups](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "GroupName"));
    COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
    COGNATE_ASSIGN_OR_RETURN(group, groups->GetGroup(pool_id, name));
    return json{{"Group", GroupTypeJson(group)}};
  });

  registry.Register("UpdateGroup", [groups](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(input, ReadGroupInput(in));
    COGNATE_ASSIGN_OR_RETURN(group, groups->UpdateGroup(input));
    return json{{"Group", GroupTypeJson(group)}};
  });

  registry.Register("DeleteGroup", [groups](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "GroupName"));
    COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
    if (auto r = groups->DeleteGroup(pool_id, name); !r) return r.error();
    return json::object();
  });

  registry.Register("ListGroups", [groups](const json& in, const CallContext&) -> Result<json> {
    COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
    COGNATE_ASSIGN_OR_RETURN(paging, ReadPaging(in));
    COGNATE_ASSIGN_OR_RETURN(page, groups->ListGroups(pool_id, paging.limit, paging.token));
    return GroupsPage(page);
  });

  registry.Register("AdminAddUserToGroup",
                    [groups](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "GroupName"));
                      if (auto r = groups->AdminAddUserToGroup(pool_id, username, name); !r) {
                        return r.error();
                      }
                      return json::object();
                    });

  registry.Register("AdminRemoveUserFromGroup",
                    [groups](const json& in, const CallContext&) -> Result<json> {
                      COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
                      COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
                      COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "GroupName"));
                      if (auto r = groups->AdminRemoveUserFromGroup(pool_id, username, name); !r) {
                        return r.error();
                      }
                      return json::object();
                    });

  registry.Register(
      "AdminListGroupsForUser", [groups](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(username, RequiredString(in, "Username"));
        COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
        COGNATE_ASSIGN_OR_RETURN(paging, ReadPaging(in));
        COGNATE_ASSIGN_OR_RETURN(
            page, groups->AdminListGroupsForUser(pool_id, username, paging.limit, paging.token));
        return GroupsPage(page);
      });

  registry.Register(
      "ListUsersInGroup", [groups](const json& in, const CallContext&) -> Result<json> {
        COGNATE_ASSIGN_OR_RETURN(pool_id, RequiredString(in, "UserPoolId"));
        COGNATE_ASSIGN_OR_RETURN(name, RequiredString(in, "GroupName"));
        COGNATE_ASSIGN_OR_RETURN(paging, ReadPaging(in));
        COGNATE_ASSIGN_OR_RETURN(
            page, groups->ListUsersInGroup(pool_id, name, paging.limit, paging.token));
        json list = json::array();
        for (const auto& u : page.users) list.push_back(UserTypeJson(u));
        json out = {{"Users", std::move(list)}};
        if (!page.next_token.empty()) out["NextToken"] = page.next_token;
        return out;
      });
}

}  // namespace cognate::api::cognito_idp
