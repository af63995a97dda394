// RevokeToken, GlobalSignOut and AdminUserGlobalSignOut through the registry, with tokens issued
// by the same TokenService the handlers share.

#include <gtest/gtest.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/test_support.h"
#include "crypto/crypto.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

constexpr char kTokenOpsPool[] = "us-east-1_TokenOps";
constexpr char kTokenOpsClient[] = "tokenopsclient000000000001";
constexpr char kSecretClient[] = "tokenopsclient000000000002";
constexpr char kNoRevokeClient[] = "tokenopsclient000000000003";

class TokenOpsTest : public testing::OpsTest {
 protected:
  void SetUp() override {
    env_.MakePool(kTokenOpsPool);
    MakeClient(kTokenOpsPool, kTokenOpsClient);
    json with_secret = json::object();
    with_secret["_SealedClientSecret"] = domain::userpool::SealClientSecret(
        env_.ctx, kSecretClient, "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t");
    MakeClient(kTokenOpsPool, kSecretClient, with_secret);
    MakeClient(kTokenOpsPool, kNoRevokeClient, {{"EnableTokenRevocation", false}});
    auto rules = domain::users::LoadPoolRules(env_.ctx, kTokenOpsPool);
    ASSERT_TRUE(rules);
    domain::users::UserRecord u;
    u.pool_id = kTokenOpsPool;
    u.sub = crypto::NewUuid();
    u.username = "zoe";
    u.status = "CONFIRMED";
    u.attributes["sub"] = u.sub;
    ASSERT_TRUE(env_.store.CreateUser(domain::users::ToRow(*rules, u)));
    sub_ = u.sub;
    RegisterTokenOps(registry_, env_.ctx, tokens_);
  }

  domain::tokens::IssuedTokens SignIn(const std::string& client = kTokenOpsClient) {
    domain::tokens::SignInGrant g;
    g.pool_id = kTokenOpsPool;
    g.client_id = client;
    g.sub = sub_;
    auto t = tokens_->IssueForSignIn(g);
    EXPECT_TRUE(t);
    return t ? *t : domain::tokens::IssuedTokens{};
  }

  void ExpectRefused(const Result<json>& r, std::string_view type, const std::string& message) {
    ASSERT_FALSE(r) << "expected " << type;
    EXPECT_EQ(r.error().type_name(), type);
    EXPECT_EQ(r.error().message(), message);
  }

  std::string sub_;
};

TEST_F(TokenOpsTest, GlobalSignOut) {
  auto t = SignIn();
  auto out = Call("GlobalSignOut", {{"AccessToken", t.access_token}});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(*out, json::object());
  ExpectRefused(Call("GlobalSignOut", {{"AccessToken", t.access_token}}), "NotAuthorizedException",
                "Access Token has been revoked");
  ExpectRefused(Call("GlobalSignOut", {{"AccessToken", t.id_token}}), "NotAuthorizedException",
                "Invalid Access Token");
  ExpectRefused(Call("GlobalSignOut", json::object()), "InvalidParameterException",
                Call("GlobalSignOut", json::object()).error().message());
}

TEST_F(TokenOpsTest, AdminUserGlobalSignOut) {
  auto t = SignIn();
  ExpectRefused(
      Call("AdminUserGlobalSignOut", {{"UserPoolId", kTokenOpsPool}, {"Username", "nobody"}}),
      "UserNotFoundException", "User does not exist.");
  ExpectRefused(
      Call("AdminUserGlobalSignOut", {{"UserPoolId", "us-east-1_Nope"}, {"Username", "zoe"}}),
      "ResourceNotFoundException", "User pool us-east-1_Nope does not exist.");
  ASSERT_TRUE(Call("AdminUserGlobalSignOut", {{"UserPoolId", kTokenOpsPool}, {"Username", "zoe"}}));
  EXPECT_FALSE(tokens_->VerifyAccessToken(t.access_token));
  // By sub too, as every admin operation finds users.
  auto t2 = SignIn();
  ASSERT_TRUE(Call("AdminUserGlobalSignOut", {{"UserPoolId", kTokenOpsPool}, {"Username", sub_}}));
  EXPECT_FALSE(tokens_->VerifyAccessToken(t2.access_token));
}

TEST_F(TokenOpsTest, RevokeToken) {
  auto t = SignIn();
  ExpectRefused(Call("RevokeToken", {{"Token", t.refresh_token}, {"ClientId", "nosuchclient"}}),
                "ResourceNotFoundException", "User pool client nosuchclient does not exist.");
  ExpectRefused(Call("RevokeToken", {{"Token", t.refresh_token}, {"ClientId", kNoRevokeClient}}),
                "UnsupportedOperationException",
                "Token revocation is not enabled for this app client.");
  ExpectRefused(Call("RevokeToken", {{"Token", t.refresh_token}, {"ClientId", kSecretClient}}),
                "UnauthorizedException",
                std::string("Unable to verify secret hash for client ") + kSecretClient);
  ExpectRefused(Call("RevokeToken", {{"Token", t.refresh_token},
                                     {"ClientId", kSecretClient},
                                     {"ClientSecret", "wrongwrongwrongwrongwrong"}}),
                "UnauthorizedException",
                std::string("Unable to verify secret hash for client ") + kSecretClient);
  ExpectRefused(Call("RevokeToken", {{"Token", t.refresh_token},
                                     {"ClientId", kSecretClient},
                                     {"ClientSecret", "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"}}),
                "UnauthorizedException", "Invalid Refresh Token");
  ExpectRefused(Call("RevokeToken", {{"Token", t.access_token}, {"ClientId", kTokenOpsClient}}),
                "UnsupportedTokenTypeException", "Unsupported token type");
  ASSERT_TRUE(Call("RevokeToken", {{"Token", t.refresh_token}, {"ClientId", kTokenOpsClient}}));
  ExpectRefused(Call("GlobalSignOut", {{"AccessToken", t.access_token}}), "NotAuthorizedException",
                "Access Token has been revoked");

  auto s = SignIn(kSecretClient);
  EXPECT_TRUE(Call("RevokeToken", {{"Token", s.refresh_token},
                                   {"ClientId", kSecretClient},
                                   {"ClientSecret", "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"}}));
}

}  // namespace
}  // namespace cognate::api::cognito_idp
