#include "api/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cognate::api {
namespace {

class Named final : public RequestHandler {
 public:
  explicit Named(std::string name) : name_(std::move(name)) {}
  ApiResponse Handle(const ApiRequest&) override {
    ApiResponse r;
    r.body = name_;
    return r;
  }

 private:
  std::string name_;
};

ApiRequest Req(std::string method, std::string target, bool amz_target = false) {
  ApiRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  if (amz_target) r.headers.emplace_back("X-Amz-Target", "AWSCognitoIdentityProviderService.X");
  r.request_id = "rid";
  return r;
}

TEST(RouterTest, Routes) {
  Named aws("aws"), oauth("oauth"), token("token"), wk("wk");
  Router router(aws);
  router.AddPrefix("/oauth2/", oauth);
  router.AddPrefix("/oauth2/token", token);
  router.AddPrefix("/.well-known/", wk);
  EXPECT_EQ(router.Handle(Req("POST", "/", true)).body, "aws");
  EXPECT_EQ(router.Handle(Req("POST", "/")).body, "aws");
  EXPECT_EQ(router.Handle(Req("GET", "/", true)).body, "aws");  // it answers the wrong method
  EXPECT_EQ(router.Handle(Req("POST", "/?x=1", true)).body, "aws");
  EXPECT_EQ(router.Handle(Req("GET", "/oauth2/authorize?client_id=x")).body, "oauth");
  EXPECT_EQ(router.Handle(Req("POST", "/oauth2/token")).body, "token");  // longest prefix
  EXPECT_EQ(router.Handle(Req("GET", "/.well-known/jwks.json")).body, "wk");
}

TEST(RouterTest, Suffixes) {
  Named aws("aws"), oauth("oauth"), jwks("jwks");
  Router router(aws);
  router.AddPrefix("/oauth2/", oauth);
  router.AddSuffix("/.well-known/jwks.json", jwks);
  EXPECT_EQ(router.Handle(Req("GET", "/us-east-1_X/.well-known/jwks.json")).body, "jwks");
  EXPECT_EQ(router.Handle(Req("GET", "/us-east-1_X/.well-known/jwks.json?a=b")).body, "jwks");
  EXPECT_EQ(router.Handle(Req("GET", "/oauth2/.well-known/jwks.json")).body, "oauth");
  EXPECT_EQ(router.Handle(Req("GET", "/us-east-1_X/.well-known/jwks")).status, 404);
}

TEST(RouterTest, Health) {
  Named aws("aws");
  Router router(aws);
  ApiResponse r = router.Handle(Req("GET", "/health"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
}

TEST(RouterTest, NotFoundInAwsStyle) {
  Named aws("aws");
  Router router(aws);
  for (const char* t : {"/nope", "/oauth2/token", "/health/x"}) {
    ApiResponse r = router.Handle(Req("GET", t));
    EXPECT_EQ(r.status, 404) << t;
    EXPECT_EQ(nlohmann::json::parse(r.body)["__type"], "UnknownOperationException");
  }
  EXPECT_EQ(router.Handle(Req("GET", "/")).status, 404);
}

TEST(RouterTest, CpuHeavyLane) {
  Named aws("aws");
  Router router(aws);
  auto with_target = [](std::string target) {
    ApiRequest r = Req("POST", "/");
    r.headers.emplace_back("X-Amz-Target", std::move(target));
    return r;
  };
  EXPECT_TRUE(router.IsCpuHeavy(with_target("AWSCognitoIdentityProviderService.InitiateAuth")));
  EXPECT_TRUE(router.IsCpuHeavy(with_target("AWSCognitoIdentityProviderService.SignUp")));
  EXPECT_TRUE(
      router.IsCpuHeavy(with_target("AWSCognitoIdentityProviderService.RespondToAuthChallenge")));
  EXPECT_FALSE(router.IsCpuHeavy(with_target("AWSCognitoIdentityProviderService.GetUser")));
  EXPECT_FALSE(router.IsCpuHeavy(with_target("AWSCognitoIdentityProviderService.InitiateAuthX")));
  EXPECT_FALSE(router.IsCpuHeavy(with_target("garbage")));
  EXPECT_TRUE(router.IsCpuHeavy(Req("POST", "/oauth2/token?x=1")));
  EXPECT_FALSE(router.IsCpuHeavy(Req("GET", "/health")));
}

TEST(RouterTest, InlineSafeAreOnlyTheUserReads) {
  Named aws("aws");
  Router router(aws);
  auto with_target = [](std::string target) {
    ApiRequest r = Req("POST", "/");
    r.headers.emplace_back("X-Amz-Target", std::move(target));
    return r;
  };
  EXPECT_TRUE(router.IsInlineSafe(with_target("AWSCognitoIdentityProviderService.GetUser")));
  EXPECT_TRUE(router.IsInlineSafe(with_target("AWSCognitoIdentityProviderService.AdminGetUser")));
  EXPECT_FALSE(router.IsInlineSafe(with_target("AWSCognitoIdentityProviderService.InitiateAuth")));
  EXPECT_FALSE(router.IsInlineSafe(with_target("AWSCognitoIdentityService.GetUser")));
  EXPECT_FALSE(router.IsInlineSafe(with_target("GetUser")));
  EXPECT_FALSE(router.IsInlineSafe(Req("GET", "/example/.well-known/jwks.json")));
}

}  // namespace
}  // namespace cognate::api
