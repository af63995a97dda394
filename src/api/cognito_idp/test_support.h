// Test support for the cognito_idp handler tests: a fixture that calls handlers through the
// registry (JSON in, JSON or ApiError out) against a TestEnv, and mints access tokens with the
// real TokenService. Included by *_test.cc only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/cognito_idp/register.h"
#include "domain/users/test_support.h"

namespace cognate::api::cognito_idp::testing {

class OpsTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  Result<json> Call(const std::string& op, json input) {
    const JsonHandler* h = registry_.Find(op);
    EXPECT_NE(h, nullptr) << op;
    if (h == nullptr) return ApiError::Internal("no handler");
    CallContext call;
    call.operation = op;
    call.source_ip = source_ip_;
    return (*h)(input, call);
  }

  // The answer of a call that must succeed (a failure is reported, and answers null).
  json Ok(const std::string& op, json input) {
    auto r = Call(op, std::move(input));
    EXPECT_TRUE(r) << op << ": "
                   << (r ? "" : std::string(r.error().type_name()) + " " + r.error().message());
    return r ? *r : json();
  }

  // A call that must fail with `code` and, when given, exactly `message`.
  void ExpectError(const std::string& op, json input, ErrorCode code,
                   const std::string& message = {}) {
    auto r = Call(op, std::move(input));
    ASSERT_FALSE(r) << op << " succeeded: " << r->dump();
    EXPECT_EQ(r.error().type_name(), ErrorTypeName(code)) << r.error().message();
    if (!message.empty()) {
      EXPECT_EQ(r.error().message(), message);
    }
  }

  // Stores an app client of `pool` whose document is `doc` with its ClientId set.
  void MakeClient(const std::string& pool, const std::string& client_id,
                  json doc = json::object()) {
    doc["ClientId"] = client_id;
    ASSERT_TRUE(env_.store.CreateClient({pool, client_id, "app", doc.dump(), 0, 0, 0}));
  }

  // An access token for the user `sub` of `pool`, as a sign-in through `client_id` now would
  // issue it.
  std::string AccessToken(const std::string& pool, const std::string& client_id,
                          const std::string& sub) {
    domain::tokens::SignInGrant grant;
    grant.pool_id = pool;
    grant.client_id = client_id;
    grant.sub = sub;
    grant.auth_time_s = env_.clock.NowSeconds();
    auto issued = tokens_->IssueForSignIn(grant);
    EXPECT_TRUE(issued) << (issued ? "" : issued.error().message());
    return issued ? issued->access_token : std::string();
  }

  // The sub of the user described by AdminCreateUser's answer.
  static std::string SubOf(const json& created) {
    for (const auto& a : created["User"]["Attributes"]) {
      if (a["Name"] == "sub") return a["Value"];
    }
    return {};
  }

  domain::users::testing::TestEnv env_;
  std::shared_ptr<domain::tokens::TokenService> tokens_ =
      std::make_shared<domain::tokens::TokenService>(env_.ctx);
  HandlerRegistry registry_;
  std::string source_ip_;  // the caller's address every call carries (none by default)
};

}  // namespace cognate::api::cognito_idp::testing
