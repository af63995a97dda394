#include "domain/triggers/hooks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/aes_gcm.h"
#include "domain/users/self_service.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::triggers {
namespace {

using nlohmann::json;
using users::AttributeInput;

constexpr char kClient[] = "hooksclient000000000000001";
constexpr char kPassword[] = "Passw0rd!";
constexpr char kKmsArn[] = "arn:aws:kms:us-east-1:000000000000:key/hooks-key";
int pools_created = 0;

// Replies with the event as given, after `edit` changed it.
FakeInvoker::Handler Echo(std::function<void(json&)> edit = {}) {
  return [edit](std::string_view event) {
    json e = json::parse(event);
    if (edit) edit(e);
    return Invocation{Invocation::Status::kOk, e.dump()};
  };
}

class HooksTest : public ::testing::Test {
 protected:
  void MakePool(json lambda_config, json extra = json::object()) {
    (void)env_.store.DeleteClient(pool_, kClient);
    pool_ = "us-east-1_Hooks" + std::to_string(++pools_created);
    json doc = {{"AutoVerifiedAttributes", {"email"}}, {"LambdaConfig", std::move(lambda_config)}};
    for (auto& [k, v] : extra.items()) doc[k] = v;
    env_.MakePool(pool_, std::move(doc));
    json client = {{"ClientId", kClient}, {"PreventUserExistenceErrors", "LEGACY"}};
    store::ClientRow row{pool_, kClient, "app", client.dump(), 0, 0, 0};
    ASSERT_TRUE(env_.store.CreateClient(row));
  }

  users::SelfService Self() {
    users::AccessTokenGate gate;
    gate.verify = [this](std::string_view token) -> Result<tokens::AccessTokenClaims> {
      tokens::AccessTokenClaims c;
      c.pool_id = pool_;
      c.client_id = kClient;
      c.sub = std::string(token);
      return c;
    };
    return users::SelfService(env_.ctx, gate);
  }

  users::SignUpInput SignUpOf(const std::string& username, const std::string& email) {
    users::SignUpInput in;
    in.client_id = kClient;
    in.username = username;
    in.password = kPassword;
    in.attributes = {{"email", email}};
    return in;
  }

  // The events `function` received, parsed.
  std::vector<json> Events(const std::string& function) {
    std::vector<json> out;
    for (const auto& c : env_.invoker.Calls()) {
      if (c.function == function) out.push_back(json::parse(c.event));
    }
    return out;
  }

  users::testing::TestEnv env_;
  std::string pool_;
};

TEST_F(HooksTest, PreSignUpConfirmsAndVerifies) {
  MakePool({{"PreSignUp", "https://hooks.test/pre"}});
  env_.invoker.handlers["https://hooks.test/pre"] = Echo([](json& e) {
    e["response"]["autoConfirmUser"] = true;
    e["response"]["autoVerifyEmail"] = true;
  });
  auto in = SignUpOf("alice", "alice@example.com");
  in.validation_data = {{"invite", "X1"}};
  in.client_metadata = {{"app", "web"}};
  auto r = Self().SignUp(in);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->user_confirmed);
  EXPECT_FALSE(r->delivery);
  EXPECT_TRUE(env_.sink.Sent().empty());

  auto events = Events("https://hooks.test/pre");
  ASSERT_EQ(events.size(), 1u);
  const json& e = events[0];
  EXPECT_EQ(e["version"], "1");
  EXPECT_EQ(e["triggerSource"], "PreSignUp_SignUp");
  EXPECT_EQ(e["region"], "us-east-1");
  EXPECT_EQ(e["userPoolId"], pool_);
  EXPECT_EQ(e["userName"], "alice");
  EXPECT_EQ(e["callerContext"]["clientId"], kClient);
  EXPECT_EQ(e["request"]["userAttributes"], (json{{"email", "alice@example.com"}}));
  EXPECT_EQ(e["request"]["validationData"], (json{{"invite", "X1"}}));
  EXPECT_EQ(e["request"]["clientMetadata"], (json{{"app", "web"}}));
  EXPECT_EQ(
      e["response"],
      (json{{"autoConfirmUser", false}, {"autoVerifyEmail", false}, {"autoVerifyPhone", false}}));

  users::UserService admin(env_.ctx);
  auto user = admin.AdminGetUser(pool_, "alice");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, "CONFIRMED");
  EXPECT_EQ(user->Attribute("email_verified"), "true");
}

TEST_F(HooksTest, PreSignUpErrorsReachTheCaller) {
  MakePool({{"PreSignUp", "https://hooks.test/pre"}});
  env_.invoker.handlers["https://hooks.test/pre"] = [](std::string_view) {
    return Invocation{Invocation::Status::kFunctionError, "Not on the guest list"};
  };
  auto r = Self().SignUp(SignUpOf("bob", "bob@example.com"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUserLambdaValidation);
  EXPECT_EQ(r.error().message(), "PreSignUp failed with error Not on the guest list.");
  users::UserService admin(env_.ctx);
  EXPECT_FALSE(admin.AdminGetUser(pool_, "bob"));

  env_.invoker.handlers["https://hooks.test/pre"] =
      Echo([](json& e) { e["response"]["autoConfirmUser"] = "yes"; });
  r = Self().SignUp(SignUpOf("bob", "bob@example.com"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidLambdaResponse);

  env_.invoker.handlers["https://hooks.test/pre"] =
      Echo([](json& e) { e["response"]["autoVerifyPhone"] = true; });
  r = Self().SignUp(SignUpOf("bob", "bob@example.com"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(HooksTest, PostConfirmationAfterConfirmSignUp) {
  MakePool({{"PostConfirmation", "https://hooks.test/post"}});
  env_.ctx.config.dev_fixed_code = "123456";
  env_.invoker.handlers["https://hooks.test/post"] = Echo();
  ASSERT_TRUE(Self().SignUp(SignUpOf("carol", "carol@example.com")));
  users::ConfirmSignUpInput in;
  in.client_id = kClient;
  in.username = "carol";
  in.code = "123456";
  in.client_metadata = {{"k", "v"}};
  auto r = Self().ConfirmSignUp(in);
  ASSERT_TRUE(r) << r.error().message();
  auto events = Events("https://hooks.test/post");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["triggerSource"], "PostConfirmation_ConfirmSignUp");
  EXPECT_EQ(events[0]["request"]["userAttributes"]["cognito:user_status"], "CONFIRMED");
  EXPECT_EQ(events[0]["request"]["userAttributes"]["email_verified"], "true");
  EXPECT_EQ(events[0]["request"]["clientMetadata"], (json{{"k", "v"}}));
  EXPECT_TRUE(events[0]["request"]["userAttributes"].contains("sub"));
}

TEST_F(HooksTest, CustomMessageReplacesTheCodeText) {
  MakePool({{"CustomMessage", "https://hooks.test/msg"}});
  env_.ctx.config.dev_fixed_code = "654321";
  env_.invoker.handlers["https://hooks.test/msg"] = Echo([](json& e) {
    e["response"]["emailSubject"] = "Welcome " + e["userName"].get<std::string>();
    e["response"]["emailMessage"] =
        "Your code: " + e["request"]["codeParameter"].get<std::string>();
  });
  auto r = Self().SignUp(SignUpOf("dave", "dave@example.com"));
  ASSERT_TRUE(r) << r.error().message();
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subject, "Welcome dave");
  EXPECT_EQ(sent[0].body, "Your code: 654321");
  auto events = Events("https://hooks.test/msg");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["triggerSource"], "CustomMessage_SignUp");
  EXPECT_EQ(events[0]["request"]["codeParameter"], "{####}");
  EXPECT_TRUE(events[0]["request"]["usernameParameter"].is_null());
  EXPECT_EQ(events[0]["request"]["userAttributes"]["cognito:user_status"], "UNCONFIRMED");

  // Without the code placeholder the pool's own text stays.
  env_.invoker.handlers["https://hooks.test/msg"] =
      Echo([](json& e) { e["response"]["emailMessage"] = "no code here"; });
  users::ClientUserInput resend{kClient, std::nullopt, "dave"};
  ASSERT_TRUE(Self().ResendConfirmationCode(resend));
  sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_NE(sent[1].body.find("654321"), std::string::npos);
  EXPECT_EQ(Events("https://hooks.test/msg").back()["triggerSource"], "CustomMessage_ResendCode");
}

TEST_F(HooksTest, InvitationGoesThroughCustomMessage) {
  MakePool({{"CustomMessage", "https://hooks.test/msg"}, {"PreSignUp", "https://hooks.test/pre"}});
  env_.invoker.handlers["https://hooks.test/pre"] =
      Echo([](json& e) { e["response"]["autoVerifyEmail"] = true; });
  env_.invoker.handlers["https://hooks.test/msg"] =
      Echo([](json& e) { e["response"]["emailMessage"] = "Hi {username}, password {####}"; });
  users::UserService admin(env_.ctx);
  users::AdminCreateUserInput in;
  in.pool_id = pool_;
  in.username = "erin";
  in.attributes = {{"email", "erin@example.com"}};
  in.temporary_password = "Temp0rary!";
  in.desired_delivery_mediums = {"EMAIL"};
  auto r = admin.AdminCreateUser(in);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->Attribute("email_verified"), "true");
  auto pre = Events("https://hooks.test/pre");
  ASSERT_EQ(pre.size(), 1u);
  EXPECT_EQ(pre[0]["triggerSource"], "PreSignUp_AdminCreateUser");
  EXPECT_EQ(pre[0]["callerContext"]["clientId"], "CLIENT_ID_NOT_APPLICABLE");
  auto msg = Events("https://hooks.test/msg");
  ASSERT_EQ(msg.size(), 1u);
  EXPECT_EQ(msg[0]["triggerSource"], "CustomMessage_AdminCreateUser");
  EXPECT_EQ(msg[0]["request"]["usernameParameter"], "{username}");
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].body, "Hi erin, password Temp0rary!");
}

TEST_F(HooksTest, CustomEmailSenderGetsTheSealedCode) {
  MakePool(
      {{"CustomEmailSender", {{"LambdaVersion", "V1_0"}, {"LambdaArn", "https://hooks.test/s"}}},
       {"KMSKeyID", kKmsArn}});
  const std::string key(32, '\x42');
  env_.ctx.config.kms_keys[kKmsArn] = key;
  env_.ctx.config.dev_fixed_code = "111222";
  env_.invoker.handlers["https://hooks.test/s"] = Echo();
  auto r = Self().SignUp(SignUpOf("frank", "frank@example.com"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(env_.sink.Sent().empty());
  auto events = Events("https://hooks.test/s");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["triggerSource"], "CustomEmailSender_SignUp");
  EXPECT_EQ(events[0]["request"]["type"], "customEmailSenderRequestV1");
  EXPECT_EQ(crypto::AesGcmOpenBase64(key, events[0]["request"]["code"].get<std::string>()),
            "111222");

  env_.ctx.config.kms_keys.clear();
  auto again = Self().SignUp(SignUpOf("grace", "grace@example.com"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kUnexpectedLambda);
}

TEST(LambdaConfigTest, AcceptsArnsAndUrls) {
  json given = {
      {"PreSignUp", "arn:aws:lambda:us-east-1:123456789012:function:pre"},
      {"CustomMessage", "http://127.0.0.1:9000/msg"},
      {"PreTokenGenerationConfig",
       {{"LambdaVersion", "V2_0"}, {"LambdaArn", "arn:aws:lambda:us-east-1:1:function:t:live"}}},
      {"CustomSMSSender", {{"LambdaVersion", "V1_0"}, {"LambdaArn", "https://x.test/sms"}}},
      {"KMSKeyID", "arn:aws:kms:us-east-1:123456789012:key/abc"},
  };
  auto r = ValidateLambdaConfig(given, "ESSENTIALS");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, given);
  EXPECT_EQ(*ValidateLambdaConfig(json::object(), "LITE"), json::object());
}

TEST(LambdaConfigTest, RefusesWhatCognitoRefuses) {
  auto refused = [](json given, std::string_view tier = "ESSENTIALS") {
    auto r = ValidateLambdaConfig(given, tier);
    return r ? ErrorCode::kInternalError : r.error().code();
  };
  EXPECT_EQ(refused({{"PreSignUp", "arn:aws:sns:us-east-1:1:topic"}}),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(refused({{"PreSignUp", "ftp://x"}}), ErrorCode::kInvalidParameter);
  EXPECT_EQ(refused({{"PreSignUp", "http://"}}), ErrorCode::kInvalidParameter);
  EXPECT_EQ(refused({{"CustomSMSSender", {{"LambdaVersion", "V1_0"}, {"LambdaArn", "http://x"}}}}),
            ErrorCode::kInvalidParameter);  // no KMSKeyID
  EXPECT_EQ(refused({{"KMSKeyID", "arn:aws:lambda:us-east-1:1:function:f"}}),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(refused({{"PreTokenGenerationConfig",
                      {{"LambdaVersion", "V3_0"}, {"LambdaArn", "http://x"}}}},
                    "LITE"),
            ErrorCode::kFeatureUnavailableInTier);
  EXPECT_EQ(refused({{"PreTokenGeneration", "http://a"},
                     {"PreTokenGenerationConfig",
                      {{"LambdaVersion", "V1_0"}, {"LambdaArn", "http://b"}}}}),
            ErrorCode::kInvalidParameter);
  EXPECT_TRUE(IsTriggerUrl("https://example.com/x?y=1"));
  EXPECT_FALSE(IsTriggerUrl("https://exa mple.com"));
}

}  // namespace
}  // namespace cognate::domain::triggers
