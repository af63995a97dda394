#include "domain/triggers/triggers.h"

#include <gtest/gtest.h>

#include "domain/users/test_support.h"

namespace cognate::domain::triggers {
namespace {

using Json = nlohmann::json;
using users::testing::TestEnv;

Invocation Reply(Json body) { return {Invocation::Status::kOk, body.dump()}; }

Event SignUpEvent() {
  Event e;
  e.trigger_source = "PreSignUp_SignUp";
  e.user_pool_id = "us-east-1_abc";
  e.username = "alice";
  e.client_id = "client1";
  e.request = {{"userAttributes", {{"email", "a@example.com"}}}, {"validationData", nullptr}};
  e.response = {{"autoConfirmUser", false}};
  return e;
}

TEST(TriggersTest, TargetForReadsPlainAndVersionedMembers) {
  Json lc = {{"PreSignUp", "arn:aws:lambda:us-east-1:1:function:pre"},
             {"PreTokenGeneration", "arn:legacy"},
             {"PreTokenGenerationConfig", {{"LambdaVersion", "V2_0"}, {"LambdaArn", "arn:v2"}}},
             {"CustomSMSSender", {{"LambdaVersion", "V1_0"}, {"LambdaArn", "http://x/sms"}}},
             {"KMSKeyID", "arn:aws:kms:k"}};
  EXPECT_EQ(TargetFor(lc, Trigger::kPreSignUp)->function,
            "arn:aws:lambda:us-east-1:1:function:pre");
  auto pre_token = TargetFor(lc, Trigger::kPreTokenGeneration);
  ASSERT_TRUE(pre_token);
  EXPECT_EQ(pre_token->function, "arn:v2");
  EXPECT_EQ(pre_token->lambda_version, "V2_0");
  EXPECT_EQ(TargetFor(lc, Trigger::kCustomSmsSender)->function, "http://x/sms");
  EXPECT_FALSE(TargetFor(lc, Trigger::kCustomEmailSender));
  EXPECT_FALSE(TargetFor(lc, Trigger::kUserMigration));
  EXPECT_FALSE(TargetFor(Json::object(), Trigger::kPreSignUp));
  EXPECT_FALSE(TargetFor(Json{{"PreSignUp", ""}}, Trigger::kPreSignUp));
  EXPECT_FALSE(TargetFor(Json::array(), Trigger::kPreSignUp));

  Json legacy = {{"PreTokenGeneration", "arn:legacy"}};
  EXPECT_EQ(TargetFor(legacy, Trigger::kPreTokenGeneration)->function, "arn:legacy");
  EXPECT_EQ(TargetFor(legacy, Trigger::kPreTokenGeneration)->lambda_version, "V1_0");
}

TEST(TriggersTest, EventHasCognitosEnvelope) {
  DeploymentConfig config;
  config.region = "eu-west-1";
  Json e = EventJson(config, SignUpEvent());
  EXPECT_EQ(e["version"], "1");
  EXPECT_EQ(e["triggerSource"], "PreSignUp_SignUp");
  EXPECT_EQ(e["region"], "eu-west-1");
  EXPECT_EQ(e["userPoolId"], "us-east-1_abc");
  EXPECT_EQ(e["userName"], "alice");
  EXPECT_EQ(e["callerContext"]["clientId"], "client1");
  EXPECT_EQ(e["callerContext"]["awsSdkVersion"], "aws-sdk-unknown-unknown");
  EXPECT_EQ(e["request"]["userAttributes"]["email"], "a@example.com");
  EXPECT_EQ(e["response"]["autoConfirmUser"], false);
}

TEST(TriggersTest, CallReturnsTheResponseObject) {
  TestEnv env;
  env.invoker.handlers["f"] = [](std::string_view event) {
    Json e = Json::parse(event);
    e["response"]["autoConfirmUser"] = true;
    return Reply(e);
  };
  auto response = Call(env.ctx, Target{"f"}, Trigger::kPreSignUp, SignUpEvent());
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ((*response)["autoConfirmUser"], true);
  ASSERT_EQ(env.invoker.Calls().size(), 1u);
  EXPECT_EQ(env.invoker.Calls()[0].function, "f");
}

TEST(TriggersTest, ReplyWithoutResponseIsAnEmptyResponse) {
  TestEnv env;
  env.invoker.handlers["f"] = [](std::string_view) { return Reply(Json{{"version", "1"}}); };
  auto response = Call(env.ctx, Target{"f"}, Trigger::kPostConfirmation, SignUpEvent());
  ASSERT_TRUE(response);
  EXPECT_EQ(*response, Json::object());
}

TEST(TriggersTest, ErrorsAreCognitos) {
  TestEnv env;
  env.invoker.handlers["throws"] = [](std::string_view) {
    return Invocation{Invocation::Status::kFunctionError, "Domain not allowed"};
  };
  env.invoker.handlers["slow"] = [](std::string_view) {
    return Invocation{Invocation::Status::kTimeout, ""};
  };
  env.invoker.handlers["garbage"] = [](std::string_view) {
    return Invocation{Invocation::Status::kOk, "<html>"};
  };
  env.invoker.handlers["null"] = [](std::string_view) {
    return Invocation{Invocation::Status::kOk, "null"};
  };
  env.invoker.handlers["bad_response"] = [](std::string_view) {
    return Reply(Json{{"response", "yes"}});
  };
  auto call = [&](const char* f) {
    return Call(env.ctx, Target{f}, Trigger::kPreSignUp, SignUpEvent());
  };

  auto thrown = call("throws");
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().type_name(), "UserLambdaValidationException");
  EXPECT_EQ(thrown.error().message(), "PreSignUp failed with error Domain not allowed.");

  auto slow = call("slow");
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().type_name(), "UnexpectedLambdaException");
  EXPECT_EQ(slow.error().message(),
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda "
            "function.");

  auto down = call("missing");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().type_name(), "UnexpectedLambdaException");
  EXPECT_EQ(down.error().message(),
            "PreSignUp invocation failed due to error ResourceNotFoundException.");

  for (const char* f : {"garbage", "null", "bad_response"}) {
    auto r = call(f);
    ASSERT_FALSE(r) << f;
    EXPECT_EQ(r.error().type_name(), "InvalidLambdaResponseException") << f;
    EXPECT_EQ(r.error().message(), "Unrecognizable lambda output") << f;
  }
}

TEST(TriggersTest, CallIfConfiguredSkipsUnconfiguredTriggers) {
  TestEnv env;
  env.invoker.handlers["f"] = [](std::string_view e) {
    return Invocation{Invocation::Status::kOk, std::string(e)};
  };
  Json lc = {{"PreSignUp", "f"}};
  auto none = CallIfConfigured(env.ctx, lc, Trigger::kPostConfirmation, SignUpEvent());
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto some = CallIfConfigured(env.ctx, lc, Trigger::kPreSignUp, SignUpEvent());
  ASSERT_TRUE(some);
  ASSERT_TRUE(*some);
  EXPECT_EQ((**some)["autoConfirmUser"], false);
  EXPECT_EQ(env.invoker.Calls().size(), 1u);
}

TEST(TriggersTest, UserAttributesAndClientMetadata) {
  Json attrs = EventUserAttributes({{"sub", "s-1"}, {"email_verified", "true"}}, "CONFIRMED");
  EXPECT_EQ(
      attrs,
      (Json{{"sub", "s-1"}, {"email_verified", "true"}, {"cognito:user_status", "CONFIRMED"}}));
  EXPECT_EQ(ClientMetadata(Json{{"ClientMetadata", {{"k", "v"}}}}), (Json{{"k", "v"}}));
  EXPECT_EQ(ClientMetadata(Json{{"Username", "u"}}), Json::object());
  EXPECT_EQ(ClientMetadata(Json("x")), Json::object());
}

}  // namespace
}  // namespace cognate::domain::triggers
