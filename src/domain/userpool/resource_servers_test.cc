#include "domain/userpool/resource_servers.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "domain/userpool/pool_service.h"
#include "domain/users/test_support.h"

namespace cognate::domain::userpool {
namespace {

using nlohmann::json;

using users::testing::ExpectError;

class ResourceServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = pools_.CreateUserPool({{"PoolName", "rs"}});
    ASSERT_TRUE(pool) << pool.error().message();
    pool_ = (*pool)["Id"].get<std::string>();
  }

  json Photos(json scopes = json::array({{{"ScopeName", "read"}, {"ScopeDescription", "Read"}},
                                         {{"ScopeName", "write"},
                                          {"ScopeDescription", "Write"}}})) {
    return {{"UserPoolId", pool_},
            {"Identifier", "https://photos.example.com"},
            {"Name", "Photos"},
            {"Scopes", std::move(scopes)}};
  }

  json PoolDoc() {
    auto row = env_.store.GetPool(pool_);
    EXPECT_TRUE(row);
    return json::parse(row ? row->doc : "{}");
  }

  users::testing::TestEnv env_;
  PoolService pools_{env_.ctx};
  ResourceServerService servers_{env_.ctx};
  std::string pool_;
};

TEST_F(ResourceServersTest, CreateDescribeUpdateDelete) {
  auto created = servers_.Create(Photos());
  ASSERT_TRUE(created) << created.error().message();
  const json expected = {{"UserPoolId", pool_},
                         {"Identifier", "https://photos.example.com"},
                         {"Name", "Photos"},
                         {"Scopes",
                          {{{"ScopeName", "read"}, {"ScopeDescription", "Read"}},
                           {{"ScopeName", "write"}, {"ScopeDescription", "Write"}}}}};
  EXPECT_EQ(*created, json({{"ResourceServer", expected}}));
  auto described =
      servers_.Describe({{"UserPoolId", pool_}, {"Identifier", "https://photos.example.com"}});
  ASSERT_TRUE(described);
  EXPECT_EQ(*described, json({{"ResourceServer", expected}}));
  EXPECT_TRUE(IsCustomScope(PoolDoc(), "https://photos.example.com/read"));
  EXPECT_FALSE(IsCustomScope(PoolDoc(), "https://photos.example.com/delete"));
  EXPECT_FALSE(IsCustomScope(PoolDoc(), "read"));

  // Update replaces Name and Scopes; without Scopes the server has none.
  json update = {
      {"UserPoolId", pool_}, {"Identifier", "https://photos.example.com"}, {"Name", "Pictures"}};
  auto updated = servers_.Update(update);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ((*updated)["ResourceServer"]["Name"], "Pictures");
  EXPECT_EQ((*updated)["ResourceServer"]["Scopes"], json::array());
  EXPECT_FALSE(IsCustomScope(PoolDoc(), "https://photos.example.com/read"));

  // DescribeUserPool does not show them.
  auto pool = pools_.DescribeUserPool(pool_);
  ASSERT_TRUE(pool);
  EXPECT_FALSE(pool->contains(std::string(kResourceServersMember)));

  ASSERT_TRUE(
      servers_.Delete({{"UserPoolId", pool_}, {"Identifier", "https://photos.example.com"}}));
  ExpectError(
      servers_.Describe({{"UserPoolId", pool_}, {"Identifier", "https://photos.example.com"}}),
      ErrorCode::kResourceNotFound, "Resource server https://photos.example.com does not exist.");
  ExpectError(
      servers_.Delete({{"UserPoolId", pool_}, {"Identifier", "https://photos.example.com"}}),
      ErrorCode::kResourceNotFound, "Resource server https://photos.example.com does not exist.");
  ExpectError(servers_.Update(update), ErrorCode::kResourceNotFound,
              "Resource server https://photos.example.com does not exist.");
  EXPECT_FALSE(PoolDoc().contains(std::string(kResourceServersMember)));
}

TEST_F(ResourceServersTest, UpdateUserPoolKeepsThem) {
  ASSERT_TRUE(servers_.Create(Photos()));
  ASSERT_TRUE(pools_.UpdateUserPool({{"UserPoolId", pool_}}));
  EXPECT_TRUE(IsCustomScope(PoolDoc(), "https://photos.example.com/write"));
}

TEST_F(ResourceServersTest, Errors) {
  ASSERT_TRUE(servers_.Create(Photos()));
  ExpectError(servers_.Create(Photos()), ErrorCode::kInvalidParameter,
              "A resource server with identifier https://photos.example.com already exists in "
              "this user pool.");
  json dup = Photos(json::array({{{"ScopeName", "read"}, {"ScopeDescription", "a"}},
                                 {{"ScopeName", "read"}, {"ScopeDescription", "b"}}}));
  dup["Identifier"] = "other";
  ExpectError(servers_.Create(dup), ErrorCode::kInvalidParameter, "Duplicate scope name: read");
  json slash = Photos(json::array({{{"ScopeName", "a/b"}, {"ScopeDescription", "a"}}}));
  slash["Identifier"] = "other";
  EXPECT_FALSE(servers_.Create(slash));
  json missing = Photos();
  missing.erase("Name");
  ExpectError(servers_.Create(missing), ErrorCode::kInvalidParameter,
              "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
              "Member must not be null");
  json no_pool = Photos();
  no_pool["UserPoolId"] = "us-east-1_nothere";
  ExpectError(servers_.Create(no_pool), ErrorCode::kResourceNotFound,
              "User pool us-east-1_nothere does not exist.");
  ExpectError(servers_.List({{"UserPoolId", "us-east-1_nothere"}}), ErrorCode::kResourceNotFound,
              "User pool us-east-1_nothere does not exist.");
  EXPECT_FALSE(servers_.List({{"UserPoolId", pool_}, {"NextToken", "forged"}}));
  EXPECT_FALSE(servers_.List({{"UserPoolId", pool_}, {"MaxResults", 0}}));
  EXPECT_FALSE(servers_.Create(json::array()));
}

TEST_F(ResourceServersTest, LimitPerPool) {
  for (std::size_t i = 0; i < kMaxResourceServers; ++i) {
    json rs = Photos(json::array());
    rs["Identifier"] = "rs" + std::to_string(i);
    ASSERT_TRUE(servers_.Create(rs));
  }
  json rs = Photos();
  ExpectError(servers_.Create(rs), ErrorCode::kLimitExceeded,
              "The number of resource servers in this user pool has reached the limit of 25.");
}

TEST_F(ResourceServersTest, ListPagesInIdentifierOrder) {
  for (const char* id : {"c", "a", "b"}) {
    json rs = Photos();
    rs["Identifier"] = id;
    ASSERT_TRUE(servers_.Create(rs));
  }
  auto all = servers_.List({{"UserPoolId", pool_}});
  ASSERT_TRUE(all);
  ASSERT_EQ((*all)["ResourceServers"].size(), 3u);
  EXPECT_FALSE(all->contains("NextToken"));
  auto first = servers_.List({{"UserPoolId", pool_}, {"MaxResults", 2}});
  ASSERT_TRUE(first);
  ASSERT_EQ((*first)["ResourceServers"].size(), 2u);
  EXPECT_EQ((*first)["ResourceServers"][0]["Identifier"], "a");
  EXPECT_EQ((*first)["ResourceServers"][1]["Identifier"], "b");
  EXPECT_EQ((*first)["ResourceServers"][0]["UserPoolId"], pool_);
  ASSERT_TRUE(first->contains("NextToken"));
  auto second = servers_.List(
      {{"UserPoolId", pool_}, {"MaxResults", 2}, {"NextToken", (*first)["NextToken"]}});
  ASSERT_TRUE(second);
  ASSERT_EQ((*second)["ResourceServers"].size(), 1u);
  EXPECT_EQ((*second)["ResourceServers"][0]["Identifier"], "c");
  EXPECT_FALSE(second->contains("NextToken"));
}

}  // namespace
}  // namespace cognate::domain::userpool
