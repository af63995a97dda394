#include "domain/users/list_filter.h"

#include <gtest/gtest.h>

namespace cognate::domain::users {
namespace {

using Op = store::UserQuery::Op;

TEST(ListFilterTest, EmptyMatchesAll) {
  auto f = ParseListFilter("");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, Op::kAll);
  EXPECT_EQ(ParseListFilter("   ")->op, Op::kAll);
}

TEST(ListFilterTest, EqualsAndPrefix) {
  auto f = ParseListFilter(R"(email = "a@b.c")");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, Op::kEquals);
  EXPECT_EQ(f->attribute, "email");
  EXPECT_EQ(f->value, "a@b.c");

  f = ParseListFilter(R"(phone_number^="+48")");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, Op::kPrefix);
  EXPECT_EQ(f->value, "+48");

  f = ParseListFilter(R"(cognito:user_status="CONFIRMED")");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->attribute, "cognito:user_status");

  f = ParseListFilter(R"(family_name = "")");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value, "");
}

TEST(ListFilterTest, EscapedQuotes) {
  auto f = ParseListFilter(R"(name = "say \"hi\"")");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value, R"(say "hi")");
}

TEST(ListFilterTest, SyntaxErrors) {
  for (const char* bad : {"username = foo", "username=", "username", "= \"x\"", "email == \"x\"",
                          "email = \"x", "email = \"x\" extra", "email ~ \"x\"", "email ^ \"x\""}) {
    auto f = ParseListFilter(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code(), ErrorCode::kInvalidParameter);
    EXPECT_EQ(f.error().message(), "Error while parsing filter.") << bad;
  }
}

TEST(ListFilterTest, UnsearchableAttribute) {
  for (const char* name : {"custom:foo", "address", "email_verified"}) {
    auto f = ParseListFilter(std::string(name) + " = \"x\"");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().message(), std::string("Invalid search attribute: ") + name);
  }
}

TEST(ListFilterTest, QueryNormalisesUsernameAndStatus) {
  store::PoolRow row;
  row.id = "p";
  row.doc = R"({"UsernameConfiguration": {"CaseSensitive": false}})";
  PoolRules rules = PoolRules::FromRow(row);
  auto q = ToUserQuery(rules, *ParseListFilter(R"(username = "Alice")"));
  EXPECT_EQ(q.attribute, "username");
  EXPECT_EQ(q.value, "alice");
  q = ToUserQuery(rules, *ParseListFilter(R"(cognito:user_status = "confirmed")"));
  EXPECT_EQ(q.value, "CONFIRMED");
  q = ToUserQuery(rules, *ParseListFilter(R"(status = "Enabled")"));
  EXPECT_EQ(q.value, "Enabled");
  q = ToUserQuery(rules, *ParseListFilter(""));
  EXPECT_EQ(q.op, Op::kAll);
}

TEST(ListFilterTest, ArbitraryInputNeverCrashes) {
  std::string alphabet = "ab=^\" \\\t:_";
  alphabet.push_back('\0');
  alphabet.push_back('\xff');
  unsigned seed = 12345;
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    const int len = static_cast<int>(seed % 24);
    for (int j = 0; j < len; ++j) {
      seed = seed * 1103515245u + 12345u;
      s.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    seed = seed * 1103515245u + 12345u;
    auto f = ParseListFilter(s);
    if (!f) {
      EXPECT_EQ(f.error().code(), ErrorCode::kInvalidParameter);
    }
  }
}

}  // namespace
}  // namespace cognate::domain::users
