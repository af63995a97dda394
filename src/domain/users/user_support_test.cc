#include "domain/users/user_support.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "domain/users/pool_rules.h"
#include "domain/users/test_support.h"
#include "domain/users/user_record.h"

namespace cognate::domain::users {
namespace {

constexpr char kSupportPool[] = "us-east-1_Support1";

class MutateUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kSupportPool);
    auto rules = LoadPoolRules(env_.ctx, kSupportPool);
    ASSERT_TRUE(rules);
    rules_ = *rules;
    UserRecord u;
    u.pool_id = kSupportPool;
    u.sub = crypto::NewUuid();
    u.username = "rita";
    u.status = "CONFIRMED";
    u.attributes = {{"sub", u.sub}};
    ASSERT_TRUE(env_.store.CreateUser(ToRow(rules_, u)));
    sub_ = u.sub;
  }

  Result<UserRecord> Load() {
    auto row = env_.store.GetUserBySub(kSupportPool, sub_);
    if (!row) return ApiError::UserNotFound();
    return FromRow(*row);
  }

  // Another writer's change, saved between a mutation's read and its save.
  void WriteElsewhere(const std::string& name, const std::string& value) {
    auto other = Load();
    ASSERT_TRUE(other);
    other->attributes[name] = value;
    ASSERT_TRUE(SaveUser(env_.ctx, rules_, *other));
  }

  testing::TestEnv env_;
  PoolRules rules_;
  std::string sub_;
};

// A save that lost a race reloads the user and applies the change again: both writers' changes
// are kept.
TEST_F(MutateUserTest, ALostRaceIsRetriedOnTheNewerUser) {
  int calls = 0;
  auto saved = MutateUser(
      env_.ctx, rules_, [&] { return Load(); },
      [&](UserRecord& u) -> Result<void> {
        if (++calls == 1) WriteElsewhere("given_name", "Rita");
        u.attributes["family_name"] = "Levi";
        return {};
      });
  ASSERT_TRUE(saved) << saved.error().message();
  EXPECT_EQ(calls, 2);
  auto now = Load();
  ASSERT_TRUE(now);
  EXPECT_EQ(now->Attribute("given_name"), "Rita");
  EXPECT_EQ(now->Attribute("family_name"), "Levi");
  EXPECT_EQ(saved->version, now->version);
}

// A user that keeps changing under every attempt ends in ConcurrentModificationException after
// kMaxSaveRetries attempts, and the losing change is not written.
TEST_F(MutateUserTest, EndlessRacesEndInConcurrentModification) {
  int calls = 0;
  auto saved = MutateUser(
      env_.ctx, rules_, [&] { return Load(); },
      [&](UserRecord& u) -> Result<void> {
        WriteElsewhere("given_name", "v" + std::to_string(++calls));
        u.attributes["family_name"] = "Levi";
        return {};
      });
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().code(), ErrorCode::kConcurrentModification);
  EXPECT_EQ(calls, kMaxSaveRetries);
  auto now = Load();
  ASSERT_TRUE(now);
  EXPECT_EQ(now->Attribute("given_name"), "v" + std::to_string(kMaxSaveRetries));
  EXPECT_FALSE(now->Attribute("family_name"));
}

// A change that refuses is not retried and writes nothing.
TEST_F(MutateUserTest, ARefusedChangeWritesNothing) {
  int calls = 0;
  auto saved = MutateUser(
      env_.ctx, rules_, [&] { return Load(); },
      [&](UserRecord& u) -> Result<void> {
        ++calls;
        u.attributes["family_name"] = "Levi";
        return ApiError::InvalidParameter("no");
      });
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().message(), "no");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(Load()->Attribute("family_name"));
}

}  // namespace
}  // namespace cognate::domain::users
