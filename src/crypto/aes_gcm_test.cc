#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

TEST(AesGcm, RoundTripsAndDetectsTampering) {
  const std::string key(32, 'k');
  auto sealed = AesGcmSealBase64(key, "123456");
  ASSERT_TRUE(sealed);
  auto raw = Base64Decode(*sealed);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 12u + 6u + 16u);
  EXPECT_EQ(AesGcmOpenBase64(key, *sealed), "123456");
  EXPECT_NE(AesGcmSealBase64(key, "123456"), sealed);  // fresh IV each time
  EXPECT_FALSE(AesGcmOpenBase64(std::string(32, 'x'), *sealed));
  std::string bad = *raw;
  bad[13] ^= 1;
  EXPECT_FALSE(AesGcmOpenBase64(key, Base64Encode(bad)));
  EXPECT_FALSE(AesGcmSealBase64("short", "x"));
  EXPECT_FALSE(AesGcmOpenBase64(key, "not base64!"));
}

TEST(AesGcm, EmptyPlaintext) {
  const std::string key(32, '\1');
  auto sealed = AesGcmSealBase64(key, "");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(AesGcmOpenBase64(key, *sealed), "");
}

}  // namespace
}  // namespace cognate::crypto
