// The self-service handlers through the registry: JSON in, JSON (or ApiError) out, with access
// tokens minted by the real TokenService.

#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/test_support.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kSelfOpsPool[] = "us-east-1_SelfOps";
constexpr char kSelfOpsClient[] = "selfopsclient0000000000001";

class SelfOpsTest : public testing::OpsTest {
 protected:
  void SetUp() override {
    env_.MakePool(kSelfOpsPool, json{{"AutoVerifiedAttributes", {"email"}}});
    MakeClient(kSelfOpsPool, kSelfOpsClient, {{"PreventUserExistenceErrors", "ENABLED"}});
    RegisterUserOps(registry_, env_.ctx);
    RegisterSelfServiceOps(registry_, env_.ctx, tokens_);
  }

  std::string LastCode() {
    auto sent = env_.sink.Sent();
    std::smatch m;
    const std::string body = sent.empty() ? std::string() : sent.back().body;
    return std::regex_search(body, m, std::regex("[0-9]{6}")) ? m.str() : std::string();
  }

  // Signs "alice" up, confirms her and returns an access token for her.
  std::string ConfirmedAlice() {
    json r =
        Ok("SignUp", {{"ClientId", kSelfOpsClient},
                      {"Username", "alice"},
                      {"Password", "Passw0rd!"},
                      {"UserAttributes", {{{"Name", "email"}, {"Value", "alice@example.com"}}}}});
    Ok("ConfirmSignUp",
       {{"ClientId", kSelfOpsClient}, {"Username", "alice"}, {"ConfirmationCode", LastCode()}});
    return AccessToken(kSelfOpsPool, kSelfOpsClient, r["UserSub"]);
  }
};

TEST_F(SelfOpsTest, SignUpResponseShape) {
  json r = Ok("SignUp", {{"ClientId", kSelfOpsClient},
                         {"Username", "alice"},
                         {"Password", "Passw0rd!"},
                         {"UserAttributes", {{{"Name", "email"}, {"Value", "alice@example.com"}}}},
                         {"ValidationData", {{{"Name", "k"}, {"Value", "v"}}}},
                         {"ClientMetadata", {{"a", "b"}}}});
  EXPECT_EQ(r["UserConfirmed"], false);
  EXPECT_EQ(r["UserSub"].get<std::string>().size(), 36u);
  EXPECT_EQ(r["CodeDeliveryDetails"], (json{{"Destination", "a***@e***.com"},
                                            {"DeliveryMedium", "EMAIL"},
                                            {"AttributeName", "email"}}));
  ExpectError("SignUp", {{"ClientId", kSelfOpsClient}, {"Username", "bob"}, {"Password", 5}},
              ErrorCode::kInvalidParameter);
}

TEST_F(SelfOpsTest, UnknownUsersGetSimulatedDeliveries) {
  json r = Ok("ForgotPassword", {{"ClientId", kSelfOpsClient}, {"Username", "ghost@example.com"}});
  EXPECT_EQ(r["CodeDeliveryDetails"]["Destination"], "g***@e***.com");
  ExpectError("ConfirmSignUp",
              {{"ClientId", kSelfOpsClient}, {"Username", "ghost"}, {"ConfirmationCode", "123456"}},
              ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again.");
}

TEST_F(SelfOpsTest, TokenOperations) {
  const std::string token = ConfirmedAlice();
  json user = Ok("GetUser", {{"AccessToken", token}});
  EXPECT_EQ(user["Username"], "alice");
  EXPECT_EQ(user["UserAttributes"][0]["Name"], "sub");
  EXPECT_FALSE(user.contains("UserStatus"));

  json upd = Ok("UpdateUserAttributes",
                {{"AccessToken", token},
                 {"UserAttributes", {{{"Name", "email"}, {"Value", "new@example.com"}}}}});
  ASSERT_EQ(upd["CodeDeliveryDetailsList"].size(), 1u);
  EXPECT_EQ(upd["CodeDeliveryDetailsList"][0]["Destination"], "n***@e***.com");
  EXPECT_EQ(Ok("VerifyUserAttribute",
               {{"AccessToken", token}, {"AttributeName", "email"}, {"Code", LastCode()}}),
            json::object());
  json code =
      Ok("GetUserAttributeVerificationCode", {{"AccessToken", token}, {"AttributeName", "email"}});
  EXPECT_EQ(code["CodeDeliveryDetails"]["AttributeName"], "email");
  Ok("UpdateUserAttributes",
     {{"AccessToken", token}, {"UserAttributes", {{{"Name", "name"}, {"Value", "Al"}}}}});
  Ok("DeleteUserAttributes", {{"AccessToken", token}, {"UserAttributeNames", {"name"}}});
  ExpectError("DeleteUserAttributes", {{"AccessToken", token}}, ErrorCode::kInvalidParameter);
  ExpectError("ChangePassword",
              {{"AccessToken", token},
               {"PreviousPassword", "Wr0ng!!!x"},
               {"ProposedPassword", "N3wPass!!"}},
              ErrorCode::kNotAuthorized, "Incorrect username or password.");
  Ok("ChangePassword", {{"AccessToken", token},
                        {"PreviousPassword", "Passw0rd!"},
                        {"ProposedPassword", "N3wPass!!"}});
  ExpectError("GetUser", {{"AccessToken", "a.b.c"}}, ErrorCode::kNotAuthorized,
              "Invalid Access Token");
  Ok("DeleteUser", {{"AccessToken", token}});
  ExpectError("GetUser", {{"AccessToken", token}}, ErrorCode::kNotAuthorized);
}

}  // namespace
}  // namespace cognate::api::cognito_idp
