#include "crypto/jwt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

// A throwaway RSA-2048 test key (openssl genpkey), never used outside tests.
constexpr const char* kTestKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC4PEEspvvLwMhT\n"
    "IS+/n70CI4d0Lian6c6DyXLRUUaaRU+FaQW0P6dquP7nPiIJpnoJrvkUB3TDh16M\n"
    "FDhfj9tGglZLqhsl6hTvrQ83V04rdNNcgFkE+CCL6C8Yks5rWPF4cSP0QJhvO0ti\n"
    "BNARrGFCFyR0hLe5gqB488gSLjZiYgBGQLTSa59tRki0+HSGa9qG1dzkBenUtAys\n"
    "tCMgb2HD6bXuCa/AU9MJ6oyCEHrMgtvipQgXvZEnq1sm169TziXf+1BXwJjUtv7T\n"
    "zrxBIfD7QaOFSQeVsWWfUQZLCrAt9XCYSiJdSrXb+IcbwphV8/zdSrnaNntNvE0M\n"
    "hbf6GltJAgMBAAECggEAE6jXXhXQDPcskUVbcGfx7fxfWBAULysZjtHUcx5oia4P\n"
    "fSmespQvz+k/hyrHzE6T23xsxxzAEpzbg5hlRxpFYH3oSkDzzm0PEJ/fnazO8j9w\n"
    "TgDCrw9wvqk3PFivFwCp3Mu69dWeRpFV2xbvIpGp27j3OolOhyjXqax+6yS8CC2l\n"
    "Zj50PuTPJ7+d6SNbsltB1iirDZvKUM4aJIZkWrpqCTlD0a3S3vl9ZyBslYXvaXgk\n"
    "BmUSTKvq5Gm+d439eURlqEkwSCW/ja95D5zrMrNHFuERd+0LzX0oPBjA1o/p8jdO\n"
    "Ilnfyhvo1PqnKF7oSukfaT/SOvX0TbV/IjLTmd0ScQKBgQDb6RRQImiPKeqiQs9/\n"
    "ChhgLTJreQKzvdWtAW17NafYFp6wvLYtX/buKqxGV4PUHYS8QVwUKGn0CooFpdWV\n"
    "CL6oPeSAh7y4d4vi0dpD1R+/5COXgkOvMEoRfBKHKUOJmFUfqo1GXmETbttQUO3A\n"
    "vkL8C/75zmCEx7UibXIeVzDi8QKBgQDWeGLgk8S0CokRYsVh+mraXcsGVcqUc6P+\n"
    "Vobvn77WuRxBJEoKSwIhEi/beHglGf/bpF/pV50r2gWPF7i4YFL/69Qal06BGDAX\n"
    "sIaGwgr5y7B6DxwIXo9Mg6o7DSjUQwZK2wEXrrzwzKEKjZGaw7VwZcZ9uCzNHIzi\n"
    "lShj/N/N2QKBgGZR24axi87Y5Pgcd+kXLGJLhUMmKdCxyiLWIDeMrozHcYywMV+J\n"
    "YB5OspuECq1+Eo15J7ulVi8bXD7meyr9x6AGNDRtc6ysyuR9Wb3oAv7IypqrHIz9\n"
    "vejGvuQumeMCgtDaDSOptCdTlC2ZihX9MLOPbVKT6Kq/NRNQsyFU1kUxAoGAffFB\n"
    "9ykvKJ7LMOd0i323Q7YyY+z7QkPKOK/tG0gOlB8t5V7/D55OiMcaTWIoA3mKExwq\n"
    "qmclx7uG6il+8t61vs1ox5i0pABlNXQW+4l1Uoz3fCXlS1DkC4WB8J1grY0SY+DJ\n"
    "enPFRg6UPxM1PtHQeUl6zxbZUDWE0gXPKzAy6LkCgYEAipL3R90dPWUgHwk3SoYQ\n"
    "/TDn99dZ+wLrZfHsukIu493OcN9d8zmp1gU2Crn26cJs/AZkeCi5hr1/huujxmRR\n"
    "6yfL/zB1a5dHUzd5ZgWtcb6QtIhp/N5Kd13ZVzpENCzreGqamZ6Jg730O0cUkeXx\n"
    "97O+jk/6B0rGgabvqrISyRM=\n"
    "-----END PRIVATE KEY-----\n";
// Signed by Node.js crypto.sign("sha256", ..) with kTestKeyPem (an independent RS256 signer).
constexpr const char* kNodeToken =
    "eyJraWQiOiJ0ZXN0LWtpZC0xIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJhYWFhYWFhYS1iYmJiLWNjY2MtZGRkZ"
    "C1lZWVlZWVlZWVlZWUiLCJ0b2tlbl91c2UiOiJhY2Nlc3MiLCJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLnVzL"
    "WVhc3QtMS5hbWF6b25hd3MuY29tL3VzLWVhc3QtMV9FeGFtcGxlIiwiY2xpZW50X2lkIjoiYWJjMTIzIiwiaWF0I"
    "joxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDAsImNvZ25pdG86Z3JvdXBzIjpbImFkbWlucyJdfQ.Vz53GDRG44"
    "tqqnOH5q2LhYyh3MlQTp3b_jnPXFZxYIVUBxWkVbhDWAomqMWA8Mr3hUjgb8cxvrDvcmVKRNESivigsS2bPVunjn"
    "pbFXQjc764iUp2whOhWy3TIsf3zqbsTghtv6c3QWfP6fV37tg-QRVmPRZbEU63hF7J--5dGkCVarAyCCeh3tVtQS"
    "67qnN6B2jw38swiGZT-FIcydG9oOuZKP2eE_0Pr27IzzrQzvZ3mtCA8Dh78--Z_r_Jssmf7XLjwKGiQY_gZiW583"
    "d1GWSP1HWfJQAxxPz58ALri2AtIp3x-aybi0-w8c25KQ0rizNBRz6YIJPH4fZPsVLkCA";
// HS256 with the public key PEM as the HMAC secret (key-confusion attack), by Node.js.
constexpr const char* kHs256WithPublicKey =
    "eyJraWQiOiJ0ZXN0LWtpZC0xIiwiYWxnIjoiSFMyNTYifQ.eyJzdWIiOiJhYWFhYWFhYS1iYmJiLWNjY2MtZGRkZ"
    "C1lZWVlZWVlZWVlZWUiLCJ0b2tlbl91c2UiOiJhY2Nlc3MiLCJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLnVzL"
    "WVhc3QtMS5hbWF6b25hd3MuY29tL3VzLWVhc3QtMV9FeGFtcGxlIiwiY2xpZW50X2lkIjoiYWJjMTIzIiwiaWF0I"
    "joxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDAsImNvZ25pdG86Z3JvdXBzIjpbImFkbWlucyJdfQ.tvphEuOvvl"
    "Ug6IBqtPFXCGAEZLeKlBpf7sdUE5V9UCU";
// Node.js KeyObject.export({format:"jwk"}) of kTestKeyPem's public key.
constexpr const char* kTestKeyN =
    "uDxBLKb7y8DIUyEvv5-9AiOHdC4mp-nOg8ly0VFGmkVPhWkFtD-narj-5z4iCaZ6Ca75FAd0w4dejBQ4X4_bRoJW"
    "S6obJeoU760PN1dOK3TTXIBZBPggi-gvGJLOa1jxeHEj9ECYbztLYgTQEaxhQhckdIS3uYKgePPIEi42YmIARkC0"
    "0mufbUZItPh0hmvahtXc5AXp1LQMrLQjIG9hw-m17gmvwFPTCeqMghB6zILb4qUIF72RJ6tbJtevU84l3_tQV8CY"
    "1Lb-0868QSHw-0GjhUkHlbFln1EGSwqwLfVwmEoiXUq12_iHG8KYVfP83Uq52jZ7TbxNDIW3-hpbSQ";
// A P-256 key: not RSA.
constexpr const char* kEcKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkOnDzW36gCRo9arW\n"
    "f3tdSGY7meppxzP3P9fNBk2OUdChRANCAARERKQ9guATjSuUe3Au17OeVwDeKZCW\n"
    "ZRZjaCdl6pLoBq0vHXZxN/laS5KkzQ4rdbGGly589owu76spaW3RGzNz\n"
    "-----END PRIVATE KEY-----\n";
// RSA-1024: too short.
constexpr const char* kRsa1024Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMsk03D/KUDW93/j\n"
    "ljjqSAETHh2Od2WCAulhKC/Eia2ahXj8IuE/SYg8/0TYBVXPyjU2SxnnuDFPl6SU\n"
    "dtYU8nwNYByrPZW12Zd+tF6eyFmio/PleurmuaW6HSxzk8CEBoF17i2JUeuNP9X9\n"
    "fu+xzoANdEW8nWGwLc5KsbbQnvADAgMBAAECgYBFONtEGe64xYe48Jhz9IFsvFL6\n"
    "x10wHclYNV84R8SSf6ETxPctwh8QaZiioOnQf+nrkACvZyKAyxplXqHP+XtW5tHL\n"
    "kOCjU0502kgLTJM5ZvHn7UGS7SPYHfhGcLfSMQ0mi2L33G+ZGQyDO4sx1/2bESva\n"
    "leRyL1zQ/O5hb27bgQJBAOmJJit96k99Y3GW5LbssP75eZiWsHtLkd/r11eCLR0G\n"
    "ekVzISb6xsPEukbRNezF0HiXrOTH+wZC2BdY7HqSqdMCQQDer0W0BPOqYuVnb6xi\n"
    "Hs+6O9ihbZpn3hVMgD3ZvRSPxXpSQeCxTmn493WtbyplKR114IsRKVudgMLTG4yB\n"
    "PRMRAkEAzi0CINWKfmEh4U+pXoG6hXC01Gz9I+0EvV8Wf7ByqbRlUFkjRKmTv5Q4\n"
    "LHtZk07VDRJDVrvjN5Td+EbOiCxhdwJAf65NsBd6wwJreLBuTeBOyQCRiJW4h7+t\n"
    "xKxvSk6A4KKhLVL6i49jcc4pmiT4UQKPEsyJ0HA/SILQsozENkIXkQJAaUEmmA8u\n"
    "p0lk9pp4/DHEdJOSDleQi3B616g3gmbDtrvTgVqgjohKjqAIuNQfwxkXdvzglYW5\n"
    "qpTOoZCv4R9cUg==\n"
    "-----END PRIVATE KEY-----\n";

constexpr std::int64_t kIat = 1700000000;
constexpr std::int64_t kExp = 1700003600;

RsaKey TestKey() { return RsaKey::FromPrivatePem(kTestKeyPem).value(); }

JwtVerifier TestVerifier() {
  JwtVerifier v;
  v.AddKey("test-kid-1", TestKey());
  return v;
}

JwtVerifyOptions At(std::int64_t now, std::int64_t skew = 0) {
  JwtVerifyOptions o;
  o.now_s = now;
  o.clock_skew_s = skew;
  return o;
}

std::string B64u(std::string_view s) { return Base64UrlEncode(s); }

// The parts of a token.
std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

JwtError ErrorOf(const JwtVerifier& v, const std::string& token, std::int64_t now = kIat + 10) {
  auto out = v.Verify(token, At(now));
  EXPECT_FALSE(out.ok.has_value()) << token;
  return out.error;
}

TEST(JwtTest, VerifiesTokenSignedByNode) {
  auto out = TestVerifier().Verify(kNodeToken, At(kIat + 100));
  ASSERT_TRUE(out.ok.has_value()) << JwtErrorName(out.error);
  EXPECT_EQ(out.ok->kid, "test-kid-1");
  EXPECT_EQ(out.ok->header["alg"], "RS256");
  EXPECT_EQ(out.ok->claims["client_id"], "abc123");
  EXPECT_EQ(out.ok->claims["token_use"], "access");
  EXPECT_EQ(out.ok->claims["cognito:groups"][0], "admins");
}

TEST(JwtTest, SignerReproducesNodeSignature) {
  // RSASSA-PKCS1-v1_5 is deterministic: same key, same bytes, same token.
  auto signer = JwtSigner::Create(TestKey(), "test-kid-1").value();
  std::string payload = Base64UrlDecode(Split(kNodeToken)[1]).value();
  EXPECT_EQ(signer.SignPayload(payload), kNodeToken);
  EXPECT_EQ(Base64UrlDecode(Split(kNodeToken)[0]).value(), R"({"kid":"test-kid-1","alg":"RS256"})");
}

TEST(JwtTest, JwkMatchesNodeExport) {
  Jwk jwk = TestKey().ToJwk("test-kid-1");
  EXPECT_EQ(jwk.n, kTestKeyN);
  EXPECT_EQ(jwk.e, "AQAB");
  EXPECT_EQ(jwk.kty, "RSA");
  EXPECT_EQ(jwk.alg, "RS256");
  EXPECT_EQ(jwk.use, "sig");
  auto pub = RsaKey::FromJwk(jwk);
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(pub->has_private());
  EXPECT_EQ(pub->bits(), 2048);
  JwtVerifier v;
  v.AddKey("test-kid-1", *pub);
  EXPECT_TRUE(v.Verify(kNodeToken, At(kIat)).ok.has_value());
}

TEST(JwtTest, ThumbprintMatchesRfc7638Example) {
  Jwk jwk;
  jwk.n =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
      "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
      "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
      "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
  jwk.e = "AQAB";
  auto key = RsaKey::FromJwk(jwk);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(key->ToJwk("x").n, jwk.n);
}

TEST(JwtTest, GeneratedKeyRoundTripsThroughPem) {
  auto key = RsaKey::Generate();
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->has_private());
  EXPECT_EQ(key->bits(), 2048);
  std::string pem = key->PrivatePem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  auto again = RsaKey::FromPrivatePem(pem);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->Thumbprint(), key->Thumbprint());
  auto pub = RsaKey::FromPublicPem(key->PublicPem());
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(pub->has_private());
  EXPECT_EQ(pub->PrivatePem(), "");
  EXPECT_FALSE(JwtSigner::Create(*pub, "k").has_value());

  auto signer = JwtSigner::Create(*again, "kid-A").value();
  std::string token = signer.Sign({{"sub", "u1"}, {"exp", 2000}, {"iat", 1000}});
  JwtVerifier v;
  v.AddKey("kid-A", *pub);
  auto out = v.Verify(token, At(1500));
  ASSERT_TRUE(out.ok.has_value()) << JwtErrorName(out.error);
  EXPECT_EQ(out.ok->claims["sub"], "u1");
  // Another key under the same kid does not verify it.
  JwtVerifier other;
  other.AddKey("kid-A", TestKey());
  EXPECT_EQ(ErrorOf(other, token, 1500), JwtError::kBadSignature);
}

TEST(JwtTest, PemImportRejectsOtherKeys) {
  EXPECT_FALSE(RsaKey::FromPrivatePem("").has_value());
  EXPECT_FALSE(RsaKey::FromPrivatePem("not a pem").has_value());
  EXPECT_FALSE(RsaKey::FromPrivatePem(kEcKeyPem).has_value());
  EXPECT_FALSE(RsaKey::FromPrivatePem(kRsa1024Pem).has_value());
  EXPECT_FALSE(RsaKey::FromPublicPem(kTestKeyPem).has_value());
  EXPECT_FALSE(RsaKey::Generate(1024).has_value());
  std::string truncated(kTestKeyPem);
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(RsaKey::FromPrivatePem(truncated).has_value());
  Jwk bad;
  bad.n = "!!";
  bad.e = "AQAB";
  EXPECT_FALSE(RsaKey::FromJwk(bad).has_value());
  bad.n = kTestKeyN;
  bad.kty = "EC";
  EXPECT_FALSE(RsaKey::FromJwk(bad).has_value());
  bad.kty = "RSA";
  bad.alg = "RS512";
  EXPECT_FALSE(RsaKey::FromJwk(bad).has_value());
  bad.alg = "RS256";
  bad.n = B64u("short");
  EXPECT_FALSE(RsaKey::FromJwk(bad).has_value());
}

TEST(JwtTest, RejectsOtherAlgorithms) {
  JwtVerifier v = TestVerifier();
  std::vector<std::string> parts = Split(kNodeToken);
  EXPECT_EQ(ErrorOf(v, kHs256WithPublicKey), JwtError::kUnsupportedAlg);
  for (const char* header :
       {R"({"kid":"test-kid-1","alg":"none"})", R"({"kid":"test-kid-1","alg":"None"})",
        R"({"kid":"test-kid-1","alg":"rs256"})", R"({"kid":"test-kid-1","alg":"PS256"})",
        R"({"kid":"test-kid-1","alg":"HS256"})", R"({"kid":"test-kid-1"})",
        R"({"kid":"test-kid-1","alg":null})", R"({"kid":"test-kid-1","alg":["RS256"]})",
        R"({"kid":"test-kid-1","alg":"RS256","crit":["exp"]})"}) {
    EXPECT_EQ(ErrorOf(v, B64u(header) + "." + parts[1] + "." + parts[2]), JwtError::kUnsupportedAlg)
        << header;
  }
  // alg none with an empty signature.
  EXPECT_EQ(ErrorOf(v, B64u(R"({"alg":"none"})") + "." + parts[1] + "."),
            JwtError::kUnsupportedAlg);
}

TEST(JwtTest, RejectsUnknownOrMissingKid) {
  JwtVerifier v = TestVerifier();
  std::vector<std::string> parts = Split(kNodeToken);
  for (const char* header : {R"({"alg":"RS256"})", R"({"kid":"other","alg":"RS256"})",
                             R"({"kid":1,"alg":"RS256"})", R"({"kid":"","alg":"RS256"})"}) {
    EXPECT_EQ(ErrorOf(v, B64u(header) + "." + parts[1] + "." + parts[2]), JwtError::kUnknownKid)
        << header;
  }
  EXPECT_TRUE(v.HasKey("test-kid-1"));
  EXPECT_FALSE(v.HasKey("other"));
  EXPECT_EQ(ErrorOf(JwtVerifier(), kNodeToken), JwtError::kUnknownKid);
}

TEST(JwtTest, RejectsBadSignatures) {
  JwtVerifier v = TestVerifier();
  // The genuine token first, so the verifier remembers it: none of its variants may profit.
  ASSERT_TRUE(v.Verify(kNodeToken, At(kIat + 10)).ok.has_value());
  std::vector<std::string> parts = Split(kNodeToken);
  // Payload changed (exp extended).
  std::string payload = Base64UrlDecode(parts[1]).value();
  payload.replace(payload.find("1700003600"), 10, "1900003600");
  EXPECT_EQ(ErrorOf(v, parts[0] + "." + B64u(payload) + "." + parts[2]), JwtError::kBadSignature);
  // One signature bit flipped.
  std::string sig = Base64UrlDecode(parts[2]).value();
  sig[100] ^= 0x01;
  EXPECT_EQ(ErrorOf(v, parts[0] + "." + parts[1] + "." + B64u(sig)), JwtError::kBadSignature);
  // Wrong lengths.
  EXPECT_EQ(ErrorOf(v, parts[0] + "." + parts[1] + "." + B64u(sig.substr(1))),
            JwtError::kBadSignature);
  EXPECT_EQ(ErrorOf(v, parts[0] + "." + parts[1] + "." + B64u(sig + "x")), JwtError::kBadSignature);
  EXPECT_EQ(ErrorOf(v, parts[0] + "." + parts[1] + "."), JwtError::kBadSignature);
  // Header re-encoded (same JSON, other bytes) is not what was signed.
  EXPECT_EQ(
      ErrorOf(v, B64u(R"({"alg":"RS256","kid":"test-kid-1"})") + "." + parts[1] + "." + parts[2]),
      JwtError::kBadSignature);
}

TEST(JwtTest, RemembersOnlyTheExactTokensItVerified) {
  JwtVerifier v = TestVerifier();
  const std::string token = kNodeToken;
  ASSERT_TRUE(v.Verify(token, At(kIat + 10)).ok.has_value());
  ASSERT_TRUE(v.Verify(token, At(kIat + 10)).ok.has_value());  // remembered
  // (RejectsBadSignatures checks that a remembered token's variants are checked afresh.)
  // A remembered token still expires.
  EXPECT_EQ(v.Verify(token, At(kExp)).error, JwtError::kExpired);
  // A copy starts with nothing remembered and still verifies.
  const JwtVerifier copy = v;
  EXPECT_TRUE(copy.Verify(token, At(kIat + 10)).ok.has_value());
  // Replacing the key forgets what the old one signed.
  v.AddKey("test-kid-1", RsaKey::Generate().value());
  EXPECT_EQ(ErrorOf(v, token), JwtError::kBadSignature);
  // Without memory every signature is checked, with the same answers.
  JwtVerifier plain(/*remember_signatures=*/false);
  plain.AddKey("test-kid-1", TestKey());
  EXPECT_TRUE(plain.Verify(token, At(kIat + 10)).ok.has_value());
  EXPECT_TRUE(plain.Verify(token, At(kIat + 10)).ok.has_value());
}

TEST(JwtTest, RejectsMalformedTokens) {
  JwtVerifier v = TestVerifier();
  std::vector<std::string> parts = Split(kNodeToken);
  std::string tok = kNodeToken;
  for (const std::string& bad :
       std::vector<std::string>{"",
                                ".",
                                "..",
                                "...",
                                "a.b",
                                parts[0] + "." + parts[1],
                                tok + ".",
                                tok + ".x",
                                "." + parts[1] + "." + parts[2],
                                parts[0] + ".." + parts[2],
                                parts[0] + "=." + parts[1] + "." + parts[2],
                                parts[0] + "." + parts[1] + "." + parts[2] + "=",
                                parts[0] + "." + parts[1] + "." + parts[2] + "*",
                                "e30*." + parts[1] + "." + parts[2],
                                B64u("not json") + "." + parts[1] + "." + parts[2],
                                B64u("[1,2]") + "." + parts[1] + "." + parts[2],
                                B64u("\"RS256\"") + "." + parts[1] + "." + parts[2],
                                B64u(std::string(5000, '{')) + "." + parts[1] + "." + parts[2],
                                std::string(JwtVerifier::kMaxTokenSize + 1, 'a'),
                                " " + tok,
                                tok + "\n"}) {
    EXPECT_EQ(ErrorOf(v, bad), JwtError::kMalformed) << bad.substr(0, 80);
  }
  // Signed, but the payload is not an object / not JSON.
  auto signer = JwtSigner::Create(TestKey(), "test-kid-1").value();
  EXPECT_EQ(ErrorOf(v, signer.SignPayload("[1]")), JwtError::kMalformed);
  EXPECT_EQ(ErrorOf(v, signer.SignPayload("{\"exp\":")), JwtError::kMalformed);
  EXPECT_EQ(ErrorOf(v, signer.SignPayload("")), JwtError::kMalformed);
  // Time claims of the wrong type.
  EXPECT_EQ(ErrorOf(v, signer.Sign({{"exp", "1700003600"}})), JwtError::kMalformed);
  EXPECT_EQ(ErrorOf(v, signer.Sign({{"exp", kExp}, {"nbf", true}})), JwtError::kMalformed);
  EXPECT_EQ(ErrorOf(v, signer.Sign({{"exp", kExp}, {"iat", nullptr}})), JwtError::kMalformed);
}

TEST(JwtTest, ChecksTimeClaimsWithSkew) {
  JwtVerifier v = TestVerifier();
  auto signer = JwtSigner::Create(TestKey(), "test-kid-1").value();
  std::string tok = signer.Sign({{"exp", kExp}, {"iat", kIat}, {"nbf", kIat}});
  EXPECT_TRUE(v.Verify(tok, At(kExp - 1)).ok.has_value());
  EXPECT_EQ(v.Verify(tok, At(kExp)).error, JwtError::kExpired);
  EXPECT_TRUE(v.Verify(tok, At(kExp + 4, 5)).ok.has_value());
  EXPECT_EQ(v.Verify(tok, At(kExp + 5, 5)).error, JwtError::kExpired);
  EXPECT_TRUE(v.Verify(tok, At(kIat)).ok.has_value());
  EXPECT_EQ(v.Verify(tok, At(kIat - 1)).error, JwtError::kNotYetValid);
  EXPECT_TRUE(v.Verify(tok, At(kIat - 5, 5)).ok.has_value());
  EXPECT_EQ(v.Verify(tok, At(kIat - 6, 5)).error, JwtError::kNotYetValid);
  // iat in the future without nbf.
  std::string future = signer.Sign({{"exp", kExp}, {"iat", kIat}});
  EXPECT_EQ(v.Verify(future, At(kIat - 1)).error, JwtError::kIssuedInFuture);
  EXPECT_TRUE(v.Verify(future, At(kIat - 1, 1)).ok.has_value());
  // Negative skew counts as zero.
  EXPECT_EQ(v.Verify(tok, At(kExp, -100)).error, JwtError::kExpired);
  // Fractional NumericDate.
  std::string frac = signer.Sign({{"exp", 1700003600.5}});
  EXPECT_TRUE(v.Verify(frac, At(kExp - 1)).ok.has_value());
  EXPECT_EQ(v.Verify(frac, At(kExp)).error, JwtError::kExpired);
  // exp required unless told otherwise.
  std::string no_exp = signer.Sign({{"sub", "x"}});
  EXPECT_EQ(v.Verify(no_exp, At(kIat)).error, JwtError::kMissingExp);
  JwtVerifyOptions lenient = At(kIat);
  lenient.require_exp = false;
  EXPECT_TRUE(v.Verify(no_exp, lenient).ok.has_value());
  // Huge values do not overflow.
  std::string huge = signer.Sign({{"exp", 18446744073709551615ull}, {"iat", -1e300}});
  EXPECT_TRUE(v.Verify(huge, At(kIat)).ok.has_value());
}

TEST(JwtTest, JwksDocument) {
  RsaKey k1 = TestKey();
  RsaKey k2 = RsaKey::Generate().value();
  std::string doc = JwksJson({k1.ToJwk("test-kid-1"), k2.ToJwk("kid-2")});
  EXPECT_TRUE(
      doc.starts_with(R"({"keys":[{"alg":"RS256","e":"AQAB","kid":"test-kid-1","kty":"RSA","n":")" +
                      std::string(kTestKeyN) + R"(","use":"sig"},{"alg":"RS256")"))
      << doc;
  auto parsed = ParseJwks(doc);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].kid, "kid-2");
  JwtVerifier v;
  ASSERT_TRUE(v.AddJwks(*parsed));
  EXPECT_TRUE(v.Verify(kNodeToken, At(kIat)).ok.has_value());
  auto signer2 = JwtSigner::Create(k2, "kid-2").value();
  EXPECT_TRUE(v.Verify(signer2.Sign({{"exp", kExp}}), At(kIat)).ok.has_value());

  EXPECT_FALSE(ParseJwks("").has_value());
  EXPECT_FALSE(ParseJwks("[]").has_value());
  EXPECT_FALSE(ParseJwks(R"({"keys":{}})").has_value());
  EXPECT_EQ(ParseJwks(R"({"keys":[{"kty":"EC","crv":"P-256"}]})").value().size(), 0u);
  JwtVerifier v2;
  EXPECT_FALSE(v2.AddJwks({Jwk{"k", "RSA", "RS256", "sig", "AA", "AQAB"}}));
  EXPECT_FALSE(v2.HasKey("k"));
}

TEST(JwtTest, SignerEscapesKid) {
  auto signer = JwtSigner::Create(TestKey(), "a\"b").value();
  std::string token = signer.Sign({{"exp", kExp}});
  EXPECT_EQ(Base64UrlDecode(Split(token)[0]).value(), R"({"kid":"a\"b","alg":"RS256"})");
  JwtVerifier v;
  v.AddKey("a\"b", TestKey());
  EXPECT_TRUE(v.Verify(token, At(kIat)).ok.has_value());
  // Invalid UTF-8 in claims does not throw.
  EXPECT_FALSE(signer.Sign({{"sub", std::string("\xff\xfe")}}).empty());
}

TEST(JwtTest, SharedObjectsAreThreadSafe) {
  const JwtVerifier v = TestVerifier();
  const auto signer = JwtSigner::Create(TestKey(), "test-kid-1").value();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string tok = signer.Sign({{"exp", kExp}, {"n", t * 100 + i}});
        if (v.Verify(tok, At(kIat)).ok && v.Verify(kNodeToken, At(kIat)).ok) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 80);
}

TEST(JwtTest, RandomInputNeverVerifies) {
  JwtVerifier v = TestVerifier();
  std::string tok = kNodeToken;
  for (int i = 0; i < 2000; ++i) {
    std::string bad = tok;
    // Mutate a few bytes, sometimes truncating.
    std::string r = RandomBytes(6);
    for (int j = 0; j < 2; ++j) {
      std::size_t pos = static_cast<unsigned char>(r[j]) * bad.size() / 256;
      bad[pos] = "AZaz09-_.={}\"\x00\xff"[static_cast<unsigned char>(r[j + 2]) % 16];
    }
    if (r[4] & 1) bad.resize(static_cast<unsigned char>(r[5]) * bad.size() / 256);
    if (bad == tok) continue;
    EXPECT_FALSE(v.Verify(bad, At(kIat)).ok.has_value()) << bad;
  }
  for (int i = 0; i < 500; ++i) {
    EXPECT_FALSE(v.Verify(RandomBytes(static_cast<std::size_t>(i)), At(kIat)).ok.has_value());
  }
}

}  // namespace
}  // namespace cognate::crypto
