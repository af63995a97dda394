#include "common/derived_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

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

// Threads that derive, find and evict at once (a cache of 8 entries over 12 keys clears itself
// often) only ever see the value derived for the key and stamp they asked for, and values they
// hold stay valid after their entry is gone. Run under ASan and UBSan by `make test-asan`.
TEST(DerivedCache, ConcurrentPutsFindsAndEvictions) {
  DerivedCache<std::string> cache(8);
  constexpr int kThreads = 4;
  constexpr int kRounds = 20'000;
  std::vector<std::thread> threads;
  std::vector<int> wrong(kThreads, 0);
  std::vector<int> hits(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::shared_ptr<const std::string>> held;
      for (int i = 0; i < kRounds; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 12);
        const std::string stamp = "s" + std::to_string(i / 2'000 % 3);  // rows change now and then
        const std::string expected = key + "@" + stamp;
        auto found = cache.Find(key, stamp);
        if (found == nullptr)
          found = cache.Put(key, stamp, expected);
        else
          ++hits[t];
        if (*found != expected) ++wrong[t];
        if (i % 1'000 == 0) held.push_back(found);
      }
      for (const auto& h : held) {
        if (h->find('@') == std::string::npos) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  int all_hits = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(wrong[t], 0) << "thread " << t;
    all_hits += hits[t];
  }
  EXPECT_GT(all_hits, 0);  // the cache did serve values, not only misses
}

}  // namespace
}  // namespace cognate
