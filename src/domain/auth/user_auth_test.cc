#include "domain/auth/user_auth.h"

#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/lockout.h"
#include "domain/auth/test_support.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/password.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;

constexpr char kUserAuthPool[] = "us-east-1_UserAuth1";
constexpr char kLitePool[] = "us-east-1_UserAuthLite";
using users::testing::kPassword;

using testing::FakeIssuer;

json Policy(std::vector<std::string> factors) {
  return {{"SignInPolicy", {{"AllowedFirstAuthFactors", std::move(factors)}}}};
}

users::UserRecord Record(std::map<std::string, std::string> attrs, bool password) {
  users::UserRecord u;
  u.attributes = std::move(attrs);
  if (password) u.SetPasswordHash("$argon2id$fake");
  return u;
}

class UserAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kUserAuthPool, {{"Policies", Policy({"PASSWORD", "EMAIL_OTP", "SMS_OTP"})}});
    env_.MakePool(kLitePool, {{"UserPoolTier", "LITE"}});
  }

  std::string MakeClient(bool prevent = true, const std::string& pool = kUserAuthPool,
                         std::vector<std::string> flows = {"ALLOW_USER_AUTH",
                                                           "ALLOW_REFRESH_TOKEN_AUTH"}) {
    const std::string id = "client" + std::to_string(++clients_);
    json doc = {{"ClientId", id},
                {"UserPoolId", pool},
                {"ClientName", "c"},
                {"ExplicitAuthFlows", flows},
                {"PreventUserExistenceErrors", prevent ? "ENABLED" : "LEGACY"},
                {"AuthSessionValidity", 3}};
    store::ClientRow row{pool, id, "c", doc.dump(), 0, 0, 0};
    EXPECT_TRUE(env_.store.CreateClient(row));
    return id;
  }

  // A CONFIRMED user with kPassword, a verified e-mail and a verified phone number.
  users::UserRecord MakeUser(const std::string& username, const std::string& pool = kUserAuthPool) {
    users::AdminCreateUserInput in;
    in.pool_id = pool;
    in.username = username;
    in.attributes = {{"email", username + "@example.com"},
                     {"email_verified", "true"},
                     {"phone_number", "+15550100"},
                     {"phone_number_verified", "true"}};
    in.temporary_password = kPassword;
    in.message_action = "SUPPRESS";
    EXPECT_TRUE(users_.AdminCreateUser(in));
    EXPECT_TRUE(users_.AdminSetUserPassword(pool, username, kPassword, true));
    return *users_.AdminGetUser(pool, username);
  }

  Result<AuthOutcome> Start(const std::string& client, StringMap params) {
    InitiateAuthInput in;
    in.client_id = client;
    in.auth_flow = "USER_AUTH";
    in.parameters = std::move(params);
    return auth_.InitiateAuth(in);
  }

  Result<AuthOutcome> Respond(const std::string& client, const std::string& challenge,
                              const std::string& session, StringMap responses) {
    RespondInput in;
    in.client_id = client;
    in.challenge_name = challenge;
    in.session = session;
    in.responses = std::move(responses);
    return auth_.RespondToAuthChallenge(in);
  }

  // The code in the last message sent.
  std::string LastCode() {
    auto sent = env_.sink.Sent();
    if (sent.empty()) return {};
    std::smatch m;
    const std::string body = sent.back().body;
    return std::regex_search(body, m, std::regex("[0-9]{6}")) ? m.str() : std::string();
  }

  users::testing::TestEnv env_;
  users::UserService users_{env_.ctx};
  std::shared_ptr<FakeIssuer> issuer_ = std::make_shared<FakeIssuer>();
  AuthService auth_{env_.ctx, issuer_};
  int clients_ = 0;
};

TEST(UserAuthRulesTest, AllowedFactorsDefaultToPassword) {
  EXPECT_EQ(AllowedFirstAuthFactors(json::object()), std::vector<std::string>{"PASSWORD"});
  EXPECT_EQ(AllowedFirstAuthFactors(json{{"Policies", "junk"}}),
            std::vector<std::string>{"PASSWORD"});
  EXPECT_EQ(AllowedFirstAuthFactors(json{{"Policies", Policy({"PASSWORD", "EMAIL_OTP"})}}),
            (std::vector<std::string>{"PASSWORD", "EMAIL_OTP"}));
  EXPECT_TRUE(TierAllowsUserAuth(json::object()));
  EXPECT_TRUE(TierAllowsUserAuth(json{{"UserPoolTier", "PLUS"}}));
  EXPECT_FALSE(TierAllowsUserAuth(json{{"UserPoolTier", "LITE"}}));
}

TEST(UserAuthRulesTest, AvailableChallengesFollowPolicyAndUser) {
  const std::vector<std::string> all = {"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"};
  const auto full = Record({{"email", "a@b.c"},
                            {"email_verified", "true"},
                            {"phone_number", "+15550100"},
                            {"phone_number_verified", "true"}},
                           true);
  EXPECT_EQ(AvailableFirstChallenges(all, full),
            (std::vector<std::string>{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}));
  EXPECT_EQ(AvailableFirstChallenges({"PASSWORD"}, full),
            (std::vector<std::string>{"PASSWORD", "PASSWORD_SRP"}));
  const auto unverified = Record({{"email", "a@b.c"}, {"phone_number", "+15550100"}}, true);
  EXPECT_EQ(AvailableFirstChallenges(all, unverified),
            (std::vector<std::string>{"PASSWORD", "PASSWORD_SRP"}));
  const auto passwordless = Record({{"email", "a@b.c"}, {"email_verified", "true"}}, false);
  EXPECT_EQ(AvailableFirstChallenges(all, passwordless), std::vector<std::string>{"EMAIL_OTP"});
  EXPECT_EQ(DecoyFirstChallenges({"PASSWORD", "SMS_OTP"}),
            (std::vector<std::string>{"PASSWORD", "PASSWORD_SRP", "SMS_OTP"}));

  EXPECT_EQ(ConfiguredUserAuthFactors(all, full),
            (std::vector<std::string>{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}));
  EXPECT_EQ(ConfiguredUserAuthFactors({"PASSWORD"}, full), std::vector<std::string>{"PASSWORD"});
  EXPECT_EQ(ConfiguredUserAuthFactors(all, passwordless), std::vector<std::string>{"EMAIL_OTP"});
}

TEST(UserAuthRulesTest, CodeMessagesUseThePoolTemplates) {
  auto m = SignInCodeMessage(json::object(), kUserAuthPool, "alice", true, "a@b.c", "123456");
  EXPECT_EQ(m.channel, OutboundMessage::Channel::kEmail);
  EXPECT_EQ(m.body, "Your authentication code is 123456. ");
  EXPECT_EQ(m.destination, "a@b.c");
  json pool = {{"MfaConfiguration", "OPTIONAL"},
               {"_EmailMfaConfiguration", {{"Message", "Code {####}"}, {"Subject", "Sign in"}}},
               {"SmsAuthenticationMessage", "SMS {####} for {username}"}};
  m = SignInCodeMessage(pool, kUserAuthPool, "alice", true, "a@b.c", "123456");
  EXPECT_EQ(m.body, "Code 123456");
  EXPECT_EQ(m.subject, "Sign in");
  m = SignInCodeMessage(pool, kUserAuthPool, "alice", false, "+15550100", "654321");
  EXPECT_EQ(m.channel, OutboundMessage::Channel::kSms);
  EXPECT_EQ(m.body, "SMS 654321 for alice");
}

TEST_F(UserAuthTest, SelectChallengeThenEmailOtp) {
  const auto client = MakeClient();
  const auto user = MakeUser("alice");
  auto select = Start(client, {{"USERNAME", "alice"}});
  ASSERT_TRUE(select) << select.error().message();
  EXPECT_EQ(select->challenge_name, "SELECT_CHALLENGE");
  EXPECT_EQ(select->available_challenges,
            (std::vector<std::string>{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}));
  EXPECT_FALSE(select->session.empty());
  EXPECT_TRUE(select->challenge_parameters.empty());

  auto otp = Respond(client, "SELECT_CHALLENGE", select->session,
                     {{"USERNAME", "alice"}, {"ANSWER", "EMAIL_OTP"}});
  ASSERT_TRUE(otp) << otp.error().message();
  EXPECT_EQ(otp->challenge_name, "EMAIL_OTP");
  EXPECT_EQ(otp->challenge_parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
  EXPECT_EQ(otp->challenge_parameters["CODE_DELIVERY_DESTINATION"], "a***@e***.com");
  ASSERT_EQ(env_.sink.Sent().size(), 1u);
  EXPECT_EQ(env_.sink.Sent().back().destination, "alice@example.com");
  const std::string code = LastCode();
  ASSERT_EQ(code.size(), 6u);

  // The SELECT_CHALLENGE session was spent.
  EXPECT_ERROR(Respond(client, "SELECT_CHALLENGE", select->session,
                       {{"USERNAME", "alice"}, {"ANSWER", "EMAIL_OTP"}}),
               kNotAuthorized, "Invalid session for the user.");

  const std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_ERROR(Respond(client, "EMAIL_OTP", otp->session,
                       {{"USERNAME", "alice"}, {"EMAIL_OTP_CODE", wrong}}),
               kCodeMismatch, "Invalid code or auth state for the user.");
  // A wrong code may be corrected in the same session.
  auto done =
      Respond(client, "EMAIL_OTP", otp->session, {{"USERNAME", "alice"}, {"EMAIL_OTP_CODE", code}});
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_TRUE(done->tokens);
  ASSERT_EQ(issuer_->grants.size(), 1u);
  EXPECT_EQ(issuer_->grants[0].sub, user.sub);
  // Replays find nothing.
  EXPECT_ERROR(
      Respond(client, "EMAIL_OTP", otp->session, {{"USERNAME", "alice"}, {"EMAIL_OTP_CODE", code}}),
      kNotAuthorized, "Invalid session for the user.");
  // The successful code reset the failure count.
  EXPECT_EQ(ReadLockout(users_.AdminGetUser(kUserAuthPool, "alice")->doc), LockoutState{});
}

TEST_F(UserAuthTest, PreferredChallenges) {
  const auto client = MakeClient();
  MakeUser("bob");
  // PASSWORD signs in at once.
  auto direct = Start(
      client, {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "PASSWORD"}, {"PASSWORD", kPassword}});
  ASSERT_TRUE(direct) << direct.error().message();
  EXPECT_TRUE(direct->tokens);
  EXPECT_ERROR(Start(client, {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "PASSWORD"}}),
               kInvalidParameter, "Missing required parameter PASSWORD");
  EXPECT_ERROR(
      Start(client,
            {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "PASSWORD"}, {"PASSWORD", "wrong"}}),
      kNotAuthorized, "Incorrect username or password.");
  EXPECT_ERROR(Start(client, {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "PASSWORD_SRP"}}),
               kInvalidParameter, "Missing required parameter SRP_A");
  EXPECT_ERROR(Start(client, {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "BOGUS"}}),
               kInvalidParameter, "Invalid value for PREFERRED_CHALLENGE: BOGUS");

  // PASSWORD_SRP answers PASSWORD_VERIFIER with a Session.
  const crypto::SrpClient probe(users::SrpPoolName(kUserAuthPool), "x", std::string(32, '\x07'));
  auto srp = Start(client, {{"USERNAME", "bob"},
                            {"PREFERRED_CHALLENGE", "PASSWORD_SRP"},
                            {"SRP_A", probe.PublicAHex()}});
  ASSERT_TRUE(srp) << srp.error().message();
  EXPECT_EQ(srp->challenge_name, "PASSWORD_VERIFIER");
  EXPECT_FALSE(srp->session.empty());
  EXPECT_TRUE(srp->challenge_parameters.count("SRP_B"));

  // SMS_OTP sends the code by SMS.
  auto sms = Start(client, {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "SMS_OTP"}});
  ASSERT_TRUE(sms) << sms.error().message();
  EXPECT_EQ(sms->challenge_name, "SMS_OTP");
  EXPECT_EQ(sms->challenge_parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
  EXPECT_EQ(env_.sink.Sent().back().channel, OutboundMessage::Channel::kSms);
  auto done =
      Respond(client, "SMS_OTP", sms->session, {{"USERNAME", "bob"}, {"SMS_OTP_CODE", LastCode()}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);

  // WEB_AUTHN is not available yet: the user chooses among the others.
  auto webauthn = Start(client, {{"USERNAME", "bob"}, {"PREFERRED_CHALLENGE", "WEB_AUTHN"}});
  ASSERT_TRUE(webauthn);
  EXPECT_EQ(webauthn->challenge_name, "SELECT_CHALLENGE");
  EXPECT_ERROR(Respond(client, "SELECT_CHALLENGE", webauthn->session,
                       {{"USERNAME", "bob"}, {"ANSWER", "WEB_AUTHN"}}),
               kInvalidParameter, "The challenge WEB_AUTHN is not available for this user.");
  // The session survives a refused answer.
  auto password = Respond(client, "SELECT_CHALLENGE", webauthn->session,
                          {{"USERNAME", "bob"}, {"ANSWER", "PASSWORD"}, {"PASSWORD", kPassword}});
  ASSERT_TRUE(password) << password.error().message();
  EXPECT_TRUE(password->tokens);
}

TEST_F(UserAuthTest, WrongCodesLockTheUserOut) {
  const auto client = MakeClient();
  MakeUser("carol");
  auto otp = Start(client, {{"USERNAME", "carol"}, {"PREFERRED_CHALLENGE", "EMAIL_OTP"}});
  ASSERT_TRUE(otp);
  const std::string code = LastCode();
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < kFreeFailures; ++i) {
    EXPECT_ERROR(Respond(client, "EMAIL_OTP", otp->session,
                         {{"USERNAME", "carol"}, {"EMAIL_OTP_CODE", wrong}}),
                 kCodeMismatch, "Invalid code or auth state for the user.");
  }
  EXPECT_ERROR(
      Respond(client, "EMAIL_OTP", otp->session, {{"USERNAME", "carol"}, {"EMAIL_OTP_CODE", code}}),
      kNotAuthorized, "Password attempts exceeded");
  // A locked-out user is sent no new code.
  EXPECT_ERROR(Start(client, {{"USERNAME", "carol"}, {"PREFERRED_CHALLENGE", "EMAIL_OTP"}}),
               kNotAuthorized, "Password attempts exceeded");
  env_.clock.AdvanceMillis(2000);
  // The code was burned by the wrong attempts: the sign-in is over.
  EXPECT_ERROR(
      Respond(client, "EMAIL_OTP", otp->session, {{"USERNAME", "carol"}, {"EMAIL_OTP_CODE", code}}),
      kNotAuthorized, "Invalid session for the user.");
}

TEST_F(UserAuthTest, SessionExpiry) {
  const auto client = MakeClient();
  MakeUser("dave");
  auto otp = Start(client, {{"USERNAME", "dave"}, {"PREFERRED_CHALLENGE", "EMAIL_OTP"}});
  ASSERT_TRUE(otp);
  env_.clock.AdvanceMillis(3 * 60 * 1000 + 1);
  EXPECT_ERROR(Respond(client, "EMAIL_OTP", otp->session,
                       {{"USERNAME", "dave"}, {"EMAIL_OTP_CODE", LastCode()}}),
               kNotAuthorized, "Invalid session for the user, session is expired.");
}

TEST_F(UserAuthTest, UnknownUsers) {
  const auto prevent = MakeClient(true);
  const auto legacy = MakeClient(false);
  EXPECT_ERROR(Start(legacy, {{"USERNAME", "nobody"}}), kUserNotFound, "User does not exist.");
  auto select = Start(prevent, {{"USERNAME", "nobody"}});
  ASSERT_TRUE(select) << select.error().message();
  EXPECT_EQ(select->challenge_name, "SELECT_CHALLENGE");
  EXPECT_EQ(select->available_challenges,
            (std::vector<std::string>{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}));
  auto otp = Respond(prevent, "SELECT_CHALLENGE", select->session,
                     {{"USERNAME", "nobody"}, {"ANSWER", "EMAIL_OTP"}});
  ASSERT_TRUE(otp) << otp.error().message();
  EXPECT_EQ(otp->challenge_name, "EMAIL_OTP");
  EXPECT_FALSE(otp->challenge_parameters["CODE_DELIVERY_DESTINATION"].empty());
  EXPECT_TRUE(env_.sink.Sent().empty());
  EXPECT_ERROR(Respond(prevent, "EMAIL_OTP", otp->session,
                       {{"USERNAME", "nobody"}, {"EMAIL_OTP_CODE", "123456"}}),
               kCodeMismatch, "Invalid code or auth state for the user.");
  EXPECT_ERROR(
      Start(prevent,
            {{"USERNAME", "nobody"}, {"PREFERRED_CHALLENGE", "PASSWORD"}, {"PASSWORD", kPassword}}),
      kNotAuthorized, "Incorrect username or password.");
}

TEST_F(UserAuthTest, ClientAndTierRules) {
  const auto no_flow = MakeClient(true, kUserAuthPool, {"ALLOW_USER_SRP_AUTH"});
  MakeUser("erin");
  EXPECT_ERROR(Start(no_flow, {{"USERNAME", "erin"}}), kInvalidParameter,
               "USER_AUTH flow not enabled for this client");
  const auto lite = MakeClient(true, kLitePool);
  EXPECT_ERROR(Start(lite, {{"USERNAME", "erin"}}), kFeatureUnavailableInTier,
               "USER_AUTH requires the Essentials or Plus feature plan.");
  const auto client = MakeClient();
  EXPECT_ERROR(Start(client, {}), kInvalidParameter, "Missing required parameter USERNAME");
  auto select = Start(client, {{"USERNAME", "erin"}});
  ASSERT_TRUE(select);
  // Another user's name does not fit the session.
  EXPECT_ERROR(Respond(client, "SELECT_CHALLENGE", select->session,
                       {{"USERNAME", "mallory"}, {"ANSWER", "EMAIL_OTP"}}),
               kNotAuthorized, "Invalid session for the user.");
  EXPECT_ERROR(Respond(client, "SELECT_CHALLENGE", select->session, {{"USERNAME", "erin"}}),
               kInvalidParameter, "Missing required parameter ANSWER");
}

TEST_F(UserAuthTest, ConfiguredFactors) {
  const auto user = MakeUser("frank");
  auto factors = UserAuthFactorsOf(env_.ctx, user);
  ASSERT_TRUE(factors);
  EXPECT_EQ(*factors, (std::vector<std::string>{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}));
}

}  // namespace
}  // namespace cognate::domain::auth
