#include "domain/tokens/token_service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/jwt.h"
#include "domain/tokens/key_ring.h"
#include "domain/users/pool_rules.h"
#include "domain/users/test_support.h"
#include "domain/users/user_record.h"

namespace cognate::domain::tokens {
namespace {

using nlohmann::json;

constexpr char kTokenServicePool[] = "us-east-1_Tokens";
constexpr char kOtherPool[] = "us-east-1_Other";
constexpr char kTokenServiceClient[] = "client0000000000000000000a";
constexpr char kOtherClient[] = "client0000000000000000000b";
constexpr char kIssuer[] = "http://127.0.0.1:9229/us-east-1_Tokens";

json SchemaAttr(const std::string& name, const std::string& type = "String",
                bool developer_only = false) {
  return json{{"Name", name},
              {"AttributeDataType", type},
              {"Mutable", true},
              {"Required", false},
              {"DeveloperOnlyAttribute", developer_only}};
}

json PoolDoc() {
  return json{
      {"SchemaAttributes",
       json::array({SchemaAttr("sub"), SchemaAttr("email"), SchemaAttr("email_verified", "Boolean"),
                    SchemaAttr("phone_number"), SchemaAttr("phone_number_verified", "Boolean"),
                    SchemaAttr("given_name"), SchemaAttr("updated_at", "Number"),
                    SchemaAttr("custom:tier"), SchemaAttr("dev:custom:secret", "String", true)})}};
}

// The decoded JSON of a JWT part (0 header, 1 payload).
json Part(const std::string& token, int index) {
  std::size_t d1 = token.find('.');
  std::size_t d2 = token.find('.', d1 + 1);
  std::string part = index == 0 ? token.substr(0, d1) : token.substr(d1 + 1, d2 - d1 - 1);
  auto text = crypto::Base64UrlDecode(part);
  EXPECT_TRUE(text);
  return json::parse(text.value_or("{}"));
}

std::string B64(const std::string& s) { return crypto::Base64UrlEncode(s); }

using users::testing::ExpectError;

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kTokenServicePool, PoolDoc());
    env_.MakePool(kOtherPool, PoolDoc());
    MakeClient(kTokenServicePool, kTokenServiceClient, json::object());
    MakeClient(kTokenServicePool, kOtherClient, json::object());
    sub_ = MakeUser(kTokenServicePool, "alice",
                    {{"email", "alice@example.com"},
                     {"email_verified", "true"},
                     {"phone_number", "+15555550100"},
                     {"phone_number_verified", "false"},
                     {"given_name", "Alice"},
                     {"updated_at", "1700000000"},
                     {"custom:tier", "gold"},
                     {"dev:custom:secret", "hidden"}});
  }

  void MakeClient(const std::string& pool, const std::string& id, json doc) {
    doc["ClientId"] = id;
    doc["UserPoolId"] = pool;
    doc["ClientName"] = "app";
    store::ClientRow row{pool, id, "app", doc.dump(), 1, 1, 0};
    ASSERT_TRUE(env_.store.CreateClient(row));
  }

  void UpdateClient(const std::string& id, const json& patch) {
    auto row = env_.store.GetClient(id);
    ASSERT_TRUE(row);
    json doc = json::parse(row->doc);
    doc.update(patch);
    row->doc = doc.dump();
    ASSERT_TRUE(env_.store.UpdateClient(*row, row->version));
  }

  std::string MakeUser(const std::string& pool, const std::string& username,
                       std::map<std::string, std::string> attrs) {
    auto rules = users::LoadPoolRules(env_.ctx, pool);
    EXPECT_TRUE(rules);
    users::UserRecord u;
    u.pool_id = pool;
    u.sub = crypto::NewUuid();
    u.username = username;
    u.status = "CONFIRMED";
    u.attributes = std::move(attrs);
    u.attributes["sub"] = u.sub;
    EXPECT_TRUE(env_.store.CreateUser(users::ToRow(*rules, u)));
    return u.sub;
  }

  void AddGroup(const std::string& name, std::optional<std::string> role,
                std::optional<std::int64_t> precedence) {
    json doc = json::object();
    if (role) doc["RoleArn"] = *role;
    if (precedence) doc["Precedence"] = *precedence;
    store::GroupRow g{kTokenServicePool, name, doc.dump(), 1, 1, 0};
    ASSERT_TRUE(env_.store.CreateGroup(g));
    ASSERT_TRUE(env_.store.AddUserToGroup(kTokenServicePool, name, sub_));
  }

  SignInGrant Grant(const std::string& client = kTokenServiceClient) {
    SignInGrant g;
    g.pool_id = kTokenServicePool;
    g.client_id = client;
    g.sub = sub_;
    g.auth_time_s = env_.clock.NowSeconds();
    return g;
  }

  IssuedTokens SignIn(const std::string& client = kTokenServiceClient) {
    auto t = tokens_.IssueForSignIn(Grant(client));
    EXPECT_TRUE(t) << (t ? "" : t.error().message());
    return t ? *t : IssuedTokens{};
  }

  Result<IssuedTokens> Refresh(const std::string& refresh_token, bool rotate = false,
                               const std::string& client = kTokenServiceClient) {
    RefreshInput in;
    in.client_id = client;
    in.refresh_token = refresh_token;
    in.allow_rotation = rotate;
    return tokens_.Refresh(in);
  }

  // A signer holding the pool's current (newest live) private key, read from the store.
  crypto::JwtSigner PoolSigner(const std::string& pool) {
    auto rows = env_.store.ListSigningKeys(pool);
    EXPECT_TRUE(rows && !rows->empty());
    const auto& row = rows->front();
    auto pem = env_.box.Open(row.sealed_private_key, KeyRing::Aad(pool, row.kid));
    EXPECT_TRUE(pem);
    auto key = crypto::RsaKey::FromPrivatePem(pem.value_or(""));
    return *crypto::JwtSigner::Create(*key, row.kid);
  }

  crypto::RsaKey PoolPublicKey(const std::string& pool) { return PoolSigner(pool).key(); }

  users::testing::TestEnv env_;
  TokenService tokens_{env_.ctx};
  std::string sub_;
};

// ---- claims ------------------------------------------------------------------------------------

TEST_F(TokenServiceTest, IdTokenClaimsFieldByField) {
  AddGroup("admins", "arn:aws:iam::000000000000:role/admin", 1);
  AddGroup("readers", "arn:aws:iam::000000000000:role/reader", 5);
  IssuedTokens t = SignIn();
  json header = Part(t.id_token, 0);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_TRUE(header["kid"].is_string());
  json c = Part(t.id_token, 1);
  EXPECT_EQ(c["sub"], sub_);
  EXPECT_EQ(c["cognito:groups"], json::array({"admins", "readers"}));
  EXPECT_EQ(c["email_verified"], true);
  EXPECT_EQ(c["phone_number_verified"], false);
  EXPECT_EQ(c["iss"], kIssuer);
  EXPECT_EQ(c["cognito:username"], "alice");
  EXPECT_EQ(c["origin_jti"], t.family_id);
  EXPECT_EQ(c["aud"], kTokenServiceClient);
  EXPECT_TRUE(c["event_id"].is_string());
  EXPECT_EQ(c["token_use"], "id");
  EXPECT_EQ(c["auth_time"], env_.clock.NowSeconds());
  EXPECT_EQ(c["iat"], env_.clock.NowSeconds());
  EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 3600);
  EXPECT_EQ(c["jti"].get<std::string>().size(), 36u);
  EXPECT_EQ(c["email"], "alice@example.com");
  EXPECT_EQ(c["phone_number"], "+15555550100");
  EXPECT_EQ(c["given_name"], "Alice");
  EXPECT_EQ(c["updated_at"], 1700000000);
  EXPECT_EQ(c["custom:tier"], "gold");
  EXPECT_FALSE(c.contains("dev:custom:secret"));
  EXPECT_EQ(c["cognito:roles"], json::array({"arn:aws:iam::000000000000:role/admin",
                                             "arn:aws:iam::000000000000:role/reader"}));
  EXPECT_EQ(c["cognito:preferred_role"], "arn:aws:iam::000000000000:role/admin");
  EXPECT_FALSE(c.contains("client_id"));
  EXPECT_FALSE(c.contains("scope"));
  EXPECT_EQ(t.token_type, "Bearer");
  EXPECT_EQ(t.expires_in_s, 3600);
  EXPECT_FALSE(t.refresh_token.empty());
}

TEST_F(TokenServiceTest, AccessTokenClaimsFieldByField) {
  AddGroup("admins", std::nullopt, std::nullopt);
  IssuedTokens t = SignIn();
  json c = Part(t.access_token, 1);
  std::vector<std::string> keys;
  for (auto it = c.begin(); it != c.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(c["sub"], sub_);
  EXPECT_EQ(c["cognito:groups"], json::array({"admins"}));
  EXPECT_EQ(c["iss"], kIssuer);
  EXPECT_EQ(c["client_id"], kTokenServiceClient);
  EXPECT_EQ(c["origin_jti"], t.family_id);
  EXPECT_TRUE(c["event_id"].is_string());
  EXPECT_EQ(c["token_use"], "access");
  EXPECT_EQ(c["scope"], "aws.cognito.signin.user.admin");
  EXPECT_EQ(c["auth_time"], env_.clock.NowSeconds());
  EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 3600);
  EXPECT_TRUE(c["jti"].is_string());
  EXPECT_NE(c["jti"], Part(t.id_token, 1)["jti"]);
  EXPECT_EQ(c["event_id"], Part(t.id_token, 1)["event_id"]);
  EXPECT_EQ(c["username"], "alice");
  EXPECT_EQ(c.size(), 13u);
  EXPECT_FALSE(c.contains("aud"));
  EXPECT_FALSE(c.contains("email"));
  EXPECT_FALSE(c.contains("cognito:roles"));
}

TEST_F(TokenServiceTest, NoGroupsNoGroupClaimAndDeviceKeyInAccessToken) {
  SignInGrant g = Grant();
  g.device_key = "us-east-1_device";
  g.scopes = {"openid", "aws.cognito.signin.user.admin"};
  auto t = tokens_.IssueForSignIn(g);
  ASSERT_TRUE(t);
  EXPECT_FALSE(Part(t->id_token, 1).contains("cognito:groups"));
  json a = Part(t->access_token, 1);
  EXPECT_FALSE(a.contains("cognito:groups"));
  EXPECT_EQ(a["device_key"], "us-east-1_device");
  EXPECT_EQ(a["scope"], "openid aws.cognito.signin.user.admin");
  auto v = tokens_.VerifyAccessToken(t->access_token);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->device_key, "us-east-1_device");
  EXPECT_EQ(v->scopes, (std::vector<std::string>{"openid", "aws.cognito.signin.user.admin"}));
}

TEST_F(TokenServiceTest, ReadAttributesLimitTheIdToken) {
  UpdateClient(kTokenServiceClient, {{"ReadAttributes", {"email", "custom:tier"}}});
  json c = Part(SignIn().id_token, 1);
  EXPECT_EQ(c["email"], "alice@example.com");
  EXPECT_EQ(c["custom:tier"], "gold");
  EXPECT_EQ(c["sub"], sub_);
  EXPECT_FALSE(c.contains("email_verified"));
  EXPECT_FALSE(c.contains("given_name"));
  EXPECT_FALSE(c.contains("phone_number"));
}

// A grant may carry the rules its caller has just loaded: they are used as they are (the pool's
// read is spared), unless they are another pool's.
TEST_F(TokenServiceTest, RulesGivenWithTheGrantAreUsedWhenTheyAreThePools) {
  json narrow = PoolDoc();
  narrow["SchemaAttributes"] = json::array({SchemaAttr("sub"), SchemaAttr("email")});
  auto rules_of = [&](const std::string& pool) {
    return users::PoolRules::FromRow(store::PoolRow{pool, "p", narrow.dump(), 1, 1, 1});
  };
  const users::PoolRules given = rules_of(kTokenServicePool);
  SignInGrant g = Grant();
  g.rules = &given;
  auto used = tokens_.IssueForSignIn(g);
  ASSERT_TRUE(used) << used.error().message();
  json c = Part(used->id_token, 1);
  EXPECT_EQ(c["email"], "alice@example.com");
  EXPECT_FALSE(c.contains("custom:tier"));  // the given schema, not the stored pool's

  const users::PoolRules foreign = rules_of(kOtherPool);
  g.rules = &foreign;
  auto loaded = tokens_.IssueForSignIn(g);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(Part(loaded->id_token, 1)["custom:tier"], "gold");  // the pool's own, loaded
}

TEST_F(TokenServiceTest, ValidityFromTheClientWithUnits) {
  UpdateClient(kTokenServiceClient,
               {{"AccessTokenValidity", 5},
                {"IdTokenValidity", 2},
                {"RefreshTokenValidity", 60},
                {"TokenValidityUnits",
                 {{"AccessToken", "minutes"}, {"IdToken", "hours"}, {"RefreshToken", "minutes"}}}});
  IssuedTokens t = SignIn();
  EXPECT_EQ(t.expires_in_s, 300);
  json a = Part(t.access_token, 1);
  json i = Part(t.id_token, 1);
  EXPECT_EQ(a["exp"].get<std::int64_t>() - a["iat"].get<std::int64_t>(), 300);
  EXPECT_EQ(i["exp"].get<std::int64_t>() - i["iat"].get<std::int64_t>(), 7200);
  env_.clock.AdvanceMillis(59 * 60 * 1000);
  EXPECT_TRUE(Refresh(t.refresh_token));
  env_.clock.AdvanceMillis(60 * 1000);
  ExpectError(Refresh(t.refresh_token), ErrorCode::kNotAuthorized, "Refresh Token has expired");
}

TEST_F(TokenServiceTest, IssueErrors) {
  SignInGrant g = Grant();
  g.client_id = "nope";
  ExpectError(tokens_.IssueForSignIn(g), ErrorCode::kResourceNotFound,
              "User pool client nope does not exist.");
  g = Grant();
  g.sub = "gone";
  ExpectError(tokens_.IssueForSignIn(g), ErrorCode::kUserNotFound, "User does not exist.");
}

TEST_F(TokenServiceTest, ANamedFamilyStartsOnce) {
  SignInGrant g = Grant();
  g.family_id = "0f0e0d0c-0b0a-4908-8706-050403020100";
  auto first = tokens_.IssueForSignIn(g);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->family_id, g.family_id);
  auto v = tokens_.VerifyAccessToken(first->access_token);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->family_id, g.family_id);  // the origin_jti
  // The sign-in that named it was completed: a second one is a replay, and nothing changes.
  ExpectError(tokens_.IssueForSignIn(g), ErrorCode::kNotAuthorized,
              "Invalid session for the user.");
  EXPECT_TRUE(tokens_.VerifyAccessToken(first->access_token));
  EXPECT_TRUE(Refresh(first->refresh_token));
}

// ---- refresh -----------------------------------------------------------------------------------

TEST_F(TokenServiceTest, RefreshWithoutRotationKeepsTheSameToken) {
  IssuedTokens t = SignIn();
  env_.clock.AdvanceMillis(10'000);
  auto r1 = Refresh(t.refresh_token);
  ASSERT_TRUE(r1) << r1.error().message();
  EXPECT_EQ(r1->refresh_token, "");
  EXPECT_EQ(r1->family_id, t.family_id);
  json a = Part(r1->access_token, 1);
  EXPECT_EQ(a["origin_jti"], t.family_id);
  EXPECT_EQ(a["auth_time"], env_.clock.NowSeconds() - 10);
  EXPECT_EQ(a["iat"], env_.clock.NowSeconds());
  auto r2 = Refresh(t.refresh_token, /*rotate=*/true);  // rotation off on this client
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->refresh_token, "");
  EXPECT_TRUE(tokens_.VerifyAccessToken(r2->access_token));
  EXPECT_TRUE(tokens_.VerifyAccessToken(t.access_token));
}

TEST_F(TokenServiceTest, RefreshSeesCurrentAttributesAndGroups) {
  IssuedTokens t = SignIn();
  AddGroup("late", std::nullopt, std::nullopt);
  auto r = Refresh(t.refresh_token);
  ASSERT_TRUE(r);
  EXPECT_EQ(Part(r->id_token, 1)["cognito:groups"], json::array({"late"}));
}

TEST_F(TokenServiceTest, RefreshRefusals) {
  IssuedTokens t = SignIn();
  ExpectError(Refresh("garbage"), ErrorCode::kNotAuthorized, "Invalid Refresh Token");
  ExpectError(Refresh(t.access_token), ErrorCode::kNotAuthorized, "Invalid Refresh Token");
  std::string tampered = t.refresh_token;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  ExpectError(Refresh(tampered), ErrorCode::kNotAuthorized, "Invalid Refresh Token");
  ExpectError(Refresh(t.refresh_token, false, kOtherClient), ErrorCode::kNotAuthorized,
              "Invalid Refresh Token");
  RefreshInput wrong_pool;
  wrong_pool.pool_id = kOtherPool;
  wrong_pool.client_id = kTokenServiceClient;
  wrong_pool.refresh_token = t.refresh_token;
  ExpectError(tokens_.Refresh(wrong_pool), ErrorCode::kResourceNotFound,
              std::string("User pool client ") + kTokenServiceClient + " does not exist.");
  // Disabled user.
  auto row = env_.store.GetUserBySub(kTokenServicePool, sub_);
  ASSERT_TRUE(row);
  row->enabled = false;
  ASSERT_TRUE(env_.store.UpdateUser(*row, row->version));
  ExpectError(Refresh(t.refresh_token), ErrorCode::kNotAuthorized, "User is disabled.");
}

TEST_F(TokenServiceTest, RotationWithGracePeriodAndReuseDetection) {
  UpdateClient(kTokenServiceClient, {{"RefreshTokenRotation",
                                      {{"Feature", "ENABLED"}, {"RetryGracePeriodSeconds", 10}}}});
  IssuedTokens t = SignIn();
  // REFRESH_TOKEN_AUTH (no rotation allowed) leaves the token as it is.
  auto plain = Refresh(t.refresh_token, /*rotate=*/false);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->refresh_token, "");

  auto r1 = Refresh(t.refresh_token, /*rotate=*/true);
  ASSERT_TRUE(r1) << r1.error().message();
  ASSERT_FALSE(r1->refresh_token.empty());
  EXPECT_NE(r1->refresh_token, t.refresh_token);
  EXPECT_EQ(r1->family_id, t.family_id);

  // A retry with the old token inside the grace period still works.
  env_.clock.AdvanceMillis(5'000);
  auto retry = Refresh(t.refresh_token, /*rotate=*/true);
  ASSERT_TRUE(retry) << retry.error().message();
  ASSERT_FALSE(retry->refresh_token.empty());
  // The newest one works.
  auto r2 = Refresh(retry->refresh_token, /*rotate=*/true);
  ASSERT_TRUE(r2);

  // After the grace period the rotated-out token is reuse: the whole family is revoked.
  env_.clock.AdvanceMillis(6'000);
  ExpectError(Refresh(t.refresh_token, true), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
  ExpectError(Refresh(r2->refresh_token, true), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
  ExpectError(tokens_.VerifyAccessToken(r2->access_token), ErrorCode::kNotAuthorized,
              "Access Token has been revoked");
}

TEST_F(TokenServiceTest, RotationWithoutGraceRevokesOnFirstReuse) {
  UpdateClient(kTokenServiceClient, {{"RefreshTokenRotation", {{"Feature", "ENABLED"}}}});
  IssuedTokens t = SignIn();
  auto r1 = Refresh(t.refresh_token, true);
  ASSERT_TRUE(r1);
  ExpectError(Refresh(t.refresh_token, true), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
  ExpectError(Refresh(r1->refresh_token, true), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
}

TEST_F(TokenServiceTest, RefreshTokensAreStoredOnlyAsHashes) {
  IssuedTokens t = SignIn();
  auto row = env_.store.GetTokenFamily(t.family_id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->refresh_hash, crypto::HexEncode(crypto::Sha256(t.refresh_token)));
  EXPECT_EQ(row->doc.find(t.refresh_token), std::string::npos);
  EXPECT_EQ(row->sub, sub_);
  EXPECT_EQ(row->client_id, kTokenServiceClient);
}

// ---- revocation --------------------------------------------------------------------------------

TEST_F(TokenServiceTest, RevokeRefreshTokenRevokesTheFamily) {
  IssuedTokens t = SignIn();
  IssuedTokens other = SignIn();
  ExpectError(tokens_.RevokeRefreshToken(kOtherClient, t.refresh_token), ErrorCode::kUnauthorized,
              "Invalid Refresh Token");
  ExpectError(tokens_.RevokeRefreshToken(kTokenServiceClient, t.access_token),
              ErrorCode::kUnsupportedTokenType, "Unsupported token type");
  ASSERT_TRUE(tokens_.RevokeRefreshToken(kTokenServiceClient, t.refresh_token));
  EXPECT_TRUE(tokens_.RevokeRefreshToken(kTokenServiceClient, t.refresh_token));  // twice is fine
  ExpectError(Refresh(t.refresh_token), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
  ExpectError(tokens_.VerifyAccessToken(t.access_token), ErrorCode::kNotAuthorized,
              "Access Token has been revoked");
  // Another sign-in of the same user is untouched.
  EXPECT_TRUE(tokens_.VerifyAccessToken(other.access_token));
  EXPECT_TRUE(Refresh(other.refresh_token));
}

TEST_F(TokenServiceTest, GlobalSignOutRevokesEveryFamilyOnEveryNode) {
  IssuedTokens a = SignIn();
  IssuedTokens b = SignIn(kOtherClient);
  TokenService other_node(env_.ctx);
  ASSERT_TRUE(other_node.VerifyAccessToken(a.access_token));
  ASSERT_TRUE(tokens_.RevokeAllForUser(kTokenServicePool, sub_));
  for (auto* svc : {&tokens_, &other_node}) {
    ExpectError(svc->VerifyAccessToken(a.access_token), ErrorCode::kNotAuthorized,
                "Access Token has been revoked");
    ExpectError(svc->VerifyAccessToken(b.access_token), ErrorCode::kNotAuthorized,
                "Access Token has been revoked");
  }
  ExpectError(Refresh(a.refresh_token), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
  ExpectError(Refresh(b.refresh_token, false, kOtherClient), ErrorCode::kNotAuthorized,
              "Refresh Token has been revoked");
  // A new sign-in works again.
  EXPECT_TRUE(tokens_.VerifyAccessToken(SignIn().access_token));
}

// ---- keys --------------------------------------------------------------------------------------

TEST_F(TokenServiceTest, VerifyReturnsTheClaims) {
  IssuedTokens t = SignIn();
  auto v = tokens_.VerifyAccessToken(t.access_token);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->pool_id, kTokenServicePool);
  EXPECT_EQ(v->client_id, kTokenServiceClient);
  EXPECT_EQ(v->sub, sub_);
  EXPECT_EQ(v->username, "alice");
  EXPECT_EQ(v->family_id, t.family_id);
  EXPECT_EQ(v->scopes, std::vector<std::string>{"aws.cognito.signin.user.admin"});
  EXPECT_EQ(v->exp_s, env_.clock.NowSeconds() + 3600);
  EXPECT_EQ(v->claims["token_use"], "access");
}

TEST_F(TokenServiceTest, KeyRotationKeepsOldTokensAndSignsWithTheNewKey) {
  IssuedTokens before = SignIn();
  std::string old_kid = Part(before.access_token, 0)["kid"];
  auto jwks1 = tokens_.JwksJson(kTokenServicePool);
  ASSERT_TRUE(jwks1);
  EXPECT_EQ(json::parse(*jwks1)["keys"].size(), 1u);

  env_.clock.AdvanceMillis(1'000);
  auto kid = tokens_.RotateSigningKey(kTokenServicePool);
  ASSERT_TRUE(kid) << kid.error().message();
  EXPECT_NE(*kid, old_kid);
  IssuedTokens after = SignIn();
  EXPECT_EQ(Part(after.access_token, 0)["kid"], *kid);
  EXPECT_EQ(Part(after.id_token, 0)["kid"], *kid);
  EXPECT_TRUE(tokens_.VerifyAccessToken(before.access_token));
  EXPECT_TRUE(tokens_.VerifyAccessToken(after.access_token));

  json jwks = json::parse(*tokens_.JwksJson(kTokenServicePool));
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][0]["kid"], *kid);
  EXPECT_EQ(jwks["keys"][1]["kid"], old_kid);
  EXPECT_EQ(jwks["keys"][0]["alg"], "RS256");
  EXPECT_EQ(jwks["keys"][0]["use"], "sig");

  // Retired keys are kept until deleted; "older than" counts from the retirement.
  env_.clock.AdvanceMillis(30'000);
  auto none = tokens_.DeleteRetiredKeys(kTokenServicePool, 60);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  auto one = tokens_.DeleteRetiredKeys(kTokenServicePool, 10);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, 1);
  ExpectError(tokens_.VerifyAccessToken(before.access_token), ErrorCode::kNotAuthorized,
              "Invalid Access Token");
  EXPECT_TRUE(tokens_.VerifyAccessToken(after.access_token));
  EXPECT_EQ(json::parse(*tokens_.JwksJson(kTokenServicePool))["keys"].size(), 1u);
}

TEST_F(TokenServiceTest, AnotherNodeSeesNewKeysAndRotations) {
  TokenService other(env_.ctx);
  IssuedTokens t = SignIn();
  // Node B knows nothing yet: the unknown kid makes it read the pool's keys.
  ASSERT_TRUE(other.VerifyAccessToken(t.access_token));
  // Node B signs with the same key (no second key created).
  SignInGrant g = Grant();
  auto from_other = other.IssueForSignIn(g);
  ASSERT_TRUE(from_other);
  EXPECT_EQ(Part(from_other->access_token, 0)["kid"], Part(t.access_token, 0)["kid"]);
  ASSERT_EQ(env_.store.ListSigningKeys(kTokenServicePool)->size(), 1u);

  // Node A rotates; B verifies the new kid after its retry interval, and signs with it once
  // its cache is older than a minute.
  env_.clock.AdvanceMillis(2'000);
  auto kid = tokens_.RotateSigningKey(kTokenServicePool);
  ASSERT_TRUE(kid);
  IssuedTokens fresh = SignIn();
  EXPECT_TRUE(other.VerifyAccessToken(fresh.access_token));
  env_.clock.AdvanceMillis(KeyRing::kMaxAgeMs + 1);
  auto later = other.IssueForSignIn(Grant());
  ASSERT_TRUE(later);
  EXPECT_EQ(Part(later->access_token, 0)["kid"], *kid);
}

TEST_F(TokenServiceTest, DiscoveryAndJwksDocuments) {
  ExpectError(tokens_.JwksJson("us-east-1_Missing"), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Missing does not exist.");
  ExpectError(tokens_.OpenIdConfiguration("us-east-1_Missing"), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Missing does not exist.");
  auto jwks = tokens_.JwksJson(kTokenServicePool);
  ASSERT_TRUE(jwks);
  auto parsed = crypto::ParseJwks(*jwks);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 1u);
  crypto::JwtVerifier verifier;
  ASSERT_TRUE(verifier.AddJwks(*parsed));
  IssuedTokens t = SignIn();
  crypto::JwtVerifyOptions o;
  o.now_s = env_.clock.NowSeconds();
  EXPECT_TRUE(verifier.Verify(t.id_token, o).ok);
  EXPECT_TRUE(verifier.Verify(t.access_token, o).ok);

  auto doc = tokens_.OpenIdConfiguration(kTokenServicePool);
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["issuer"], kIssuer);
  EXPECT_EQ((*doc)["jwks_uri"], std::string(kIssuer) + "/.well-known/jwks.json");
  EXPECT_EQ((*doc)["id_token_signing_alg_values_supported"], json::array({"RS256"}));
  EXPECT_EQ((*doc)["subject_types_supported"], json::array({"public"}));
  EXPECT_EQ((*doc)["token_endpoint"], "http://127.0.0.1:9229/oauth2/token");
  EXPECT_EQ((*doc)["authorization_endpoint"], "http://127.0.0.1:9229/oauth2/authorize");
  EXPECT_EQ((*doc)["userinfo_endpoint"], "http://127.0.0.1:9229/oauth2/userInfo");
}

// ---- attacks -----------------------------------------------------------------------------------

class TokenAttackTest : public TokenServiceTest {
 protected:
  void SetUp() override {
    TokenServiceTest::SetUp();
    tokens_issued_ = SignIn();
    claims_ = Part(tokens_issued_.access_token, 1);
    kid_ = Part(tokens_issued_.access_token, 0)["kid"];
  }
  void ExpectRefused(const std::string& token,
                     const std::string& message = "Invalid Access Token") {
    ExpectError(tokens_.VerifyAccessToken(token), ErrorCode::kNotAuthorized, message);
  }
  std::string Unsigned(const json& header, const json& claims) {
    return B64(header.dump()) + "." + B64(claims.dump());
  }

  IssuedTokens tokens_issued_;
  json claims_;
  std::string kid_;
};

TEST_F(TokenAttackTest, TheRealTokenPasses) {
  EXPECT_TRUE(tokens_.VerifyAccessToken(tokens_issued_.access_token));
}

TEST_F(TokenAttackTest, AlgNone) {
  std::string t = Unsigned({{"kid", kid_}, {"alg", "none"}}, claims_);
  ExpectRefused(t + ".");
  ExpectRefused(t + "." + B64("x"));
  ExpectRefused(Unsigned({{"alg", "none"}}, claims_) + ".");
}

TEST_F(TokenAttackTest, Hs256SignedWithThePublicKey) {
  crypto::RsaKey pub = PoolPublicKey(kTokenServicePool);
  std::string pem_form = pub.PublicPem();
  std::string jwk_form = crypto::JwkToJson(pub.ToJwk(kid_)).dump();
  for (const std::string& secret : {pem_form, jwk_form}) {
    std::string signing_input = Unsigned({{"kid", kid_}, {"alg", "HS256"}}, claims_);
    ExpectRefused(signing_input + "." + B64(crypto::HmacSha256(secret, signing_input)));
  }
}

TEST_F(TokenAttackTest, UnknownKid) {
  auto stranger = crypto::RsaKey::Generate(2048);
  auto signer = crypto::JwtSigner::Create(*stranger, "stranger-kid");
  ExpectRefused(signer->SignPayload(claims_.dump()));
  // A key of ours under a kid we never issued.
  auto ours = crypto::JwtSigner::Create(PoolSigner(kTokenServicePool).key(), "made-up");
  ExpectRefused(ours->SignPayload(claims_.dump()));
}

TEST_F(TokenAttackTest, Expired) {
  env_.clock.AdvanceMillis(3600 * 1000 + 10'000);
  ExpectRefused(tokens_issued_.access_token, "Access Token has expired");
}

TEST_F(TokenAttackTest, WrongIssuer) {
  json c = claims_;
  c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Tokens";
  ExpectRefused(PoolSigner(kTokenServicePool).SignPayload(c.dump()));
}

TEST_F(TokenAttackTest, TokenOfAnotherPool) {
  // Pool B's key signing a token that claims pool A (and pool A's family).
  std::string other_sub = MakeUser(kOtherPool, "bob", {});
  MakeClient(kOtherPool, "clientother00000000000000c", json::object());
  SignInGrant g;
  g.pool_id = kOtherPool;
  g.client_id = "clientother00000000000000c";
  g.sub = other_sub;
  auto theirs = tokens_.IssueForSignIn(g);
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(tokens_.VerifyAccessToken(theirs->access_token));  // valid for its own pool
  ExpectRefused(PoolSigner(kOtherPool).SignPayload(claims_.dump()));
  // Pool B's real token with pool A's issuer pasted in (signature no longer matches).
  json forged = Part(theirs->access_token, 1);
  forged["iss"] = kIssuer;
  std::string t = theirs->access_token;
  std::size_t d1 = t.find('.');
  std::size_t d2 = t.find('.', d1 + 1);
  ExpectRefused(t.substr(0, d1) + "." + B64(forged.dump()) + t.substr(d2));
}

TEST_F(TokenAttackTest, IdTokenUsedAsAccessToken) { ExpectRefused(tokens_issued_.id_token); }

TEST_F(TokenAttackTest, TamperedPayload) {
  json c = claims_;
  c["username"] = "mallory";
  const std::string& t = tokens_issued_.access_token;
  std::size_t d1 = t.find('.');
  std::size_t d2 = t.find('.', d1 + 1);
  ExpectRefused(t.substr(0, d1) + "." + B64(c.dump()) + t.substr(d2));
  std::string flipped = t;
  flipped[d2 + 5] = flipped[d2 + 5] == 'A' ? 'B' : 'A';
  ExpectRefused(flipped);
}

TEST_F(TokenAttackTest, TokenOfADeletedKey) {
  env_.clock.AdvanceMillis(1'000);
  ASSERT_TRUE(tokens_.RotateSigningKey(kTokenServicePool));
  ASSERT_TRUE(tokens_.DeleteRetiredKeys(kTokenServicePool, 0));
  ExpectRefused(tokens_issued_.access_token);
}

TEST_F(TokenAttackTest, MissingScopeAndGarbage) {
  json c = claims_;
  c["scope"] = "openid";
  ExpectRefused(PoolSigner(kTokenServicePool).SignPayload(c.dump()),
                "Access Token does not have required scopes");
  for (const char* junk : {"", "a", "a.b", "a.b.c", "a.b.c.d", "....", "eyJ.eyJ.sig"}) {
    ExpectRefused(junk);
  }
  ExpectRefused(std::string(70'000, 'a'));
}

TEST_F(TokenAttackTest, ForgedFamilyIsRevoked) {
  json c = claims_;
  c["origin_jti"] = crypto::NewUuid();
  ExpectRefused(PoolSigner(kTokenServicePool).SignPayload(c.dump()),
                "Access Token has been revoked");
}

}  // namespace
}  // namespace cognate::domain::tokens
