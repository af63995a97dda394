#include "api/web.h"

#include <gtest/gtest.h>

namespace cognate::api::web {
namespace {

ApiRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  ApiRequest r;
  r.headers = std::move(headers);
  return r;
}

TEST(WebTest, PathAndQuery) {
  EXPECT_EQ(PathOf("/oauth2/authorize?a=1"), "/oauth2/authorize");
  EXPECT_EQ(PathOf(""), "/");
  EXPECT_EQ(QueryOf("/x?a=1&b=2"), "a=1&b=2");
  EXPECT_EQ(QueryOf("/x"), "");
}

TEST(WebTest, ParseFormDecodesAndKeepsFirstOfRepeated) {
  auto form = ParseForm("a=1&b=x+y%2Bz&a=2&empty=&flag&&c=%C3%A9");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->Get("a"), "1");
  EXPECT_EQ(form->Get("b"), "x y+z");
  EXPECT_EQ(form->Get("empty"), "");
  EXPECT_TRUE(form->Has("flag"));
  EXPECT_EQ(form->Get("c"), "\xC3\xA9");
  EXPECT_FALSE(form->Has("missing"));
  EXPECT_EQ(form->repeated, std::vector<std::string>{"a"});
}

TEST(WebTest, ParseFormRefusesHostileInput) {
  EXPECT_FALSE(ParseForm("a=%"));
  EXPECT_FALSE(ParseForm("a=%4"));
  EXPECT_FALSE(ParseForm("a=%zz"));
  EXPECT_FALSE(ParseForm("a=%00"));
  EXPECT_FALSE(ParseForm("a=%C3"));        // truncated UTF-8
  EXPECT_FALSE(ParseForm("a=%ED%A0%80"));  // a surrogate
  EXPECT_FALSE(ParseForm("a=%C0%AF"));     // overlong
  EXPECT_FALSE(ParseForm("a=1&b=2&c=3", 2));
  EXPECT_FALSE(ParseForm("a=" + std::string(20, 'x'), 64, 10));
  EXPECT_TRUE(ParseForm(""));
}

TEST(WebTest, EncodeRoundTrips) {
  EXPECT_EQ(UrlEncode("a b/c?d=é~"), "a%20b%2Fc%3Fd%3D%C3%A9~");
  const std::string encoded = EncodeForm({{"redirect_uri", "https://x/cb?q=1"}, {"s", ""}});
  EXPECT_EQ(encoded, "redirect_uri=https%3A%2F%2Fx%2Fcb%3Fq%3D1&s=");
  auto back = ParseForm(encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Get("redirect_uri"), "https://x/cb?q=1");
}

TEST(WebTest, AppendQueryKeepsExistingQueryAndFragment) {
  EXPECT_EQ(AppendQuery("https://a/cb", {{"code", "c"}, {"state", "s t"}}),
            "https://a/cb?code=c&state=s%20t");
  EXPECT_EQ(AppendQuery("https://a/cb?x=1#frag", {{"code", "c"}}), "https://a/cb?x=1&code=c#frag");
  EXPECT_EQ(AppendQuery("https://a/cb#old", {{"access_token", "t"}}, true),
            "https://a/cb#access_token=t");
  EXPECT_EQ(AppendQuery("https://a/cb", {}), "https://a/cb");
}

TEST(WebTest, CookiesParseEveryHeader) {
  auto jar = Cookies(WithHeaders({{"Cookie", "a=1; b=\"two\" ;c=3=3"}, {"cookie", "a=9; d=4"}}));
  EXPECT_EQ(jar["a"], "1");
  EXPECT_EQ(jar["b"], "two");
  EXPECT_EQ(jar["c"], "3=3");
  EXPECT_EQ(jar["d"], "4");
}

TEST(WebTest, SetCookieAttributes) {
  CookieOptions o;
  o.secure = true;
  o.max_age_s = 3600;
  EXPECT_EQ(SetCookie("cognito", "v", o),
            "cognito=v; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
  CookieOptions del;
  del.max_age_s = 0;
  del.same_site = "Strict";
  EXPECT_EQ(SetCookie("x", "", del),
            "x=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; "
            "SameSite=Strict");
  CookieOptions none;
  none.same_site = "None";
  EXPECT_NE(SetCookie("x", "1", none).find("; Secure"), std::string::npos);
}

TEST(WebTest, HostWithoutPortLowercased) {
  EXPECT_EQ(RequestHost(WithHeaders({{"Host", "MyPrefix.Auth.Localhost:9229"}})),
            "myprefix.auth.localhost");
  EXPECT_EQ(RequestHost(WithHeaders({{"host", "[::1]:80"}})), "[::1]");
  EXPECT_EQ(RequestHost(WithHeaders({})), "");
}

TEST(WebTest, HtmlCarriesSecurityHeaders) {
  ApiResponse r = Html(200, "<p>hi</p>");
  auto header = [&](std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return std::string();
  };
  EXPECT_NE(header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(header("X-Frame-Options"), "DENY");
  EXPECT_EQ(header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header("Cache-Control"), "no-store");
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_NE(ContentSecurityPolicy({"https://app.example"}).find("form-action 'self' https://app"),
            std::string::npos);
}

TEST(WebTest, OAuthErrorShape) {
  ApiResponse r = OAuthError(400, "invalid_grant", "bad code");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            (nlohmann::json{{"error", "invalid_grant"}, {"error_description", "bad code"}}));
  EXPECT_EQ(nlohmann::json::parse(OAuthError(401, "invalid_client").body),
            (nlohmann::json{{"error", "invalid_client"}}));
}

TEST(WebTest, BasicCredentials) {
  // "my%20id:s3cr%3At" -> id "my id", secret "s3cr:t"
  auto creds = BasicCredentials(WithHeaders({{"Authorization", "Basic bXklMjBpZDpzM2NyJTNBdA=="}}));
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->first, "my id");
  EXPECT_EQ(creds->second, "s3cr:t");
  EXPECT_FALSE(BasicCredentials(WithHeaders({{"Authorization", "Bearer x"}})));
  EXPECT_FALSE(BasicCredentials(WithHeaders({})));
  auto bad = BasicCredentials(WithHeaders({{"Authorization", "Basic !!!"}}));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->first, "");
}

}  // namespace
}  // namespace cognate::api::web
