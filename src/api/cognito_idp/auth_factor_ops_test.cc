// GetUserAuthFactors and AdminGetUserAuthFactors through the registry: JSON in, JSON (or ApiError)
// out, with access tokens minted by the real TokenService.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/test_support.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kAuthFactorOpsPool[] = "us-east-1_FactorOps1";
constexpr char kAuthFactorOpsClient[] = "factoropsclient00000000001";

class AuthFactorOpsTest : public testing::OpsTest {
 protected:
  void SetUp() override {
    env_.MakePool(kAuthFactorOpsPool,
                  {{"Policies",
                    {{"SignInPolicy", {{"AllowedFirstAuthFactors", {"PASSWORD", "EMAIL_OTP"}}}}}}});
    MakeClient(kAuthFactorOpsPool, kAuthFactorOpsClient,
               {{"PreventUserExistenceErrors", "ENABLED"}});
    RegisterUserOps(registry_, env_.ctx);
    RegisterAuthFactorOps(registry_, env_.ctx, tokens_);
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
    return AccessToken(kAuthFactorOpsPool, kAuthFactorOpsClient, SubOf(u));
  }
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
