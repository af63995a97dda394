#pragma once
// User pool groups and memberships with Cognito's behaviour and errors. Every operation first
// loads the pool (ResourceNotFoundException "User pool <id> does not exist."); a missing group
// is ResourceNotFoundException "Group not found."; users are found by username, alias or sub
// (UserNotFoundException "User does not exist.").
//
// The group row's doc is {"Description": "...", "RoleArn": "...", "Precedence": n}, each member
// present only when set.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/service_context.h"
#include "domain/users/user_record.h"

namespace cognate::domain::groups {

struct GroupRecord {
  std::string pool_id;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> role_arn;
  std::optional<std::int64_t> precedence;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t version = 0;
};

// CreateGroup / UpdateGroup input; for UpdateGroup an absent member leaves the value unchanged.
struct GroupInput {
  std::string pool_id;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> role_arn;
  std::optional<std::int64_t> precedence;
};

struct GroupPage {
  std::vector<GroupRecord> groups;
  std::string next_token;  // "" when there are no more
};

struct GroupUserPage {
  std::vector<users::UserRecord> users;
  std::string next_token;
};

class GroupService {
 public:
  explicit GroupService(ServiceContext& ctx) : ctx_(ctx) {}

  // GroupExistsException "A group with the name <name> already exists." when taken.
  Result<GroupRecord> CreateGroup(const GroupInput& input);
  Result<GroupRecord> GetGroup(const std::string& pool_id, const std::string& name);
  Result<GroupRecord> UpdateGroup(const GroupInput& input);
  // Deletes the group and its memberships.
  Result<void> DeleteGroup(const std::string& pool_id, const std::string& name);
  // Groups ordered by name; `limit` 0..60 (0 = 60); `token` from a previous page.
  Result<GroupPage> ListGroups(const std::string& pool_id, int limit, const std::string& token);

  // Idempotent.
  Result<void> AdminAddUserToGroup(const std::string& pool_id, const std::string& username,
                                   const std::string& group);
  // Idempotent (removing a non-member succeeds).
  Result<void> AdminRemoveUserFromGroup(const std::string& pool_id, const std::string& username,
                                        const std::string& group);
  Result<GroupPage> AdminListGroupsForUser(const std::string& pool_id, const std::string& username,
                                           int limit, const std::string& token);
  Result<GroupUserPage> ListUsersInGroup(const std::string& pool_id, const std::string& group,
                                         int limit, const std::string& token);

 private:
  ServiceContext& ctx_;
};

// Decodes a group row (a damaged doc leaves the optional members empty).
GroupRecord FromGroupRow(const store::GroupRow& row);

}  // namespace cognate::domain::groups
