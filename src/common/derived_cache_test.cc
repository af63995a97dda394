#include "common/derived_cache.h"

#include <gtest/gtest.h>

namespace cognate {
namespace {

TEST(DerivedCache, HitsOnlyWhileTheStampIsUnchanged) {
  DerivedCache<int> cache;
  EXPECT_EQ(cache.Find("a", "v1"), nullptr);
  cache.Put("a", "v1", 1);
  ASSERT_NE(cache.Find("a", "v1"), nullptr);
  EXPECT_EQ(*cache.Find("a", "v1"), 1);
  EXPECT_EQ(cache.Find("a", "v2"), nullptr);  // the row changed
  EXPECT_EQ(cache.Find("b", "v1"), nullptr);
  cache.Put("a", "v2", 2);
  EXPECT_EQ(*cache.Find("a", "v2"), 2);
  EXPECT_EQ(cache.Find("a", "v1"), nullptr);
}

TEST(DerivedCache, StaysBounded) {
  DerivedCache<int> cache(2);
  cache.Put("a", "s", 1);
  cache.Put("b", "s", 2);
  cache.Put("a", "t", 3);  // replacing an entry does not evict
  EXPECT_NE(cache.Find("b", "s"), nullptr);
  cache.Put("c", "s", 4);  // a third key clears the rest
  EXPECT_EQ(cache.Find("a", "t"), nullptr);
  EXPECT_EQ(*cache.Find("c", "s"), 4);
}

}  // namespace
}  // namespace cognate
