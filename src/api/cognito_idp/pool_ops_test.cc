// The pool, client and tag handlers as the dispatcher calls them: JSON in, JSON out.

#include <gtest/gtest.h>

#include "api/cognito_idp/register.h"
#include "domain/userpool/userpool_test_util.h"

namespace cognate::api::cognito_idp {
namespace {

using Json = nlohmann::json;

class PoolOpsTest : public ::testing::Test {
 protected:
  void SetUp() override { RegisterPoolOps(registry_, t_.ctx); }

  Result<Json> Call(const std::string& op, const Json& input) {
    const JsonHandler* h = registry_.Find(op);
    EXPECT_NE(h, nullptr) << op;
    if (h == nullptr) return ApiError::Internal("no handler");
    CallContext call;
    call.operation = op;
    call.region = "us-east-1";
    return (*h)(input, call);
  }
  Json Ok(const std::string& op, const Json& input) {
    auto r = Call(op, input);
    EXPECT_TRUE(r) << op << ": " << (r ? "" : r.error().message());
    return r ? *r : Json();
  }
  ApiError Err(const std::string& op, const Json& input) {
    auto r = Call(op, input);
    EXPECT_FALSE(r) << op;
    return r ? ApiError() : r.error();
  }

  domain::userpool::testing::TestContext t_;
  HandlerRegistry registry_;
};

TEST_F(PoolOpsTest, RegistersTheFourteenOperations) {
  for (const char* op :
       {"CreateUserPool", "DescribeUserPool", "UpdateUserPool", "DeleteUserPool", "ListUserPools",
        "AddCustomAttributes", "CreateUserPoolClient", "DescribeUserPoolClient",
        "UpdateUserPoolClient", "DeleteUserPoolClient", "ListUserPoolClients", "TagResource",
        "UntagResource", "ListTagsForResource"}) {
    EXPECT_NE(registry_.Find(op), nullptr) << op;
  }
  EXPECT_EQ(registry_.All().size(), 14u);
}

TEST_F(PoolOpsTest, PoolLifecycle) {
  Json created = Ok("CreateUserPool", {{"PoolName", "shop"}, {"UserPoolTags", {{"env", "dev"}}}});
  ASSERT_TRUE(created.contains("UserPool"));
  const std::string id = created["UserPool"]["Id"];
  const std::string arn = created["UserPool"]["Arn"];

  Json described = Ok("DescribeUserPool", {{"UserPoolId", id}});
  EXPECT_EQ(described["UserPool"]["Name"], "shop");
  EXPECT_EQ(described["UserPool"]["EstimatedNumberOfUsers"], 0);

  EXPECT_EQ(Ok("UpdateUserPool", {{"UserPoolId", id}, {"MfaConfiguration", "OFF"}}),
            Json::object());
  EXPECT_EQ(Ok("AddCustomAttributes",
               {{"UserPoolId", id},
                {"CustomAttributes", {{{"Name", "plan"}, {"AttributeDataType", "String"}}}}}),
            Json::object());

  Json listed = Ok("ListUserPools", {{"MaxResults", 10}});
  ASSERT_EQ(listed["UserPools"].size(), 1u);
  EXPECT_EQ(listed["UserPools"][0]["Id"], id);
  EXPECT_FALSE(listed.contains("NextToken"));

  EXPECT_EQ(Ok("TagResource", {{"ResourceArn", arn}, {"Tags", {{"team", "x"}}}}), Json::object());
  EXPECT_EQ(Ok("ListTagsForResource", {{"ResourceArn", arn}}),
            (Json{{"Tags", {{"env", "dev"}, {"team", "x"}}}}));
  EXPECT_EQ(Ok("UntagResource", {{"ResourceArn", arn}, {"TagKeys", {"env"}}}), Json::object());
  EXPECT_EQ(Ok("ListTagsForResource", {{"ResourceArn", arn}}), (Json{{"Tags", {{"team", "x"}}}}));

  EXPECT_EQ(Ok("DeleteUserPool", {{"UserPoolId", id}}), Json::object());
  ApiError gone = Err("DescribeUserPool", {{"UserPoolId", id}});
  EXPECT_EQ(gone.type_name(), "ResourceNotFoundException");
  EXPECT_EQ(gone.message(), "User pool " + id + " does not exist.");
}

TEST_F(PoolOpsTest, ClientLifecycle) {
  const std::string pool = Ok("CreateUserPool", {{"PoolName", "p"}})["UserPool"]["Id"];
  Json created = Ok("CreateUserPoolClient",
                    {{"UserPoolId", pool}, {"ClientName", "web"}, {"GenerateSecret", true}});
  ASSERT_TRUE(created.contains("UserPoolClient"));
  const std::string id = created["UserPoolClient"]["ClientId"];
  const std::string secret = created["UserPoolClient"]["ClientSecret"];

  Json described = Ok("DescribeUserPoolClient", {{"UserPoolId", pool}, {"ClientId", id}});
  EXPECT_EQ(described["UserPoolClient"]["ClientSecret"], secret);

  Json updated =
      Ok("UpdateUserPoolClient", {{"UserPoolId", pool}, {"ClientId", id}, {"ClientName", "web2"}});
  EXPECT_EQ(updated["UserPoolClient"]["ClientName"], "web2");
  EXPECT_EQ(updated["UserPoolClient"]["ClientSecret"], secret);

  Json listed = Ok("ListUserPoolClients", {{"UserPoolId", pool}, {"MaxResults", 5}});
  EXPECT_EQ(listed["UserPoolClients"],
            (Json::array({{{"ClientId", id}, {"UserPoolId", pool}, {"ClientName", "web2"}}})));

  EXPECT_EQ(Ok("DeleteUserPoolClient", {{"UserPoolId", pool}, {"ClientId", id}}), Json::object());
  ApiError gone = Err("DescribeUserPoolClient", {{"UserPoolId", pool}, {"ClientId", id}});
  EXPECT_EQ(gone.type_name(), "ResourceNotFoundException");
  EXPECT_EQ(gone.message(), "User pool client " + id + " does not exist.");
}

TEST_F(PoolOpsTest, MissingRequiredMembersAreValidationErrors) {
  struct Case {
    const char* op;
    Json input;
    const char* path;
  };
  for (const Case& c :
       {Case{"DescribeUserPool", Json::object(), "userPoolId"},
        Case{"DeleteUserPool", Json::object(), "userPoolId"},
        Case{"UpdateUserPool", Json::object(), "userPoolId"},
        Case{"CreateUserPool", Json::object(), "poolName"},
        Case{"ListUserPools", Json::object(), "maxResults"},
        Case{"AddCustomAttributes", {{"UserPoolId", "us-east-1_x"}}, "customAttributes"},
        Case{"CreateUserPoolClient", {{"UserPoolId", "us-east-1_x"}}, "clientName"},
        Case{"DescribeUserPoolClient", {{"UserPoolId", "us-east-1_x"}}, "clientId"},
        Case{"UpdateUserPoolClient", {{"UserPoolId", "us-east-1_x"}}, "clientId"},
        Case{"DeleteUserPoolClient", {{"ClientId", "c"}}, "userPoolId"},
        Case{"ListUserPoolClients", Json::object(), "userPoolId"},
        Case{"TagResource",
             {{"ResourceArn", "arn:aws:cognito-idp:us-east-1:000000000000:userpool/x"}},
             "tags"},
        Case{"UntagResource", Json::object(), "resourceArn"},
        Case{"ListTagsForResource", Json::object(), "resourceArn"}}) {
    ApiError e = Err(c.op, c.input);
    EXPECT_EQ(e.type_name(), "InvalidParameterException") << c.op;
    EXPECT_EQ(e.message(), std::string("1 validation error detected: Value null at '") + c.path +
                               "' failed to satisfy constraint: Member must not be null")
        << c.op;
  }
}

TEST_F(PoolOpsTest, HostileInputGetsCleanErrors) {
  for (const Json& junk :
       {Json(nullptr), Json(5), Json("x"), Json::array({1, 2}), Json{{"UserPoolId", Json::array()}},
        Json{{"PoolName", Json::object()}}, Json{{"PoolName", "p"}, {"Schema", "nope"}},
        Json{{"PoolName", "p"}, {"Policies", {{"PasswordPolicy", 7}}}}, Json{{"MaxResults", "ten"}},
        Json{{"MaxResults", 1.5}}}) {
    for (const auto& [op, handler] : registry_.All()) {
      CallContext call;
      Result<Json> r = handler(junk, call);
      if (!r) {
        EXPECT_NE(r.error().code(), ErrorCode::kInternalError) << op << " " << junk.dump();
      }
    }
  }
}

}  // namespace
}  // namespace cognate::api::cognito_idp
