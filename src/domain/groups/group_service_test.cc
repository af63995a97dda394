#include "domain/groups/group_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::groups {
namespace {

using nlohmann::json;

constexpr char kPool[] = "us-east-1_Groups";

template <class T>
void ExpectError(const Result<T>& r, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), ErrorTypeName(code));
  EXPECT_EQ(r.error().message(), message);
}

class GroupServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.MakePool(kPool); }

  GroupInput Input(const std::string& name) {
    GroupInput g;
    g.pool_id = kPool;
    g.name = name;
    return g;
  }

  void CreateUser(const std::string& username, const std::string& pool = kPool) {
    users::AdminCreateUserInput in;
    in.pool_id = pool;
    in.username = username;
    in.temporary_password = "Passw0rd!";
    in.message_action = "SUPPRESS";
    auto u = users_.AdminCreateUser(in);
    ASSERT_TRUE(u) << u.error().message();
  }

  users::testing::TestEnv env_;
  GroupService groups_{env_.ctx};
  users::UserService users_{env_.ctx};
};

TEST_F(GroupServiceTest, CreateGetUpdateDelete) {
  GroupInput in = Input("admins");
  in.description = "Administrators";
  in.role_arn = "arn:aws:iam::000000000000:role/admin";
  in.precedence = 1;
  auto created = groups_.CreateGroup(in);
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(created->name, "admins");
  EXPECT_EQ(created->pool_id, kPool);
  EXPECT_EQ(created->created_ms, env_.clock.NowMillis());

  auto got = groups_.GetGroup(kPool, "admins");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->description, "Administrators");
  EXPECT_EQ(got->role_arn, "arn:aws:iam::000000000000:role/admin");
  EXPECT_EQ(got->precedence, 1);

  env_.clock.AdvanceMillis(1000);
  GroupInput upd = Input("admins");
  upd.precedence = 5;
  auto updated = groups_.UpdateGroup(upd);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->precedence, 5);
  EXPECT_EQ(updated->description, "Administrators");  // untouched
  EXPECT_EQ(updated->modified_ms, updated->created_ms + 1000);
  EXPECT_EQ(groups_.GetGroup(kPool, "admins")->precedence, 5);

  ASSERT_TRUE(groups_.DeleteGroup(kPool, "admins"));
  ExpectError(groups_.GetGroup(kPool, "admins"), ErrorCode::kResourceNotFound, "Group not found.");
}

TEST_F(GroupServiceTest, Errors) {
  ASSERT_TRUE(groups_.CreateGroup(Input("team")));
  ExpectError(groups_.CreateGroup(Input("team")), ErrorCode::kGroupExists,
              "A group with the name team already exists.");
  ASSERT_TRUE(groups_.CreateGroup(Input("Team")));  // names are case-sensitive
  ExpectError(groups_.GetGroup(kPool, "nope"), ErrorCode::kResourceNotFound, "Group not found.");
  ExpectError(groups_.UpdateGroup(Input("nope")), ErrorCode::kResourceNotFound, "Group not found.");
  ExpectError(groups_.DeleteGroup(kPool, "nope"), ErrorCode::kResourceNotFound, "Group not found.");
  GroupInput other = Input("x");
  other.pool_id = "us-east-1_Nope";
  ExpectError(groups_.CreateGroup(other), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Nope does not exist.");
  ExpectError(groups_.GetGroup("us-east-1_Nope", "x"), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Nope does not exist.");
  ExpectError(groups_.ListGroups("us-east-1_Nope", 0, ""), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Nope does not exist.");
  ExpectError(groups_.ListGroups(kPool, 0, "bogus"), ErrorCode::kInvalidParameter,
              "Invalid pagination token.");
  auto r = groups_.ListGroups(kPool, 61, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(GroupServiceTest, ListGroupsPages) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(groups_.CreateGroup(Input("g" + std::to_string(i))));
  std::vector<std::string> names;
  std::string token;
  do {
    auto page = groups_.ListGroups(kPool, 2, token);
    ASSERT_TRUE(page) << page.error().message();
    EXPECT_LE(page->groups.size(), 2u);
    for (const auto& g : page->groups) names.push_back(g.name);
    token = page->next_token;
  } while (!token.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"g0", "g1", "g2", "g3", "g4"}));
}

TEST_F(GroupServiceTest, Membership) {
  ASSERT_TRUE(groups_.CreateGroup(Input("a")));
  ASSERT_TRUE(groups_.CreateGroup(Input("b")));
  CreateUser("ann");
  CreateUser("ben");

  ASSERT_TRUE(groups_.AdminAddUserToGroup(kPool, "ann", "a"));
  ASSERT_TRUE(groups_.AdminAddUserToGroup(kPool, "ann", "a"));  // idempotent
  ASSERT_TRUE(groups_.AdminAddUserToGroup(kPool, "ann", "b"));
  ASSERT_TRUE(groups_.AdminAddUserToGroup(kPool, "ben", "a"));

  auto of_ann = groups_.AdminListGroupsForUser(kPool, "ann", 0, "");
  ASSERT_TRUE(of_ann);
  ASSERT_EQ(of_ann->groups.size(), 2u);
  EXPECT_EQ(of_ann->groups[0].name, "a");

  auto in_a = groups_.ListUsersInGroup(kPool, "a", 1, "");
  ASSERT_TRUE(in_a);
  ASSERT_EQ(in_a->users.size(), 1u);
  ASSERT_FALSE(in_a->next_token.empty());
  auto in_a2 = groups_.ListUsersInGroup(kPool, "a", 1, in_a->next_token);
  ASSERT_TRUE(in_a2) << in_a2.error().message();
  ASSERT_EQ(in_a2->users.size(), 1u);
  EXPECT_NE(in_a2->users[0].username, in_a->users[0].username);

  ASSERT_TRUE(groups_.AdminRemoveUserFromGroup(kPool, "ann", "a"));
  ASSERT_TRUE(groups_.AdminRemoveUserFromGroup(kPool, "ann", "a"));  // idempotent
  EXPECT_EQ(groups_.AdminListGroupsForUser(kPool, "ann", 0, "")->groups.size(), 1u);

  // Deleting a group or a user drops memberships.
  ASSERT_TRUE(groups_.DeleteGroup(kPool, "b"));
  EXPECT_TRUE(groups_.AdminListGroupsForUser(kPool, "ann", 0, "")->groups.empty());
  ASSERT_TRUE(users_.AdminDeleteUser(kPool, "ben"));
  EXPECT_TRUE(groups_.ListUsersInGroup(kPool, "a", 0, "")->users.empty());
}

TEST_F(GroupServiceTest, MembershipErrors) {
  ASSERT_TRUE(groups_.CreateGroup(Input("a")));
  CreateUser("cat");
  ExpectError(groups_.AdminAddUserToGroup(kPool, "ghost", "a"), ErrorCode::kUserNotFound,
              "User does not exist.");
  ExpectError(groups_.AdminAddUserToGroup(kPool, "cat", "zzz"), ErrorCode::kResourceNotFound,
              "Group not found.");
  ExpectError(groups_.AdminRemoveUserFromGroup(kPool, "ghost", "a"), ErrorCode::kUserNotFound,
              "User does not exist.");
  ExpectError(groups_.AdminRemoveUserFromGroup(kPool, "cat", "zzz"), ErrorCode::kResourceNotFound,
              "Group not found.");
  ExpectError(groups_.AdminListGroupsForUser(kPool, "ghost", 0, ""), ErrorCode::kUserNotFound,
              "User does not exist.");
  ExpectError(groups_.ListUsersInGroup(kPool, "zzz", 0, ""), ErrorCode::kResourceNotFound,
              "Group not found.");
  ExpectError(groups_.AdminAddUserToGroup("us-east-1_None", "cat", "a"),
              ErrorCode::kResourceNotFound, "User pool us-east-1_None does not exist.");
  ExpectError(groups_.ListUsersInGroup("us-east-1_None", "a", 0, ""), ErrorCode::kResourceNotFound,
              "User pool us-east-1_None does not exist.");
}

TEST_F(GroupServiceTest, MembersFoundByAlias) {
  env_.MakePool("us-east-1_Em", json::parse(R"({"UsernameAttributes": ["email"]})"));
  CreateUser("dora@example.com", "us-east-1_Em");
  GroupInput g = Input("a");
  g.pool_id = "us-east-1_Em";
  ASSERT_TRUE(groups_.CreateGroup(g));
  ASSERT_TRUE(groups_.AdminAddUserToGroup("us-east-1_Em", "dora@example.com", "a"));
  EXPECT_EQ(
      groups_.AdminListGroupsForUser("us-east-1_Em", "dora@example.com", 0, "")->groups.size(), 1u);
}

}  // namespace
}  // namespace cognate::domain::groups
