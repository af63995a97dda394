#include "domain/userpool/pool_service.h"

#include <regex>

#include <gtest/gtest.h>

#include "domain/userpool/pool_repository.h"
#include "domain/userpool/userpool_test_util.h"

namespace cognate::domain::userpool {
namespace {

class PoolServiceTest : public ::testing::Test {
 protected:
  Json Create(Json input) {
    auto r = service_.CreateUserPool(input);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? *r : Json();
  }
  ApiError CreateError(Json input) {
    auto r = service_.CreateUserPool(input);
    EXPECT_FALSE(r);
    return r ? ApiError() : r.error();
  }
  Json Describe(const std::string& id) {
    auto r = service_.DescribeUserPool(id);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? *r : Json();
  }
  Json Attr(const Json& pool, const std::string& name) {
    for (const auto& a : pool["SchemaAttributes"]) {
      if (a["Name"] == name) return a;
    }
    return Json();
  }

  testing::TestContext t_;
  PoolService service_{t_.ctx};
};

TEST_F(PoolServiceTest, CreateFillsInCognitosDefaults) {
  Json pool = Create({{"PoolName", "my pool"}});
  const std::string id = pool["Id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("us-east-1_[0-9A-Za-z]{9}"))) << id;
  EXPECT_EQ(pool["Name"], "my pool");
  EXPECT_EQ(pool["Arn"], "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + id);
  EXPECT_EQ(pool["CreationDate"], 1700000000);
  EXPECT_EQ(pool["LastModifiedDate"], 1700000000);
  EXPECT_EQ(pool["Policies"]["PasswordPolicy"], (Json{{"MinimumLength", 8},
                                                      {"RequireUppercase", true},
                                                      {"RequireLowercase", true},
                                                      {"RequireNumbers", true},
                                                      {"RequireSymbols", true},
                                                      {"TemporaryPasswordValidityDays", 7}}));
  EXPECT_EQ(pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"], Json({"PASSWORD"}));
  EXPECT_EQ(pool["MfaConfiguration"], "OFF");
  EXPECT_EQ(pool["DeletionProtection"], "INACTIVE");
  EXPECT_EQ(pool["UserPoolTier"], "ESSENTIALS");
  EXPECT_EQ(pool["UsernameConfiguration"], (Json{{"CaseSensitive", true}}));
  EXPECT_EQ(pool["AdminCreateUserConfig"],
            (Json{{"AllowAdminCreateUserOnly", false}, {"UnusedAccountValidityDays", 7}}));
  EXPECT_EQ(pool["VerificationMessageTemplate"],
            (Json{{"DefaultEmailOption", "CONFIRM_WITH_CODE"}}));
  EXPECT_EQ(pool["EmailConfiguration"], (Json{{"EmailSendingAccount", "COGNITO_DEFAULT"}}));
  EXPECT_EQ(pool["LambdaConfig"], Json::object());
  EXPECT_EQ(pool["UserPoolTags"], Json::object());
  EXPECT_EQ(pool["AccountRecoverySetting"]["RecoveryMechanisms"].size(), 2u);
  EXPECT_EQ(pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"],
            Json::array());
  EXPECT_EQ(pool["EstimatedNumberOfUsers"], 0);
  EXPECT_FALSE(pool.contains("AliasAttributes"));
  EXPECT_FALSE(pool.contains("UsernameAttributes"));

  ASSERT_EQ(pool["SchemaAttributes"].size(), 20u);
  EXPECT_EQ(pool["SchemaAttributes"][0]["Name"], "sub");
  EXPECT_EQ(pool["SchemaAttributes"][19]["Name"], "updated_at");
  EXPECT_EQ(Attr(pool, "sub")["Mutable"], false);
  EXPECT_EQ(Attr(pool, "sub")["Required"], true);
  EXPECT_EQ(Attr(pool, "birthdate")["StringAttributeConstraints"],
            (Json{{"MinLength", "10"}, {"MaxLength", "10"}}));
  EXPECT_EQ(Attr(pool, "email_verified")["AttributeDataType"], "Boolean");
  EXPECT_FALSE(Attr(pool, "email_verified").contains("StringAttributeConstraints"));

  // The stored document is the same minus EstimatedNumberOfUsers.
  auto row = LoadPool(t_.ctx, id);
  ASSERT_TRUE(row);
  Json doc = Json::parse(row->doc);
  EXPECT_FALSE(doc.contains("EstimatedNumberOfUsers"));
  Json described = Describe(id);
  EXPECT_EQ(described, pool);
}

TEST_F(PoolServiceTest, CreateRequiresPoolName) {
  ApiError e = CreateError(Json::object());
  EXPECT_EQ(e.code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(e.message(),
            "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(CreateError({{"PoolName", 5}}).code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError(Json::array()).code(), ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, AliasAndUsernameAttributesAreExclusive) {
  ApiError e = CreateError({{"PoolName", "p"},
                            {"AliasAttributes", {"email"}},
                            {"UsernameAttributes", {"phone_number"}}});
  EXPECT_EQ(e.message(),
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.");
  Json pool = Create({{"PoolName", "p"}, {"UsernameAttributes", {"email", "email"}}});
  EXPECT_EQ(pool["UsernameAttributes"], Json({"email"}));
  EXPECT_EQ(CreateError({{"PoolName", "p"}, {"AliasAttributes", {"sub"}}}).code(),
            ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, UsernameConfigurationIsKept) {
  Json pool = Create({{"PoolName", "p"}, {"UsernameConfiguration", {{"CaseSensitive", false}}}});
  EXPECT_EQ(pool["UsernameConfiguration"]["CaseSensitive"], false);
  EXPECT_EQ(CreateError({{"PoolName", "p"}, {"UsernameConfiguration", Json::object()}}).code(),
            ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, SchemaCustomAttributesGetPrefixesAndDefaults) {
  Json pool = Create({{"PoolName", "p"},
                      {"Schema",
                       {{{"Name", "tier"}, {"AttributeDataType", "String"}},
                        {{"Name", "custom:score"}, {"AttributeDataType", "Number"}},
                        {{"Name", "secret"},
                         {"AttributeDataType", "String"},
                         {"DeveloperOnlyAttribute", true},
                         {"Mutable", false},
                         {"StringAttributeConstraints", {{"MinLength", "1"}, {"MaxLength", "9"}}}},
                        {{"Name", "email"}, {"Required", true}, {"Mutable", true}}}}});
  ASSERT_EQ(pool["SchemaAttributes"].size(), 23u);
  EXPECT_EQ(Attr(pool, "custom:tier"), (Json{{"Name", "custom:tier"},
                                             {"AttributeDataType", "String"},
                                             {"DeveloperOnlyAttribute", false},
                                             {"Mutable", true},
                                             {"Required", false},
                                             {"StringAttributeConstraints", Json::object()}}));
  EXPECT_FALSE(Attr(pool, "custom:score").contains("NumberAttributeConstraints"));
  EXPECT_EQ(Attr(pool, "dev:custom:secret")["Mutable"], false);
  EXPECT_EQ(Attr(pool, "dev:custom:secret")["StringAttributeConstraints"]["MaxLength"], "9");
  EXPECT_EQ(Attr(pool, "email")["Required"], true);
}

TEST_F(PoolServiceTest, SchemaErrorsUseCognitosMessages) {
  auto msg = [this](Json schema) {
    return CreateError({{"PoolName", "p"}, {"Schema", schema}}).message();
  };
  EXPECT_EQ(msg({{{"Name", "x"}, {"AttributeDataType", "String"}, {"Required", true}}}),
            "Required custom attributes are not supported currently.");
  EXPECT_EQ(msg({{{"Name", "x"}}}),
            "Invalid AttributeDataType input, consider using the provided AttributeDataType "
            "enum.");
  EXPECT_EQ(msg({{{"Name", "x"}, {"AttributeDataType", "Text"}}}),
            "Validation error detected: Value 'Text' failed to satisfy constraint: Member must "
            "satisfy enum value set: [Boolean, Number, String, DateTime]");
  EXPECT_EQ(msg({{{"Name", "email"}, {"AttributeDataType", "Number"}}}),
            "You can not change AttributeDataType or set developerOnlyAttribute for standard "
            "schema attribute email");
  EXPECT_EQ(msg({{{"Name", "email"}, {"DeveloperOnlyAttribute", true}}}),
            "You can not change AttributeDataType or set developerOnlyAttribute for standard "
            "schema attribute email");
  EXPECT_EQ(msg({{{"Name", "x"},
                  {"AttributeDataType", "String"},
                  {"StringAttributeConstraints", {{"MinLength", "5"}, {"MaxLength", "2"}}}}}),
            "user.custom:x: Max length cannot be less than min length.");
  EXPECT_EQ(msg({{{"Name", "x"},
                  {"AttributeDataType", "String"},
                  {"StringAttributeConstraints", {{"MaxLength", "4000"}}}}}),
            "user.custom:x: String attributes cannot have a length of more than 2048");
  EXPECT_EQ(msg({{{"Name", "x"},
                  {"AttributeDataType", "Number"},
                  {"NumberAttributeConstraints", {{"MinValue", "5"}, {"MaxValue", "2"}}}}}),
            "user.custom:x: Max value cannot be less than min value.");
  EXPECT_EQ(msg({{{"Name", "x"},
                  {"AttributeDataType", "Number"},
                  {"NumberAttributeConstraints", {{"MinValue", "abc"}}}}}),
            "Invalid NumberAttributeConstraints for schema attribute custom:x");
  EXPECT_EQ(msg({{{"Name", "x"}, {"AttributeDataType", "String"}},
                 {{"Name", "x"}, {"AttributeDataType", "Number"}}}),
            "custom:x: Existing attribute already has name custom:x.");
  EXPECT_EQ(
      CreateError({{"PoolName", "p"},
                   {"Schema", {{{"Name", std::string(21, 'n')}, {"AttributeDataType", "String"}}}}})
          .code(),
      ErrorCode::kInvalidParameter);
  EXPECT_EQ(
      CreateError({{"PoolName", "p"}, {"Schema", {{{"AttributeDataType", "String"}}}}}).code(),
      ErrorCode::kInvalidParameter);
  EXPECT_EQ(CreateError({{"PoolName", "p"}, {"Schema", {"oops"}}}).code(),
            ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, AtMostFiftyCustomAttributes) {
  Json schema = Json::array();
  for (int i = 0; i < 51; ++i) {
    schema.push_back({{"Name", "a" + std::to_string(i)}, {"AttributeDataType", "String"}});
  }
  EXPECT_EQ(CreateError({{"PoolName", "p"}, {"Schema", schema}}).code(),
            ErrorCode::kInvalidParameter);
  schema.erase(schema.size() - 1);
  Json pool = Create({{"PoolName", "p"}, {"Schema", schema}});
  auto more = service_.AddCustomAttributes(pool["Id"],
                                           Json{{{"Name", "z"}, {"AttributeDataType", "String"}}});
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, MfaNeedsAnSmsConfiguration) {
  ApiError e = CreateError({{"PoolName", "p"}, {"MfaConfiguration", "ON"}});
  EXPECT_EQ(e.message(),
            "SMS configuration and Auto verification for phone_number are required when MFA is "
            "required/optional");
  Json pool =
      Create({{"PoolName", "p"},
              {"MfaConfiguration", "OPTIONAL"},
              {"SmsConfiguration", {{"SnsCallerArn", "arn:aws:iam::000000000000:role/sms"}}}});
  EXPECT_EQ(pool["MfaConfiguration"], "OPTIONAL");
  EXPECT_EQ(CreateError({{"PoolName", "p"}, {"MfaConfiguration", "MAYBE"}}).code(),
            ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, GivenPasswordPolicyReplacesTheDefault) {
  Json pool = Create({{"PoolName", "p"},
                      {"Policies",
                       {{"PasswordPolicy",
                         {{"MinimumLength", 12},
                          {"RequireNumbers", true},
                          {"TemporaryPasswordValidityDays", 0}}}}}});
  EXPECT_EQ(pool["Policies"]["PasswordPolicy"], (Json{{"MinimumLength", 12},
                                                      {"RequireUppercase", false},
                                                      {"RequireLowercase", false},
                                                      {"RequireNumbers", true},
                                                      {"RequireSymbols", false},
                                                      {"TemporaryPasswordValidityDays", 7}}));
  EXPECT_EQ(
      CreateError({{"PoolName", "p"}, {"Policies", {{"PasswordPolicy", {{"MinimumLength", 5}}}}}})
          .message(),
      "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' "
      "failed to satisfy constraint: Member must have value greater than or equal to 6");
}

TEST_F(PoolServiceTest, LegacyUnusedAccountValidityDays) {
  EXPECT_EQ(CreateError({{"PoolName", "p"},
                         {"Policies", {{"PasswordPolicy", {{"TemporaryPasswordValidityDays", 3}}}}},
                         {"AdminCreateUserConfig", {{"UnusedAccountValidityDays", 5}}}})
                .message(),
            "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of "
            "UnusedAccountValidityDays");
  Json pool = Create({{"PoolName", "p"},
                      {"AdminCreateUserConfig",
                       {{"AllowAdminCreateUserOnly", true}, {"UnusedAccountValidityDays", 5}}}});
  EXPECT_EQ(pool["AdminCreateUserConfig"]["UnusedAccountValidityDays"], 5);
  EXPECT_EQ(pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], true);
  EXPECT_EQ(pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"], 5);
}

TEST_F(PoolServiceTest, VerificationMessagesStayInStep) {
  Json pool = Create({{"PoolName", "p"},
                      {"EmailVerificationMessage", "Code: {####}"},
                      {"EmailVerificationSubject", "Hi"}});
  EXPECT_EQ(pool["VerificationMessageTemplate"]["EmailMessage"], "Code: {####}");
  EXPECT_EQ(pool["VerificationMessageTemplate"]["EmailSubject"], "Hi");
  EXPECT_EQ(pool["EmailVerificationMessage"], "Code: {####}");
  Json pool2 =
      Create({{"PoolName", "p"}, {"VerificationMessageTemplate", {{"SmsMessage", "SMS {####}"}}}});
  EXPECT_EQ(pool2["SmsVerificationMessage"], "SMS {####}");
}

TEST_F(PoolServiceTest, DescribeMissingPool) {
  auto r = service_.DescribeUserPool("us-east-1_nothere00");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(r.error().message(), "User pool us-east-1_nothere00 does not exist.");
}

TEST_F(PoolServiceTest, UpdateReplacesWhatItControls) {
  Json pool =
      Create({{"PoolName", "p"},
              {"AutoVerifiedAttributes", {"email"}},
              {"LambdaConfig", {{"PreSignUp", "arn:aws:lambda:us-east-1:000000000000:function:f"}}},
              {"MfaConfiguration", "ON"},
              {"SmsConfiguration", {{"SnsCallerArn", "arn:aws:iam::000000000000:role/s"}}},
              {"DeletionProtection", "ACTIVE"},
              {"UserPoolTags", {{"team", "a"}}},
              {"AliasAttributes", {"email"}},
              {"Policies", {{"PasswordPolicy", {{"MinimumLength", 10}}}}}});
  const std::string id = pool["Id"];
  t_.clock.AdvanceMillis(5500);
  auto r = service_.UpdateUserPool(
      {{"UserPoolId", id}, {"DeviceConfiguration", {{"ChallengeRequiredOnNewDevice", true}}}});
  ASSERT_TRUE(r) << r.error().message();
  Json after = Describe(id);
  EXPECT_EQ(after["Name"], "p");
  EXPECT_EQ(after["MfaConfiguration"], "OFF");
  EXPECT_FALSE(after.contains("SmsConfiguration"));
  EXPECT_FALSE(after.contains("AutoVerifiedAttributes"));
  EXPECT_EQ(after["LambdaConfig"], Json::object());
  EXPECT_EQ(after["Policies"]["PasswordPolicy"]["MinimumLength"], 8);
  EXPECT_EQ(after["DeviceConfiguration"]["ChallengeRequiredOnNewDevice"], true);
  // Kept: deletion protection, tags, schema, aliases, identity.
  EXPECT_EQ(after["DeletionProtection"], "ACTIVE");
  EXPECT_EQ(after["UserPoolTags"], (Json{{"team", "a"}}));
  EXPECT_EQ(after["AliasAttributes"], Json({"email"}));
  EXPECT_EQ(after["SchemaAttributes"], pool["SchemaAttributes"]);
  EXPECT_EQ(after["Arn"], pool["Arn"]);
  EXPECT_EQ(after["CreationDate"], 1700000000);
  EXPECT_EQ(after["LastModifiedDate"], 1700000005.5);

  ASSERT_TRUE(service_.UpdateUserPool({{"UserPoolId", id}, {"PoolName", "renamed"}}));
  EXPECT_EQ(Describe(id)["Name"], "renamed");

  auto missing = service_.UpdateUserPool({{"UserPoolId", "us-east-1_nothere00"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "User pool us-east-1_nothere00 does not exist.");
  EXPECT_EQ(service_.UpdateUserPool(Json::object()).error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, AttributesRequiringVerificationMustBeAutoVerified) {
  Json pool = Create({{"PoolName", "p"},
                      {"AutoVerifiedAttributes", {"email"}},
                      {"UserAttributeUpdateSettings",
                       {{"AttributesRequireVerificationBeforeUpdate", {"email"}}}}});
  const std::string id = pool["Id"];
  const std::string message =
      "All attributes in AttributesRequireVerificationBeforeUpdate must exist in "
      "AutoVerifiedAttributes";
  // The setting survives an update that leaves it out, so dropping AutoVerifiedAttributes fails.
  auto r = service_.UpdateUserPool({{"UserPoolId", id}, {"DeletionProtection", "INACTIVE"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), message);
  ASSERT_TRUE(service_.UpdateUserPool({{"UserPoolId", id}, {"AutoVerifiedAttributes", {"email"}}}));
  EXPECT_EQ(CreateError({{"PoolName", "p"},
                         {"UserAttributeUpdateSettings",
                          {{"AttributesRequireVerificationBeforeUpdate", {"phone_number"}}}}})
                .message(),
            message);
}

TEST_F(PoolServiceTest, DeletionProtectionBlocksDelete) {
  Json pool = Create({{"PoolName", "p"}, {"DeletionProtection", "ACTIVE"}});
  const std::string id = pool["Id"];
  auto r = service_.DeleteUserPool(id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(r.error().message(),
            "The user pool cannot be deleted because deletion protection is activated. Deletion "
            "protection must be inactivated first.");
  ASSERT_TRUE(service_.UpdateUserPool({{"UserPoolId", id}, {"DeletionProtection", "INACTIVE"}}));
  ASSERT_TRUE(service_.DeleteUserPool(id));
  EXPECT_EQ(service_.DescribeUserPool(id).error().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(service_.DeleteUserPool(id).error().message(), "User pool " + id + " does not exist.");
}

TEST_F(PoolServiceTest, ListUserPoolsPagesWithAuthenticatedTokens) {
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(Create({{"PoolName", "p" + std::to_string(i)}})["Id"]);
  std::set<std::string> seen;
  Json input{{"MaxResults", 2}};
  int pages = 0;
  for (;;) {
    auto page = service_.ListUserPools(input);
    ASSERT_TRUE(page) << page.error().message();
    ++pages;
    for (const auto& p : (*page)["UserPools"]) {
      seen.insert(p["Id"].get<std::string>());
      EXPECT_TRUE(p.contains("Name"));
      EXPECT_TRUE(p.contains("CreationDate"));
      EXPECT_TRUE(p.contains("LambdaConfig"));
      EXPECT_FALSE(p.contains("SchemaAttributes"));
    }
    if (!page->contains("NextToken")) break;
    input["NextToken"] = (*page)["NextToken"];
  }
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(pages, 3);

  EXPECT_EQ(service_.ListUserPools(Json::object()).error().message(),
            "1 validation error detected: Value null at 'maxResults' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(service_.ListUserPools({{"MaxResults", 61}}).error().message(),
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 60");
  EXPECT_EQ(service_.ListUserPools({{"MaxResults", 0}}).error().code(),
            ErrorCode::kInvalidParameter);
  auto forged = service_.ListUserPools({{"MaxResults", 2}, {"NextToken", "dXMtZWFzdC0x.AAAA"}});
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, AddCustomAttributes) {
  Json pool = Create({{"PoolName", "p"}});
  const std::string id = pool["Id"];
  ASSERT_TRUE(service_.AddCustomAttributes(
      id, Json{{{"Name", "tier"}, {"AttributeDataType", "String"}, {"Mutable", false}},
               {{"Name", "hidden"},
                {"AttributeDataType", "Boolean"},
                {"DeveloperOnlyAttribute", true}}}));
  Json after = Describe(id);
  EXPECT_EQ(Attr(after, "custom:tier")["Mutable"], false);
  EXPECT_EQ(Attr(after, "dev:custom:hidden")["AttributeDataType"], "Boolean");

  auto again =
      service_.AddCustomAttributes(id, Json{{{"Name", "tier"}, {"AttributeDataType", "String"}}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(),
            "custom:tier: Existing attribute already has name custom:tier.");
  auto dev =
      service_.AddCustomAttributes(id, Json{{{"Name", "hidden"}, {"AttributeDataType", "String"}}});
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().message(),
            "custom:hidden: Existing attribute already has name dev:custom:hidden.");
  EXPECT_EQ(service_.AddCustomAttributes(id, Json::array()).error().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(service_
                .AddCustomAttributes(
                    id, Json{{{"Name", "r"}, {"AttributeDataType", "String"}, {"Required", true}}})
                .error()
                .message(),
            "Required custom attributes are not supported currently.");
  EXPECT_EQ(service_
                .AddCustomAttributes("us-east-1_nothere00",
                                     Json{{{"Name", "a"}, {"AttributeDataType", "String"}}})
                .error()
                .code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(PoolServiceTest, Tags) {
  Json pool = Create({{"PoolName", "p"}, {"UserPoolTags", {{"a", "1"}}}});
  const std::string arn = pool["Arn"];
  ASSERT_TRUE(service_.TagResource(arn, {{"b", "2"}, {"a", "3"}}));
  auto tags = service_.ListTagsForResource(arn);
  ASSERT_TRUE(tags);
  EXPECT_EQ((*tags)["Tags"], (Json{{"a", "3"}, {"b", "2"}}));
  ASSERT_TRUE(service_.UntagResource(arn, Json{"a", "missing"}));
  EXPECT_EQ((*service_.ListTagsForResource(arn))["Tags"], (Json{{"b", "2"}}));
  EXPECT_EQ(Describe(pool["Id"])["UserPoolTags"], (Json{{"b", "2"}}));

  EXPECT_EQ(service_.TagResource("not-an-arn", {{"a", "b"}}).error().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(
      service_
          .TagResource("arn:aws:cognito-idp:us-east-1:000000000000:identitypool/x", {{"a", "b"}})
          .error()
          .code(),
      ErrorCode::kInvalidParameter);
  auto missing = service_.ListTagsForResource(
      "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_nothere00");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "User pool us-east-1_nothere00 does not exist.");
  std::string other_region = arn;
  other_region.replace(other_region.find("us-east-1"), 9, "eu-west-1");
  EXPECT_EQ(service_.ListTagsForResource(other_region).error().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(service_.TagResource(arn, {{"aws:x", "1"}}).error().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(service_.TagResource(arn, {{std::string(129, 'k'), "1"}}).error().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(service_.TagResource(arn, {{"k", std::string(257, 'v')}}).error().code(),
            ErrorCode::kInvalidParameter);
  EXPECT_EQ(service_.TagResource(arn, {{"k", 1}}).error().code(), ErrorCode::kInvalidParameter);
  Json many = Json::object();
  for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(service_.TagResource(arn, many).error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(PoolServiceTest, PrivateMembersSurviveUpdatesAndStayHidden) {
  Json pool = Create({{"PoolName", "p"}});
  const std::string id = pool["Id"];
  // Another service (MFA configuration) keeps its state in the document under a '_' member.
  auto row = t_.store.GetPool(id);
  ASSERT_TRUE(row);
  Json doc = Json::parse(row->doc);
  doc["_SoftwareTokenMfaConfiguration"] = {{"Enabled", true}};
  row->doc = doc.dump();
  ASSERT_TRUE(t_.store.UpdatePool(*row, row->version));

  // TOTP counts as a second factor, so MFA can be required without an SMS configuration.
  ASSERT_TRUE(service_.UpdateUserPool({{"UserPoolId", id}, {"MfaConfiguration", "ON"}}));
  Json after = Describe(id);
  EXPECT_EQ(after["MfaConfiguration"], "ON");
  EXPECT_FALSE(after.contains("_SoftwareTokenMfaConfiguration"));
  auto stored = t_.store.GetPool(id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(Json::parse(stored->doc).contains("_SoftwareTokenMfaConfiguration"));
}

TEST_F(PoolServiceTest, LostRaceIsRetriedOnce) {
  Json pool = Create({{"PoolName", "p"}});
  const std::string id = pool["Id"];
  t_.store.pool_conflicts_left = 1;
  ASSERT_TRUE(service_.UpdateUserPool({{"UserPoolId", id}, {"PoolName", "q"}}));
  EXPECT_EQ(Describe(id)["Name"], "q");
  t_.store.pool_conflicts_left = 2;
  auto r = service_.UpdateUserPool({{"UserPoolId", id}, {"PoolName", "r"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kConcurrentModification);
  EXPECT_EQ(Describe(id)["Name"], "q");
}

}  // namespace
}  // namespace cognate::domain::userpool
