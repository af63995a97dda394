#include "domain/userpool/client_service.h"

#include <regex>

#include <gtest/gtest.h>

#include "domain/userpool/pool_repository.h"
#include "domain/userpool/pool_service.h"
#include "domain/userpool/resource_servers.h"
#include "domain/userpool/userpool_test_util.h"

namespace cognate::domain::userpool {
namespace {

class ClientServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = pools_.CreateUserPool(
        {{"PoolName", "p"}, {"Schema", {{{"Name", "tier"}, {"AttributeDataType", "String"}}}}});
    ASSERT_TRUE(pool);
    pool_id_ = (*pool)["Id"];
  }
  Json Create(Json input) {
    input["UserPoolId"] = pool_id_;
    if (!input.contains("ClientName")) input["ClientName"] = "app";
    auto r = clients_.CreateUserPoolClient(input);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? *r : Json();
  }
  ApiError CreateError(Json input) {
    input["UserPoolId"] = pool_id_;
    if (!input.contains("ClientName")) input["ClientName"] = "app";
    auto r = clients_.CreateUserPoolClient(input);
    EXPECT_FALSE(r);
    return r ? ApiError() : r.error();
  }
  Json OAuthCode(Json extra = Json::object()) {
    Json in{{"AllowedOAuthFlowsUserPoolClient", true},
            {"AllowedOAuthFlows", {"code"}},
            {"AllowedOAuthScopes", {"openid"}},
            {"CallbackURLs", {"https://example.com/cb"}}};
    for (auto& [k, v] : extra.items()) in[k] = v;
    return in;
  }

  testing::TestContext t_;
  PoolService pools_{t_.ctx};
  ClientService clients_{t_.ctx};
  std::string pool_id_;
};

TEST_F(ClientServiceTest, CreateFillsInCognitosDefaults) {
  Json c = Create(Json::object());
  const std::string id = c["ClientId"];
  EXPECT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{26}"))) << id;
  EXPECT_EQ(c["UserPoolId"], pool_id_);
  EXPECT_EQ(c["ClientName"], "app");
  EXPECT_EQ(c["AccessTokenValidity"], 60);
  EXPECT_EQ(c["IdTokenValidity"], 60);
  EXPECT_EQ(c["RefreshTokenValidity"], 30);
  EXPECT_EQ(c["TokenValidityUnits"],
            (Json{{"AccessToken", "minutes"}, {"IdToken", "minutes"}, {"RefreshToken", "days"}}));
  EXPECT_EQ(c["ExplicitAuthFlows"],
            Json({"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}));
  EXPECT_EQ(c["PreventUserExistenceErrors"], "ENABLED");
  EXPECT_EQ(c["EnableTokenRevocation"], true);
  EXPECT_EQ(c["EnablePropagateAdditionalUserContextData"], false);
  EXPECT_EQ(c["AuthSessionValidity"], 3);
  EXPECT_EQ(c["AllowedOAuthFlowsUserPoolClient"], false);
  EXPECT_EQ(c["CreationDate"], 1700000000);
  EXPECT_FALSE(c.contains("ClientSecret"));
  EXPECT_FALSE(c.contains("ReadAttributes"));
  EXPECT_FALSE(c.contains(std::string(kSealedSecretMember)));
  auto described = clients_.DescribeUserPoolClient(pool_id_, id);
  ASSERT_TRUE(described);
  EXPECT_EQ(*described, c);
}

TEST_F(ClientServiceTest, GeneratedSecretIsSealedAtRest) {
  Json c = Create({{"GenerateSecret", true}});
  const std::string secret = c["ClientSecret"];
  EXPECT_TRUE(std::regex_match(secret, std::regex("[a-z0-9]{51}"))) << secret;
  auto row = t_.store.GetClient(c["ClientId"]);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->doc.find(secret), std::string::npos);
  EXPECT_FALSE(Json::parse(row->doc).contains("ClientSecret"));
  auto opened = OpenClientSecret(t_.ctx, *row);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->value(), secret);
  auto described = clients_.DescribeUserPoolClient(pool_id_, c["ClientId"]);
  ASSERT_TRUE(described);
  EXPECT_EQ((*described)["ClientSecret"], secret);

  // A sealed secret moved to another client does not open.
  store::ClientRow moved = *row;
  moved.client_id = "someoneelse";
  EXPECT_FALSE(OpenClientSecret(t_.ctx, moved));
}

TEST_F(ClientServiceTest, GivenSecret) {
  const std::string mine = "abcdefghijklmnopqrstuvwxyz0123";
  EXPECT_EQ(Create({{"ClientSecret", mine}})["ClientSecret"], mine);
  EXPECT_EQ(CreateError({{"ClientSecret", mine}, {"GenerateSecret", true}}).code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError({{"ClientSecret", "short"}}).code(), ErrorCode::kInvalidParameter);
}

TEST_F(ClientServiceTest, TokenValidityUnitsAndRanges) {
  Json c = Create({{"AccessTokenValidity", 2}, {"RefreshTokenValidity", 0}});
  EXPECT_EQ(c["AccessTokenValidity"], 2);
  EXPECT_EQ(c["TokenValidityUnits"]["AccessToken"], "hours");
  EXPECT_EQ(c["TokenValidityUnits"]["IdToken"], "minutes");
  EXPECT_EQ(c["RefreshTokenValidity"], 30);
  Json d = Create({{"IdTokenValidity", 300}, {"TokenValidityUnits", {{"IdToken", "seconds"}}}});
  EXPECT_EQ(d["IdTokenValidity"], 300);
  const std::string range = "Invalid range for token validity.";
  EXPECT_EQ(CreateError({{"AccessTokenValidity", 25}}).message(), range);
  EXPECT_EQ(CreateError(
                {{"AccessTokenValidity", 4}, {"TokenValidityUnits", {{"AccessToken", "minutes"}}}})
                .message(),
            range);
  // A unit without a value applies to the default value (60 hours is too long).
  EXPECT_EQ(CreateError({{"TokenValidityUnits", {{"AccessToken", "hours"}}}}).message(), range);
  EXPECT_EQ(CreateError({{"RefreshTokenValidity", 3651}}).message(), range);
  EXPECT_EQ(CreateError({{"RefreshTokenValidity", 59},
                         {"TokenValidityUnits", {{"RefreshToken", "minutes"}}}})
                .message(),
            range);
  EXPECT_EQ(CreateError({{"TokenValidityUnits", {{"IdToken", "weeks"}}}}).code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError({{"RefreshTokenValidity", 315360000},
                         {"TokenValidityUnits", {{"RefreshToken", "days"}}}})
                .message(),
            range);
}

TEST_F(ClientServiceTest, ExplicitAuthFlows) {
  Json c = Create(
      {{"ExplicitAuthFlows",
        {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"}}});
  EXPECT_EQ(c["ExplicitAuthFlows"], Json({"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}));
  Json legacy = Create({{"ExplicitAuthFlows", {"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"}}});
  EXPECT_EQ(legacy["ExplicitAuthFlows"], Json({"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"}));
  EXPECT_EQ(
      CreateError({{"ExplicitAuthFlows", {"ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"}}}).code(),
      ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError({{"ExplicitAuthFlows", {"MAGIC"}}}).code(), ErrorCode::kInvalidParameter);
}

TEST_F(ClientServiceTest, OAuthRules) {
  Json c = Create(OAuthCode({{"LogoutURLs", {"http://localhost:3000/out"}},
                             {"DefaultRedirectURI", "https://example.com/cb"},
                             {"SupportedIdentityProviders", {"COGNITO"}}}));
  EXPECT_EQ(c["AllowedOAuthFlowsUserPoolClient"], true);
  EXPECT_EQ(c["CallbackURLs"], Json({"https://example.com/cb"}));
  EXPECT_EQ(c["LogoutURLs"], Json({"http://localhost:3000/out"}));

  ApiError no_callback = CreateError(OAuthCode({{"CallbackURLs", Json::array()}}));
  EXPECT_EQ(no_callback.code(), ErrorCode::kInvalidOAuthFlow);
  EXPECT_EQ(no_callback.message(),
            "CallbackUrls can not be empty when code flow or implicit flow is selected");
  ApiError mixed = CreateError(
      OAuthCode({{"AllowedOAuthFlows", {"code", "client_credentials"}}, {"GenerateSecret", true}}));
  EXPECT_EQ(mixed.code(), ErrorCode::kInvalidOAuthFlow);
  EXPECT_EQ(mixed.message(),
            "client_credentials flow can not be selected along with code flow or implicit flow.");
  ApiError no_secret = CreateError(OAuthCode(
      {{"AllowedOAuthFlows", {"client_credentials"}}, {"AllowedOAuthScopes", {"api/read"}}}));
  EXPECT_EQ(no_secret.code(), ErrorCode::kInvalidOAuthFlow);
  EXPECT_EQ(no_secret.message(),
            "client_credentials flow can not be selected if client does not have a client "
            "secret.");
  // A custom scope must be one of the pool's resource servers'.
  ApiError unknown_scope = CreateError(OAuthCode({{"AllowedOAuthFlows", {"client_credentials"}},
                                                  {"AllowedOAuthScopes", {"api/read"}},
                                                  {"CallbackURLs", Json::array()},
                                                  {"GenerateSecret", true}}));
  EXPECT_EQ(unknown_scope.code(), ErrorCode::kScopeDoesNotExist);
  EXPECT_EQ(unknown_scope.message(), "Invalid scope requested: api/read");
  EXPECT_EQ(CreateError(OAuthCode({{"AllowedOAuthScopes", {"openid", "Cognito"}}})).message(),
            "Invalid scope requested: Cognito");
  ASSERT_TRUE(ResourceServerService(t_.ctx).Create(
      {{"UserPoolId", pool_id_},
       {"Identifier", "api"},
       {"Name", "API"},
       {"Scopes", {{{"ScopeName", "read"}, {"ScopeDescription", "Read"}}}}}));
  Json all_builtin = Create(OAuthCode(
      {{"AllowedOAuthScopes",
        {"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin", "api/read"}}}));
  EXPECT_EQ(all_builtin["AllowedOAuthScopes"].size(), 6u);
  Json m2m = Create(OAuthCode({{"AllowedOAuthFlows", {"client_credentials"}},
                               {"AllowedOAuthScopes", {"api/read"}},
                               {"CallbackURLs", Json::array()},
                               {"GenerateSecret", true}}));
  EXPECT_EQ(m2m["AllowedOAuthFlows"], Json({"client_credentials"}));

  EXPECT_EQ(CreateError(OAuthCode({{"CallbackURLs", {"http://example.com/cb"}}})).code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError(OAuthCode({{"CallbackURLs", {"https://example.com/cb#frag"}}})).code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError(OAuthCode({{"DefaultRedirectURI", "https://example.com/other"}})).code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError(OAuthCode({{"AllowedOAuthScopes", Json::array()}})).code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(
      CreateError({{"AllowedOAuthFlows", {"code"}}, {"AllowedOAuthScopes", {"openid"}}}).code(),
      ErrorCode::kInvalidParameter);
  ApiError idp = CreateError({{"SupportedIdentityProviders", {"Google"}}});
  EXPECT_EQ(idp.message(), "The provider Google does not exist for User Pool " + pool_id_ + ".");
}

TEST(RedirectUrlTest, FollowsCognitosRules) {
  for (std::string ok : {"https://example.com", "https://example.com:8443/a?b=c",
                         "http://localhost", "http://localhost:3000/cb", "http://127.0.0.1:8080",
                         "http://[::1]:9000/x", "myapp://callback", "com.example.app://auth"}) {
    EXPECT_TRUE(IsAllowedRedirectUrl(ok)) << ok;
  }
  for (std::string bad : {"", "example.com", "http://example.com", "http://localhost.evil.com",
                          "https://example.com/#x", "https:///path", "://x", "http://[::1",
                          "https://exa mple.com", "1app://x"}) {
    EXPECT_FALSE(IsAllowedRedirectUrl(bad)) << bad;
  }
}

TEST_F(ClientServiceTest, ReadAndWriteAttributesMustExist) {
  Json c = Create({{"ReadAttributes", {"email", "custom:tier"}}, {"WriteAttributes", {"email"}}});
  EXPECT_EQ(c["ReadAttributes"], Json({"email", "custom:tier"}));
  EXPECT_EQ(CreateError({{"ReadAttributes", {"custom:nope"}}}).message(),
            "Invalid read attributes specified while creating a client");
  EXPECT_EQ(CreateError({{"WriteAttributes", {"sub"}}}).message(),
            "Invalid write attributes specified while creating a client");
}

TEST_F(ClientServiceTest, MissingPoolAndClientMessages) {
  auto no_pool =
      clients_.CreateUserPoolClient({{"UserPoolId", "us-east-1_nothere00"}, {"ClientName", "a"}});
  ASSERT_FALSE(no_pool);
  EXPECT_EQ(no_pool.error().message(), "User pool us-east-1_nothere00 does not exist.");
  auto d1 = clients_.DescribeUserPoolClient("us-east-1_nothere00", "abc");
  ASSERT_FALSE(d1);
  EXPECT_EQ(d1.error().message(), "User pool us-east-1_nothere00 does not exist.");
  auto d2 = clients_.DescribeUserPoolClient(pool_id_, "abc");
  ASSERT_FALSE(d2);
  EXPECT_EQ(d2.error().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(d2.error().message(), "User pool client abc does not exist.");
  // A client is not found through another pool.
  Json c = Create(Json::object());
  auto other = pools_.CreateUserPool({{"PoolName", "other"}});
  ASSERT_TRUE(other);
  auto d3 = clients_.DescribeUserPoolClient((*other)["Id"], c["ClientId"]);
  ASSERT_FALSE(d3);
  EXPECT_EQ(d3.error().message(),
            "User pool client " + c["ClientId"].get<std::string>() + " does not exist.");
  EXPECT_EQ(CreateError({{"ClientName", nullptr}}).code(), ErrorCode::kInvalidParameter);
}

TEST_F(ClientServiceTest, UpdateResetsOmittedMembers) {
  Json c = Create(OAuthCode({{"GenerateSecret", true},
                             {"PreventUserExistenceErrors", "ENABLED"},
                             {"AccessTokenValidity", 2},
                             {"ReadAttributes", {"email"}}}));
  const std::string id = c["ClientId"];
  t_.clock.AdvanceMillis(1000);
  auto u = clients_.UpdateUserPoolClient(
      {{"UserPoolId", pool_id_}, {"ClientId", id}, {"AuthSessionValidity", 10}});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ((*u)["ClientName"], "app");
  EXPECT_EQ((*u)["ClientSecret"], c["ClientSecret"]);
  EXPECT_EQ((*u)["AuthSessionValidity"], 10);
  EXPECT_EQ((*u)["PreventUserExistenceErrors"], "LEGACY");
  EXPECT_EQ((*u)["AccessTokenValidity"], 60);
  EXPECT_EQ((*u)["AllowedOAuthFlowsUserPoolClient"], false);
  EXPECT_FALSE(u->contains("CallbackURLs"));
  EXPECT_FALSE(u->contains("ReadAttributes"));
  EXPECT_EQ((*u)["CreationDate"], 1700000000);
  EXPECT_EQ((*u)["LastModifiedDate"], 1700000001);
  auto d = clients_.DescribeUserPoolClient(pool_id_, id);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, *u);

  auto renamed = clients_.UpdateUserPoolClient(
      {{"UserPoolId", pool_id_}, {"ClientId", id}, {"ClientName", "web"}});
  ASSERT_TRUE(renamed);
  EXPECT_EQ((*renamed)["ClientName"], "web");
  EXPECT_EQ(t_.store.GetClient(id)->name, "web");

  t_.store.client_conflicts_left = 1;
  ASSERT_TRUE(clients_.UpdateUserPoolClient({{"UserPoolId", pool_id_}, {"ClientId", id}}));
  t_.store.client_conflicts_left = 2;
  EXPECT_EQ(
      clients_.UpdateUserPoolClient({{"UserPoolId", pool_id_}, {"ClientId", id}}).error().code(),
      ErrorCode::kConcurrentModification);
  EXPECT_EQ(clients_.UpdateUserPoolClient({{"UserPoolId", pool_id_}, {"ClientId", "nope"}})
                .error()
                .message(),
            "User pool client nope does not exist.");
}

TEST_F(ClientServiceTest, DeleteAndList) {
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.insert(Create({{"ClientName", "c" + std::to_string(i)}})["ClientId"]);
  std::set<std::string> seen;
  Json input{{"UserPoolId", pool_id_}, {"MaxResults", 2}};
  for (;;) {
    auto page = clients_.ListUserPoolClients(input);
    ASSERT_TRUE(page) << page.error().message();
    for (const auto& c : (*page)["UserPoolClients"]) {
      seen.insert(c["ClientId"].get<std::string>());
      EXPECT_EQ(c["UserPoolId"], pool_id_);
      EXPECT_TRUE(c.contains("ClientName"));
    }
    if (!page->contains("NextToken")) break;
    input["NextToken"] = (*page)["NextToken"];
  }
  EXPECT_EQ(seen, ids);
  auto all = clients_.ListUserPoolClients({{"UserPoolId", pool_id_}});
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)["UserPoolClients"].size(), 5u);
  EXPECT_EQ(
      clients_.ListUserPoolClients({{"UserPoolId", pool_id_}, {"MaxResults", 61}}).error().code(),
      ErrorCode::kInvalidParameter);
  EXPECT_EQ(clients_.ListUserPoolClients({{"UserPoolId", "us-east-1_nothere00"}}).error().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(clients_.ListUserPoolClients({{"UserPoolId", pool_id_}, {"NextToken", "bogus"}})
                .error()
                .code(),
            ErrorCode::kInvalidParameter);

  const std::string victim = *ids.begin();
  ASSERT_TRUE(clients_.DeleteUserPoolClient(pool_id_, victim));
  EXPECT_EQ(clients_.DescribeUserPoolClient(pool_id_, victim).error().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(clients_.DeleteUserPoolClient(pool_id_, victim).error().message(),
            "User pool client " + victim + " does not exist.");
}

}  // namespace
}  // namespace cognate::domain::userpool
