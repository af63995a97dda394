// Users in pools made by the real pool service (userpool::PoolService), so the two sides of the
// pool-document contract stay in step.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/groups/group_service.h"
#include "domain/userpool/pool_service.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

class PoolIntegrationTest : public ::testing::Test {
 protected:
  std::string CreatePool(json request) {
    auto created = pools_.CreateUserPool(request);
    EXPECT_TRUE(created) << (created ? "" : created.error().message());
    return created ? (*created)["Id"].get<std::string>() : std::string();
  }

  testing::TestEnv env_;
  userpool::PoolService pools_{env_.ctx};
  UserService users_{env_.ctx};
  groups::GroupService groups_{env_.ctx};
};

TEST_F(PoolIntegrationTest, DefaultPool) {
  const std::string id = CreatePool({{"PoolName", "plain"}});
  auto rules = LoadPoolRules(env_.ctx, id);
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->password_policy().minimum_length, 8);
  EXPECT_NE(rules->FindAttribute("email"), nullptr);

  AdminCreateUserInput in;
  in.pool_id = id;
  in.username = "ada";
  in.temporary_password = "short";
  auto bad = users_.AdminCreateUser(in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "Password does not conform to policy: Password not long enough");
  in.temporary_password.reset();
  in.desired_delivery_mediums = {"EMAIL"};
  in.attributes = {{"email", "ada@example.com"}};
  auto u = users_.AdminCreateUser(in);
  ASSERT_TRUE(u) << u.error().message();
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subject, "Your temporary password");
  EXPECT_EQ(sent[0].body.rfind("Your username is ada and temporary password is ", 0), 0u);

  auto described = pools_.DescribeUserPool(id);
  ASSERT_TRUE(described);
  EXPECT_EQ((*described)["EstimatedNumberOfUsers"], 1);

  // Deleting the pool takes its users and groups along.
  ASSERT_TRUE(groups_.CreateGroup({id, "g", std::nullopt, std::nullopt, std::nullopt}));
  ASSERT_TRUE(pools_.DeleteUserPool(id));
  auto gone = users_.AdminGetUser(id, "ada");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().message(), "User pool " + id + " does not exist.");
}

TEST_F(PoolIntegrationTest, ConfiguredPool) {
  const std::string id = CreatePool(json::parse(R"({
    "PoolName": "configured",
    "UsernameAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": false},
    "AutoVerifiedAttributes": ["email"],
    "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": false}},
    "Schema": [{"Name": "tier", "AttributeDataType": "Number", "Mutable": false}],
    "AdminCreateUserConfig": {"InviteMessageTemplate": {
        "EmailMessage": "Welcome {username}, your code is {####}", "EmailSubject": "Hello",
        "SMSMessage": "Welcome {username} {####}"}},
    "VerificationMessageTemplate": {"EmailMessage": "Verify with {####}",
                                    "EmailSubject": "Verify now"}
  })"));
  AdminCreateUserInput in;
  in.pool_id = id;
  in.username = "Grace@Example.com";
  in.attributes = {{"custom:tier", "3"}};
  in.desired_delivery_mediums = {"EMAIL"};
  in.temporary_password = "longpassword1A";
  auto u = users_.AdminCreateUser(in);
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->username, u->sub);
  EXPECT_EQ(env_.sink.Sent().at(0).subject, "Hello");
  EXPECT_EQ(env_.sink.Sent().at(0).body, "Welcome Grace@Example.com, your code is longpassword1A");

  // Case-insensitive lookups by the e-mail username.
  auto got = users_.AdminGetUser(id, "grace@example.com");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->Attribute("custom:tier"), "3");

  auto immutable =
      users_.AdminUpdateUserAttributes(id, "grace@example.com", {{"custom:tier", "4"}});
  ASSERT_FALSE(immutable);
  EXPECT_EQ(immutable.error().message(), "user.custom:tier: Attribute cannot be updated.\n");

  ASSERT_TRUE(users_.AdminUpdateUserAttributes(id, "grace@example.com",
                                               {{"email", "grace.h@example.com"}}));
  ASSERT_EQ(env_.sink.Sent().size(), 2u);
  EXPECT_EQ(env_.sink.Sent()[1].subject, "Verify now");
  EXPECT_EQ(env_.sink.Sent()[1].destination, "grace.h@example.com");
}

}  // namespace
}  // namespace cognate::domain::users
