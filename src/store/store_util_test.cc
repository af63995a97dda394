#include "store/store_util.h"

#include <gtest/gtest.h>

namespace cognate::store::internal {
namespace {

TEST(StoreUtilTest, ClampLimit) {
  EXPECT_EQ(ClampLimit(-5), 1);
  EXPECT_EQ(ClampLimit(0), 1);
  EXPECT_EQ(ClampLimit(7), 7);
  EXPECT_EQ(ClampLimit(61), 60);
}

TEST(StoreUtilTest, CursorRoundTripsAnyBytes) {
  std::string odd("a.b\0\xff%_", 7);
  std::string cursor = EncodeCursor({odd, ""});
  EXPECT_FALSE(cursor.empty());
  auto parts = DecodeCursor(cursor, 2);
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0], odd);
  EXPECT_EQ((*parts)[1], "");
  EXPECT_FALSE(DecodeCursor(cursor, 1));
  EXPECT_FALSE(DecodeCursor("", 1));
  EXPECT_FALSE(DecodeCursor("kzz", 1));
  EXPECT_FALSE(DecodeCursor("k6", 1));
  EXPECT_FALSE(DecodeCursor("x61", 1));
}

TEST(StoreUtilTest, PrefixUpperBounds) {
  EXPECT_EQ(BytePrefixUpperBound("ab"), "ac");
  EXPECT_EQ(BytePrefixUpperBound(std::string("a\xff", 2)), "b");
  EXPECT_FALSE(BytePrefixUpperBound(""));
  EXPECT_FALSE(BytePrefixUpperBound("\xff\xff"));
  EXPECT_EQ(Utf8PrefixUpperBound("ab"), "ac");
  EXPECT_EQ(Utf8PrefixUpperBound("a\x7f"), "a\xc2\x80");
  EXPECT_EQ(Utf8PrefixUpperBound("\xc3\xa9"), "\xc3\xaa");          // é -> ê
  EXPECT_EQ(Utf8PrefixUpperBound("a\xf4\x8f\xbf\xbf"), "b");        // U+10FFFF dropped
  EXPECT_EQ(Utf8PrefixUpperBound("\xed\x9f\xbf"), "\xee\x80\x80");  // skips surrogates
  EXPECT_FALSE(Utf8PrefixUpperBound("\xff"));
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
}

TEST(StoreUtilTest, StringListsRoundTrip) {
  std::vector<std::string> items = {"", "a:b", std::string("\0x", 2), "12:"};
  EXPECT_EQ(DecodeStringList(EncodeStringList(items)), items);
  EXPECT_FALSE(DecodeStringList("5:ab"));
  EXPECT_FALSE(DecodeStringList("x:ab"));
  std::vector<IndexedAttribute> attrs = {{"email", "a@b"}, {"name", ""}};
  EXPECT_EQ(DecodeAttributes(EncodeAttributes(attrs)), attrs);
}

TEST(StoreUtilTest, NormalizeUserSortsAndDeduplicates) {
  UserRow row;
  row.unique_keys = {"b", "a", "b"};
  row.indexed = {{"z", "1"}, {"a", "2"}, {"z", "3"}};
  NormalizeUser(row);
  EXPECT_EQ(row.unique_keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(row.indexed, (std::vector<IndexedAttribute>{{"a", "2"}, {"z", "1"}}));
}

}  // namespace
}  // namespace cognate::store::internal
