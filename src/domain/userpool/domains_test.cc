#include "domain/userpool/domains.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "domain/userpool/pool_repository.h"
#include "domain/userpool/pool_service.h"
#include "domain/users/test_support.h"

namespace cognate::domain::userpool {
namespace {

using nlohmann::json;

constexpr char kArn[] = "arn:aws:acm:us-east-1:000000000000:certificate/abc";

using users::testing::ExpectError;

class DomainsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.ctx.config.certificates[kArn] = {"cert.pem", "key.pem"};
    pool_ = NewPool("one");
    other_ = NewPool("two");
  }

  std::string NewPool(const std::string& name, json extra = json::object()) {
    extra["PoolName"] = name;
    auto pool = pools_.CreateUserPool(extra);
    EXPECT_TRUE(pool) << pool.error().message();
    return pool ? (*pool)["Id"].get<std::string>() : std::string();
  }

  json Describe(const std::string& domain) {
    auto d = domains_.Describe({{"Domain", domain}});
    EXPECT_TRUE(d) << d.error().message();
    return d ? *d : json();
  }

  users::testing::TestEnv env_;
  PoolService pools_{env_.ctx};
  DomainService domains_{env_.ctx};
  std::string pool_;
  std::string other_;
};

TEST_F(DomainsTest, PrefixDomainLifecycle) {
  auto created = domains_.Create({{"UserPoolId", pool_}, {"Domain", "my-app"}});
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(*created, (json{{"ManagedLoginVersion", 1}}));

  json d = Describe("my-app")["DomainDescription"];
  EXPECT_EQ(d["UserPoolId"], pool_);
  EXPECT_EQ(d["Domain"], "my-app");
  EXPECT_EQ(d["Status"], "ACTIVE");
  EXPECT_EQ(d["AWSAccountId"], "000000000000");
  EXPECT_EQ(d["CloudFrontDistribution"], "my-app.auth.localhost");
  EXPECT_FALSE(d.contains("CustomDomainConfig"));

  auto pool = pools_.DescribeUserPool(pool_);
  ASSERT_TRUE(pool);
  EXPECT_EQ((*pool)["Domain"], "my-app");
  EXPECT_FALSE(pool->contains("_Domains"));

  EXPECT_EQ(PoolIdForHost(env_.ctx, "my-app.auth.localhost"), pool_);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "MY-APP.auth.localhost."), pool_);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "other.auth.localhost"), std::nullopt);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "my-app"), std::nullopt);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "auth.localhost"), std::nullopt);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "127.0.0.1"), std::nullopt);

  auto updated =
      domains_.Update({{"UserPoolId", pool_}, {"Domain", "my-app"}, {"ManagedLoginVersion", 2}});
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ((*updated)["ManagedLoginVersion"], 2);
  EXPECT_EQ(Describe("my-app")["DomainDescription"]["ManagedLoginVersion"], 2);

  ExpectError(domains_.Delete({{"UserPoolId", other_}, {"Domain", "my-app"}}),
              ErrorCode::kInvalidParameter, "No such domain or user pool exists.");
  ASSERT_TRUE(domains_.Delete({{"UserPoolId", pool_}, {"Domain", "my-app"}}));
  EXPECT_EQ(Describe("my-app"), (json{{"DomainDescription", json::object()}}));
  EXPECT_EQ(PoolIdForHost(env_.ctx, "my-app.auth.localhost"), std::nullopt);
  auto after = pools_.DescribeUserPool(pool_);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->contains("Domain"));
  // The name is free again, for any pool.
  EXPECT_TRUE(domains_.Create({{"UserPoolId", other_}, {"Domain", "my-app"}}));
}

TEST_F(DomainsTest, PrefixRules) {
  const std::string bad_char =
      "The domain name contains an invalid character. Domain names can only contain lower-case "
      "letters, numbers, and hyphens. Please enter a different name that follows this format: "
      "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";
  for (const char* name : {"My-App", "-app", "app-", "a_b", "a.b", ""}) {
    ExpectError(domains_.Create({{"UserPoolId", pool_}, {"Domain", name}}),
                ErrorCode::kInvalidParameter, bad_char);
  }
  ExpectError(domains_.Create({{"UserPoolId", pool_}, {"Domain", std::string(64, 'a')}}),
              ErrorCode::kInvalidParameter, bad_char);
  ExpectError(domains_.Create({{"UserPoolId", pool_}, {"Domain", "my-aws-app"}}),
              ErrorCode::kInvalidParameter, "Domain cannot contain reserved word: aws");
  ExpectError(domains_.Create({{"UserPoolId", pool_}, {"Domain", "newcognito"}}),
              ErrorCode::kInvalidParameter, "Domain cannot contain reserved word: cognito");
  ExpectError(domains_.Create({{"UserPoolId", pool_}, {"Domain", "x"}, {"ManagedLoginVersion", 3}}),
              ErrorCode::kInvalidParameter, "ManagedLoginVersion must be 1 or 2.");
  ExpectError(domains_.Create({{"UserPoolId", "us-east-1_missing1"}, {"Domain", "x"}}),
              ErrorCode::kResourceNotFound, "User pool us-east-1_missing1 does not exist.");
}

TEST_F(DomainsTest, UniqueAcrossPoolsAndOnePerKind) {
  ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_}, {"Domain", "shared"}}));
  ExpectError(domains_.Create({{"UserPoolId", other_}, {"Domain", "shared"}}),
              ErrorCode::kInvalidParameter, "Domain already associated with another user pool.");
  ExpectError(domains_.Create({{"UserPoolId", pool_}, {"Domain", "second"}}),
              ErrorCode::kInvalidParameter, "User pool already has a domain configured.");
  // The failed attempt did not keep "second" reserved.
  EXPECT_TRUE(domains_.Create({{"UserPoolId", other_}, {"Domain", "second"}}));
}

TEST_F(DomainsTest, CustomDomain) {
  ExpectError(
      domains_.Create({{"UserPoolId", pool_},
                       {"Domain", "login.example.com"},
                       {"CustomDomainConfig", {{"CertificateArn", kArn + std::string("x")}}}}),
      ErrorCode::kInvalidParameter,
      "The specified SSL certificate doesn't exist, isn't valid, or doesn't include a "
      "valid certificate chain.");
  ExpectError(domains_.Create({{"UserPoolId", pool_},
                               {"Domain", "x.auth.localhost"},
                               {"CustomDomainConfig", {{"CertificateArn", kArn}}}}),
              ErrorCode::kInvalidParameter,
              "The custom domain name is not a valid fully qualified domain name.");
  ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_}, {"Domain", "prefix"}}));
  auto created = domains_.Create({{"UserPoolId", pool_},
                                  {"Domain", "login.example.com"},
                                  {"CustomDomainConfig", {{"CertificateArn", kArn}}}});
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ((*created)["CloudFrontDomain"], "auth.localhost");
  json d = Describe("login.example.com")["DomainDescription"];
  EXPECT_EQ(d["CustomDomainConfig"], (json{{"CertificateArn", kArn}}));
  auto pool = pools_.DescribeUserPool(pool_);
  ASSERT_TRUE(pool);
  EXPECT_EQ((*pool)["CustomDomain"], "login.example.com");
  EXPECT_EQ((*pool)["Domain"], "prefix");
  EXPECT_EQ(PoolIdForHost(env_.ctx, "login.example.com"), pool_);
  EXPECT_EQ(CertificateArnForHost(env_.ctx, "login.example.com"), kArn);
  // The host as a client may send it: any case, a trailing dot (as PoolIdForHost accepts it).
  EXPECT_EQ(CertificateArnForHost(env_.ctx, "Login.Example.COM."), kArn);
  EXPECT_EQ(CertificateArnForHost(env_.ctx, "prefix.auth.localhost"), std::nullopt);
  // A prefix named like the custom domain's first label does not answer for it.
  EXPECT_EQ(PoolIdForHost(env_.ctx, "login.auth.localhost"), std::nullopt);
  ExpectError(domains_.Update({{"UserPoolId", pool_},
                               {"Domain", "prefix"},
                               {"CustomDomainConfig", {{"CertificateArn", kArn}}}}),
              ErrorCode::kInvalidParameter,
              "CustomDomainConfig can only be set on a custom domain, not on a prefix domain.");
}

TEST_F(DomainsTest, MainHostAndAddressesNameNoPool) {
  env_.ctx.config.public_url = "https://Login.Example.com:8443";
  // Even a (hypothetical) record under those names is not consulted.
  for (const char* name : {"login.example.com", "10.0.0.1"}) {
    store::EphemeralRow row{
        std::string(kDomainRecordKind), name, pool_, R"({"Custom":true})", 253'402'300'799'000, 0};
    ASSERT_TRUE(env_.store.PutEphemeral(row, env_.clock.NowMillis()));
  }
  EXPECT_EQ(PoolIdForHost(env_.ctx, "login.example.com"), std::nullopt);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "10.0.0.1"), std::nullopt);
  EXPECT_EQ(PoolIdForHost(env_.ctx, "[::1]"), std::nullopt);
}

TEST_F(DomainsTest, LiteTierRefusesManagedLogin) {
  const std::string lite = NewPool("lite", {{"UserPoolTier", "LITE"}});
  auto r =
      domains_.Create({{"UserPoolId", lite}, {"Domain", "lite-app"}, {"ManagedLoginVersion", 2}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "FeatureUnavailableInTierException");
  EXPECT_TRUE(domains_.Create({{"UserPoolId", lite}, {"Domain", "lite-app"}}));
}

TEST_F(DomainsTest, APoolWithADomainCannotBeDeleted) {
  ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_}, {"Domain", "kept"}}));
  ExpectError(pools_.DeleteUserPool(pool_), ErrorCode::kInvalidParameter,
              "User pool cannot be deleted. It has a domain configured that should be deleted "
              "first.");
  EXPECT_EQ(PoolIdForHost(env_.ctx, "kept.auth.localhost"), pool_);
  ASSERT_TRUE(domains_.Create({{"UserPoolId", other_},
                               {"Domain", "login.example.com"},
                               {"CustomDomainConfig", {{"CertificateArn", kArn}}}}));
  ExpectError(pools_.DeleteUserPool(other_), ErrorCode::kInvalidParameter,
              "User pool cannot be deleted. It has a domain configured that should be deleted "
              "first.");
  ASSERT_TRUE(domains_.Delete({{"UserPoolId", pool_}, {"Domain", "kept"}}));
  EXPECT_TRUE(pools_.DeleteUserPool(pool_));
}

TEST_F(DomainsTest, APoolGoneFromTheStoreFreesTheName) {
  // The pool row vanished under its domain (an older data directory, a manual repair): the
  // name's record is stale and a new pool may take it.
  ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_}, {"Domain", "gone"}}));
  ASSERT_TRUE(env_.store.DeletePool(pool_));
  EXPECT_EQ(Describe("gone"), (json{{"DomainDescription", json::object()}}));
  EXPECT_TRUE(domains_.Create({{"UserPoolId", other_}, {"Domain", "gone"}}));
}

TEST_F(DomainsTest, StaleReservationIsTakenOver) {
  // A reservation whose pool never recorded the domain (a crash between the two writes).
  store::EphemeralRow row{std::string(kDomainRecordKind),
                          "stale",
                          pool_,
                          R"({"Custom":false})",
                          253'402'300'799'000,
                          0};
  ASSERT_TRUE(env_.store.PutEphemeral(row, env_.clock.NowMillis()));
  EXPECT_TRUE(domains_.Create({{"UserPoolId", other_}, {"Domain", "stale"}}));
  EXPECT_EQ(PoolIdForHost(env_.ctx, "stale.auth.localhost"), other_);
}

TEST_F(DomainsTest, ManagedLoginVersionByHost) {
  auto doc_of = [&](const std::string& pool) {
    auto row = LoadPool(env_.ctx, pool);
    EXPECT_TRUE(row);
    return row ? *ParseDoc(row->doc) : json::object();
  };
  EXPECT_EQ(ManagedLoginVersionFor(env_.ctx, doc_of(pool_), "localhost"), 1);  // no domain
  ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_},
                               {"Domain", "login.example.com"},
                               {"ManagedLoginVersion", 2},
                               {"CustomDomainConfig", {{"CertificateArn", kArn}}}}));
  EXPECT_EQ(ManagedLoginVersionFor(env_.ctx, doc_of(pool_), "localhost"), 2);  // the custom one
  ASSERT_TRUE(domains_.Create({{"UserPoolId", pool_}, {"Domain", "my-app"}}));
  const json doc = doc_of(pool_);
  EXPECT_EQ(ManagedLoginVersionFor(env_.ctx, doc, "localhost"), 1);  // the prefix domain first
  EXPECT_EQ(ManagedLoginVersionFor(env_.ctx, doc, "my-app.auth.localhost"), 1);
  EXPECT_EQ(ManagedLoginVersionFor(env_.ctx, doc, "Login.Example.com."), 2);
}

}  // namespace
}  // namespace cognate::domain::userpool
