#include "domain/mfa/mfa_config.h"

#include <gtest/gtest.h>

#include "crypto/totp.h"
#include "domain/mfa/user_mfa.h"
#include "domain/users/test_support.h"

namespace cognate::domain::mfa {
namespace {

using nlohmann::json;

const json kSms = {{"SnsCallerArn", "arn:aws:iam::000000000000:role/sms"}};

ApiError Refused(const json& input, json doc = json::object()) {
  auto r = ApplyMfaConfig(input, doc);
  EXPECT_FALSE(r);
  return r ? ApiError() : r.error();
}

TEST(MfaConfigTest, OffCannotCarryAFactor) {
  ApiError e = Refused(
      {{"MfaConfiguration", "OFF"}, {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}});
  EXPECT_EQ(e.code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(e.message(),
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.");
}

TEST(MfaConfigTest, OnNeedsAFactor) {
  ApiError e = Refused({{"MfaConfiguration", "ON"}});
  EXPECT_EQ(e.message(),
            "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be "
            "enabled.");
  e = Refused(
      {{"MfaConfiguration", "OPTIONAL"}, {"SoftwareTokenMfaConfiguration", {{"Enabled", false}}}});
  EXPECT_EQ(e.code(), ErrorCode::kInvalidParameter);
}

TEST(MfaConfigTest, SmsNeedsAnSmsConfigurationAndACodePlaceholder) {
  EXPECT_EQ(
      Refused({{"MfaConfiguration", "ON"}, {"SmsMfaConfiguration", json::object()}}).message(),
      "SMS configuration and Auto verification for phone_number are required when MFA is "
      "required/optional");
  EXPECT_EQ(Refused({{"MfaConfiguration", "ON"},
                     {"SmsMfaConfiguration",
                      {{"SmsConfiguration", kSms}, {"SmsAuthenticationMessage", "no code"}}}})
                .code(),
            ErrorCode::kInvalidParameter);
  json doc = {{"SmsConfiguration", kSms}};  // already on the pool
  ASSERT_TRUE(
      ApplyMfaConfig({{"MfaConfiguration", "OPTIONAL"},
                      {"SmsMfaConfiguration", {{"SmsAuthenticationMessage", "Code {####}"}}}},
                     doc));
  const PoolMfa mfa = ReadPoolMfa(doc);
  EXPECT_EQ(mfa.mode, "OPTIONAL");
  EXPECT_TRUE(mfa.sms);
  EXPECT_FALSE(mfa.software_token);
  EXPECT_EQ(mfa.sms_message, "Code {####}");
  EXPECT_EQ(MfaConfigJson(doc),
            json({{"MfaConfiguration", "OPTIONAL"},
                  {"SmsMfaConfiguration",
                   {{"SmsConfiguration", kSms}, {"SmsAuthenticationMessage", "Code {####}"}}}}));
}

TEST(MfaConfigTest, EmailNeedsADeveloperEmailAccountAndAPaidTier) {
  const json email = {{"MfaConfiguration", "ON"},
                      {"EmailMfaConfiguration", {{"Message", "Code {####}"}, {"Subject", "S"}}}};
  EXPECT_EQ(Refused(email).code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(
      Refused(email, {{"EmailConfiguration", {{"EmailSendingAccount", "COGNITO_DEFAULT"}}}}).code(),
      ErrorCode::kInvalidParameter);
  EXPECT_EQ(Refused(email, {{"UserPoolTier", "LITE"},
                            {"EmailConfiguration", {{"EmailSendingAccount", "DEVELOPER"}}}})
                .code(),
            ErrorCode::kFeatureUnavailableInTier);
  json doc = {{"EmailConfiguration", {{"EmailSendingAccount", "DEVELOPER"}}}};
  ASSERT_TRUE(ApplyMfaConfig(email, doc));
  const PoolMfa mfa = ReadPoolMfa(doc);
  EXPECT_TRUE(mfa.email);
  EXPECT_EQ(mfa.email_message, "Code {####}");
  EXPECT_EQ(mfa.email_subject, "S");
  EXPECT_EQ(MfaConfigJson(doc)["EmailMfaConfiguration"],
            json({{"Message", "Code {####}"}, {"Subject", "S"}}));
}

TEST(MfaConfigTest, ARequestReplacesTheFactorsAndOffHidesThem) {
  json doc = {{"SmsConfiguration", kSms}};
  ASSERT_TRUE(ApplyMfaConfig({{"MfaConfiguration", "ON"},
                              {"SmsMfaConfiguration", json::object()},
                              {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}},
                             doc));
  EXPECT_TRUE(ReadPoolMfa(doc).sms);
  EXPECT_TRUE(ReadPoolMfa(doc).software_token);
  // Leaving SMS out turns it off; the mode stays when not given.
  ASSERT_TRUE(ApplyMfaConfig({{"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}}, doc));
  EXPECT_EQ(ReadPoolMfa(doc).mode, "ON");
  EXPECT_FALSE(ReadPoolMfa(doc).sms);
  ASSERT_TRUE(ApplyMfaConfig({{"MfaConfiguration", "OFF"}}, doc));
  EXPECT_EQ(MfaConfigJson(doc), json({{"MfaConfiguration", "OFF"}}));
  EXPECT_FALSE(ReadPoolMfa(doc).software_token);
}

TEST(MfaConfigTest, LegacyPoolsUseTheirSmsConfiguration) {
  // CreateUserPool with MfaConfiguration ON and an SmsConfiguration: SMS MFA is on.
  const json doc = {{"MfaConfiguration", "ON"}, {"SmsConfiguration", kSms}};
  EXPECT_TRUE(ReadPoolMfa(doc).sms);
  EXPECT_EQ(ReadPoolMfa(doc).sms_message, kDefaultMfaMessage);
  EXPECT_FALSE(ReadPoolMfa({{"MfaConfiguration", "OFF"}, {"SmsConfiguration", kSms}}).sms);
}

TEST(MfaConfigTest, ServiceStoresAndReportsTheConfiguration) {
  users::testing::TestEnv env;
  env.MakePool("us-east-1_Mfa");
  MfaConfigService svc(env.ctx);
  auto set = svc.Set({{"UserPoolId", "us-east-1_Mfa"},
                      {"MfaConfiguration", "OPTIONAL"},
                      {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}});
  ASSERT_TRUE(set) << set.error().message();
  auto got = svc.Get("us-east-1_Mfa");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, json({{"MfaConfiguration", "OPTIONAL"},
                        {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}}));
  EXPECT_EQ(*set, *got);
  EXPECT_EQ(svc.Get("us-east-1_Nope").error().code(), ErrorCode::kResourceNotFound);
}

// ---- user settings --------------------------------------------------------------------------

users::UserRecord UserWith(std::map<std::string, std::string> attrs) {
  users::UserRecord u;
  u.pool_id = "us-east-1_Mfa";
  u.sub = "sub-1";
  u.attributes = std::move(attrs);
  return u;
}

TEST(UserMfaTest, EnablingNeedsADeliveryChannel) {
  users::UserRecord u = UserWith({});
  MfaPreference p;
  p.sms = FactorSetting{true, false};
  EXPECT_EQ(ApplyPreference(u, p).error().message(),
            "User does not have delivery config set to turn on SMS_MFA");
  p = {};
  p.email = FactorSetting{true, false};
  EXPECT_EQ(ApplyPreference(u, p).error().message(),
            "User does not have delivery config set to turn on EMAIL_OTP");
  p = {};
  p.software_token = FactorSetting{true, true};
  EXPECT_EQ(ApplyPreference(u, p).error().message(),
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA");
  u.doc[kPendingTokenMember] = {{"secret", "x"}};
  EXPECT_EQ(ApplyPreference(u, p).error().message(), "User has not verified software token mfa");
  EXPECT_TRUE(EnabledFactors(u).empty());
}

TEST(UserMfaTest, PreferenceAndDisabling) {
  users::UserRecord u = UserWith({{"phone_number", "+15555550100"}, {"email", "a@b.c"}});
  MfaPreference p;
  p.sms = FactorSetting{true, false};
  p.email = FactorSetting{true, true};
  ASSERT_TRUE(ApplyPreference(u, p));
  EXPECT_EQ(EnabledFactors(u), (std::vector<std::string>{"SMS_MFA", "EMAIL_OTP"}));
  EXPECT_EQ(PreferredFactor(u), "EMAIL_OTP");
  p = {};
  p.email = FactorSetting{false, false};
  ASSERT_TRUE(ApplyPreference(u, p));
  EXPECT_EQ(EnabledFactors(u), (std::vector<std::string>{"SMS_MFA"}));
  EXPECT_EQ(PreferredFactor(u), "");
  // Legacy MFAOptions: an empty list turns SMS off.
  ASSERT_TRUE(ApplyMfaOptions(u, {}));
  EXPECT_TRUE(EnabledFactors(u).empty());
  EXPECT_FALSE(u.doc.contains(kMfaSettingsMember));
  ASSERT_TRUE(ApplyMfaOptions(u, {{"SMS", "phone_number"}}));
  EXPECT_EQ(EnabledFactors(u), (std::vector<std::string>{"SMS_MFA"}));
  EXPECT_EQ(ApplyMfaOptions(u, {{"EMAIL", "email"}}).error().code(), ErrorCode::kInvalidParameter);
}

TEST(UserMfaTest, UsableFactorsNeedThePoolAndTheChannel) {
  users::UserRecord u = UserWith({{"phone_number", "+15555550100"}});
  u.doc[kMfaSettingsMember] = {"SMS_MFA", "SOFTWARE_TOKEN_MFA"};
  PoolMfa pool;
  pool.mode = "ON";
  pool.sms = true;
  pool.software_token = true;
  // No verified token: TOTP does not count.
  EXPECT_EQ(UsableFactors(pool, u), (std::vector<std::string>{"SMS_MFA"}));
  pool.sms = false;
  EXPECT_TRUE(UsableFactors(pool, u).empty());
}

TEST(UserMfaTest, ASoftwareTokenCodeIsAcceptedOnce) {
  users::testing::TestEnv env;
  users::UserRecord u = UserWith({});
  const std::string secret = NewTotpSecret();
  u.doc[kSoftwareTokenMember] = {{"secret", SealTotpSecret(env.ctx, u, secret)}};
  const std::int64_t now = 1'700'000'000;
  const std::string code = crypto::Totp(secret, now);
  EXPECT_EQ(CheckSoftwareToken(env.ctx, u, "000000" == code ? "111111" : "000000", now),
            TotpOutcome::kMismatch);
  EXPECT_EQ(CheckSoftwareToken(env.ctx, u, code, now), TotpOutcome::kOk);
  EXPECT_EQ(CheckSoftwareToken(env.ctx, u, code, now), TotpOutcome::kReused);
  // The previous step's code (within the window) is older than the one used: refused too.
  EXPECT_EQ(CheckSoftwareToken(env.ctx, u, crypto::Totp(secret, now - 30), now),
            TotpOutcome::kReused);
  EXPECT_EQ(CheckSoftwareToken(env.ctx, u, crypto::Totp(secret, now + 30), now), TotpOutcome::kOk);
  // Outside the ±1 step window.
  EXPECT_EQ(CheckSoftwareToken(env.ctx, u, crypto::Totp(secret, now + 120), now),
            TotpOutcome::kMismatch);
  EXPECT_EQ(TotpError(TotpOutcome::kReused).message(),
            "Your software token has already been used once.");
  EXPECT_EQ(TotpError(TotpOutcome::kMismatch).message(), "Invalid code received for user");
  // The sealed secret is bound to the user.
  users::UserRecord other = UserWith({});
  other.sub = "sub-2";
  EXPECT_FALSE(
      OpenTotpSecret(env.ctx, other, u.doc[kSoftwareTokenMember]["secret"].get<std::string>()));
}

}  // namespace
}  // namespace cognate::domain::mfa
