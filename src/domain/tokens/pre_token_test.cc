#include "domain/tokens/pre_token.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/tokens/token_service.h"
#include "domain/users/pool_rules.h"
#include "domain/users/test_support.h"

namespace cognate::domain::tokens {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using triggers::Invocation;

constexpr char kPreTokenPool[] = "us-east-1_PreToken";
constexpr char kPreTokenClient[] = "client0000000000000000000p";

using users::testing::ExpectError;

json Payload(const std::string& token) {
  std::size_t d1 = token.find('.');
  std::size_t d2 = token.find('.', d1 + 1);
  auto text = crypto::Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  EXPECT_TRUE(text);
  return json::parse(text.value_or("{}"));
}

users::UserRecord Alice() {
  users::UserRecord u;
  u.pool_id = kPreTokenPool;
  u.sub = "11111111-2222-3333-4444-555555555555";
  u.username = "alice";
  u.status = "CONFIRMED";
  u.attributes = {{"sub", u.sub}, {"email", "alice@example.com"}, {"email_verified", "true"}};
  return u;
}

std::vector<groups::GroupRecord> Groups() {
  groups::GroupRecord admins;
  admins.name = "admins";
  admins.role_arn = "arn:aws:iam::000000000000:role/admin";
  admins.precedence = 1;
  groups::GroupRecord readers;
  readers.name = "readers";
  return {admins, readers};
}

ordered_json IdClaimsFixture() {
  return ordered_json{{"sub", "s"},
                      {"cognito:groups", {"admins", "readers"}},
                      {"iss", "i"},
                      {"cognito:username", "alice"},
                      {"aud", kPreTokenClient},
                      {"token_use", "id"},
                      {"email", "a@x.com"},
                      {"custom:tier", "gold"}};
}

ordered_json AccessClaimsFixture() {
  return ordered_json{{"sub", "s"},
                      {"cognito:groups", {"admins", "readers"}},
                      {"iss", "i"},
                      {"client_id", kPreTokenClient},
                      {"token_use", "access"},
                      {"scope", "aws.cognito.signin.user.admin"},
                      {"username", "alice"}};
}

// ---- the event ----------------------------------------------------------------------------------

TEST(PreTokenEventTest, V1FieldByField) {
  auto user = Alice();
  auto groups = Groups();
  PreTokenSubject subject;
  subject.pool_id = kPreTokenPool;
  subject.client_id = kPreTokenClient;
  subject.user = &user;
  subject.groups = &groups;
  subject.scopes = {"aws.cognito.signin.user.admin"};
  subject.client_metadata = {{"k", "v"}};
  triggers::Target target{"fn"};
  auto event = PreTokenEvent(target, TokenSource::kNewPasswordChallenge, subject);
  EXPECT_EQ(event.version, "1");
  EXPECT_EQ(event.trigger_source, "TokenGeneration_NewPasswordChallenge");
  EXPECT_EQ(event.user_pool_id, kPreTokenPool);
  EXPECT_EQ(event.username, "alice");
  EXPECT_EQ(event.client_id, kPreTokenClient);
  EXPECT_EQ(event.request, json({{"userAttributes",
                                  {{"sub", user.sub},
                                   {"email", "alice@example.com"},
                                   {"email_verified", "true"},
                                   {"cognito:user_status", "CONFIRMED"}}},
                                 {"groupConfiguration",
                                  {{"groupsToOverride", {"admins", "readers"}},
                                   {"iamRolesToOverride", {"arn:aws:iam::000000000000:role/admin"}},
                                   {"preferredRole", "arn:aws:iam::000000000000:role/admin"}}},
                                 {"clientMetadata", {{"k", "v"}}}}));
  EXPECT_EQ(event.response, json({{"claimsOverrideDetails", nullptr}}));
}

TEST(PreTokenEventTest, V2AndV3CarryScopesAndTheirVersion) {
  auto user = Alice();
  std::vector<groups::GroupRecord> none;
  PreTokenSubject subject;
  subject.pool_id = kPreTokenPool;
  subject.client_id = kPreTokenClient;
  subject.user = &user;
  subject.groups = &none;
  subject.scopes = {"aws.cognito.signin.user.admin"};
  auto v2 = PreTokenEvent({"fn", "V2_0"}, TokenSource::kRefreshTokens, subject);
  EXPECT_EQ(v2.version, "2");
  EXPECT_EQ(v2.trigger_source, "TokenGeneration_RefreshTokens");
  EXPECT_EQ(v2.request["scopes"], json::array({"aws.cognito.signin.user.admin"}));
  EXPECT_EQ(v2.request["groupConfiguration"], json({{"groupsToOverride", json::array()},
                                                    {"iamRolesToOverride", json::array()},
                                                    {"preferredRole", nullptr}}));
  EXPECT_EQ(v2.request["clientMetadata"], json::object());
  EXPECT_EQ(v2.response, json({{"claimsAndScopeOverrideDetails", nullptr}}));
  auto v3 = PreTokenEvent({"fn", "V3_0"}, TokenSource::kAuthenticateDevice, subject);
  EXPECT_EQ(v3.version, "3");
  EXPECT_EQ(v3.trigger_source, "TokenGeneration_AuthenticateDevice");
}

TEST(PreTokenEventTest, SourceNames) {
  EXPECT_EQ(TriggerSourceName(TokenSource::kAuthentication), "TokenGeneration_Authentication");
  EXPECT_EQ(TriggerSourceName(TokenSource::kHostedAuth), "TokenGeneration_HostedAuth");
  EXPECT_EQ(TriggerSourceName(TokenSource::kClientCredentials),
            "TokenGeneration_ClientCredentials");
}

// ---- the reply ----------------------------------------------------------------------------------

TEST(PreTokenResponseTest, V1ChangesTheIdTokenOnly) {
  ordered_json id = IdClaimsFixture();
  ordered_json access = AccessClaimsFixture();
  const ordered_json access_before = access;
  json response = {{"claimsOverrideDetails",
                    {{"claimsToAddOrOverride",
                      {{"tenant", "acme"},
                       {"email", "b@x.com"},
                       {"sub", "evil"},
                       {"iss", "evil"},
                       {"cognito:username", "evil"},
                       {"token_use", "x"}}},
                     {"claimsToSuppress", {"custom:tier", "aud", "exp"}},
                     {"groupOverrideDetails",
                      {{"groupsToOverride", {"g1"}},
                       {"iamRolesToOverride", {"arn:r1", "arn:r2"}},
                       {"preferredRole", "arn:r2"}}}}}};
  ASSERT_TRUE(ApplyPreTokenResponse("V1_0", response, &id, access));
  EXPECT_EQ(id["tenant"], "acme");
  EXPECT_EQ(id["email"], "b@x.com");
  EXPECT_EQ(id["sub"], "s");
  EXPECT_EQ(id["iss"], "i");
  EXPECT_EQ(id["cognito:username"], "alice");
  EXPECT_EQ(id["token_use"], "id");
  EXPECT_FALSE(id.contains("custom:tier"));
  EXPECT_EQ(id["aud"], kPreTokenClient);
  EXPECT_EQ(id["cognito:groups"], json::array({"g1"}));
  EXPECT_EQ(id["cognito:roles"], json::array({"arn:r1", "arn:r2"}));
  EXPECT_EQ(id["cognito:preferred_role"], "arn:r2");
  EXPECT_EQ(access, access_before);
  // Added claims come after the issued ones.
  EXPECT_EQ(id.items().begin().key(), "sub");
  std::vector<std::string> order;
  for (auto it = id.begin(); it != id.end(); ++it) order.push_back(it.key());
  EXPECT_GT(std::find(order.begin(), order.end(), "tenant") - order.begin(),
            std::find(order.begin(), order.end(), "email") - order.begin());
}

TEST(PreTokenResponseTest, V1NullOrEmptyDetailsChangeNothing) {
  ordered_json id = IdClaimsFixture();
  ordered_json access = AccessClaimsFixture();
  ASSERT_TRUE(ApplyPreTokenResponse("V1_0", json::object(), &id, access));
  ASSERT_TRUE(ApplyPreTokenResponse("V1_0", {{"claimsOverrideDetails", nullptr}}, &id, access));
  ASSERT_TRUE(
      ApplyPreTokenResponse("V1_0", {{"claimsOverrideDetails", json::object()}}, &id, access));
  EXPECT_EQ(id, IdClaimsFixture());
  EXPECT_EQ(access, AccessClaimsFixture());
}

TEST(PreTokenResponseTest, V1EmptyGroupListRemovesTheClaim) {
  ordered_json id = IdClaimsFixture();
  ordered_json access = AccessClaimsFixture();
  json response = {
      {"claimsOverrideDetails", {{"groupOverrideDetails", {{"groupsToOverride", json::array()}}}}}};
  ASSERT_TRUE(ApplyPreTokenResponse("V1_0", response, &id, access));
  EXPECT_FALSE(id.contains("cognito:groups"));
  EXPECT_TRUE(access.contains("cognito:groups"));
}

TEST(PreTokenResponseTest, V1WrongTypesAreUnrecognizable) {
  const std::vector<json> bad = {
      {{"claimsOverrideDetails", "x"}},
      {{"claimsOverrideDetails", {{"claimsToAddOrOverride", {{"n", 5}}}}}},
      {{"claimsOverrideDetails", {{"claimsToAddOrOverride", json::array()}}}},
      {{"claimsOverrideDetails", {{"claimsToSuppress", "email"}}}},
      {{"claimsOverrideDetails", {{"claimsToSuppress", {1}}}}},
      {{"claimsOverrideDetails", {{"groupOverrideDetails", {{"groupsToOverride", "g"}}}}}},
      {{"claimsOverrideDetails", {{"groupOverrideDetails", {{"preferredRole", 1}}}}}},
  };
  for (const auto& response : bad) {
    ordered_json id = IdClaimsFixture();
    ordered_json access = AccessClaimsFixture();
    ExpectError(ApplyPreTokenResponse("V1_0", response, &id, access),
                ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output");
    EXPECT_EQ(id, IdClaimsFixture()) << response.dump();
  }
}

TEST(PreTokenResponseTest, V2ChangesBothTokensAndScopes) {
  ordered_json id = IdClaimsFixture();
  ordered_json access = AccessClaimsFixture();
  json response = {
      {"claimsAndScopeOverrideDetails",
       {{"idTokenGeneration",
         {{"claimsToAddOrOverride", {{"plan", {{"tier", "gold"}, {"seats", 5}}}, {"n", 3}}},
          {"claimsToSuppress", {"email"}}}},
        {"accessTokenGeneration",
         {{"claimsToAddOrOverride",
           {{"tenant", "acme"},
            {"flags", {true, 1, "x"}},
            {"client_id", "evil"},
            {"scope", "evil"},
            {"username", "evil"}}},
          {"claimsToSuppress", {"cognito:groups", "sub"}},
          {"scopesToAdd", {"photos/read", "openid", "photos/read"}},
          {"scopesToSuppress", {"aws.cognito.signin.user.admin"}}}},
        {"groupOverrideDetails", {{"groupsToOverride", {"g1", "g2"}}}}}}};
  ASSERT_TRUE(ApplyPreTokenResponse("V2_0", response, &id, access));
  EXPECT_EQ(id["plan"], json({{"tier", "gold"}, {"seats", 5}}));
  EXPECT_EQ(id["n"], 3);
  EXPECT_FALSE(id.contains("email"));
  EXPECT_EQ(id["cognito:groups"], json::array({"g1", "g2"}));
  EXPECT_EQ(access["tenant"], "acme");
  EXPECT_EQ(access["flags"], json::array({true, 1, "x"}));
  EXPECT_EQ(access["client_id"], kPreTokenClient);
  EXPECT_EQ(access["username"], "alice");
  EXPECT_EQ(access["sub"], "s");
  EXPECT_EQ(access["scope"], "photos/read openid");
  // groupOverrideDetails applies after the suppression list.
  EXPECT_EQ(access["cognito:groups"], json::array({"g1", "g2"}));
}

TEST(PreTokenResponseTest, V2IgnoresTheV1ShapeAndV1IgnoresTheV2Shape) {
  ordered_json id = IdClaimsFixture();
  ordered_json access = AccessClaimsFixture();
  ASSERT_TRUE(ApplyPreTokenResponse(
      "V2_0", {{"claimsOverrideDetails", {{"claimsToAddOrOverride", {{"a", "b"}}}}}}, &id, access));
  ASSERT_TRUE(
      ApplyPreTokenResponse("V1_0",
                            {{"claimsAndScopeOverrideDetails",
                              {{"idTokenGeneration", {{"claimsToAddOrOverride", {{"a", "b"}}}}}}}},
                            &id, access));
  EXPECT_EQ(id, IdClaimsFixture());
}

TEST(PreTokenResponseTest, V2SuppressingEveryScopeLeavesAnEmptyScope) {
  ordered_json id = IdClaimsFixture();
  ordered_json access = AccessClaimsFixture();
  json response = {
      {"claimsAndScopeOverrideDetails",
       {{"accessTokenGeneration", {{"scopesToSuppress", {"aws.cognito.signin.user.admin"}}}}}}};
  ASSERT_TRUE(ApplyPreTokenResponse("V3_0", response, &id, access));
  EXPECT_EQ(access["scope"], "");
}

TEST(PreTokenResponseTest, V2WrongTypesChangeNothing) {
  const std::vector<json> bad = {
      {{"claimsAndScopeOverrideDetails", 1}},
      {{"claimsAndScopeOverrideDetails", {{"idTokenGeneration", "x"}}}},
      {{"claimsAndScopeOverrideDetails",
        {{"idTokenGeneration", {{"claimsToAddOrOverride", {{"a", "b"}}}}},
         {"accessTokenGeneration", {{"scopesToAdd", "photos/read"}}}}}},
      {{"claimsAndScopeOverrideDetails",
        {{"idTokenGeneration", {{"claimsToAddOrOverride", {{"a", "b"}}}}},
         {"groupOverrideDetails", {{"iamRolesToOverride", {1}}}}}}},
  };
  for (const auto& response : bad) {
    ordered_json id = IdClaimsFixture();
    ordered_json access = AccessClaimsFixture();
    ExpectError(ApplyPreTokenResponse("V2_0", response, &id, access),
                ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output");
    EXPECT_EQ(id, IdClaimsFixture()) << response.dump();
    EXPECT_EQ(access, AccessClaimsFixture()) << response.dump();
  }
}

TEST(PreTokenResponseTest, ClientCredentialsHaveNoIdToken) {
  ordered_json access = AccessClaimsFixture();
  json response = {{"claimsAndScopeOverrideDetails",
                    {{"idTokenGeneration", {{"claimsToAddOrOverride", {{"a", "b"}}}}},
                     {"accessTokenGeneration", {{"claimsToAddOrOverride", {{"m2m", true}}}}},
                     {"groupOverrideDetails", {{"groupsToOverride", {"g"}}}}}}};
  ASSERT_TRUE(ApplyPreTokenResponse("V3_0", response, nullptr, access));
  EXPECT_EQ(access["m2m"], true);
  EXPECT_EQ(access["cognito:groups"], json::array({"g"}));
}

TEST(PreTokenRunTest, OnlyV3RunsForClientCredentials) {
  users::testing::TestEnv env;
  int calls = 0;
  env.invoker.handlers["fn"] = [&](std::string_view event) {
    ++calls;
    json e = json::parse(event);
    e["response"]["claimsAndScopeOverrideDetails"] = {
        {"accessTokenGeneration", {{"claimsToAddOrOverride", {{"m2m", "yes"}}}}}};
    return Invocation{Invocation::Status::kOk, e.dump()};
  };
  PreTokenSubject subject;
  subject.pool_id = kPreTokenPool;
  subject.client_id = kPreTokenClient;
  ordered_json access = AccessClaimsFixture();
  ASSERT_TRUE(RunPreTokenGeneration(env.ctx, {"fn", "V1_0"}, TokenSource::kClientCredentials,
                                    subject, nullptr, access));
  ASSERT_TRUE(RunPreTokenGeneration(env.ctx, {"fn", "V2_0"}, TokenSource::kClientCredentials,
                                    subject, nullptr, access));
  EXPECT_EQ(calls, 0);
  ASSERT_TRUE(RunPreTokenGeneration(env.ctx, {"fn", "V3_0"}, TokenSource::kClientCredentials,
                                    subject, nullptr, access));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(access["m2m"], "yes");
  json sent = json::parse(env.invoker.Calls().at(0).event);
  EXPECT_EQ(sent["version"], "3");
  EXPECT_EQ(sent["triggerSource"], "TokenGeneration_ClientCredentials");
  EXPECT_EQ(sent["userName"], "");
  EXPECT_EQ(sent["request"]["userAttributes"], json::object());
}

// ---- through the token service ----------------------------------------------------------------

class PreTokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { UsePool(json::object()); }

  void UsePool(const json& lambda_config) {
    json doc = {{"SchemaAttributes", json::array()}};
    if (!lambda_config.empty()) doc["LambdaConfig"] = lambda_config;
    if (!made_) {
      env_.MakePool(kPreTokenPool, doc);
      json client = {
          {"ClientId", kPreTokenClient}, {"UserPoolId", kPreTokenPool}, {"ClientName", "app"}};
      store::ClientRow row{kPreTokenPool, kPreTokenClient, "app", client.dump(), 1, 1, 0};
      ASSERT_TRUE(env_.store.CreateClient(row));
      auto rules = users::LoadPoolRules(env_.ctx, kPreTokenPool);
      ASSERT_TRUE(rules);
      users::UserRecord u = Alice();
      ASSERT_TRUE(env_.store.CreateUser(users::ToRow(*rules, u)));
      made_ = true;
      return;
    }
    auto pool = env_.store.GetPool(kPreTokenPool);
    ASSERT_TRUE(pool);
    doc["Id"] = kPreTokenPool;
    pool->doc = doc.dump();
    ASSERT_TRUE(env_.store.UpdatePool(*pool, pool->version));
  }

  SignInGrant Grant() {
    SignInGrant g;
    g.pool_id = kPreTokenPool;
    g.client_id = kPreTokenClient;
    g.sub = Alice().sub;
    g.auth_time_s = env_.clock.NowSeconds();
    return g;
  }

  // A handler that adds claims and records nothing else (the invoker records the events).
  void AddingHandler(const std::string& name) {
    env_.invoker.handlers[name] = [](std::string_view event) {
      json e = json::parse(event);
      if (e["version"] == "1") {
        e["response"]["claimsOverrideDetails"] = {
            {"claimsToAddOrOverride", {{"src", e["triggerSource"]}}}};
      } else {
        e["response"]["claimsAndScopeOverrideDetails"] = {
            {"idTokenGeneration", {{"claimsToAddOrOverride", {{"src", e["triggerSource"]}}}}},
            {"accessTokenGeneration",
             {{"claimsToAddOrOverride", {{"src", e["triggerSource"]}}},
              {"scopesToAdd", {"photos/read"}}}}};
      }
      return Invocation{Invocation::Status::kOk, e.dump()};
    };
  }

  users::testing::TestEnv env_;
  TokenService tokens_{env_.ctx};
  bool made_ = false;
};

TEST_F(PreTokenServiceTest, NoTriggerNoCall) {
  AddingHandler("fn");
  ASSERT_TRUE(tokens_.IssueForSignIn(Grant()));
  EXPECT_TRUE(env_.invoker.Calls().empty());
}

TEST_F(PreTokenServiceTest, LegacyArnIsV1AndChangesTheIdTokenOnSignInAndRefresh) {
  UsePool({{"PreTokenGeneration", "fn"}});
  AddingHandler("fn");
  SignInGrant grant = Grant();
  grant.source = TokenSource::kNewPasswordChallenge;
  grant.client_metadata = {{"app", "web"}};
  auto t = tokens_.IssueForSignIn(grant);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(Payload(t->id_token)["src"], "TokenGeneration_NewPasswordChallenge");
  EXPECT_FALSE(Payload(t->access_token).contains("src"));
  auto calls = env_.invoker.Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].function, "fn");
  json e = json::parse(calls[0].event);
  EXPECT_EQ(e["version"], "1");
  EXPECT_EQ(e["userPoolId"], kPreTokenPool);
  EXPECT_EQ(e["userName"], "alice");
  EXPECT_EQ(e["callerContext"]["clientId"], kPreTokenClient);
  EXPECT_EQ(e["request"]["clientMetadata"], json({{"app", "web"}}));
  EXPECT_EQ(e["request"]["userAttributes"]["cognito:user_status"], "CONFIRMED");

  RefreshInput in;
  in.client_id = kPreTokenClient;
  in.refresh_token = t->refresh_token;
  in.client_metadata = {{"r", "1"}};
  auto r = tokens_.Refresh(in);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Payload(r->id_token)["src"], "TokenGeneration_RefreshTokens");
  calls = env_.invoker.Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(json::parse(calls[1].event)["request"]["clientMetadata"], json({{"r", "1"}}));
}

TEST_F(PreTokenServiceTest, V2ChangesBothTokensAndTheFamilyKeepsItsScopes) {
  UsePool({{"PreTokenGeneration", "legacy"},
           {"PreTokenGenerationConfig", {{"LambdaArn", "v2"}, {"LambdaVersion", "V2_0"}}}});
  AddingHandler("v2");
  auto t = tokens_.IssueForSignIn(Grant());
  ASSERT_TRUE(t) << t.error().message();
  json access = Payload(t->access_token);
  EXPECT_EQ(access["src"], "TokenGeneration_Authentication");
  EXPECT_EQ(access["scope"], "aws.cognito.signin.user.admin photos/read");
  EXPECT_EQ(Payload(t->id_token)["src"], "TokenGeneration_Authentication");
  auto verified = tokens_.VerifyAccessToken(t->access_token);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->scopes,
            (std::vector<std::string>{"aws.cognito.signin.user.admin", "photos/read"}));
  // The refresh event carries the granted scopes, not the ones the trigger added.
  RefreshInput in;
  in.client_id = kPreTokenClient;
  in.refresh_token = t->refresh_token;
  ASSERT_TRUE(tokens_.Refresh(in));
  auto calls = env_.invoker.Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(json::parse(calls[1].event)["request"]["scopes"],
            json::array({"aws.cognito.signin.user.admin"}));
}

TEST_F(PreTokenServiceTest, HandlerErrorFailsTheIssueAndRecordsNoFamily) {
  UsePool({{"PreTokenGeneration", "fn"}});
  env_.invoker.handlers["fn"] = [](std::string_view) {
    return Invocation{Invocation::Status::kFunctionError, "no tokens today"};
  };
  ExpectError(tokens_.IssueForSignIn(Grant()), ErrorCode::kUserLambdaValidation,
              "PreTokenGeneration failed with error no tokens today.");
  auto families = env_.store.RevokeUserTokenFamilies(kPreTokenPool, Alice().sub, 1);
  ASSERT_TRUE(families);
  EXPECT_EQ(*families, 0);
}

TEST_F(PreTokenServiceTest, BadReplyIsInvalidLambdaResponse) {
  UsePool({{"PreTokenGeneration", "fn"}});
  env_.invoker.handlers["fn"] = [](std::string_view event) {
    json e = json::parse(event);
    e["response"]["claimsOverrideDetails"] = {{"claimsToSuppress", "email"}};
    return Invocation{Invocation::Status::kOk, e.dump()};
  };
  ExpectError(tokens_.IssueForSignIn(Grant()), ErrorCode::kInvalidLambdaResponse,
              "Unrecognizable lambda output");
}

TEST_F(PreTokenServiceTest, FailedRefreshTriggerKeepsTheRefreshToken) {
  UsePool({{"PreTokenGeneration", "fn"}});
  AddingHandler("fn");
  auto t = tokens_.IssueForSignIn(Grant());
  ASSERT_TRUE(t);
  env_.invoker.handlers["fn"] = [](std::string_view) {
    return Invocation{Invocation::Status::kTimeout, ""};
  };
  RefreshInput in;
  in.client_id = kPreTokenClient;
  in.refresh_token = t->refresh_token;
  in.allow_rotation = true;
  ExpectError(tokens_.Refresh(in), ErrorCode::kUnexpectedLambda,
              "PreTokenGeneration invocation failed due to error Socket timeout while invoking "
              "Lambda function.");
  AddingHandler("fn");
  EXPECT_TRUE(tokens_.Refresh(in));
}

// A refresh that loses the race to a concurrent one (the family's version moved while the
// trigger ran) judges the family again, but calls PreTokenGeneration only once.
TEST_F(PreTokenServiceTest, RefreshRetriedAfterAConcurrentUpdateCallsTheTriggerOnce) {
  UsePool({{"PreTokenGeneration", "fn"}});
  auto client = env_.store.GetClient(kPreTokenClient);
  ASSERT_TRUE(client);
  json client_doc = json::parse(client->doc);
  client_doc["RefreshTokenRotation"] = {{"Feature", "ENABLED"}, {"RetryGracePeriodSeconds", 0}};
  client->doc = client_doc.dump();
  ASSERT_TRUE(env_.store.UpdateClient(*client, client->version));
  AddingHandler("fn");
  auto t = tokens_.IssueForSignIn(Grant());
  ASSERT_TRUE(t);
  const std::string family_id = Payload(t->access_token)["origin_jti"];
  int refresh_calls = 0;
  env_.invoker.handlers["fn"] = [&](std::string_view event) {
    ++refresh_calls;
    auto row = env_.store.GetTokenFamily(family_id);
    EXPECT_TRUE(row);
    if (row) {
      EXPECT_TRUE(env_.store.UpdateTokenFamily(*row, row->version));  // bumps the version
    }
    json e = json::parse(event);
    e["response"]["claimsOverrideDetails"] = {{"claimsToAddOrOverride", {{"src", "retry"}}}};
    return Invocation{Invocation::Status::kOk, e.dump()};
  };
  RefreshInput in;
  in.client_id = kPreTokenClient;
  in.refresh_token = t->refresh_token;
  in.allow_rotation = true;
  auto refreshed = tokens_.Refresh(in);
  ASSERT_TRUE(refreshed) << refreshed.error().message();
  EXPECT_EQ(refresh_calls, 1);
  EXPECT_EQ(Payload(refreshed->id_token)["src"], "retry");
  ASSERT_FALSE(refreshed->refresh_token.empty());
  in.refresh_token = refreshed->refresh_token;  // the rotation landed on the retry
  EXPECT_TRUE(tokens_.Refresh(in));
  EXPECT_EQ(refresh_calls, 2);
}

}  // namespace
}  // namespace cognate::domain::tokens
