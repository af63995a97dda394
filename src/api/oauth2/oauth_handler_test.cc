#include "api/oauth2/oauth_handler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/web.h"
#include "crypto/crypto.h"
#include "domain/users/pool_rules.h"
#include "domain/users/test_support.h"
#include "domain/users/user_record.h"

namespace cognate::api::oauth2 {
namespace {

using nlohmann::json;

constexpr char kPool[] = "us-east-1_Handler";
constexpr char kClient[] = "web00000000000000000000000";
constexpr char kCallback[] = "https://app.example.com/cb";

std::string Header(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

class OAuthHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kPool,
                  json{{"SchemaAttributes",
                        json::array({{{"Name", "sub"}, {"AttributeDataType", "String"}},
                                     {{"Name", "email"}, {"AttributeDataType", "String"}}})}});
    json doc{{"ClientId", kClient},
             {"UserPoolId", kPool},
             {"ClientName", "web"},
             {"AllowedOAuthFlowsUserPoolClient", true},
             {"AllowedOAuthFlows", {"code"}},
             {"AllowedOAuthScopes", {"openid", "email"}},
             {"CallbackURLs", {kCallback}},
             {"LogoutURLs", {"https://app.example.com/bye"}},
             {"SupportedIdentityProviders", {"COGNITO"}}};
    ASSERT_TRUE(env_.store.CreateClient({kPool, kClient, "web", doc.dump(), 1, 1, 0}));
    auto rules = domain::users::LoadPoolRules(env_.ctx, kPool);
    ASSERT_TRUE(rules);
    domain::users::UserRecord u;
    u.pool_id = kPool;
    u.sub = crypto::NewUuid();
    u.username = "alice";
    u.status = "CONFIRMED";
    u.attributes = {{"sub", u.sub}, {"email", "alice@example.com"}};
    ASSERT_TRUE(env_.store.CreateUser(domain::users::ToRow(*rules, u)));
    auto handle = oauth_.sessions().Create({kPool, u.sub, "alice", env_.clock.NowSeconds()});
    ASSERT_TRUE(handle);
    cookie_ = std::string(domain::oauth::kHostedSessionCookie) + "=" + *handle;
  }

  ApiResponse Get(const std::string& target, const std::string& cookie = {}) {
    ApiRequest r;
    r.method = "GET";
    r.target = target;
    r.headers.emplace_back("Host", "127.0.0.1:9229");
    if (!cookie.empty()) r.headers.emplace_back("Cookie", cookie);
    return handler_.Handle(r);
  }

  ApiResponse PostForm(const std::string& target, const std::string& body) {
    ApiRequest r;
    r.method = "POST";
    r.target = target;
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    r.body = body;
    return handler_.Handle(r);
  }

  std::string Authorize(const std::string& extra = {}) {
    return "/oauth2/authorize?client_id=" + std::string(kClient) +
           "&response_type=code&scope=openid&state=s1&redirect_uri=" + web::UrlEncode(kCallback) +
           extra;
  }

  domain::users::testing::TestEnv env_;
  domain::oauth::OAuthService oauth_{env_.ctx,
                                     std::make_shared<domain::tokens::TokenService>(env_.ctx)};
  OAuthHandler handler_{env_.ctx, oauth_};
  std::string cookie_;
};

TEST_F(OAuthHandlerTest, WithoutSessionGoesToLogin) {
  auto r = Get(Authorize("&login_hint=alice"));
  EXPECT_EQ(r.status, 302);
  const std::string location = Header(r, "Location");
  EXPECT_EQ(location.rfind("/login?client_id=", 0), 0u) << location;
  EXPECT_NE(location.find("login_hint=alice"), std::string::npos);
}

TEST_F(OAuthHandlerTest, SessionGivesACodeThatTheTokenEndpointTakesOnce) {
  auto r = Get(Authorize(), cookie_);
  ASSERT_EQ(r.status, 302);
  const std::string location = Header(r, "Location");
  ASSERT_EQ(location.rfind(std::string(kCallback) + "?code=", 0), 0u) << location;
  const std::string code =
      location.substr(location.find("code=") + 5, location.find('&') - location.find("code=") - 5);
  const std::string form = "grant_type=authorization_code&client_id=" + std::string(kClient) +
                           "&code=" + code + "&redirect_uri=" + web::UrlEncode(kCallback);
  auto token = PostForm("/oauth2/token", form);
  ASSERT_EQ(token.status, 200) << token.body;
  json body = json::parse(token.body);
  EXPECT_TRUE(body.contains("id_token"));
  auto again = PostForm("/oauth2/token", form);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(json::parse(again.body)["error"], "invalid_grant");

  ApiRequest info;
  info.method = "GET";
  info.target = "/oauth2/userInfo";
  info.headers.emplace_back("Authorization", "Bearer " + body["access_token"].get<std::string>());
  auto answered = handler_.Handle(info);
  // The code was presented twice: its tokens are revoked.
  EXPECT_EQ(answered.status, 401);
}

TEST_F(OAuthHandlerTest, PromptLoginAndPromptNone) {
  EXPECT_EQ(Header(Get(Authorize("&prompt=login"), cookie_), "Location").rfind("/login?", 0), 0u);
  const std::string none = Header(Get(Authorize("&prompt=none")), "Location");
  EXPECT_EQ(none.rfind(std::string(kCallback) + "?", 0), 0u);
  EXPECT_NE(none.find("error=login_required"), std::string::npos);
  EXPECT_NE(none.find("state=s1"), std::string::npos);
  EXPECT_EQ(Header(Get(Authorize("&prompt=none"), cookie_), "Location")
                .rfind(std::string(kCallback) + "?code=", 0),
            0u);
}

TEST_F(OAuthHandlerTest, LogoutEndsTheSession) {
  auto r = Get("/logout?client_id=" + std::string(kClient) +
                   "&logout_uri=" + web::UrlEncode("https://app.example.com/bye"),
               cookie_);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(Header(r, "Location"), "https://app.example.com/bye");
  EXPECT_NE(Header(r, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Header(Get(Authorize(), cookie_), "Location").rfind("/login?", 0), 0u);
}

TEST_F(OAuthHandlerTest, RedirectMismatchIsAPage) {
  auto r = Get("/oauth2/authorize?client_id=" + std::string(kClient) +
               "&response_type=code&redirect_uri=" + web::UrlEncode("https://app.example.com/cb/"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Header(r, "Location"), "");
  EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(Get("/oauth2/nothing").status, 404);
  EXPECT_EQ(Get("/logoutx").status, 404);
}

}  // namespace
}  // namespace cognate::api::oauth2
