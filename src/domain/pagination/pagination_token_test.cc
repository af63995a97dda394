#include "domain/pagination/pagination_token.h"

#include <vector>

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace cognate::domain {
namespace {

TEST(PaginationCodecTest, RoundTripsWithinItsScope) {
  PaginationCodec codec("key");
  std::string token = codec.Encode("ListUserPools", "us-east-1_abc");
  EXPECT_EQ(token.find_first_of(" \t\n"), std::string::npos);
  auto cursor = codec.Decode("ListUserPools", token);
  ASSERT_TRUE(cursor);
  EXPECT_EQ(*cursor, "us-east-1_abc");
  auto empty = codec.Decode("s", codec.Encode("s", ""));
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST(PaginationCodecTest, RejectsOtherScopesKeysAndForgeries) {
  PaginationCodec codec("key");
  std::string token = codec.Encode("ListUserPoolClients:a", "c1");
  auto other_scope = codec.Decode("ListUserPoolClients:b", token);
  ASSERT_FALSE(other_scope);
  EXPECT_EQ(other_scope.error().code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(other_scope.error().message(), "Invalid pagination token.");
  EXPECT_FALSE(PaginationCodec("other").Decode("ListUserPoolClients:a", token));
  std::string tampered = token;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(codec.Decode("ListUserPoolClients:a", tampered));
  for (const std::string& junk :
       std::vector<std::string>{"", ".", "abc", "abc.def", "!!!.???", std::string(5000, 'a')}) {
    EXPECT_FALSE(codec.Decode("ListUserPoolClients:a", junk)) << junk;
  }
}

TEST(PaginationCodecTest, KeyIsSharedThroughTheSettingStore) {
  store::MemoryStore store;
  auto a = PaginationCodec::FromStore(store);
  auto b = PaginationCodec::FromStore(store);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  auto key = store.GetSetting(std::string(PaginationCodec::kSettingName));
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->empty());
  auto decoded = b->Decode("x", a->Encode("x", "cursor"));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, "cursor");
}

}  // namespace
}  // namespace cognate::domain
