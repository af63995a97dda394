// Smoke tests of MemoryStore; the full semantics are proven by tests/contract/.
#include "store/memory/memory_store.h"

#include <gtest/gtest.h>

namespace cognate::store {
namespace {

UserRow MakeUser(const std::string& name) {
  UserRow u;
  u.pool_id = "p";
  u.sub = "sub-" + name;
  u.username = name;
  u.username_key = name;
  u.status = "CONFIRMED";
  u.unique_keys = {"email:" + name + "@x"};
  u.indexed = {{"email", name + "@x"}};
  u.doc = "{}";
  return u;
}

PoolRow MakePool(const std::string& id) {
  PoolRow p;
  p.id = id;
  p.name = "pool";
  p.doc = "{}";
  return p;
}

TEST(MemoryStoreTest, UserLifecycleAndCascade) {
  MemoryStore store;
  ASSERT_TRUE(store.Migrate());
  EXPECT_EQ(store.BackendName(), "memory");
  ASSERT_TRUE(store.CreatePool(MakePool("p")));
  ASSERT_TRUE(store.CreateUser(MakeUser("alice")));
  auto dup = store.CreateUser(MakeUser("alice"));
  ASSERT_FALSE(dup);
  EXPECT_TRUE(dup.error().IsConflict());
  EXPECT_EQ(dup.error().detail(), "username");

  auto got = store.GetUserByUniqueKey("p", "email:alice@x");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->version, 1);
  got->status = "DISABLED";
  ASSERT_TRUE(store.UpdateUser(*got, 1));
  auto stale = store.UpdateUser(*got, 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().detail(), "version");

  GroupRow group;
  group.pool_id = "p";
  group.name = "g";
  ASSERT_TRUE(store.CreateGroup(group));
  ASSERT_TRUE(store.AddUserToGroup("p", "g", "sub-alice"));
  ASSERT_TRUE(store.DeletePool("p"));
  EXPECT_TRUE(store.GetUserBySub("p", "sub-alice").error().IsNotFound());
  EXPECT_TRUE(store.CreatePool(MakePool("p")));
  EXPECT_EQ(*store.CountUsers("p"), 0);
}

TEST(MemoryStoreTest, PrefixPagination) {
  MemoryStore store;
  ASSERT_TRUE(store.CreatePool(MakePool("p")));
  for (const char* n : {"ab", "abc", "abd", "b", "aa"}) ASSERT_TRUE(store.CreateUser(MakeUser(n)));
  UserQuery q;
  q.op = UserQuery::Op::kPrefix;
  q.attribute = "email";
  q.value = "ab";
  q.limit = 2;
  auto first = store.ListUsers("p", q);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].username, "ab");
  EXPECT_EQ(first->items[1].username, "abc");
  q.cursor = first->next_cursor;
  auto second = store.ListUsers("p", q);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].username, "abd");
  EXPECT_TRUE(second->next_cursor.empty());
}

}  // namespace
}  // namespace cognate::store
