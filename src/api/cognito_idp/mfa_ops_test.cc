// The MFA handlers through the registry: JSON in, JSON (or ApiError) out, with access tokens
// minted by the real TokenService.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/test_support.h"
#include "crypto/totp.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kMfaOpsPool[] = "us-east-1_MfaOps1";
constexpr char kMfaOpsClient[] = "mfaopsclient00000000000001";

class MfaOpsTest : public testing::OpsTest {
 protected:
  void SetUp() override {
    env_.MakePool(kMfaOpsPool);
    MakeClient(kMfaOpsPool, kMfaOpsClient, {{"PreventUserExistenceErrors", "ENABLED"}});
    RegisterUserOps(registry_, env_.ctx);
    RegisterMfaOps(registry_, env_.ctx, tokens_);
  }

  // Creates "alice" (with a phone number) and returns an access token for her.
  std::string Alice() {
    json u = Ok("AdminCreateUser",
                {{"UserPoolId", kMfaOpsPool},
                 {"Username", "alice"},
                 {"MessageAction", "SUPPRESS"},
                 {"UserAttributes", {{{"Name", "phone_number"}, {"Value", "+15555550100"}}}}});
    return AccessToken(kMfaOpsPool, kMfaOpsClient, SubOf(u));
  }
};

TEST_F(MfaOpsTest, PoolConfiguration) {
  EXPECT_EQ(Ok("GetUserPoolMfaConfig", {{"UserPoolId", kMfaOpsPool}}),
            json({{"MfaConfiguration", "OFF"}}));
  json set = Ok("SetUserPoolMfaConfig", {{"UserPoolId", kMfaOpsPool},
                                         {"MfaConfiguration", "ON"},
                                         {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}});
  EXPECT_EQ(set, json({{"MfaConfiguration", "ON"},
                       {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}}));
  EXPECT_EQ(Ok("GetUserPoolMfaConfig", {{"UserPoolId", kMfaOpsPool}}), set);
  ExpectError("SetUserPoolMfaConfig",
              {{"UserPoolId", kMfaOpsPool}, {"MfaConfiguration", "OPTIONAL"}},
              ErrorCode::kInvalidParameter);
  ExpectError("GetUserPoolMfaConfig", {{"UserPoolId", "us-east-1_Nope"}},
              ErrorCode::kResourceNotFound);
}

TEST_F(MfaOpsTest, SoftwareTokenAndPreferences) {
  const std::string token = Alice();
  json assoc = Ok("AssociateSoftwareToken", {{"AccessToken", token}});
  ASSERT_TRUE(assoc.contains("SecretCode"));
  EXPECT_FALSE(assoc.contains("Session"));
  const auto secret = crypto::Base32Decode(assoc["SecretCode"].get<std::string>());
  ASSERT_TRUE(secret);
  ExpectError("SetUserMFAPreference",
              {{"AccessToken", token},
               {"SoftwareTokenMfaSettings", {{"Enabled", true}, {"PreferredMfa", true}}}},
              ErrorCode::kInvalidParameter, "User has not verified software token mfa");
  const std::string code = crypto::Totp(*secret, env_.clock.NowSeconds());
  ExpectError("VerifySoftwareToken",
              {{"AccessToken", token}, {"UserCode", code == "000000" ? "111111" : "000000"}},
              ErrorCode::kEnableSoftwareTokenMFA);
  EXPECT_EQ(Ok("VerifySoftwareToken", {{"AccessToken", token}, {"UserCode", code}}),
            json({{"Status", "SUCCESS"}}));
  EXPECT_EQ(Ok("SetUserMFAPreference",
               {{"AccessToken", token},
                {"SoftwareTokenMfaSettings", {{"Enabled", true}, {"PreferredMfa", true}}},
                {"SMSMfaSettings", {{"Enabled", true}}}}),
            json::object());
  json user = Ok("AdminGetUser", {{"UserPoolId", kMfaOpsPool}, {"Username", "alice"}});
  EXPECT_EQ(user["UserMFASettingList"], json({"SMS_MFA", "SOFTWARE_TOKEN_MFA"}));
  EXPECT_EQ(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
  EXPECT_EQ(user["MFAOptions"],
            json::array({{{"DeliveryMedium", "SMS"}, {"AttributeName", "phone_number"}}}));

  Ok("AdminDeleteSoftwareToken", {{"UserPoolId", kMfaOpsPool}, {"Username", "alice"}});
  Ok("AdminSetUserSettings",
     {{"UserPoolId", kMfaOpsPool}, {"Username", "alice"}, {"MFAOptions", json::array()}});
  user = Ok("AdminGetUser", {{"UserPoolId", kMfaOpsPool}, {"Username", "alice"}});
  EXPECT_FALSE(user.contains("UserMFASettingList"));
  EXPECT_FALSE(user.contains("PreferredMfaSetting"));
  EXPECT_FALSE(user.contains("MFAOptions"));
  ExpectError("AdminSetUserSettings", {{"UserPoolId", kMfaOpsPool}, {"Username", "alice"}},
              ErrorCode::kInvalidParameter);
  ExpectError("SetUserSettings",
              {{"AccessToken", token},
               {"MFAOptions", {{{"DeliveryMedium", "EMAIL"}, {"AttributeName", "email"}}}}},
              ErrorCode::kInvalidParameter);
  ExpectError(
      "AdminSetUserMFAPreference",
      {{"UserPoolId", kMfaOpsPool}, {"Username", "ghost"}, {"SMSMfaSettings", {{"Enabled", true}}}},
      ErrorCode::kUserNotFound);
  ExpectError("AssociateSoftwareToken", json::object(), ErrorCode::kInvalidParameter);
  ExpectError("VerifySoftwareToken", {{"Session", std::string(40, 's')}, {"UserCode", "123456"}},
              ErrorCode::kNotAuthorized, "Invalid session for the user.");
}

}  // namespace
}  // namespace cognate::api::cognito_idp
