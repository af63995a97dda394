// The user and group handlers behind the real front door: SigV4, model validation, wire format.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/aws_json_service.h"
#include "api/cognito_idp/register.h"
#include "crypto/sigv4.h"
#include "domain/users/test_support.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kUserWirePool[] = "us-east-1_Wire";

class UserWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kUserWirePool);
    RegisterUserOps(idp_, env_.ctx);
    service_ = std::make_unique<AwsJsonService>(
        idp_, identity_,
        [](std::string_view akid) -> std::optional<crypto::SigV4Secret> {
          if (akid == "test") return crypto::SigV4Secret{"test", std::nullopt};
          return std::nullopt;
        },
        env_.clock, AwsJsonOptions{});
  }

  ApiResponse Send(const std::string& op, const json& body) {
    ApiRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "127.0.0.1:9229"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "AWSCognitoIdentityProviderService." + op}};
    r.body = body.dump();
    r.request_id = "rid";
    crypto::SigV4Request s{r.method, r.target, r.headers, r.body};
    crypto::SignSigV4ForTest(s, "test", "test", "us-east-1", "cognito-idp", env_.clock.NowSeconds(),
                             false);
    r.headers = s.headers;
    return service_->Handle(r);
  }

  domain::users::testing::TestEnv env_;
  HandlerRegistry idp_, identity_;
  std::unique_ptr<AwsJsonService> service_;
};

TEST_F(UserWireTest, CreateAndGetUser) {
  ApiResponse r = Send("AdminCreateUser",
                       {{"UserPoolId", kUserWirePool},
                        {"Username", "wire-user"},
                        {"TemporaryPassword", "Passw0rd!"},
                        {"MessageAction", "SUPPRESS"},
                        {"UserAttributes", {{{"Name", "email"}, {"Value", "w@example.com"}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["User"]["Username"], "wire-user");
  EXPECT_EQ(body["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");

  r = Send("AdminGetUser", {{"UserPoolId", kUserWirePool}, {"Username", "wire-user"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["Username"], "wire-user");
}

TEST_F(UserWireTest, ErrorsOnTheWire) {
  ApiResponse r = Send("AdminGetUser", {{"UserPoolId", kUserWirePool}, {"Username", "nobody"}});
  EXPECT_EQ(r.status, 400);
  json body = json::parse(r.body);
  EXPECT_EQ(body["__type"], "UserNotFoundException");
  EXPECT_EQ(body["message"], "User does not exist.");

  r = Send("GetGroup", {{"UserPoolId", kUserWirePool}, {"GroupName", "none"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "ResourceNotFoundException");

  // The model rejects what the handlers never see.
  r = Send("AdminCreateUser", {{"UserPoolId", kUserWirePool}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "InvalidParameterException") << r.body;
  r = Send("ListUsers", {{"UserPoolId", kUserWirePool}, {"Limit", 61}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "InvalidParameterException") << r.body;
}

TEST_F(UserWireTest, GroupsAndListings) {
  ASSERT_EQ(
      Send("CreateGroup", {{"UserPoolId", kUserWirePool}, {"GroupName", "g"}, {"Precedence", 0}})
          .status,
      200);
  ASSERT_EQ(
      Send("AdminCreateUser",
           {{"UserPoolId", kUserWirePool}, {"Username", "member"}, {"MessageAction", "SUPPRESS"}})
          .status,
      200);
  ASSERT_EQ(Send("AdminAddUserToGroup",
                 {{"UserPoolId", kUserWirePool}, {"Username", "member"}, {"GroupName", "g"}})
                .status,
            200);
  ApiResponse r = Send("ListUsersInGroup", {{"UserPoolId", kUserWirePool}, {"GroupName", "g"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["Users"].size(), 1u);
  r = Send("ListUsers", {{"UserPoolId", kUserWirePool}, {"Filter", "username = \"member\""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["Users"].size(), 1u);
}

}  // namespace
}  // namespace cognate::api::cognito_idp
