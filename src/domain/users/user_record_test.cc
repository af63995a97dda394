#include "domain/users/user_record.h"

#include <gtest/gtest.h>

namespace cognate::domain::users {
namespace {

store::UserRow Row(const std::string& pool, const std::string& sub, const std::string& doc,
                   std::int64_t version = 1) {
  store::UserRow r;
  r.pool_id = pool;
  r.sub = sub;
  r.username = "kim";
  r.status = std::string(kStatusConfirmed);
  r.doc = doc;
  r.version = version;
  return r;
}

TEST(UserRecordTest, FromRowDecodesTheDocEveryTimeItChanges) {
  auto a = FromRow(Row("p1", "s1", R"({"attributes":{"email":"a@example.com"}})"));
  EXPECT_EQ(a.Attribute("email"), "a@example.com");
  EXPECT_EQ(a.Attribute("sub"), "s1");
  // The same user read again after an update (decoded values are remembered by doc text).
  auto b = FromRow(Row("p1", "s1", R"({"attributes":{"email":"b@example.com"}})", 2));
  EXPECT_EQ(b.Attribute("email"), "b@example.com");
  EXPECT_EQ(b.version, 2);
  // And back: nothing stale.
  auto c = FromRow(Row("p1", "s1", R"({"attributes":{"email":"a@example.com"}})", 3));
  EXPECT_EQ(c.Attribute("email"), "a@example.com");
  // A record's changes do not leak into the next read of the same row.
  c.attributes["email"] = "changed@example.com";
  c.doc["x"] = 1;
  auto d = FromRow(Row("p1", "s1", R"({"attributes":{"email":"a@example.com"}})", 3));
  EXPECT_EQ(d.Attribute("email"), "a@example.com");
  EXPECT_FALSE(d.doc.contains("x"));
}

TEST(UserRecordTest, SameSubInAnotherPoolIsAnotherUser) {
  auto a = FromRow(Row("p1", "same", R"({"attributes":{"name":"one"}})"));
  auto b = FromRow(Row("p2", "same", R"({"attributes":{"name":"two"}})"));
  EXPECT_EQ(a.Attribute("name"), "one");
  EXPECT_EQ(b.Attribute("name"), "two");
}

TEST(UserRecordTest, DamagedDocYieldsTheColumnsOnly) {
  auto u = FromRow(Row("p1", "s9", "{not json"));
  EXPECT_EQ(u.sub, "s9");
  EXPECT_EQ(u.username, "kim");
  EXPECT_EQ(u.attributes.size(), 1u);
  EXPECT_EQ(u.Attribute("sub"), "s9");
  EXPECT_TRUE(u.doc.is_object());
}

}  // namespace
}  // namespace cognate::domain::users
