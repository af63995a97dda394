#include "domain/oauth/oauth_service.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"
#include "domain/users/test_support.h"
#include "domain/users/user_record.h"

namespace cognate::domain::oauth {
namespace {

using nlohmann::json;

constexpr char kPool[] = "us-east-1_OAuth";
constexpr char kOtherPool[] = "us-east-1_Other";
constexpr char kWeb[] = "web00000000000000000000000";
constexpr char kWeb2[] = "web00000000000000000000002";
constexpr char kM2m[] = "m2m00000000000000000000000";
constexpr char kSecret[] = "m2m-secret";
constexpr char kCallback[] = "https://app.example.com/cb";
constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

json PoolDoc() {
  auto attr = [](const char* name, const char* type = "String") {
    return json{{"Name", name}, {"AttributeDataType", type}, {"Mutable", true}};
  };
  return json{
      {"SchemaAttributes",
       json::array({attr("sub"), attr("email"), attr("email_verified", "Boolean"),
                    attr("phone_number"), attr("given_name")})},
      {"_ResourceServers",
       json::array(
           {{{"Identifier", "api"},
             {"Name", "API"},
             {"Scopes", json::array({{{"ScopeName", "read"}}, {{"ScopeName", "write"}}})}}})}};
}

json Claims(const std::string& token) {
  std::size_t d1 = token.find('.');
  std::size_t d2 = token.find('.', d1 + 1);
  auto text = crypto::Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  return json::parse(text.value_or("{}"));
}

std::string QueryValue(const std::string& url, const std::string& name) {
  std::size_t pos = url.find(name + "=");
  if (pos == std::string::npos) return {};
  pos += name.size() + 1;
  std::size_t end = url.find_first_of("&#", pos);
  return url.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

class OAuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kPool, PoolDoc());
    env_.MakePool(kOtherPool, PoolDoc());
    MakeClient(kPool, kWeb,
               {{"AllowedOAuthFlowsUserPoolClient", true},
                {"AllowedOAuthFlows", {"code", "implicit"}},
                {"AllowedOAuthScopes", {"openid", "email", "profile", "api/read"}},
                {"CallbackURLs", {kCallback, "http://localhost:3000/cb"}},
                {"LogoutURLs", {"https://app.example.com/bye"}},
                {"SupportedIdentityProviders", {"COGNITO"}}});
    MakeClient(kPool, kWeb2,
               {{"AllowedOAuthFlowsUserPoolClient", true},
                {"AllowedOAuthFlows", {"code"}},
                {"AllowedOAuthScopes", {"openid"}},
                {"CallbackURLs", {kCallback}},
                {"SupportedIdentityProviders", {"COGNITO"}}});
    json m2m{{"AllowedOAuthFlowsUserPoolClient", true},
             {"AllowedOAuthFlows", {"client_credentials"}},
             {"AllowedOAuthScopes", {"api/read", "api/write"}}};
    m2m[std::string(userpool::kSealedSecretMember)] =
        userpool::SealClientSecret(env_.ctx, kM2m, kSecret);
    MakeClient(kPool, kM2m, m2m);

    auto rules = users::LoadPoolRules(env_.ctx, kPool);
    ASSERT_TRUE(rules);
    users::UserRecord u;
    u.pool_id = kPool;
    u.sub = crypto::NewUuid();
    u.username = "alice";
    u.status = "CONFIRMED";
    u.attributes = {{"sub", u.sub},
                    {"email", "alice@example.com"},
                    {"email_verified", "true"},
                    {"phone_number", "+15555550100"},
                    {"given_name", "Alice"}};
    ASSERT_TRUE(env_.store.CreateUser(users::ToRow(*rules, u)));
    user_ = HostedUser{kPool, u.sub, "alice", env_.clock.NowSeconds() - 10};
  }

  void MakeClient(const std::string& pool, const std::string& id, json doc) {
    doc["ClientId"] = id;
    doc["UserPoolId"] = pool;
    doc["ClientName"] = "app";
    store::ClientRow row{pool, id, "app", doc.dump(), 1, 1, 0};
    ASSERT_TRUE(env_.store.CreateClient(row));
  }

  Params Authorize(std::map<std::string, std::string> extra = {}) {
    Params p{{"client_id", kWeb},
             {"redirect_uri", kCallback},
             {"response_type", "code"},
             {"scope", "openid email"},
             {"state", "xyz"},
             {"nonce", "n-0S6"},
             {"code_challenge", crypto::Base64UrlEncode(crypto::Sha256(kVerifier))},
             {"code_challenge_method", "S256"}};
    for (auto& [k, v] : extra) p[k] = v;
    return p;
  }

  AuthorizeFailure ExpectFailure(const Params& p, std::string_view host_pool = "") {
    auto r = service_.ParseAuthorize(p, host_pool);
    EXPECT_TRUE(std::holds_alternative<AuthorizeFailure>(r));
    return std::holds_alternative<AuthorizeFailure>(r) ? std::get<AuthorizeFailure>(r)
                                                       : AuthorizeFailure{};
  }

  // A code for a valid authorize request with `extra` parameters.
  std::string Code(std::map<std::string, std::string> extra = {}) {
    auto r = service_.ParseAuthorize(Authorize(std::move(extra)), "");
    EXPECT_TRUE(std::holds_alternative<AuthorizeRequest>(r));
    if (!std::holds_alternative<AuthorizeRequest>(r)) return {};
    auto location = service_.CompleteAuthorize(std::get<AuthorizeRequest>(r), user_);
    EXPECT_TRUE(location);
    if (!location) return {};
    EXPECT_EQ(location->rfind(std::string(kCallback) + "?code=", 0), 0u) << *location;
    EXPECT_EQ(QueryValue(*location, "state"), "xyz");
    return QueryValue(*location, "code");
  }

  Params Exchange(const std::string& code, const std::string& client = kWeb) {
    return Params{{"grant_type", "authorization_code"},
                  {"client_id", client},
                  {"code", code},
                  {"redirect_uri", kCallback},
                  {"code_verifier", kVerifier}};
  }

  static std::string Error(const OAuthResult<json>& r) {
    return std::holds_alternative<OAuthFailure>(r) ? std::get<OAuthFailure>(r).error : "";
  }

  users::testing::TestEnv env_;
  OAuthService service_{env_.ctx, std::make_shared<tokens::TokenService>(env_.ctx)};
  HostedUser user_;
};

TEST_F(OAuthServiceTest, RedirectUriMustMatchExactly) {
  for (const char* uri : {"https://app.example.com/cb/", "https://app.example.com/cb?x=1",
                          "https://app.example.com/cbx", "https://app.example.com/",
                          "https://evil.example.com/cb", "HTTPS://app.example.com/cb"}) {
    auto f = ExpectFailure(Authorize({{"redirect_uri", uri}}));
    EXPECT_FALSE(f.redirect) << uri;
    EXPECT_EQ(f.error, "redirect_mismatch") << uri;
  }
}

TEST_F(OAuthServiceTest, BadClientIsAnErrorPage) {
  EXPECT_FALSE(ExpectFailure(Authorize({{"client_id", "nope"}})).redirect);
  EXPECT_FALSE(ExpectFailure(Authorize({{"client_id", ""}})).redirect);
  // A client of another pool than the domain the request came to.
  EXPECT_FALSE(ExpectFailure(Authorize(), kOtherPool).redirect);
}

TEST_F(OAuthServiceTest, OtherErrorsGoBackToTheClient) {
  auto f = ExpectFailure(Authorize({{"response_type", "id_token"}}));
  EXPECT_TRUE(f.redirect);
  EXPECT_EQ(f.error, "unsupported_response_type");
  EXPECT_EQ(f.state, "xyz");
  EXPECT_EQ(ExpectFailure(Authorize({{"scope", "openid phone"}})).error, "invalid_scope");
  EXPECT_EQ(ExpectFailure(Authorize({{"scope", "email"}})).error, "invalid_scope");
  EXPECT_EQ(ExpectFailure(Authorize({{"code_challenge_method", "S512"}})).error, "invalid_request");
  EXPECT_EQ(ExpectFailure(Authorize({{"code_challenge", "short"}})).error, "invalid_request");
  EXPECT_EQ(ExpectFailure(Authorize({{"identity_provider", "Google"}})).error, "invalid_request");
  Params implicit = Authorize({{"response_type", "token"}});
  implicit["client_id"] = kWeb2;
  EXPECT_EQ(ExpectFailure(implicit).error, "unauthorized_client");
}

TEST_F(OAuthServiceTest, CodeFlowWithPkce) {
  const std::string code = Code();
  auto r = service_.Token(Exchange(code), std::nullopt, "");
  ASSERT_TRUE(std::holds_alternative<json>(r)) << Error(r);
  const json& body = std::get<json>(r);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 3600);
  ASSERT_TRUE(body.contains("refresh_token"));
  json id = Claims(body["id_token"]);
  EXPECT_EQ(id["nonce"], "n-0S6");
  EXPECT_EQ(id["aud"], kWeb);
  EXPECT_EQ(id["auth_time"], user_.auth_time_s);
  const std::string access = body["access_token"];
  EXPECT_EQ(id["at_hash"], crypto::Base64UrlEncode(crypto::Sha256(access).substr(0, 16)));
  EXPECT_EQ(Claims(access)["scope"], "openid email");
  EXPECT_EQ(Claims(access)["version"], 2);

  auto info = service_.UserInfo(access);
  ASSERT_TRUE(std::holds_alternative<json>(info)) << Error(info);
  EXPECT_EQ(std::get<json>(info), (json{{"sub", user_.sub},
                                        {"email", "alice@example.com"},
                                        {"email_verified", "true"},
                                        {"username", "alice"}}));

  // Used twice: refused, and the tokens of the first use are revoked.
  EXPECT_EQ(Error(service_.Token(Exchange(code), std::nullopt, "")), "invalid_grant");
  EXPECT_FALSE(std::holds_alternative<json>(service_.UserInfo(access)));
  Params refresh{{"grant_type", "refresh_token"},
                 {"client_id", kWeb},
                 {"refresh_token", body["refresh_token"]}};
  EXPECT_EQ(Error(service_.Token(refresh, std::nullopt, "")), "invalid_grant");
}

TEST_F(OAuthServiceTest, CodeIsBoundToClientRedirectAndVerifier) {
  // Another client (even of the same pool, with the same callback): invalid_grant.
  EXPECT_EQ(Error(service_.Token(Exchange(Code(), kWeb2), std::nullopt, "")), "invalid_grant");
  Params p = Exchange(Code());
  p["code_verifier"] = std::string(kVerifier).replace(0, 1, "e");
  EXPECT_EQ(Error(service_.Token(p, std::nullopt, "")), "invalid_grant");
  p = Exchange(Code());
  p.erase("code_verifier");
  EXPECT_EQ(Error(service_.Token(p, std::nullopt, "")), "invalid_grant");
  p = Exchange(Code());
  p["redirect_uri"] = "http://localhost:3000/cb";
  EXPECT_EQ(Error(service_.Token(p, std::nullopt, "")), "invalid_grant");
  EXPECT_EQ(Error(service_.Token(Exchange("made-up"), std::nullopt, "")), "invalid_grant");
  // Expired after five minutes.
  const std::string code = Code();
  env_.clock.AdvanceMillis(kAuthorizationCodeSeconds * 1000 + 1);
  EXPECT_EQ(Error(service_.Token(Exchange(code), std::nullopt, "")), "invalid_grant");
}

TEST_F(OAuthServiceTest, PlainPkce) {
  const std::string code =
      Code({{"code_challenge", kVerifier}, {"code_challenge_method", "plain"}});
  EXPECT_TRUE(std::holds_alternative<json>(service_.Token(Exchange(code), std::nullopt, "")));
}

TEST_F(OAuthServiceTest, RefreshKeepsScopesAndRefusesEscalation) {
  auto r = service_.Token(Exchange(Code()), std::nullopt, "");
  ASSERT_TRUE(std::holds_alternative<json>(r));
  const std::string refresh_token = std::get<json>(r)["refresh_token"];
  Params refresh{
      {"grant_type", "refresh_token"}, {"client_id", kWeb}, {"refresh_token", refresh_token}};
  auto again = service_.Token(refresh, std::nullopt, "");
  ASSERT_TRUE(std::holds_alternative<json>(again)) << Error(again);
  EXPECT_EQ(Claims(std::get<json>(again)["access_token"])["scope"], "openid email");
  EXPECT_FALSE(std::get<json>(again).contains("refresh_token"));
  refresh["scope"] = "openid email profile";
  EXPECT_EQ(Error(service_.Token(refresh, std::nullopt, "")), "invalid_scope");
  refresh["scope"] = "openid";
  EXPECT_TRUE(std::holds_alternative<json>(service_.Token(refresh, std::nullopt, "")));
  refresh["client_id"] = kWeb2;
  refresh.erase("scope");
  EXPECT_EQ(Error(service_.Token(refresh, std::nullopt, "")), "invalid_grant");
}

TEST_F(OAuthServiceTest, ImplicitFlowPutsTokensInTheFragment) {
  auto r = service_.ParseAuthorize(Authorize({{"response_type", "token"}}), "");
  ASSERT_TRUE(std::holds_alternative<AuthorizeRequest>(r));
  auto location = service_.CompleteAuthorize(std::get<AuthorizeRequest>(r), user_);
  ASSERT_TRUE(location);
  EXPECT_EQ(location->rfind(std::string(kCallback) + "#id_token=", 0), 0u) << *location;
  EXPECT_NE(location->find("&access_token="), std::string::npos);
  EXPECT_EQ(location->find("refresh_token"), std::string::npos);
}

TEST_F(OAuthServiceTest, ClientCredentials) {
  Params p{{"grant_type", "client_credentials"}, {"scope", "api/read"}};
  auto r = service_.Token(p, std::make_pair(std::string(kM2m), std::string(kSecret)), "");
  ASSERT_TRUE(std::holds_alternative<json>(r)) << Error(r);
  const json& body = std::get<json>(r);
  EXPECT_FALSE(body.contains("id_token"));
  EXPECT_FALSE(body.contains("refresh_token"));
  json claims = Claims(body["access_token"]);
  EXPECT_EQ(claims["sub"], kM2m);
  EXPECT_EQ(claims["client_id"], kM2m);
  EXPECT_EQ(claims["scope"], "api/read");
  EXPECT_EQ(claims["token_use"], "access");
  EXPECT_EQ(claims["version"], 2);

  // Every allowed scope when none is asked; body authentication.
  Params q{{"grant_type", "client_credentials"}, {"client_id", kM2m}, {"client_secret", kSecret}};
  auto all = service_.Token(q, std::nullopt, "");
  ASSERT_TRUE(std::holds_alternative<json>(all));
  EXPECT_EQ(Claims(std::get<json>(all)["access_token"])["scope"], "api/read api/write");

  q["scope"] = "api/delete";
  EXPECT_EQ(Error(service_.Token(q, std::nullopt, "")), "invalid_scope");
  q["scope"] = "openid";
  EXPECT_EQ(Error(service_.Token(q, std::nullopt, "")), "invalid_scope");
  q.erase("scope");
  q["client_secret"] = "wrong";
  auto bad = service_.Token(q, std::nullopt, "");
  EXPECT_EQ(Error(bad), "invalid_client");
  EXPECT_EQ(std::get<OAuthFailure>(bad).status, 401);
  q.erase("client_secret");
  EXPECT_EQ(Error(service_.Token(q, std::nullopt, "")), "invalid_client");
  Params web{{"grant_type", "client_credentials"}, {"client_id", kWeb}};
  EXPECT_EQ(Error(service_.Token(web, std::nullopt, "")), "unauthorized_client");
  web["grant_type"] = "password";
  EXPECT_EQ(Error(service_.Token(web, std::nullopt, "")), "unsupported_grant_type");
  web.erase("grant_type");
  EXPECT_EQ(Error(service_.Token(web, std::nullopt, "")), "invalid_request");
}

TEST_F(OAuthServiceTest, Logout) {
  auto out = service_.Logout(
      Params{{"client_id", kWeb}, {"logout_uri", "https://app.example.com/bye"}}, "");
  ASSERT_TRUE(std::holds_alternative<LogoutOutcome>(out));
  EXPECT_EQ(std::get<LogoutOutcome>(out).location, "https://app.example.com/bye");
  EXPECT_TRUE(std::holds_alternative<AuthorizeFailure>(service_.Logout(
      Params{{"client_id", kWeb}, {"logout_uri", "https://app.example.com/bye/"}}, "")));
  auto back = service_.Logout(
      Params{{"client_id", kWeb}, {"redirect_uri", kCallback}, {"response_type", "code"}}, "");
  ASSERT_TRUE(std::holds_alternative<LogoutOutcome>(back));
  EXPECT_EQ(std::get<LogoutOutcome>(back).location.rfind("/login?client_id=", 0), 0u);
}

TEST_F(OAuthServiceTest, AClientWithoutCognitoGetsNoCodeForAHostedUser) {
  MakeClient(kPool, "bare0000000000000000000000",
             {{"AllowedOAuthFlowsUserPoolClient", true},
              {"AllowedOAuthFlows", {"code"}},
              {"AllowedOAuthScopes", {"openid"}},
              {"CallbackURLs", {kCallback}}});
  auto r = service_.ParseAuthorize(
      Authorize({{"client_id", "bare0000000000000000000000"}, {"scope", "openid"}}), "");
  ASSERT_TRUE(std::holds_alternative<AuthorizeRequest>(r));
  const auto& req = std::get<AuthorizeRequest>(r);
  EXPECT_FALSE(req.cognito_allowed);
  auto location = service_.CompleteAuthorize(req, user_);
  ASSERT_FALSE(location);
  EXPECT_EQ(location.error().message(), kNoLoginOption);
  auto ok = service_.ParseAuthorize(Authorize(), "");
  ASSERT_TRUE(std::holds_alternative<AuthorizeRequest>(ok));
  EXPECT_TRUE(std::get<AuthorizeRequest>(ok).cognito_allowed);
}

TEST_F(OAuthServiceTest, SignUpProofsAreBoundAndUsedOnce) {
  auto& sessions = service_.sessions();
  const SignUpProof proof{kPool, kWeb, "sub-1", "alice"};
  auto handle = sessions.CreateSignUpProof(proof);
  ASSERT_TRUE(handle);
  EXPECT_EQ(handle->size(), 43u);
  // Another pool, client or username: nothing, and the proof stays.
  EXPECT_FALSE(sessions.TakeSignUpProof(*handle, {kOtherPool, kWeb, "", "alice"}));
  EXPECT_FALSE(sessions.TakeSignUpProof(*handle, {kPool, kWeb2, "", "alice"}));
  EXPECT_FALSE(sessions.TakeSignUpProof(*handle, {kPool, kWeb, "", "Alice"}));
  EXPECT_FALSE(sessions.TakeSignUpProof("short", {kPool, kWeb, "", "alice"}));
  EXPECT_EQ(sessions.TakeSignUpProof(*handle, {kPool, kWeb, "", "alice"}).value_or(""), "sub-1");
  EXPECT_FALSE(sessions.TakeSignUpProof(*handle, {kPool, kWeb, "", "alice"}));  // once
  // It expires.
  auto late = sessions.CreateSignUpProof(proof);
  ASSERT_TRUE(late);
  env_.clock.AdvanceMillis((kSignUpProofSeconds + 1) * 1000);
  EXPECT_FALSE(sessions.TakeSignUpProof(*late, {kPool, kWeb, "", "alice"}));
}

}  // namespace
}  // namespace cognate::domain::oauth
