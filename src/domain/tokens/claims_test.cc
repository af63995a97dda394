#include "domain/tokens/claims.h"

#include <gtest/gtest.h>

namespace cognate::domain::tokens {
namespace {

using nlohmann::json;

groups::GroupRecord Group(std::string name, std::optional<std::string> role,
                          std::optional<std::int64_t> precedence) {
  groups::GroupRecord g;
  g.name = std::move(name);
  g.role_arn = std::move(role);
  g.precedence = precedence;
  return g;
}

TEST(ClaimsTest, ValidityDefaultsAndUnits) {
  TokenValidity d = ValidityFromClient(json::object());
  EXPECT_EQ(d.access_s, 3600);
  EXPECT_EQ(d.id_s, 3600);
  EXPECT_EQ(d.refresh_s, 30 * 86400);
  // A value without a unit is in the API's default unit: hours, hours, days.
  TokenValidity v = ValidityFromClient(
      {{"AccessTokenValidity", 2}, {"IdTokenValidity", 3}, {"RefreshTokenValidity", 4}});
  EXPECT_EQ(v.access_s, 2 * 3600);
  EXPECT_EQ(v.id_s, 3 * 3600);
  EXPECT_EQ(v.refresh_s, 4 * 86400);
  TokenValidity s = ValidityFromClient(
      {{"AccessTokenValidity", 900},
       {"IdTokenValidity", 15},
       {"RefreshTokenValidity", 12},
       {"TokenValidityUnits",
        {{"AccessToken", "seconds"}, {"IdToken", "minutes"}, {"RefreshToken", "hours"}}}});
  EXPECT_EQ(s.access_s, 900);
  EXPECT_EQ(s.id_s, 900);
  EXPECT_EQ(s.refresh_s, 12 * 3600);
  // Unreadable values fall back to the defaults.
  TokenValidity bad = ValidityFromClient({{"AccessTokenValidity", "x"},
                                          {"IdTokenValidity", -1},
                                          {"TokenValidityUnits", {{"IdToken", "weeks"}}}});
  EXPECT_EQ(bad.access_s, 3600);
  EXPECT_EQ(bad.id_s, 3600);
}

TEST(ClaimsTest, Rotation) {
  EXPECT_FALSE(RotationFromClient(json::object()).enabled);
  auto r = RotationFromClient(
      {{"RefreshTokenRotation", {{"Feature", "ENABLED"}, {"RetryGracePeriodSeconds", 30}}}});
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.grace_s, 30);
  EXPECT_FALSE(RotationFromClient({{"RefreshTokenRotation", {{"Feature", "DISABLED"}}}}).enabled);
}

TEST(ClaimsTest, PreferredRoleIsTheLowestPrecedence) {
  auto r = RolesOf({Group("a", "arn:a", 10), Group("b", "arn:b", 2), Group("c", std::nullopt, 0),
                    Group("d", "arn:d", std::nullopt)});
  EXPECT_EQ(r.roles, (std::vector<std::string>{"arn:a", "arn:b", "arn:d"}));
  EXPECT_EQ(r.preferred, "arn:b");
}

TEST(ClaimsTest, NoPreferredRoleOnATie) {
  auto r = RolesOf({Group("a", "arn:a", 1), Group("b", "arn:b", 1)});
  EXPECT_EQ(r.roles.size(), 2u);
  EXPECT_EQ(r.preferred, "");
  EXPECT_EQ(RolesOf({Group("a", "arn:a", std::nullopt)}).preferred, "arn:a");
  EXPECT_TRUE(RolesOf({Group("a", std::nullopt, 1)}).roles.empty());
}

}  // namespace
}  // namespace cognate::domain::tokens
