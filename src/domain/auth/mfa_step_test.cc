// The MFA step of the sign-in flows (mfa_step.cc) and the MFA_SETUP walk through
// AssociateSoftwareToken / VerifySoftwareToken by Session (domain/mfa/mfa_service.h).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/totp.h"
#include "domain/auth/auth_service.h"
#include "domain/mfa/mfa_config.h"
#include "domain/mfa/mfa_service.h"
#include "domain/mfa/user_mfa.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;

constexpr char kMfaStepPool[] = "us-east-1_MfaPool1";
using users::testing::kPassword;

class MfaIssuer final : public TokenIssuer {
 public:
  Result<tokens::IssuedTokens> IssueForSignIn(const tokens::SignInGrant& grant) override {
    tokens::IssuedTokens t;
    t.access_token = "access." + grant.sub;
    t.id_token = "id";
    t.expires_in_s = 3600;
    return t;
  }
  Result<tokens::IssuedTokens> Refresh(const tokens::RefreshInput&) override {
    return ApiError::NotAuthorized("no");
  }
};

class MfaStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kMfaStepPool, {{"SmsConfiguration", {{"SnsCallerArn", "arn:aws:iam::1:role/s"}}},
                                 {"EmailConfiguration", {{"EmailSendingAccount", "DEVELOPER"}}}});
    json client = {{"ClientId", "c1"},
                   {"UserPoolId", kMfaStepPool},
                   {"ClientName", "c"},
                   {"ExplicitAuthFlows", {"ALLOW_USER_PASSWORD_AUTH"}},
                   {"PreventUserExistenceErrors", "ENABLED"},
                   {"AuthSessionValidity", 5}};
    ASSERT_TRUE(env_.store.CreateClient({kMfaStepPool, "c1", "c", client.dump(), 0, 0, 0}));
  }

  void Configure(json config) {
    config["UserPoolId"] = kMfaStepPool;
    auto r = mfa::MfaConfigService(env_.ctx).Set(config);
    ASSERT_TRUE(r) << r.error().message();
  }

  void MakeUser(const std::string& name, std::vector<users::AttributeInput> attrs = {}) {
    users::AdminCreateUserInput in;
    in.pool_id = kMfaStepPool;
    in.username = name;
    in.attributes = std::move(attrs);
    in.temporary_password = kPassword;
    in.message_action = "SUPPRESS";
    ASSERT_TRUE(users_.AdminCreateUser(in));
    ASSERT_TRUE(users_.AdminSetUserPassword(kMfaStepPool, name, kPassword, true));
  }

  Result<AuthOutcome> SignIn(const std::string& name) {
    InitiateAuthInput in;
    in.client_id = "c1";
    in.auth_flow = "USER_PASSWORD_AUTH";
    in.parameters = {{"USERNAME", name}, {"PASSWORD", kPassword}};
    return auth_.InitiateAuth(in);
  }

  Result<AuthOutcome> Respond(const std::string& challenge, const std::string& session,
                              StringMap responses) {
    RespondInput in;
    in.client_id = "c1";
    in.challenge_name = challenge;
    in.session = session;
    in.responses = std::move(responses);
    return auth_.RespondToAuthChallenge(in);
  }

  // Gives `name` a verified software token; returns its secret.
  std::string WithToken(const std::string& name) {
    auto u = users_.AdminGetUser(kMfaStepPool, name);
    EXPECT_TRUE(u);
    const std::string secret = mfa::NewTotpSecret();
    u->doc[mfa::kSoftwareTokenMember] = {{"secret", mfa::SealTotpSecret(env_.ctx, *u, secret)}};
    auto rules = users::LoadPoolRules(env_.ctx, kMfaStepPool);
    EXPECT_TRUE(users::SaveUser(env_.ctx, *rules, *u));
    return secret;
  }

  void Prefer(const std::string& name, mfa::MfaPreference p) {
    ASSERT_TRUE(mfa_.AdminSetUserMfaPreference(kMfaStepPool, name, p));
  }

  std::string LastCode() {
    auto sent = env_.sink.Sent();
    EXPECT_FALSE(sent.empty());
    const std::string& body = sent.empty() ? std::string() : sent.back().body;
    const auto pos = body.find_first_of("0123456789");
    return pos == std::string::npos ? "" : body.substr(pos, 6);
  }

  std::string Totp(const std::string& secret, std::int64_t offset_s = 0) {
    return crypto::Totp(secret, env_.clock.NowSeconds() + offset_s);
  }

  users::testing::TestEnv env_;
  users::UserService users_{env_.ctx};
  AuthService auth_{env_.ctx, std::make_shared<MfaIssuer>()};
  mfa::MfaService mfa_{env_.ctx, users::AccessTokenGate{}};
};

TEST_F(MfaStepTest, OffAndOptionalWithoutAFactorIssueTokens) {
  MakeUser("alice");
  auto out = SignIn("alice");
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->tokens);
  Configure(
      {{"MfaConfiguration", "OPTIONAL"}, {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}});
  out = SignIn("alice");
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->tokens);
}

TEST_F(MfaStepTest, SoftwareTokenChallengeRefusesWrongAndReusedCodes) {
  Configure(
      {{"MfaConfiguration", "OPTIONAL"}, {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}}});
  MakeUser("bob");
  const std::string secret = WithToken("bob");
  mfa::MfaPreference p;
  p.software_token = mfa::FactorSetting{true, true};
  Prefer("bob", p);

  auto out = SignIn("bob");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "SOFTWARE_TOKEN_MFA");
  EXPECT_TRUE(out->challenge_parameters.empty());
  const std::string code = Totp(secret);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_ERROR(Respond("SOFTWARE_TOKEN_MFA", out->session,
                       {{"USERNAME", "bob"}, {"SOFTWARE_TOKEN_MFA_CODE", wrong}}),
               kCodeMismatch, "Invalid code received for user");
  EXPECT_ERROR(Respond("SOFTWARE_TOKEN_MFA", out->session, {{"USERNAME", "bob"}}),
               kInvalidParameter, "Missing required parameter SOFTWARE_TOKEN_MFA_CODE");
  // The session survives a wrong code.
  auto done = Respond("SOFTWARE_TOKEN_MFA", out->session,
                      {{"USERNAME", "bob"}, {"SOFTWARE_TOKEN_MFA_CODE", code}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
  // ... and is spent by the right one.
  EXPECT_ERROR(Respond("SOFTWARE_TOKEN_MFA", out->session,
                       {{"USERNAME", "bob"}, {"SOFTWARE_TOKEN_MFA_CODE", code}}),
               kNotAuthorized, "Invalid session for the user.");
  // The same code in a new sign-in: already used.
  out = SignIn("bob");
  ASSERT_TRUE(out);
  EXPECT_ERROR(Respond("SOFTWARE_TOKEN_MFA", out->session,
                       {{"USERNAME", "bob"}, {"SOFTWARE_TOKEN_MFA_CODE", code}}),
               kExpiredCode, "Your software token has already been used once.");
  // Too old (two steps back).
  env_.clock.AdvanceMillis(30'000);
  EXPECT_ERROR(Respond("SOFTWARE_TOKEN_MFA", out->session,
                       {{"USERNAME", "bob"}, {"SOFTWARE_TOKEN_MFA_CODE", Totp(secret, -90)}}),
               kCodeMismatch, "Invalid code received for user");
  done = Respond("SOFTWARE_TOKEN_MFA", out->session,
                 {{"USERNAME", "bob"}, {"SOFTWARE_TOKEN_MFA_CODE", Totp(secret)}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
}

TEST_F(MfaStepTest, SmsCodeIsMaskedSentAndExpires) {
  Configure({{"MfaConfiguration", "OPTIONAL"},
             {"SmsMfaConfiguration", {{"SmsAuthenticationMessage", "Code: {####}"}}}});
  MakeUser("carol", {{"phone_number", "+15555550123"}});
  mfa::MfaPreference p;
  p.sms = mfa::FactorSetting{true, false};
  Prefer("carol", p);
  auto out = SignIn("carol");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "SMS_MFA");
  EXPECT_EQ(out->challenge_parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
  EXPECT_EQ(out->challenge_parameters["CODE_DELIVERY_DESTINATION"], "+*******0123");
  const auto sent = env_.sink.Sent().back();
  EXPECT_EQ(sent.channel, OutboundMessage::Channel::kSms);
  EXPECT_EQ(sent.destination, "+15555550123");
  EXPECT_EQ(sent.body.rfind("Code: ", 0), 0u);
  const std::string code = LastCode();
  EXPECT_ERROR(Respond("SMS_MFA", out->session, {{"USERNAME", "carol"}, {"SMS_MFA_CODE", "x"}}),
               kCodeMismatch, "Invalid code or auth state for the user.");
  // The code lives 3 minutes, the session 5.
  env_.clock.AdvanceMillis(3 * 60 * 1000);
  EXPECT_ERROR(Respond("SMS_MFA", out->session, {{"USERNAME", "carol"}, {"SMS_MFA_CODE", code}}),
               kExpiredCode, "Invalid code provided, please request a code again.");
  env_.clock.AdvanceMillis(2 * 60 * 1000);
  EXPECT_ERROR(Respond("SMS_MFA", out->session, {{"USERNAME", "carol"}, {"SMS_MFA_CODE", code}}),
               kNotAuthorized, "Invalid session for the user, session is expired.");

  out = SignIn("carol");
  ASSERT_TRUE(out);
  EXPECT_ERROR(Respond("SMS_MFA", out->session, {{"USERNAME", "dave"}, {"SMS_MFA_CODE", "1"}}),
               kNotAuthorized, "Invalid session for the user.");
  auto done =
      Respond("SMS_MFA", out->session, {{"USERNAME", "carol"}, {"SMS_MFA_CODE", LastCode()}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
}

TEST_F(MfaStepTest, RepeatedWrongCodesLockTheUserOut) {
  Configure({{"MfaConfiguration", "ON"}, {"SmsMfaConfiguration", json::object()}});
  MakeUser("erin", {{"phone_number", "+15555550199"}});
  // MFA ON, nothing enabled, a phone number: SMS_MFA.
  auto out = SignIn("erin");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "SMS_MFA");
  const std::string code = LastCode();
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_ERROR(Respond("SMS_MFA", out->session, {{"USERNAME", "erin"}, {"SMS_MFA_CODE", wrong}}),
                 kCodeMismatch, "Invalid code or auth state for the user.");
  }
  EXPECT_ERROR(Respond("SMS_MFA", out->session, {{"USERNAME", "erin"}, {"SMS_MFA_CODE", code}}),
               kNotAuthorized, "Password attempts exceeded");
  EXPECT_ERROR(SignIn("erin"), kNotAuthorized, "Password attempts exceeded");
  env_.clock.AdvanceMillis(1000);
  auto done = Respond("SMS_MFA", out->session, {{"USERNAME", "erin"}, {"SMS_MFA_CODE", code}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
}

TEST_F(MfaStepTest, SelectMfaTypeWhenSeveralAndNonePreferred) {
  Configure({{"MfaConfiguration", "OPTIONAL"},
             {"SmsMfaConfiguration", json::object()},
             {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}},
             {"EmailMfaConfiguration", {{"Subject", "Your code"}}}});
  MakeUser("frank", {{"phone_number", "+15555550111"}, {"email", "frank@example.com"}});
  const std::string secret = WithToken("frank");
  mfa::MfaPreference p;
  p.sms = mfa::FactorSetting{true, false};
  p.software_token = mfa::FactorSetting{true, false};
  p.email = mfa::FactorSetting{true, false};
  Prefer("frank", p);
  auto out = SignIn("frank");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "SELECT_MFA_TYPE");
  EXPECT_EQ(out->challenge_parameters["MFAS_CAN_CHOOSE"],
            R"(["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"])");
  EXPECT_ERROR(Respond("SELECT_MFA_TYPE", out->session, {{"USERNAME", "frank"}, {"ANSWER", "X"}}),
               kInvalidParameter, "Invalid MFA type X selected.");
  auto email =
      Respond("SELECT_MFA_TYPE", out->session, {{"USERNAME", "frank"}, {"ANSWER", "EMAIL_OTP"}});
  ASSERT_TRUE(email) << email.error().message();
  ASSERT_EQ(email->challenge_name, "EMAIL_OTP");
  EXPECT_EQ(email->challenge_parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
  EXPECT_EQ(email->challenge_parameters["CODE_DELIVERY_DESTINATION"], "f***@e***.com");
  EXPECT_EQ(env_.sink.Sent().back().subject, "Your code");
  auto done =
      Respond("EMAIL_OTP", email->session, {{"USERNAME", "frank"}, {"EMAIL_OTP_CODE", LastCode()}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);

  // With a preference, that factor directly.
  p = {};
  p.software_token = mfa::FactorSetting{true, true};
  Prefer("frank", p);
  out = SignIn("frank");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->challenge_name, "SOFTWARE_TOKEN_MFA");
  (void)secret;
}

TEST_F(MfaStepTest, MfaSetupBySoftwareToken) {
  Configure({{"MfaConfiguration", "ON"},
             {"SoftwareTokenMfaConfiguration", {{"Enabled", true}}},
             {"EmailMfaConfiguration", json::object()}});
  MakeUser("gina");
  auto out = SignIn("gina");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "MFA_SETUP");
  EXPECT_EQ(out->challenge_parameters["MFAS_CAN_SETUP"], R"(["SOFTWARE_TOKEN_MFA","EMAIL_OTP"])");
  // Not set up yet.
  EXPECT_ERROR(Respond("MFA_SETUP", out->session, {{"USERNAME", "gina"}}), kInvalidParameter,
               "User has not verified software token mfa");

  auto assoc = mfa_.AssociateSoftwareToken(std::nullopt, out->session);
  ASSERT_TRUE(assoc) << assoc.error().message();
  EXPECT_EQ(assoc->secret_code.size(), 52u);
  ASSERT_FALSE(assoc->session.empty());
  // The MFA_SETUP session was spent by the association.
  EXPECT_ERROR(mfa_.AssociateSoftwareToken(std::nullopt, out->session), kNotAuthorized,
               "Invalid session for the user.");
  const std::string secret = *crypto::Base32Decode(assoc->secret_code);
  const std::string code = Totp(secret);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_ERROR(mfa_.VerifySoftwareToken(std::nullopt, assoc->session, wrong, std::nullopt),
               kEnableSoftwareTokenMFA, "Code mismatch and fail enable Software Token MFA");
  auto verified = mfa_.VerifySoftwareToken(std::nullopt, assoc->session, code, "phone");
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->status, "SUCCESS");
  auto done = Respond("MFA_SETUP", verified->session, {{"USERNAME", "gina"}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);

  auto user = users_.AdminGetUser(kMfaStepPool, "gina");
  ASSERT_TRUE(user);
  EXPECT_EQ(mfa::EnabledFactors(*user), (std::vector<std::string>{"SOFTWARE_TOKEN_MFA"}));
  EXPECT_EQ(mfa::PreferredFactor(*user), "SOFTWARE_TOKEN_MFA");
  EXPECT_EQ((*user).doc[mfa::kSoftwareTokenMember]["name"], "phone");
  // Next sign-in asks for the token; the code used at setup does not work again.
  out = SignIn("gina");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "SOFTWARE_TOKEN_MFA");
  EXPECT_ERROR(Respond("SOFTWARE_TOKEN_MFA", out->session,
                       {{"USERNAME", "gina"}, {"SOFTWARE_TOKEN_MFA_CODE", code}}),
               kExpiredCode, "Your software token has already been used once.");
}

TEST_F(MfaStepTest, MfaSetupByEmail) {
  Configure({{"MfaConfiguration", "ON"}, {"EmailMfaConfiguration", json::object()}});
  MakeUser("hank");
  auto out = SignIn("hank");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->challenge_name, "MFA_SETUP");
  EXPECT_EQ(out->challenge_parameters["MFAS_CAN_SETUP"], R"(["EMAIL_OTP"])");
  auto email = Respond("MFA_SETUP", out->session, {{"USERNAME", "hank"}, {"EMAIL", "h@x.org"}});
  ASSERT_TRUE(email) << email.error().message();
  ASSERT_EQ(email->challenge_name, "EMAIL_OTP");
  EXPECT_EQ(env_.sink.Sent().back().destination, "h@x.org");
  EXPECT_EQ(env_.sink.Sent().back().subject, mfa::kDefaultEmailMfaSubject);
  auto done =
      Respond("EMAIL_OTP", email->session, {{"USERNAME", "hank"}, {"EMAIL_OTP_CODE", LastCode()}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
  auto user = users_.AdminGetUser(kMfaStepPool, "hank");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->Attribute("email"), "h@x.org");
  EXPECT_TRUE(user->IsTrue("email_verified"));
  EXPECT_EQ(mfa::EnabledFactors(*user), (std::vector<std::string>{"EMAIL_OTP"}));
  // From now on: EMAIL_OTP straight away.
  out = SignIn("hank");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->challenge_name, "EMAIL_OTP");

  // A user with a verified e-mail address and nothing enabled: EMAIL_OTP, no setup; an
  // unverified address is not used.
  MakeUser("iris", {{"email", "iris@example.com"}, {"email_verified", "true"}});
  out = SignIn("iris");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->challenge_name, "EMAIL_OTP");
  EXPECT_EQ(env_.sink.Sent().back().destination, "iris@example.com");
  MakeUser("jack", {{"email", "jack@example.com"}});
  out = SignIn("jack");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->challenge_name, "MFA_SETUP");
}

TEST_F(MfaStepTest, AccessTokenlessCallsNeedExactlyOneCredential) {
  EXPECT_ERROR(mfa_.AssociateSoftwareToken(std::nullopt, std::nullopt), kInvalidParameter,
               "Exactly one of AccessToken or Session must be provided.");
  EXPECT_ERROR(mfa_.VerifySoftwareToken(std::nullopt, std::string(40, 'x'), "123456", {}),
               kNotAuthorized, "Invalid session for the user.");
}

}  // namespace
}  // namespace cognate::domain::auth
