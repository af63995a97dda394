#include "domain/users/pool_rules.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/users/test_support.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

PoolRules Rules(json doc) {
  store::PoolRow row;
  row.id = "us-east-1_Test";
  row.doc = doc.dump();
  return PoolRules::FromRow(row);
}

TEST(PoolRulesTest, EmptyDocGetsCognitoDefaults) {
  PoolRules r = Rules(json::object());
  EXPECT_TRUE(r.case_sensitive());
  EXPECT_EQ(r.password_policy().minimum_length, 8);
  EXPECT_TRUE(r.password_policy().require_symbols);
  EXPECT_EQ(r.password_policy().temporary_password_validity_days, 7);
  ASSERT_NE(r.FindAttribute("email"), nullptr);
  EXPECT_TRUE(r.FindAttribute("email")->is_mutable);
  ASSERT_NE(r.FindAttribute("sub"), nullptr);
  EXPECT_FALSE(r.FindAttribute("sub")->is_mutable);
  EXPECT_EQ(r.FindAttribute("email_verified")->data_type, "Boolean");
  EXPECT_EQ(r.FindAttribute("custom:x"), nullptr);
  EXPECT_EQ(r.invite_template().email_subject, "Your temporary password");
  EXPECT_NE(r.invite_template().sms_message.find("{####}"), std::string::npos);
  ASSERT_EQ(r.recovery_channels().size(), 2u);
  EXPECT_EQ(r.recovery_channels()[0], RecoveryChannel::kVerifiedEmail);
}

TEST(PoolRulesTest, DamagedDocIsTolerated) {
  store::PoolRow row;
  row.id = "p";
  row.doc = "{not json";
  PoolRules r = PoolRules::FromRow(row);
  EXPECT_NE(r.FindAttribute("email"), nullptr);
}

TEST(PoolRulesTest, ReadsDescribeUserPoolShape) {
  PoolRules r = Rules(json::parse(R"({
    "SchemaAttributes": [
      {"Name": "email", "AttributeDataType": "String", "Mutable": true, "Required": true,
       "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}},
      {"Name": "custom:tier", "AttributeDataType": "Number", "Mutable": false,
       "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "5"}}],
    "UsernameAttributes": ["email"],
    "AliasAttributes": [],
    "AutoVerifiedAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": false},
    "Policies": {"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": false,
                 "RequireLowercase": true, "RequireNumbers": false, "RequireSymbols": false,
                 "TemporaryPasswordValidityDays": 3}},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true,
      "InviteMessageTemplate": {"EmailMessage": "Hi {username}: {####}", "EmailSubject": "Welcome",
                                "SMSMessage": "{username} {####}"}},
    "VerificationMessageTemplate": {"EmailMessage": "Code {####}", "EmailSubject": "Verify",
                                    "SmsMessage": "SMS {####}"},
    "AccountRecoverySetting": {"RecoveryMechanisms": [
      {"Priority": 2, "Name": "verified_phone_number"}, {"Priority": 1, "Name": "verified_email"}]}
  })"));
  EXPECT_FALSE(r.case_sensitive());
  EXPECT_TRUE(r.IsUsernameAttribute("email"));
  EXPECT_FALSE(r.IsUsernameAttribute("phone_number"));
  EXPECT_TRUE(r.IsAutoVerified("email"));
  EXPECT_TRUE(r.FindAttribute("email")->required);
  const SchemaAttribute* tier = r.FindAttribute("custom:tier");
  ASSERT_NE(tier, nullptr);
  EXPECT_EQ(tier->data_type, "Number");
  EXPECT_FALSE(tier->is_mutable);
  EXPECT_EQ(tier->min_value, 1);
  EXPECT_EQ(tier->max_value, 5);
  EXPECT_EQ(r.password_policy().minimum_length, 10);
  EXPECT_EQ(r.password_policy().temporary_password_validity_days, 3);
  EXPECT_EQ(r.invite_template().email_message, "Hi {username}: {####}");
  EXPECT_EQ(r.verification_template().email_subject, "Verify");
  EXPECT_EQ(r.recovery_channels()[0], RecoveryChannel::kVerifiedEmail);
  EXPECT_EQ(r.NormalizeUsername("AbC@X.io"), "abc@x.io");
  // Standard attributes the document did not list are still there.
  EXPECT_NE(r.FindAttribute("given_name"), nullptr);
}

TEST(PoolRulesTest, PasswordViolationsInCognitoOrder) {
  PoolRules r = Rules(json::object());
  EXPECT_EQ(r.PasswordViolation("Ab1!"), "Password not long enough");
  EXPECT_EQ(r.PasswordViolation("abcdefg1!"), "Password must have uppercase characters");
  EXPECT_EQ(r.PasswordViolation("ABCDEFG1!"), "Password must have lowercase characters");
  EXPECT_EQ(r.PasswordViolation("Abcdefgh!"), "Password must have numeric characters");
  EXPECT_EQ(r.PasswordViolation("Abcdefgh1"), "Password must have symbol characters");
  EXPECT_EQ(r.PasswordViolation("Abcdefg1!"), std::nullopt);
  EXPECT_EQ(r.PasswordViolation("Abcdefg1 "), std::nullopt);  // space is a symbol
}

TEST(PoolRulesTest, GeneratedPasswordsConform) {
  PoolRules r = Rules(json::parse(R"({"Policies": {"PasswordPolicy": {"MinimumLength": 20}}})"));
  for (int i = 0; i < 50; ++i) {
    std::string p = r.GeneratePassword();
    EXPECT_EQ(p.size(), 20u);
    EXPECT_EQ(r.PasswordViolation(p), std::nullopt) << p;
  }
}

TEST(PoolRulesTest, LoadPoolRulesMissingPool) {
  testing::TestEnv env;
  auto r = LoadPoolRules(env.ctx, "us-east-1_Nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(r.error().message(), "User pool us-east-1_Nope does not exist.");
}

}  // namespace
}  // namespace cognate::domain::users
