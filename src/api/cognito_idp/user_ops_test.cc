// The 20 user and group handlers through the registry: JSON in, JSON (or ApiError) out.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/test_support.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kUserOpsPool[] = "us-east-1_Api";

class UserOpsTest : public testing::OpsTest {
 protected:
  void SetUp() override {
    env_.MakePool(kUserOpsPool, json::parse(R"({"AliasAttributes": ["email"],
        "SchemaAttributes": [{"Name": "custom:team", "AttributeDataType": "String",
                              "Mutable": true}]})"));
    RegisterUserOps(registry_, env_.ctx);
  }

  json CreateUser(const std::string& username, json attrs = json::array()) {
    return Ok("AdminCreateUser", {{"UserPoolId", kUserOpsPool},
                                  {"Username", username},
                                  {"TemporaryPassword", "Passw0rd!"},
                                  {"MessageAction", "SUPPRESS"},
                                  {"UserAttributes", attrs}});
  }
};

std::string AttributeValue(const json& attrs, const std::string& name) {
  for (const auto& a : attrs) {
    if (a["Name"] == name) return a["Value"];
  }
  return "<absent>";
}

TEST_F(UserOpsTest, RegistersAllTwentyOperations) {
  for (const char* op : {"AdminCreateUser",
                         "AdminGetUser",
                         "AdminDeleteUser",
                         "AdminUpdateUserAttributes",
                         "AdminDeleteUserAttributes",
                         "AdminEnableUser",
                         "AdminDisableUser",
                         "AdminSetUserPassword",
                         "AdminResetUserPassword",
                         "AdminConfirmSignUp",
                         "ListUsers",
                         "CreateGroup",
                         "GetGroup",
                         "UpdateGroup",
                         "DeleteGroup",
                         "ListGroups",
                         "AdminAddUserToGroup",
                         "AdminRemoveUserFromGroup",
                         "AdminListGroupsForUser",
                         "ListUsersInGroup"}) {
    EXPECT_NE(registry_.Find(op), nullptr) << op;
  }
  EXPECT_EQ(registry_.All().size(), 20u);
}

TEST_F(UserOpsTest, AdminCreateUserShape) {
  json out = CreateUser("alice", json::array({{{"Name", "email"}, {"Value", "a@example.com"}}}));
  const json& u = out["User"];
  EXPECT_EQ(u["Username"], "alice");
  EXPECT_EQ(u["UserStatus"], "FORCE_CHANGE_PASSWORD");
  EXPECT_EQ(u["Enabled"], true);
  EXPECT_TRUE(u["UserCreateDate"].is_number());
  EXPECT_TRUE(u["UserLastModifiedDate"].is_number());
  EXPECT_DOUBLE_EQ(u["UserCreateDate"].get<double>(), env_.clock.NowMillis() / 1000.0);
  EXPECT_EQ(u["Attributes"][0]["Name"], "sub");
  EXPECT_EQ(AttributeValue(u["Attributes"], "email"), "a@example.com");
  EXPECT_FALSE(u.contains("MFAOptions"));
}

TEST_F(UserOpsTest, AdminCreateUserErrors) {
  CreateUser("alice");
  ExpectError("AdminCreateUser",
              {{"UserPoolId", kUserOpsPool}, {"Username", "alice"}, {"MessageAction", "SUPPRESS"}},
              ErrorCode::kUsernameExists, "User account already exists");
  ExpectError("AdminCreateUser", {{"UserPoolId", "us-east-1_Zz"}, {"Username", "bob"}},
              ErrorCode::kResourceNotFound, "User pool us-east-1_Zz does not exist.");
  ExpectError("AdminCreateUser", {{"UserPoolId", kUserOpsPool}}, ErrorCode::kInvalidParameter,
              "1 validation error detected: Value null at 'username' failed to satisfy "
              "constraint: Member must not be null");
  ExpectError("AdminCreateUser", {{"UserPoolId", kUserOpsPool}, {"Username", 7}},
              ErrorCode::kInvalidParameter);
  ExpectError("AdminCreateUser",
              {{"UserPoolId", kUserOpsPool}, {"Username", "bob"}, {"MessageAction", "LOUD"}},
              ErrorCode::kInvalidParameter);
  ExpectError(
      "AdminCreateUser",
      {{"UserPoolId", kUserOpsPool}, {"Username", "bob"}, {"DesiredDeliveryMediums", {"FAX"}}},
      ErrorCode::kInvalidParameter);
  ExpectError("AdminCreateUser",
              {{"UserPoolId", kUserOpsPool}, {"Username", "bob"}, {"TemporaryPassword", "x"}},
              ErrorCode::kInvalidPassword,
              "Password does not conform to policy: Password not long enough");
  ExpectError(
      "AdminCreateUser",
      {{"UserPoolId", kUserOpsPool}, {"Username", "bob"}, {"UserAttributes", {{{"Value", "x"}}}}},
      ErrorCode::kInvalidParameter);
  ExpectError(
      "AdminCreateUser",
      {{"UserPoolId", kUserOpsPool}, {"Username", "b@example.com"}, {"MessageAction", "SUPPRESS"}},
      ErrorCode::kInvalidParameter,
      "Username cannot be of email format, since user pool is configured for email "
      "alias.");
  ExpectError("AdminCreateUser",
              {{"UserPoolId", kUserOpsPool},
               {"Username", "bob"},
               {"MessageAction", "RESEND"},
               {"TemporaryPassword", "Passw0rd!"}},
              ErrorCode::kUserNotFound, "User does not exist.");
}

TEST_F(UserOpsTest, AdminGetUserShapeAndErrors) {
  CreateUser("carl", json::array({{{"Name", "custom:team"}, {"Value", "blue"}}}));
  json out = Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "carl"}});
  EXPECT_EQ(out["Username"], "carl");
  EXPECT_EQ(AttributeValue(out["UserAttributes"], "custom:team"), "blue");
  EXPECT_EQ(out["UserStatus"], "FORCE_CHANGE_PASSWORD");
  EXPECT_EQ(out["Enabled"], true);
  EXPECT_FALSE(out.contains("Attributes"));
  EXPECT_FALSE(out.contains("MFAOptions"));
  EXPECT_FALSE(out.contains("UserMFASettingList"));
  ExpectError("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "nobody"}},
              ErrorCode::kUserNotFound, "User does not exist.");
  ExpectError("AdminGetUser", {{"UserPoolId", "us-east-1_Zz"}, {"Username", "carl"}},
              ErrorCode::kResourceNotFound, "User pool us-east-1_Zz does not exist.");
  ExpectError("AdminGetUser", {{"Username", "carl"}}, ErrorCode::kInvalidParameter,
              "1 validation error detected: Value null at 'userPoolId' failed to satisfy "
              "constraint: Member must not be null");
}

TEST_F(UserOpsTest, UserLifecycle) {
  CreateUser("dana", json::array({{{"Name", "email"}, {"Value", "dana@example.com"}}}));
  EXPECT_EQ(Ok("AdminUpdateUserAttributes", {{"UserPoolId", kUserOpsPool},
                                             {"Username", "dana"},
                                             {"UserAttributes",
                                              {{{"Name", "email_verified"}, {"Value", "true"}},
                                               {{"Name", "given_name"}, {"Value", "Dana"}}}}}),
            json::object());
  // Now a verified alias: found by e-mail.
  json got = Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana@example.com"}});
  EXPECT_EQ(got["Username"], "dana");
  EXPECT_EQ(AttributeValue(got["UserAttributes"], "given_name"), "Dana");

  EXPECT_EQ(Ok("AdminDeleteUserAttributes", {{"UserPoolId", kUserOpsPool},
                                             {"Username", "dana"},
                                             {"UserAttributeNames", {"given_name"}}}),
            json::object());
  got = Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}});
  EXPECT_EQ(AttributeValue(got["UserAttributes"], "given_name"), "<absent>");

  Ok("AdminDisableUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}});
  EXPECT_EQ(Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}})["Enabled"],
            false);
  Ok("AdminEnableUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}});
  EXPECT_EQ(Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}})["Enabled"],
            true);

  Ok("AdminSetUserPassword", {{"UserPoolId", kUserOpsPool},
                              {"Username", "dana"},
                              {"Password", "N3wPassw0rd!"},
                              {"Permanent", true}});
  EXPECT_EQ(Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}})["UserStatus"],
            "CONFIRMED");

  Ok("AdminResetUserPassword", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}});
  EXPECT_EQ(Ok("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}})["UserStatus"],
            "RESET_REQUIRED");
  ASSERT_EQ(env_.sink.Sent().size(), 1u);
  EXPECT_EQ(env_.sink.Sent()[0].destination, "dana@example.com");

  ExpectError("AdminConfirmSignUp", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}},
              ErrorCode::kNotAuthorized,
              "User cannot be confirmed. Current status is RESET_REQUIRED");

  Ok("AdminDeleteUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}});
  ExpectError("AdminGetUser", {{"UserPoolId", kUserOpsPool}, {"Username", "dana"}},
              ErrorCode::kUserNotFound);
}

TEST_F(UserOpsTest, UserOpErrors) {
  CreateUser("eve");
  for (const char* op : {"AdminDeleteUser", "AdminEnableUser", "AdminDisableUser",
                         "AdminResetUserPassword", "AdminConfirmSignUp"}) {
    ExpectError(op, {{"UserPoolId", kUserOpsPool}, {"Username", "ghost"}}, ErrorCode::kUserNotFound,
                "User does not exist.");
    ExpectError(op, {{"UserPoolId", "us-east-1_Zz"}, {"Username", "eve"}},
                ErrorCode::kResourceNotFound, "User pool us-east-1_Zz does not exist.");
  }
  ExpectError("AdminUpdateUserAttributes", {{"UserPoolId", kUserOpsPool}, {"Username", "eve"}},
              ErrorCode::kInvalidParameter,
              "1 validation error detected: Value null at 'userAttributes' failed to satisfy "
              "constraint: Member must not be null");
  ExpectError("AdminUpdateUserAttributes",
              {{"UserPoolId", kUserOpsPool},
               {"Username", "eve"},
               {"UserAttributes", {{{"Name", "custom:nope"}, {"Value", "x"}}}}},
              ErrorCode::kInvalidParameter,
              "user.custom:nope: Attribute does not exist in the schema.\n");
  ExpectError("AdminDeleteUserAttributes", {{"UserPoolId", kUserOpsPool}, {"Username", "eve"}},
              ErrorCode::kInvalidParameter);
  ExpectError(
      "AdminDeleteUserAttributes",
      {{"UserPoolId", kUserOpsPool}, {"Username", "ghost"}, {"UserAttributeNames", {"name"}}},
      ErrorCode::kUserNotFound);
  ExpectError("AdminSetUserPassword", {{"UserPoolId", kUserOpsPool}, {"Username", "eve"}},
              ErrorCode::kInvalidParameter);
  ExpectError("AdminSetUserPassword",
              {{"UserPoolId", kUserOpsPool}, {"Username", "eve"}, {"Password", "abc"}},
              ErrorCode::kInvalidPassword,
              "Password does not conform to policy: Password not long enough");
  ExpectError("AdminSetUserPassword",
              {{"UserPoolId", kUserOpsPool},
               {"Username", "eve"},
               {"Password", "Passw0rd!"},
               {"Permanent", "yes"}},
              ErrorCode::kInvalidParameter);
  ExpectError("AdminResetUserPassword", {{"UserPoolId", kUserOpsPool}, {"Username", "eve"}},
              ErrorCode::kNotAuthorized, "User password cannot be reset in the current state.");
}

TEST_F(UserOpsTest, ListUsers) {
  for (int i = 0; i < 5; ++i) {
    CreateUser("u" + std::to_string(i),
               json::array({{{"Name", "given_name"}, {"Value", i < 2 ? "Al" : "Bo"}}}));
  }
  json out = Ok("ListUsers", {{"UserPoolId", kUserOpsPool}});
  EXPECT_EQ(out["Users"].size(), 5u);
  EXPECT_FALSE(out.contains("PaginationToken"));

  out = Ok("ListUsers", {{"UserPoolId", kUserOpsPool}, {"Limit", 2}});
  ASSERT_EQ(out["Users"].size(), 2u);
  ASSERT_TRUE(out["PaginationToken"].is_string());
  json next =
      Ok("ListUsers",
         {{"UserPoolId", kUserOpsPool}, {"Limit", 2}, {"PaginationToken", out["PaginationToken"]}});
  ASSERT_EQ(next["Users"].size(), 2u);
  EXPECT_NE(next["Users"][0]["Username"], out["Users"][0]["Username"]);

  out = Ok("ListUsers", {{"UserPoolId", kUserOpsPool},
                         {"Filter", "given_name = \"Al\""},
                         {"AttributesToGet", {"given_name"}}});
  ASSERT_EQ(out["Users"].size(), 2u);
  EXPECT_EQ(out["Users"][0]["Attributes"].size(), 1u);
  EXPECT_EQ(out["Users"][0]["Attributes"][0]["Name"], "given_name");
  EXPECT_EQ(out["Users"][0]["UserStatus"], "FORCE_CHANGE_PASSWORD");

  ExpectError("ListUsers", {{"UserPoolId", kUserOpsPool}, {"Filter", "given_name = Al"}},
              ErrorCode::kInvalidParameter, "Error while parsing filter.");
  ExpectError("ListUsers", {{"UserPoolId", kUserOpsPool}, {"Filter", "custom:team = \"x\""}},
              ErrorCode::kInvalidParameter, "Invalid search attribute: custom:team");
  ExpectError("ListUsers", {{"UserPoolId", kUserOpsPool}, {"Limit", 61}},
              ErrorCode::kInvalidParameter,
              "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
              "Member must have value less than or equal to 60");
  ExpectError("ListUsers", {{"UserPoolId", kUserOpsPool}, {"PaginationToken", "xyz"}},
              ErrorCode::kInvalidParameter, "Invalid pagination token.");
  ExpectError("ListUsers", {{"UserPoolId", "us-east-1_Zz"}}, ErrorCode::kResourceNotFound,
              "User pool us-east-1_Zz does not exist.");
}

TEST_F(UserOpsTest, Groups) {
  json g = Ok("CreateGroup", {{"UserPoolId", kUserOpsPool},
                              {"GroupName", "admins"},
                              {"Description", "Admins"},
                              {"RoleArn", "arn:aws:iam::000000000000:role/a"},
                              {"Precedence", 2}})["Group"];
  EXPECT_EQ(g["GroupName"], "admins");
  EXPECT_EQ(g["UserPoolId"], kUserOpsPool);
  EXPECT_EQ(g["Description"], "Admins");
  EXPECT_EQ(g["RoleArn"], "arn:aws:iam::000000000000:role/a");
  EXPECT_EQ(g["Precedence"], 2);
  EXPECT_TRUE(g["CreationDate"].is_number());
  EXPECT_TRUE(g["LastModifiedDate"].is_number());

  json plain = Ok("CreateGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "plain"}})["Group"];
  EXPECT_FALSE(plain.contains("Description"));
  EXPECT_FALSE(plain.contains("Precedence"));

  ExpectError("CreateGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "admins"}},
              ErrorCode::kGroupExists, "A group with the name admins already exists.");
  ExpectError("CreateGroup",
              {{"UserPoolId", kUserOpsPool}, {"GroupName", "neg"}, {"Precedence", -1}},
              ErrorCode::kInvalidParameter);

  EXPECT_EQ(Ok("GetGroup",
               {{"UserPoolId", kUserOpsPool}, {"GroupName", "admins"}})["Group"]["Precedence"],
            2);
  ExpectError("GetGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "none"}},
              ErrorCode::kResourceNotFound, "Group not found.");

  json upd =
      Ok("UpdateGroup",
         {{"UserPoolId", kUserOpsPool}, {"GroupName", "admins"}, {"Description", "New"}})["Group"];
  EXPECT_EQ(upd["Description"], "New");
  EXPECT_EQ(upd["Precedence"], 2);
  ExpectError("UpdateGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "none"}},
              ErrorCode::kResourceNotFound, "Group not found.");

  json list = Ok("ListGroups", {{"UserPoolId", kUserOpsPool}, {"Limit", 1}});
  ASSERT_EQ(list["Groups"].size(), 1u);
  ASSERT_TRUE(list.contains("NextToken"));
  json rest = Ok("ListGroups", {{"UserPoolId", kUserOpsPool}, {"NextToken", list["NextToken"]}});
  ASSERT_EQ(rest["Groups"].size(), 1u);
  EXPECT_FALSE(rest.contains("NextToken"));
  ExpectError("ListGroups", {{"UserPoolId", "us-east-1_Zz"}}, ErrorCode::kResourceNotFound);

  CreateUser("fay");
  Ok("AdminAddUserToGroup",
     {{"UserPoolId", kUserOpsPool}, {"Username", "fay"}, {"GroupName", "admins"}});
  json mine = Ok("AdminListGroupsForUser", {{"UserPoolId", kUserOpsPool}, {"Username", "fay"}});
  ASSERT_EQ(mine["Groups"].size(), 1u);
  EXPECT_EQ(mine["Groups"][0]["GroupName"], "admins");
  json members = Ok("ListUsersInGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "admins"}});
  ASSERT_EQ(members["Users"].size(), 1u);
  EXPECT_EQ(members["Users"][0]["Username"], "fay");
  EXPECT_TRUE(members["Users"][0].contains("Attributes"));

  ExpectError("AdminAddUserToGroup",
              {{"UserPoolId", kUserOpsPool}, {"Username", "ghost"}, {"GroupName", "admins"}},
              ErrorCode::kUserNotFound, "User does not exist.");
  ExpectError("AdminAddUserToGroup",
              {{"UserPoolId", kUserOpsPool}, {"Username", "fay"}, {"GroupName", "none"}},
              ErrorCode::kResourceNotFound, "Group not found.");
  ExpectError("AdminListGroupsForUser", {{"UserPoolId", kUserOpsPool}, {"Username", "ghost"}},
              ErrorCode::kUserNotFound);
  ExpectError("ListUsersInGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "none"}},
              ErrorCode::kResourceNotFound, "Group not found.");
  ExpectError("ListUsersInGroup", {{"UserPoolId", kUserOpsPool}}, ErrorCode::kInvalidParameter);

  Ok("AdminRemoveUserFromGroup",
     {{"UserPoolId", kUserOpsPool}, {"Username", "fay"}, {"GroupName", "admins"}});
  EXPECT_TRUE(
      Ok("AdminListGroupsForUser", {{"UserPoolId", kUserOpsPool}, {"Username", "fay"}})["Groups"]
          .empty());
  ExpectError("AdminRemoveUserFromGroup",
              {{"UserPoolId", kUserOpsPool}, {"Username", "ghost"}, {"GroupName", "admins"}},
              ErrorCode::kUserNotFound);

  EXPECT_EQ(Ok("DeleteGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "admins"}}),
            json::object());
  ExpectError("DeleteGroup", {{"UserPoolId", kUserOpsPool}, {"GroupName", "admins"}},
              ErrorCode::kResourceNotFound, "Group not found.");
}

}  // namespace
}  // namespace cognate::api::cognito_idp
