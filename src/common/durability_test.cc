#include "common/durability.h"

#include <gtest/gtest.h>

#include <thread>

namespace cognate {
namespace {

class NoDisk final : public DurabilitySource {
 public:
  void WhenDurable(std::uint64_t, std::function<void(bool)> done) override { done(true); }
};

TEST(DurabilityTest, WithoutAScopeTheStoreSyncsItself) {
  NoDisk disk;
  EXPECT_FALSE(DeferDurability(disk, 1));
}

TEST(DurabilityTest, AScopeKeepsItsSourceAndLastCommit) {
  NoDisk disk;
  DeferredDurability scope;
  EXPECT_EQ(scope.source(), nullptr);
  EXPECT_TRUE(DeferDurability(disk, 4));
  EXPECT_TRUE(DeferDurability(disk, 2));
  EXPECT_EQ(scope.source(), &disk);
  EXPECT_EQ(scope.commit(), 4u);
}

TEST(DurabilityTest, ASecondSourceSyncsItself) {
  NoDisk a, b;
  DeferredDurability scope;
  EXPECT_TRUE(DeferDurability(a, 1));
  EXPECT_FALSE(DeferDurability(b, 9));
  EXPECT_EQ(scope.source(), &a);
  EXPECT_EQ(scope.commit(), 1u);
}

TEST(DurabilityTest, AnInnerScopeTakesNothingOverAndTheOuterEndsIt) {
  NoDisk disk;
  {
    DeferredDurability outer;
    {
      DeferredDurability inner;
      EXPECT_TRUE(DeferDurability(disk, 3));
      EXPECT_EQ(inner.source(), nullptr);
    }
    EXPECT_TRUE(DeferDurability(disk, 5));  // the outer scope is still the thread's
    EXPECT_EQ(outer.source(), &disk);
    EXPECT_EQ(outer.commit(), 5u);
  }
  EXPECT_FALSE(DeferDurability(disk, 6));
}

TEST(DurabilityTest, AScopeBelongsToItsThread) {
  NoDisk disk;
  DeferredDurability scope;
  bool deferred_elsewhere = true;
  std::thread([&] { deferred_elsewhere = DeferDurability(disk, 1); }).join();
  EXPECT_FALSE(deferred_elsewhere);
  EXPECT_EQ(scope.source(), nullptr);
}

}  // namespace
}  // namespace cognate
