#include "crypto/sigv4.h"

#include <gtest/gtest.h>

namespace cognate::crypto {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::int64_t k20150830T123600Z = 1440938160;

SigV4SecretLookup Lookup(std::string akid, std::string secret,
                         std::optional<std::string> token = std::nullopt) {
  return [=](std::string_view k) -> std::optional<SigV4Secret> {
    if (k != akid) return std::nullopt;
    return SigV4Secret{secret, token};
  };
}

SigV4Request SuiteRequest(std::string method, std::string target, Headers extra, std::string body,
                          std::string signed_headers, std::string signature) {
  SigV4Request r{std::move(method), std::move(target), {}, std::move(body)};
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  for (auto& h : extra) r.headers.push_back(std::move(h));
  r.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                         "aws4_request, SignedHeaders=" +
                             signed_headers + ", Signature=" + signature);
  return r;
}

// Vectors of AWS's published SigV4 test suite (aws-sig-v4-test-suite).
TEST(SigV4Test, GetVanilla) {
  auto r = SuiteRequest("GET", "/", {}, "", "host;x-amz-date",
                        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  auto o =
      VerifySigV4(r, "service", Lookup("AKIDEXAMPLE", std::string(kSecret)), k20150830T123600Z);
  ASSERT_TRUE(o.ok) << o.message;
  EXPECT_EQ(o.ok->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(o.ok->region, "us-east-1");
  EXPECT_EQ(o.ok->service, "service");
}

TEST(SigV4Test, PostVanilla) {
  auto r = SuiteRequest("POST", "/", {}, "", "host;x-amz-date",
                        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  EXPECT_TRUE(
      VerifySigV4(r, "service", Lookup("AKIDEXAMPLE", std::string(kSecret)), k20150830T123600Z).ok);
}

TEST(SigV4Test, PostXWwwFormUrlencoded) {
  auto r = SuiteRequest("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}},
                        "Param1=value1", "content-type;host;x-amz-date",
                        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  EXPECT_TRUE(
      VerifySigV4(r, "service", Lookup("AKIDEXAMPLE", std::string(kSecret)), k20150830T123600Z).ok);
}

TEST(SigV4Test, GetVanillaQueryOrderKeyCase) {
  auto r = SuiteRequest("GET", "/?Param2=value2&Param1=value1", {}, "", "host;x-amz-date",
                        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  EXPECT_TRUE(
      VerifySigV4(r, "service", Lookup("AKIDEXAMPLE", std::string(kSecret)), k20150830T123600Z).ok);
}

TEST(SigV4Test, TamperedBodyFails) {
  auto r = SuiteRequest("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}},
                        "Param1=value2", "content-type;host;x-amz-date",
                        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  auto o =
      VerifySigV4(r, "service", Lookup("AKIDEXAMPLE", std::string(kSecret)), k20150830T123600Z);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.failure, SigV4Failure::kBadSignature);
}

// The aws CLI v1 (botocore 1.43.11) request captured in the reference, section 2.5 (a).
TEST(SigV4Test, CapturedBotocoreListUserPools) {
  SigV4Request r{"POST", "/", {}, R"({"MaxResults": 5})"};
  r.headers = {
      {"Host", "127.0.0.1:9999"},
      {"Accept-Encoding", "identity"},
      {"X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"User-Agent", "aws-cli/1.45.11 md/Botocore#1.43.11"},
      {"X-Amz-Date", "20261122T102441Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/cognito-idp/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=623910c58fa0fc531d26414f01773755eb4f842278c9f5f1af60761826788350"},
      {"amz-sdk-invocation-id", "0f5576e5-3823-4ae0-92f2-34abdfe67646"},
      {"amz-sdk-request", "attempt=1"},
      {"Content-Length", "17"},
  };
  std::int64_t when = 1795343081;  // 2026-11-22T10:24:41Z
  auto o = VerifySigV4(r, "cognito-idp", Lookup("test", "test"), when);
  ASSERT_TRUE(o.ok) << o.message;
  EXPECT_EQ(o.ok->access_key_id, "test");
  // Wrong service in the scope.
  auto w = VerifySigV4(r, "cognito-identity", Lookup("test", "test"), when);
  EXPECT_EQ(w.failure, SigV4Failure::kWrongService);
  EXPECT_EQ(w.message, "Credential should be scoped to correct service: 'cognito-identity'. ");
  // Wrong secret.
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", Lookup("test", "nope"), when).failure,
            SigV4Failure::kBadSignature);
  // Unknown key.
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", Lookup("other", "test"), when).failure,
            SigV4Failure::kUnknownKey);
  // Five minutes of skew either way pass; more fails.
  EXPECT_TRUE(VerifySigV4(r, "cognito-idp", Lookup("test", "test"), when + 300).ok);
  EXPECT_TRUE(VerifySigV4(r, "cognito-idp", Lookup("test", "test"), when - 300).ok);
  auto late = VerifySigV4(r, "cognito-idp", Lookup("test", "test"), when + 301);
  EXPECT_EQ(late.failure, SigV4Failure::kExpired);
  EXPECT_EQ(late.message,
            "Signature expired: 20261122T102441Z is now earlier than 20261122T102442Z "
            "(20261122T102942Z - 5 min.)");
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", Lookup("test", "test"), when - 301).failure,
            SigV4Failure::kExpired);
}

// The JS SDK v3 request captured in the reference, section 2.5 (f): a larger SignedHeaders set
// and x-amz-content-sha256.
TEST(SigV4Test, CapturedJsSdkListUserPools) {
  SigV4Request r{"POST", "/", {}, R"({"MaxResults":5})"};
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
  auto o = VerifySigV4(r, "cognito-idp", Lookup("test", "test"), 1795343089);
  ASSERT_TRUE(o.ok) << o.message;
  // A body that no longer matches x-amz-content-sha256.
  r.body = R"({"MaxResults":6})";
  auto bad = VerifySigV4(r, "cognito-idp", Lookup("test", "test"), 1795343089);
  EXPECT_EQ(bad.failure, SigV4Failure::kBadSignature);
}

TEST(SigV4Test, RoundTripWithAndWithoutContentSha) {
  for (bool sha : {false, true}) {
    SigV4Request r{"POST",
                   "/",
                   {{"Host", "localhost:9229"},
                    {"Content-Type", "application/x-amz-json-1.1"},
                    {"X-Amz-Target", "AWSCognitoIdentityProviderService.ListUsers"}},
                   R"({"UserPoolId":"us-east-1_abc"})"};
    SignSigV4ForTest(r, "AKID", "SECRET", "eu-west-1", "cognito-idp", 1'700'000'000, sha);
    auto o = VerifySigV4(r, "cognito-idp", Lookup("AKID", "SECRET"), 1'700'000'000);
    ASSERT_TRUE(o.ok) << o.message;
    EXPECT_EQ(o.ok->region, "eu-west-1");
  }
}

TEST(SigV4Test, UnsignedPayloadAndRepeatedHeaders) {
  SigV4Request r{"POST",
                 "/a%20b/../c//d?b=2&a=1&a=0",
                 {{"Host", "h"},
                  {"X-Custom", "  one   two "},
                  {"x-custom", "three"},
                  {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}},
                 "anything"};
  SignSigV4ForTest(r, "AKID", "SECRET", "us-east-1", "cognito-idp", 1'700'000'000, false);
  EXPECT_TRUE(VerifySigV4(r, "cognito-idp", Lookup("AKID", "SECRET"), 1'700'000'000).ok);
  r.body = "something else";  // UNSIGNED-PAYLOAD: the body is not covered
  EXPECT_TRUE(VerifySigV4(r, "cognito-idp", Lookup("AKID", "SECRET"), 1'700'000'000).ok);
  r.headers[2].second = "four";  // the second X-Custom value is covered
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", Lookup("AKID", "SECRET"), 1'700'000'000).failure,
            SigV4Failure::kBadSignature);
}

TEST(SigV4Test, SessionTokens) {
  SigV4Request r{"POST", "/", {{"Host", "h"}, {"X-Amz-Security-Token", "tok"}}, "{}"};
  SignSigV4ForTest(r, "ASIA", "SECRET", "us-east-1", "cognito-idp", 1'700'000'000, false);
  EXPECT_TRUE(VerifySigV4(r, "cognito-idp", Lookup("ASIA", "SECRET", "tok"), 1'700'000'000).ok);
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", Lookup("ASIA", "SECRET", "other"), 1'700'000'000).failure,
            SigV4Failure::kBadSessionToken);
  // A token sent with a long-term key, or missing for a temporary one.
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", Lookup("ASIA", "SECRET"), 1'700'000'000).failure,
            SigV4Failure::kBadSessionToken);
  SigV4Request n{"POST", "/", {{"Host", "h"}}, "{}"};
  SignSigV4ForTest(n, "ASIA", "SECRET", "us-east-1", "cognito-idp", 1'700'000'000, false);
  EXPECT_EQ(VerifySigV4(n, "cognito-idp", Lookup("ASIA", "SECRET", "tok"), 1'700'000'000).failure,
            SigV4Failure::kBadSessionToken);
}

TEST(SigV4Test, MalformedHeaders) {
  auto lookup = Lookup("AKID", "SECRET");
  SigV4Request r{"POST", "/", {{"Host", "h"}, {"X-Amz-Date", "20231114T221320Z"}}, "{}"};
  EXPECT_EQ(VerifySigV4(r, "cognito-idp", lookup, 1'700'000'000).failure, SigV4Failure::kMissing);
  for (std::string auth : {
           "AWS4-HMAC-SHA1 Credential=AKID/20231114/us-east-1/cognito-idp/aws4_request, "
           "SignedHeaders=host, Signature=00",
           "AWS4-HMAC-SHA256",
           "AWS4-HMAC-SHA256 Credential=AKID, SignedHeaders=host, Signature=00",
           "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/cognito-idp/aws4_request, "
           "Signature=00",
           "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/cognito-idp/aws4_request, "
           "SignedHeaders=x-amz-date, Signature=00",
           "garbage",
           "",
       }) {
    SigV4Request a = r;
    a.headers.emplace_back("Authorization", auth);
    auto o = VerifySigV4(a, "cognito-idp", lookup, 1'700'000'000);
    EXPECT_FALSE(o.ok) << auth;
    if (!auth.empty()) {
      EXPECT_EQ(o.failure, SigV4Failure::kIncomplete) << auth;
    }
  }
  SigV4Request nodate{"POST", "/", {{"Host", "h"}}, "{}"};
  nodate.headers.emplace_back("Authorization",
                              "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/cognito-idp/"
                              "aws4_request, SignedHeaders=host, Signature=00");
  EXPECT_EQ(VerifySigV4(nodate, "cognito-idp", lookup, 1'700'000'000).failure,
            SigV4Failure::kIncomplete);
  // Scope date differing from X-Amz-Date.
  SigV4Request d = r;
  d.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKID/20231113/us-east-1/cognito-idp/"
                         "aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
  EXPECT_EQ(VerifySigV4(d, "cognito-idp", lookup, 1'700'000'000).failure,
            SigV4Failure::kBadSignature);
}

}  // namespace
}  // namespace cognate::crypto
