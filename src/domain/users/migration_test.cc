#include "domain/users/migration.h"

#include <gtest/gtest.h>

#include <functional>

#include "domain/users/self_service.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;
using triggers::Invocation;

constexpr char kMigrationPool[] = "us-east-1_MigPool";
constexpr char kMigrationClient[] = "migclient";

triggers::FakeInvoker::Handler Lambda(std::function<void(json&)> fn) {
  return [fn = std::move(fn)](std::string_view body) {
    json event = json::parse(body);
    fn(event);
    return Invocation{Invocation::Status::kOk, event.dump()};
  };
}

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kMigrationPool, {{"LambdaConfig", {{"UserMigration", "migrate"}}}});
    SetPrevent("LEGACY");
    env_.invoker.handlers["migrate"] = Lambda([this](json& e) {
      events_.push_back(e);
      if (e["userName"] == "legacy") {
        e["response"]["userAttributes"] = {{"email", "legacy@example.com"},
                                           {"email_verified", "true"},
                                           {"phone_number", "+15550100"}};
        e["response"]["messageAction"] = "SUPPRESS";
      }
    });
  }

  void SetPrevent(const std::string& prevent) {
    (void)env_.store.DeleteClient(kMigrationPool, kMigrationClient);
    json client = {{"ClientId", kMigrationClient}, {"PreventUserExistenceErrors", prevent}};
    ASSERT_TRUE(
        env_.store.CreateClient({kMigrationPool, kMigrationClient, "app", client.dump(), 0, 0, 0}));
  }

  Result<CodeDelivery> Forgot(const std::string& username) {
    ClientUserInput in;
    in.client_id = kMigrationClient;
    in.username = username;
    return self_.ForgotPassword(in);
  }

  testing::TestEnv env_;
  UserService admin_{env_.ctx};
  SelfService self_{env_.ctx, AccessTokenGate{}};
  std::vector<json> events_;
};

TEST(MigrationReaderTest, ReadsAndRejects) {
  auto r = ReadMigrationResponse(
      {{"userAttributes", {{"email", "a@b.c"}, {"sub", "x"}, {"username", "bob"}}},
       {"finalUserStatus", "RESET_REQUIRED"},
       {"messageAction", "SUPPRESS"},
       {"desiredDeliveryMediums", {"EMAIL"}},
       {"forceAliasCreation", true},
       {"enableSMSMFA", nullptr}},
      "c");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->attributes.size(), 1u);
  EXPECT_EQ(r->attributes[0].name, "email");
  EXPECT_EQ(r->username, "bob");
  EXPECT_EQ(r->final_status, "RESET_REQUIRED");
  EXPECT_TRUE(r->suppress);
  EXPECT_EQ(r->mediums, std::vector<std::string>{"EMAIL"});
  EXPECT_TRUE(r->force_alias_creation);
  EXPECT_FALSE(r->enable_sms_mfa);

  EXPECT_ERROR(ReadMigrationResponse(json::object(), "c"), kUserNotFound,
               "Exception migrating user in app client c.");
  EXPECT_ERROR(ReadMigrationResponse({{"userAttributes", {{"email", 1}}}}, "c"),
               kInvalidLambdaResponse, "Unrecognizable lambda output");
  const json attrs = {{"email", "a@b.c"}};
  EXPECT_ERROR(ReadMigrationResponse({{"userAttributes", attrs}, {"finalUserStatus", "NOPE"}}, "c"),
               kInvalidLambdaResponse, "Unrecognizable lambda output");
  EXPECT_ERROR(ReadMigrationResponse({{"userAttributes", attrs}, {"messageAction", 1}}, "c"),
               kInvalidLambdaResponse, "Unrecognizable lambda output");
  EXPECT_ERROR(
      ReadMigrationResponse({{"userAttributes", attrs}, {"desiredDeliveryMediums", {"FAX"}}}, "c"),
      kInvalidLambdaResponse, "Unrecognizable lambda output");
  EXPECT_ERROR(ReadMigrationResponse({{"userAttributes", attrs}, {"forceAliasCreation", "1"}}, "c"),
               kInvalidLambdaResponse, "Unrecognizable lambda output");
}

TEST_F(MigrationTest, ForgotPasswordMigratesThenSendsTheCode) {
  auto delivery = Forgot("legacy");
  ASSERT_TRUE(delivery) << delivery.error().message();
  EXPECT_EQ(delivery->delivery_medium, "EMAIL");
  ASSERT_EQ(events_.size(), 1u);
  const json& e = events_[0];
  EXPECT_EQ(e["triggerSource"], "UserMigration_ForgotPassword");
  EXPECT_EQ(e["userName"], "legacy");
  EXPECT_EQ(e["callerContext"]["clientId"], kMigrationClient);
  EXPECT_FALSE(e["request"].contains("password"));
  EXPECT_EQ(e["request"]["validationData"], json::object());
  auto user = admin_.AdminGetUser(kMigrationPool, "legacy");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, "RESET_REQUIRED");
  EXPECT_TRUE(user->PasswordHash().empty());
  const auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);  // the code only: the welcome message was suppressed
  EXPECT_EQ(sent[0].destination, "legacy@example.com");

  // Unknown to the legacy store too.
  EXPECT_ERROR(Forgot("stranger"), kUserNotFound,
               "Exception migrating user in app client migclient.");
  SetPrevent("ENABLED");
  auto simulated = Forgot("stranger");
  ASSERT_TRUE(simulated) << simulated.error().message();
}

TEST_F(MigrationTest, WelcomeMessageAliasesAndSmsMfa) {
  env_.invoker.handlers["migrate"] = Lambda([](json& e) {
    e["response"]["userAttributes"] = {{"email", "new@example.com"}, {"phone_number", "+15550199"}};
    e["response"]["desiredDeliveryMediums"] = {"EMAIL"};
    e["response"]["enableSMSMFA"] = true;
  });
  MigrationInput in;
  in.client_id = kMigrationClient;
  in.username = "newbie";
  in.password = "Whatever-1";
  auto rules = LoadPoolRules(env_.ctx, kMigrationPool);
  ASSERT_TRUE(rules);
  auto user = MigrateUser(env_.ctx, *rules, in);
  ASSERT_TRUE(user) << user.error().message();
  ASSERT_TRUE(*user);
  EXPECT_EQ((*user)->status, "CONFIRMED");
  EXPECT_FALSE((*user)->PasswordHash().empty());
  EXPECT_EQ((*user)->doc["mfa_settings"], json::array({"SMS_MFA"}));
  const auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].purpose, "migration_welcome");
  EXPECT_EQ(sent[0].destination, "new@example.com");

  // No trigger configured: nothing happens.
  env_.MakePool("us-east-1_NoMig");
  auto bare = LoadPoolRules(env_.ctx, "us-east-1_NoMig");
  ASSERT_TRUE(bare);
  auto none = MigrateUser(env_.ctx, *bare, in);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

}  // namespace
}  // namespace cognate::domain::users
