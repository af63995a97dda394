#include "crypto/totp.h"

#include <gtest/gtest.h>

#include <string>

namespace cognate::crypto {
namespace {

TEST(Base32Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {{"", ""},
                                                          {"f", "MY======"},
                                                          {"fo", "MZXQ===="},
                                                          {"foo", "MZXW6==="},
                                                          {"foob", "MZXW6YQ="},
                                                          {"fooba", "MZXW6YTB"},
                                                          {"foobar", "MZXW6YTBOI======"}};
  for (auto [plain, encoded] : kVectors) {
    EXPECT_EQ(Base32Encode(plain, /*pad=*/true), encoded);
    EXPECT_EQ(Base32Decode(encoded).value(), plain);
    std::string unpadded(encoded);
    unpadded.erase(unpadded.find_last_not_of('=') + 1);
    EXPECT_EQ(Base32Encode(plain), unpadded);
    EXPECT_EQ(Base32Decode(unpadded).value(), plain);
  }
}

TEST(Base32Test, DecodeIsCaseInsensitiveAndStrict) {
  EXPECT_EQ(Base32Decode("mzxw6ytboi").value(), "foobar");
  EXPECT_FALSE(Base32Decode("MZXW6YTBO1").has_value());   // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("MZXW6YTB OI").has_value());  // spaces
  EXPECT_FALSE(Base32Decode("MZX").has_value());          // impossible length
  EXPECT_FALSE(Base32Decode("MZ=====").has_value());      // padding to a non-multiple of 8
  EXPECT_FALSE(Base32Decode("MZ").has_value());           // "f" is "MY": trailing bits must be zero
  EXPECT_FALSE(Base32Decode("M=Y=====").has_value());
}

TEST(Base32Test, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(Base32Decode(Base32Encode(bytes)).value(), bytes);
    EXPECT_EQ(Base32Decode(Base32Encode(bytes, true)).value(), bytes);
    bytes.push_back(static_cast<char>(i * 37 + 11));
  }
  // A Cognito SecretCode: 20 random bytes are 32 characters.
  EXPECT_EQ(Base32Encode(std::string(20, '\x5a')).size(), 32u);
}

TEST(HotpTest, Rfc4226AppendixD) {
  const char* kCodes[] = {"755224", "287082", "359152", "969429", "338314",
                          "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t c = 0; c < 10; ++c) {
    EXPECT_EQ(Hotp("12345678901234567890", c), kCodes[c]) << c;
  }
  EXPECT_EQ(Hotp("k", 0, 5), "");
  EXPECT_EQ(Hotp("k", 0, 11), "");
}

TEST(TotpTest, Rfc6238AppendixB) {
  const std::string sha1_key = "12345678901234567890";
  const std::string sha256_key = "12345678901234567890123456789012";
  const std::string sha512_key = "1234567890123456789012345678901234567890123456789012345678901234";
  struct Row {
    std::int64_t t;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const Row kRows[] = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const Row& r : kRows) {
    TotpParams p;
    p.digits = 8;
    EXPECT_EQ(Totp(sha1_key, r.t, p), r.sha1) << r.t;
    p.hash = OtpHash::kSha256;
    EXPECT_EQ(Totp(sha256_key, r.t, p), r.sha256) << r.t;
    p.hash = OtpHash::kSha512;
    EXPECT_EQ(Totp(sha512_key, r.t, p), r.sha512) << r.t;
    // The default 6 digits are the last six of the 8-digit code.
    EXPECT_EQ(Totp(sha1_key, r.t), std::string(r.sha1).substr(2)) << r.t;
  }
}

TEST(TotpTest, StepBoundaries) {
  EXPECT_EQ(TotpStep(0).value(), 0u);
  EXPECT_EQ(TotpStep(29).value(), 0u);
  EXPECT_EQ(TotpStep(30).value(), 1u);
  EXPECT_FALSE(TotpStep(-1).has_value());
  TotpParams bad;
  bad.period_s = 0;
  EXPECT_FALSE(TotpStep(100, bad).has_value());
  EXPECT_EQ(Totp("k", 100, bad), "");
}

TEST(TotpTest, VerifyAcceptsWindowOfOneStep) {
  const std::string key = "12345678901234567890";
  const std::int64_t now = 1111111111;  // step 37037037
  const std::uint64_t step = 37037037;
  std::string current = Totp(key, now);
  std::string previous = Totp(key, now - 30);
  std::string next = Totp(key, now + 30);
  std::string too_old = Totp(key, now - 60);
  std::string too_new = Totp(key, now + 60);
  EXPECT_EQ(VerifyTotp(key, current, now).value(), step);
  EXPECT_EQ(VerifyTotp(key, previous, now).value(), step - 1);
  EXPECT_EQ(VerifyTotp(key, next, now).value(), step + 1);
  EXPECT_FALSE(VerifyTotp(key, too_old, now).has_value());
  EXPECT_FALSE(VerifyTotp(key, too_new, now).has_value());
  EXPECT_EQ(VerifyTotp(key, too_old, now, 2).value(), step - 2);
  EXPECT_FALSE(VerifyTotp(key, previous, now, 0).has_value());
  EXPECT_FALSE(VerifyTotp("other key", current, now).has_value());
}

TEST(TotpTest, VerifyRejectsMalformedCodes) {
  const std::string key = "12345678901234567890";
  std::string code = Totp(key, 59);
  EXPECT_TRUE(VerifyTotp(key, code, 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, "", 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, code.substr(1), 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, code + "0", 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, " " + code.substr(1), 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, "28708a", 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, "-87082", 59).has_value());
  EXPECT_FALSE(VerifyTotp(key, code, 59, -1).has_value());
  EXPECT_FALSE(VerifyTotp(key, code, -5).has_value());
  // Step 0 with a window does not wrap around.
  EXPECT_EQ(VerifyTotp(key, Totp(key, 0), 10).value(), 0u);
}

}  // namespace
}  // namespace cognate::crypto
