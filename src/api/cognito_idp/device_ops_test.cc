// The device handlers through the registry: JSON in, JSON (or ApiError) out, with access tokens
// minted by the real TokenService and a device verifier made by crypto/srp.h.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/test_support.h"
#include "crypto/crypto.h"
#include "crypto/srp.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kDeviceOpsPool[] = "ap-south-1_DevOps";
constexpr char kDeviceOpsClient[] = "deviceopsclient00000000001";

class DeviceOpsTest : public testing::OpsTest {
 protected:
  void SetUp() override {
    env_.MakePool(kDeviceOpsPool,
                  json{{"DeviceConfiguration", {{"ChallengeRequiredOnNewDevice", true}}}});
    MakeClient(kDeviceOpsPool, kDeviceOpsClient,
               {{"ExplicitAuthFlows", {"ALLOW_USER_PASSWORD_AUTH"}}});
    source_ip_ = "198.51.100.4";
    RegisterUserOps(registry_, env_.ctx);
    RegisterAuthOps(registry_, env_.ctx, tokens_);
    RegisterDeviceOps(registry_, env_.ctx, tokens_);
    Ok("AdminCreateUser", {{"UserPoolId", kDeviceOpsPool},
                           {"Username", "alice"},
                           {"TemporaryPassword", "Passw0rd!"},
                           {"MessageAction", "SUPPRESS"}});
    Ok("AdminSetUserPassword", {{"UserPoolId", kDeviceOpsPool},
                                {"Username", "alice"},
                                {"Password", "Passw0rd!"},
                                {"Permanent", true}});
  }

  json SignIn() {
    return Ok("InitiateAuth",
              {{"ClientId", kDeviceOpsClient},
               {"AuthFlow", "USER_PASSWORD_AUTH"},
               {"AuthParameters", {{"USERNAME", "alice"}, {"PASSWORD", "Passw0rd!"}}}});
  }
};

TEST_F(DeviceOpsTest, NewDeviceConfirmGetListUpdateForget) {
  json result = SignIn()["AuthenticationResult"];
  ASSERT_TRUE(result.contains("NewDeviceMetadata")) << result.dump();
  const std::string key = result["NewDeviceMetadata"]["DeviceKey"];
  const std::string group = result["NewDeviceMetadata"]["DeviceGroupKey"];
  EXPECT_EQ(key.rfind("ap-south-1_", 0), 0u);
  const std::string token = result["AccessToken"];

  const auto v = crypto::MakeSrpVerifier(group, key, "device-password");
  json confirm = {{"AccessToken", token},
                  {"DeviceKey", key},
                  {"DeviceName", "laptop"},
                  {"DeviceSecretVerifierConfig",
                   {{"PasswordVerifier", crypto::Base64Encode(v.verifier)},
                    {"Salt", crypto::Base64Encode(v.salt)}}}};
  EXPECT_EQ(Ok("ConfirmDevice", confirm), json({{"UserConfirmationNecessary", false}}));
  ExpectError("ConfirmDevice", confirm, ErrorCode::kDeviceKeyExists, "Device key already exists.");

  json device = Ok("GetDevice", {{"AccessToken", token}, {"DeviceKey", key}})["Device"];
  EXPECT_EQ(device["DeviceKey"], key);
  const double created = env_.clock.NowMillis() / 1000.0;
  EXPECT_EQ(device["DeviceCreateDate"], created);
  EXPECT_EQ(device["DeviceLastModifiedDate"], created);
  EXPECT_EQ(device["DeviceLastAuthenticatedDate"], created);
  EXPECT_EQ(device["DeviceAttributes"], json::parse(R"([{"Name":"device_status","Value":"valid"},
                            {"Name":"device_name","Value":"laptop"},
                            {"Name":"dev:device_remembered_status","Value":"remembered"},
                            {"Name":"last_ip_used","Value":"198.51.100.4"}])"));

  json list = Ok("ListDevices", {{"AccessToken", token}, {"Limit", 10}});
  ASSERT_EQ(list["Devices"].size(), 1u);
  EXPECT_FALSE(list.contains("PaginationToken"));
  EXPECT_EQ(list["Devices"][0], device);
  json admin = Ok("AdminListDevices", {{"UserPoolId", kDeviceOpsPool}, {"Username", "alice"}});
  EXPECT_EQ(admin["Devices"][0], device);

  env_.clock.AdvanceMillis(2000);
  EXPECT_EQ(Ok("UpdateDeviceStatus", {{"AccessToken", token},
                                      {"DeviceKey", key},
                                      {"DeviceRememberedStatus", "not_remembered"}}),
            json::object());
  json updated =
      Ok("AdminGetDevice",
         {{"UserPoolId", kDeviceOpsPool}, {"Username", "alice"}, {"DeviceKey", key}})["Device"];
  EXPECT_EQ(updated["DeviceLastModifiedDate"], created + 2);
  EXPECT_EQ(updated["DeviceAttributes"][2]["Value"], "not_remembered");

  ExpectError("GetDevice", {{"DeviceKey", key}}, ErrorCode::kInvalidParameter,
              "1 validation error detected: Value null at 'accessToken' failed to satisfy "
              "constraint: Member must not be null");
  EXPECT_EQ(Ok("ForgetDevice", {{"AccessToken", token}, {"DeviceKey", key}}), json::object());
  ExpectError("GetDevice", {{"AccessToken", token}, {"DeviceKey", key}},
              ErrorCode::kResourceNotFound, "Device does not exist.");
  ExpectError("AdminForgetDevice",
              {{"UserPoolId", kDeviceOpsPool}, {"Username", "alice"}, {"DeviceKey", key}},
              ErrorCode::kResourceNotFound, "Device does not exist.");
  ExpectError("AdminUpdateDeviceStatus",
              {{"UserPoolId", kDeviceOpsPool}, {"Username", "bob"}, {"DeviceKey", key}},
              ErrorCode::kUserNotFound, "User does not exist.");
}

TEST_F(DeviceOpsTest, DeviceChallengeOnTheWire) {
  json result = SignIn()["AuthenticationResult"];
  const std::string key = result["NewDeviceMetadata"]["DeviceKey"];
  const std::string group = result["NewDeviceMetadata"]["DeviceGroupKey"];
  const auto v = crypto::MakeSrpVerifier(group, key, "device-password");
  Ok("ConfirmDevice", {{"AccessToken", result["AccessToken"]},
                       {"DeviceKey", key},
                       {"DeviceSecretVerifierConfig",
                        {{"PasswordVerifier", crypto::Base64Encode(v.verifier)},
                         {"Salt", crypto::Base64Encode(v.salt)}}}});
  json step = Ok("InitiateAuth",
                 {{"ClientId", kDeviceOpsClient},
                  {"AuthFlow", "USER_PASSWORD_AUTH"},
                  {"AuthParameters",
                   {{"USERNAME", "alice"}, {"PASSWORD", "Passw0rd!"}, {"DEVICE_KEY", key}}}});
  EXPECT_EQ(step["ChallengeName"], "DEVICE_SRP_AUTH");
  EXPECT_EQ(step["ChallengeParameters"], json::object());
  ASSERT_TRUE(step["Session"].is_string());
  const crypto::SrpClient client(group, key);
  json mid = Ok("RespondToAuthChallenge",
                {{"ClientId", kDeviceOpsClient},
                 {"ChallengeName", "DEVICE_SRP_AUTH"},
                 {"Session", step["Session"]},
                 {"ChallengeResponses",
                  {{"USERNAME", "alice"}, {"DEVICE_KEY", key}, {"SRP_A", client.PublicAHex()}}}});
  EXPECT_EQ(mid["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
  json p = mid["ChallengeParameters"];
  EXPECT_EQ(p["USERNAME"], "alice");
  auto even = [](std::string h) { return h.size() % 2 ? "0" + h : h; };
  const std::string ts = crypto::FormatSrpTimestamp(env_.clock.NowSeconds());
  auto sig = client.SignClaim("device-password", *crypto::HexDecode(even(p["SRP_B"])),
                              *crypto::HexDecode(even(p["SALT"])),
                              *crypto::Base64Decode(p["SECRET_BLOCK"].get<std::string>()), ts);
  ASSERT_TRUE(sig);
  json done = Ok("RespondToAuthChallenge", {{"ClientId", kDeviceOpsClient},
                                            {"ChallengeName", "DEVICE_PASSWORD_VERIFIER"},
                                            {"Session", mid["Session"]},
                                            {"ChallengeResponses",
                                             {{"USERNAME", "alice"},
                                              {"DEVICE_KEY", key},
                                              {"PASSWORD_CLAIM_SECRET_BLOCK", p["SECRET_BLOCK"]},
                                              {"PASSWORD_CLAIM_SIGNATURE", *sig},
                                              {"TIMESTAMP", ts}}}});
  ASSERT_TRUE(done.contains("AuthenticationResult")) << done.dump();
  EXPECT_FALSE(done["AuthenticationResult"].contains("NewDeviceMetadata"));
  auto claims =
      tokens_->VerifyAccessToken(done["AuthenticationResult"]["AccessToken"].get<std::string>());
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->device_key, key);
}

}  // namespace
}  // namespace cognate::api::cognito_idp
