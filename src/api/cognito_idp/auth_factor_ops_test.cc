// GetUserAuthFactors and AdminGetUserAuthFactors through the registry: JSON in, JSON (or ApiError)
// out, with access tokens minted by the real TokenService.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/register.h"
#include "domain/users/test_support.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kAuthFactorOpsPool[] = "us-east-1_FactorOps1";
constexpr char kAuthFactorOpsClient[] = "factoropsclient00000000001";

class AuthFactorOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kAuthFactorOpsPool,
                  {{"Policies",
                    {{"SignInPolicy", {{"AllowedFirstAuthFactors", {"PASSWORD", "EMAIL_OTP"}}}}}}});
    json client = {{"ClientId", kAuthFactorOpsClient}, {"PreventUserExistenceErrors", "ENABLED"}};
    ASSERT_TRUE(env_.store.CreateClient(
        {kAuthFactorOpsPool, kAuthFactorOpsClient, "app", client.dump(), 0, 0, 0}));
    tokens_ = std::make_shared<domain::tokens::TokenService>(env_.ctx);
    RegisterUserOps(registry_, env_.ctx);
    RegisterAuthFactorOps(registry_, env_.ctx, tokens_);
  }

  Result<json> Call(const std::string& op, json input) {
    const JsonHandler* h = registry_.Find(op);
    EXPECT_NE(h, nullptr) << op;
    if (h == nullptr) return ApiError::Internal("no handler");
    CallContext call;
    call.operation = op;
    return (*h)(input, call);
  }

  json Ok(const std::string& op, json input) {
    auto r = Call(op, std::move(input));
    EXPECT_TRUE(r) << op << ": "
                   << (r ? "" : std::string(r.error().type_name()) + " " + r.error().message());
    return r ? *r : json();
  }

  // Creates `username` with a verified e-mail address and a password; returns an access token.
  std::string MakeUser(const std::string& username) {
    json u = Ok("AdminCreateUser", {{"UserPoolId", kAuthFactorOpsPool},
                                    {"Username", username},
                                    {"MessageAction", "SUPPRESS"},
                                    {"TemporaryPassword", "Passw0rd!"},
                                    {"UserAttributes",
                                     {{{"Name", "email"}, {"Value", username + "@example.com"}},
                                      {{"Name", "email_verified"}, {"Value", "true"}}}}});
    domain::tokens::SignInGrant grant;
    grant.pool_id = kAuthFactorOpsPool;
    grant.client_id = kAuthFactorOpsClient;
    for (const auto& a : u["User"]["Attributes"]) {
      if (a["Name"] == "sub") grant.sub = a["Value"];
    }
    grant.auth_time_s = env_.clock.NowSeconds();
    auto issued = tokens_->IssueForSignIn(grant);
    EXPECT_TRUE(issued) << (issued ? "" : issued.error().message());
    return issued ? issued->access_token : std::string();
  }

  domain::users::testing::TestEnv env_;
  std::shared_ptr<domain::tokens::TokenService> tokens_;
  HandlerRegistry registry_;
};

TEST_F(AuthFactorOpsTest, FactorsByTokenAndByAdmin) {
  const std::string token = MakeUser("alice");
  const json expected = {{"Username", "alice"},
                         {"ConfiguredUserAuthFactors", {"PASSWORD", "EMAIL_OTP"}}};
  EXPECT_EQ(Ok("GetUserAuthFactors", {{"AccessToken", token}}), expected);
  EXPECT_EQ(
      Ok("AdminGetUserAuthFactors", {{"UserPoolId", kAuthFactorOpsPool}, {"Username", "alice"}}),
      expected);
  // The user's MFA settings are shown as AdminGetUser shows them.
  auto row = env_.store.GetUserByUsernameKey(kAuthFactorOpsPool, "alice");
  ASSERT_TRUE(row);
  json doc = json::parse(row->doc);
  doc["mfa_settings"] = {"SOFTWARE_TOKEN_MFA"};
  doc["preferred_mfa"] = "SOFTWARE_TOKEN_MFA";
  store::UserRow updated = *row;
  updated.doc = doc.dump();
  ASSERT_TRUE(env_.store.UpdateUser(updated, row->version));
  json got =
      Ok("AdminGetUserAuthFactors", {{"UserPoolId", kAuthFactorOpsPool}, {"Username", "alice"}});
  EXPECT_EQ(got["UserMFASettingList"], json({"SOFTWARE_TOKEN_MFA"}));
  EXPECT_EQ(got["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
}

TEST_F(AuthFactorOpsTest, Errors) {
  auto r =
      Call("AdminGetUserAuthFactors", {{"UserPoolId", kAuthFactorOpsPool}, {"Username", "nobody"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUserNotFound);
  r = Call("AdminGetUserAuthFactors", {{"UserPoolId", "us-east-1_Missing1"}, {"Username", "x"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceNotFound);
  r = Call("GetUserAuthFactors", {{"AccessToken", "not-a-token"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotAuthorized);
}

}  // namespace
}  // namespace cognate::api::cognito_idp
