#include "api/aws_json_service.h"

#include <gtest/gtest.h>

#include "api/test_support.h"

#include <atomic>

namespace cognate::api {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kNowMs = 1'795'343'081'000;  // 2026-11-22T10:24:41Z

using testing::HeaderOf;

class AwsJsonServiceTest : public ::testing::Test {
 protected:
  AwsJsonServiceTest() : clock_(kNowMs) {
    idp_.Register("ListUserPools", [this](const json& in, const CallContext& ctx) -> Result<json> {
      last_ctx_ = ctx;
      return json{{"UserPools", json::array()}, {"Echo", in.value("MaxResults", 0)}};
    });
    idp_.Register("SignUp", [this](const json& in, const CallContext& ctx) -> Result<json> {
      last_ctx_ = ctx;
      return json{{"UserConfirmed", false}, {"UserSub", "sub-1"}};
    });
    idp_.Register("GetUser", [](const json&, const CallContext&) -> Result<json> {
      return ApiError::NotAuthorized("Invalid Access Token");
    });
    idp_.Register("AdminGetUser", [](const json&, const CallContext&) -> Result<json> {
      throw std::runtime_error("boom");
    });
    identity_.Register("GetId", [](const json&, const CallContext&) -> Result<json> {
      return json{{"IdentityId", "us-east-1:abc"}};
    });
  }

  std::unique_ptr<AwsJsonService> Make(bool dev_mode = false) {
    AwsJsonOptions o;
    o.dev_mode = dev_mode;
    o.max_json_depth = 8;
    return std::make_unique<AwsJsonService>(
        idp_, identity_,
        [](std::string_view akid) -> std::optional<crypto::SigV4Secret> {
          if (akid == "test") return crypto::SigV4Secret{"test", std::nullopt};
          return std::nullopt;
        },
        clock_, o);
  }

  static ApiRequest Req(std::string target, std::string body) {
    ApiRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "127.0.0.1:9229"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", std::move(target)}};
    r.body = std::move(body);
    r.request_id = "rid";
    return r;
  }

  ApiRequest Signed(std::string target, std::string body, std::string akid = "test",
                    std::string secret = "test", std::string service = "cognito-idp") {
    ApiRequest r = Req(std::move(target), std::move(body));
    crypto::SigV4Request s{r.method, r.target, r.headers, r.body};
    crypto::SignSigV4ForTest(s, akid, secret, "eu-west-1", service, clock_.NowSeconds(), false);
    r.headers = s.headers;
    return r;
  }

  static json Body(const ApiResponse& r) { return json::parse(r.body); }

  FakeClock clock_;
  HandlerRegistry idp_, identity_;
  CallContext last_ctx_;
};

TEST_F(AwsJsonServiceTest, SignedIamOperationSucceeds) {
  auto svc = Make();
  ApiResponse r = svc->Handle(
      Signed("AWSCognitoIdentityProviderService.ListUserPools", R"({"MaxResults": 5})"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["Echo"], 5);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(HeaderOf(r, "x-amzn-RequestId"), "rid");
  EXPECT_EQ(HeaderOf(r, "Date"), "Sun, 22 Nov 2026 10:24:41 GMT");
  EXPECT_EQ(r.operation, "ListUserPools");
  EXPECT_EQ(last_ctx_.caller_access_key, "test");
  EXPECT_EQ(last_ctx_.region, "eu-west-1");
  EXPECT_EQ(last_ctx_.operation, "ListUserPools");
}

// The JS SDK v3 request captured in the reference (section 2.5 f), byte for byte.
TEST_F(AwsJsonServiceTest, CapturedJsSdkRequestVerifies) {
  clock_.SetMillis(1'795'343'089'000);  // 2026-11-22T10:24:49Z
  auto svc = Make();
  ApiRequest r;
  r.method = "POST";
  r.target = "/";
  r.request_id = "rid";
  r.body = R"({"MaxResults":5})";
  r.headers = {
      {"content-type", "application/x-amz-json-1.1"},
      {"x-amz-target", "AWSCognitoIdentityProviderService.ListUserPools"},
      {"content-length", "16"},
      {"x-amz-user-agent", "aws-sdk-js/3.1168.0"},
      {"user-agent", "aws-sdk-js/3.1168.0 ua/2.1"},
      {"host", "127.0.0.1:9999"},
      {"amz-sdk-invocation-id", "dae2e582-072f-4e80-89b6-bb95c1416f4a"},
      {"amz-sdk-request", "attempt=1; max=1"},
      {"x-amz-date", "20261122T102449Z"},
      {"x-amz-content-sha256", "82eef3ee4d2728db9e62c35b6d42acf8a5c1a903c67b99303e68d73ba2635306"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/cognito-idp/aws4_request, "
       "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
       "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, "
       "Signature=b357a30fbbef21fb586f125188b05d80e9b8c6ea81b7bc24f87aa579937ad045"},
      {"Connection", "keep-alive"},
  };
  ApiResponse resp = svc->Handle(r);
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(last_ctx_.caller_access_key, "test");
  EXPECT_EQ(last_ctx_.region, "us-east-1");
  EXPECT_EQ(last_ctx_.user_agent, "aws-sdk-js/3.1168.0 ua/2.1");
}

TEST_F(AwsJsonServiceTest, IamOperationWithoutSignature) {
  auto svc = Make();
  ApiResponse r = svc->Handle(Req("AWSCognitoIdentityProviderService.ListUserPools", "{}"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["__type"], "MissingAuthenticationTokenException");
  EXPECT_EQ(Body(r)["message"], "Request is missing Authentication Token");
}

TEST_F(AwsJsonServiceTest, SignatureFailures) {
  auto svc = Make();
  auto type = [&](const ApiRequest& req) { return Body(svc->Handle(req))["__type"]; };
  EXPECT_EQ(type(Signed("AWSCognitoIdentityProviderService.ListUserPools", R"({"MaxResults":5})",
                        "test", "wrong")),
            "InvalidSignatureException");
  EXPECT_EQ(type(Signed("AWSCognitoIdentityProviderService.ListUserPools", R"({"MaxResults":5})",
                        "nobody", "test")),
            "UnrecognizedClientException");
  EXPECT_EQ(type(Signed("AWSCognitoIdentityProviderService.ListUserPools", R"({"MaxResults":5})",
                        "test", "test", "cognito-identity")),
            "InvalidSignatureException");
  ApiRequest r = Req("AWSCognitoIdentityProviderService.ListUserPools", "{}");
  r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=test");
  EXPECT_EQ(type(r), "IncompleteSignatureException");
  // Signed a while ago.
  ApiRequest old = Signed("AWSCognitoIdentityProviderService.ListUserPools", R"({"MaxResults":5})");
  clock_.AdvanceMillis(301'000);
  ApiResponse late = svc->Handle(old);
  EXPECT_EQ(late.status, 403);
  EXPECT_EQ(Body(late)["__type"], "InvalidSignatureException");
  EXPECT_EQ(Body(late)["message"].get<std::string>().rfind("Signature expired: ", 0), 0u);
}

TEST_F(AwsJsonServiceTest, DevModeAcceptsAnyWellFormedSignature) {
  auto svc = Make(/*dev_mode=*/true);
  ApiResponse r = svc->Handle(Signed("AWSCognitoIdentityProviderService.ListUserPools",
                                     R"({"MaxResults":5})", "anybody", "anything"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(last_ctx_.caller_access_key, "anybody");
  EXPECT_EQ(last_ctx_.region, "eu-west-1");
  clock_.AdvanceMillis(3600'000);
  ApiResponse old = svc->Handle(Signed("AWSCognitoIdentityProviderService.ListUserPools",
                                       R"({"MaxResults":5})", "test", "wrong"));
  EXPECT_EQ(old.status, 200) << old.body;
  // Still: no signature at all, or a malformed one, is refused.
  EXPECT_EQ(svc->Handle(Req("AWSCognitoIdentityProviderService.ListUserPools", "{}")).status, 403);
  ApiRequest bad = Req("AWSCognitoIdentityProviderService.ListUserPools", "{}");
  bad.headers.emplace_back("Authorization", "Bearer x");
  EXPECT_EQ(Body(svc->Handle(bad))["__type"], "IncompleteSignatureException");
}

TEST_F(AwsJsonServiceTest, UnsignedOperationsNeedNoSignatureAndIgnoreOne) {
  auto svc = Make();
  std::string body = R"({"ClientId": "1example23456789abcdefghij", "Username": "alice",
                         "Password": "Passw0rd!"})";
  ApiResponse r = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", body));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(last_ctx_.caller_access_key, "");
  EXPECT_EQ(last_ctx_.region, "us-east-1");
  // A bad signature on an unsigned operation is ignored.
  ApiResponse s =
      svc->Handle(Signed("AWSCognitoIdentityProviderService.SignUp", body, "nobody", "x"));
  EXPECT_EQ(s.status, 200) << s.body;
  ApiResponse id = svc->Handle(
      Req("AWSCognitoIdentityService.GetId",
          R"({"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","Logins":{}})"));
  EXPECT_EQ(id.status, 200) << id.body;
}

TEST_F(AwsJsonServiceTest, TargetErrors) {
  auto svc = Make();
  auto check = [&](ApiRequest req) {
    ApiResponse r = svc->Handle(req);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(Body(r)["__type"], "UnknownOperationException") << r.body;
  };
  check(Req("AWSCognitoIdentityProviderService.NoSuchOp", "{}"));
  check(Req("DynamoDB_20120810.ListTables", "{}"));
  check(Req("ListUserPools", "{}"));
  check(Req("", "{}"));
  ApiRequest missing = Req("x", "{}");
  missing.headers.pop_back();
  check(missing);
  ApiRequest get = Req("AWSCognitoIdentityProviderService.SignUp", "{}");
  get.method = "GET";
  check(get);
  ApiRequest ct = Req("AWSCognitoIdentityProviderService.SignUp", "{}");
  ct.headers[1].second = "application/json";
  check(ct);
}

TEST_F(AwsJsonServiceTest, ContentTypeVariantsAccepted) {
  auto svc = Make();
  for (std::string ct : {"application/x-amz-json-1.1", "application/x-amz-json-1.1; charset=utf-8",
                         "APPLICATION/X-AMZ-JSON-1.1", "application/x-amz-json-1.0"}) {
    ApiRequest r =
        Req("AWSCognitoIdentityProviderService.SignUp", R"({"ClientId":"abc","Username":"bob"})");
    r.headers[1].second = ct;
    EXPECT_EQ(svc->Handle(r).status, 200) << ct;
  }
}

TEST_F(AwsJsonServiceTest, MalformedJson) {
  auto svc = Make();
  for (std::string body : {"{", "not json", "{\"ClientId\": \"a\",}", "{\"a\":\"\xff\"}", "[1,2]",
                           "\"str\"", "{\"a\":1} trailing"}) {
    ApiResponse r = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(Body(r)["__type"], "SerializationException") << body << " -> " << r.body;
  }
  // Too deep (limit 8 in this fixture).
  std::string deep = R"({"ClientId":"abc","Username":"bob","ClientMetadata":)" +
                     std::string(10, '[') + std::string(10, ']') + "}";
  ApiResponse d = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", deep));
  EXPECT_EQ(Body(d)["__type"], "SerializationException");
  EXPECT_EQ(Body(d)["message"], "Request nesting is too deep.");
  // Too deep and malformed: the depth is what is reported, as before any parsing.
  ApiResponse dm =
      svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", std::string(10, '[') + "x"));
  EXPECT_EQ(Body(dm)["message"], "Request nesting is too deep.");
  // Brackets inside strings do not count.
  std::string fine = R"({"ClientId":"abc","Username":"[[[[[[[[[[[[[[["})";
  EXPECT_EQ(svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", fine)).status, 200);
  // Nor after an escaped quote or an escaped backslash, and brackets after the string do.
  std::string escaped = R"({"ClientId":"abc","Username":"b\"[[[[[[[[[[\\","C":1})";
  ApiResponse esc = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", escaped));
  EXPECT_EQ(esc.status, 200) << esc.body;
  std::string after = R"({"ClientId":"a\\","Username":"b","ClientMetadata":)" +
                      std::string(10, '[') + std::string(10, ']') + "}";
  ApiResponse a = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", after));
  EXPECT_EQ(Body(a)["__type"], "SerializationException");
  EXPECT_EQ(Body(a)["message"], "Request nesting is too deep.");
  // An empty body is an empty input: here, two required members are missing.
  ApiResponse e = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp", ""));
  EXPECT_EQ(Body(e)["__type"], "InvalidParameterException");
}

TEST_F(AwsJsonServiceTest, ValidationRunsBeforeTheHandler) {
  auto svc = Make();
  ApiResponse r = svc->Handle(Req("AWSCognitoIdentityProviderService.SignUp",
                                  R"({"ClientId":"abc","Username":"bob","Password":"has space"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["message"],
            "1 validation error detected: Value at 'password' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\S]+");
  EXPECT_EQ(r.body.find("has space"), std::string::npos);
}

TEST_F(AwsJsonServiceTest, NotImplementedOperation) {
  auto svc = Make();
  ApiResponse r = svc->Handle(Req("AWSCognitoIdentityProviderService.ConfirmSignUp",
                                  R"({"ClientId":"abc","Username":"bob","ConfirmationCode":"1"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["__type"], "UnsupportedOperationException");
  EXPECT_EQ(Body(r)["message"], "Cognate does not implement ConfirmSignUp yet.");
}

TEST_F(AwsJsonServiceTest, HandlerErrorsAndExceptions) {
  auto svc = Make();
  ApiResponse e = svc->Handle(Req("AWSCognitoIdentityProviderService.GetUser",
                                  R"({"AccessToken":"eyJraWQiOiJhYmMifQ.eyJzdWIiOiJ4In0.c2ln"})"));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(Body(e)["__type"], "NotAuthorizedException");
  EXPECT_EQ(e.error_type, "NotAuthorizedException");
  ApiResponse x = svc->Handle(Signed("AWSCognitoIdentityProviderService.AdminGetUser",
                                     R"({"UserPoolId":"us-east-1_abc","Username":"bob"})"));
  EXPECT_EQ(x.status, 500);
  EXPECT_EQ(Body(x)["__type"], "InternalErrorException");
  EXPECT_EQ(x.body.find("boom"), std::string::npos);
}

TEST_F(AwsJsonServiceTest, AssignsARequestIdWhenMissing) {
  auto svc = Make();
  ApiRequest r =
      Req("AWSCognitoIdentityProviderService.SignUp", R"({"ClientId":"a","Username":"b"})");
  r.request_id.clear();
  ApiResponse resp = svc->Handle(r);
  EXPECT_EQ(HeaderOf(resp, "x-amzn-RequestId").size(), 36u);
}

}  // namespace
}  // namespace cognate::api
