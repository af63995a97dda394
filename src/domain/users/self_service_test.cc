#include "domain/users/self_service.h"

#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/auth/secret_hash.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"
#include "domain/users/user_support.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

constexpr char kSelfServicePool[] = "us-east-1_Self";
constexpr char kSelfServiceClient[] = "selfclient00000000000000001";
using testing::kPassword;
// Pool ids are never reused in this binary: parsed pool rules are cached process-wide by id and
// row version.
int pools_created = 0;

using testing::ExpectError;

class SelfServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakePool(json{{"AutoVerifiedAttributes", {"email"}},
                  {"AliasAttributes", {"email"}},
                  {"AccountRecoverySetting",
                   {{"RecoveryMechanisms",
                     {{{"Name", "verified_email"}, {"Priority", 1}},
                      {{"Name", "verified_phone_number"}, {"Priority", 2}}}}}}});
  }

  void MakePool(json doc, const std::string& prevent = "LEGACY",
                const std::optional<std::string>& secret = std::nullopt) {
    // A new pool each time (parsed rules are cached by pool id and row version).
    (void)env_.store.DeleteClient(pool_, kSelfServiceClient);
    pool_ = std::string(kSelfServicePool) + std::to_string(++pools_created);
    env_.MakePool(pool_, std::move(doc));
    json client = {{"ClientId", kSelfServiceClient}, {"PreventUserExistenceErrors", prevent}};
    if (secret) {
      client[std::string(userpool::kSealedSecretMember)] =
          userpool::SealClientSecret(env_.ctx, kSelfServiceClient, *secret);
    }
    store::ClientRow row{pool_, kSelfServiceClient, "app", client.dump(), 0, 0, 0};
    ASSERT_TRUE(env_.store.CreateClient(row));
  }

  // The access-token gate: "token:<sub>" is a valid token of pool_'s user <sub>.
  AccessTokenGate Gate() {
    AccessTokenGate gate;
    gate.verify = [this](std::string_view token) -> Result<tokens::AccessTokenClaims> {
      if (token.rfind("token:", 0) != 0) return ApiError::NotAuthorized("Invalid Access Token");
      tokens::AccessTokenClaims c;
      c.pool_id = pool_;
      c.client_id = kSelfServiceClient;
      c.sub = std::string(token.substr(6));
      return c;
    };
    gate.revoke_all = [this](const std::string&, const std::string& sub) -> Result<void> {
      revoked_.push_back(sub);
      return {};
    };
    return gate;
  }

  SignUpInput SignUpOf(const std::string& username, std::vector<AttributeInput> attrs = {}) {
    SignUpInput in;
    in.client_id = kSelfServiceClient;
    in.username = username;
    in.password = kPassword;
    in.attributes = std::move(attrs);
    return in;
  }

  SignUpResult SignUp(const std::string& username, std::vector<AttributeInput> attrs = {}) {
    auto r = self_.SignUp(SignUpOf(username, std::move(attrs)));
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? *r : SignUpResult{};
  }

  // The 6-digit code in the last message sent.
  std::string LastCode() {
    auto sent = env_.sink.Sent();
    if (sent.empty()) return {};
    std::smatch m;
    const std::string body = sent.back().body;
    return std::regex_search(body, m, std::regex("[0-9]{6}")) ? m.str() : std::string();
  }

  UserRecord Get(const std::string& username) {
    auto u = admin_.AdminGetUser(pool_, username);
    EXPECT_TRUE(u) << (u ? "" : u.error().message());
    return u ? *u : UserRecord{};
  }

  // A confirmed user with a verified e-mail; returns its access token.
  std::string Confirmed(const std::string& username, const std::string& email) {
    SignUp(username, {{"email", email}});
    EXPECT_TRUE(
        self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, username, LastCode(), false}));
    return "token:" + Get(username).sub;
  }

  testing::TestEnv env_;
  std::string pool_ = kSelfServicePool;
  SelfService self_{env_.ctx, Gate()};
  UserService admin_{env_.ctx};
  std::vector<std::string> revoked_;
};

// ---- helpers ---------------------------------------------------------------------------------

TEST(MaskDestinationTest, MasksLikeCognito) {
  EXPECT_EQ(MaskDestination(true, "alice@example.com"), "a***@e***.com");
  EXPECT_EQ(MaskDestination(true, "b@host"), "b***@h***");
  EXPECT_EQ(MaskDestination(false, "+12065550100"), "+*******0100");
  EXPECT_EQ(MaskDestination(true, "broken"), "***");
}

TEST(SecretHashTest, IsBase64HmacOfUsernameAndClientId) {
  const std::string expected =
      crypto::Base64Encode(crypto::HmacSha256("secret", std::string("alice") + "client"));
  EXPECT_EQ(auth::ComputeSecretHash("secret", "alice", "client"), expected);
  AppClient client;
  client.pool_id = kSelfServicePool;
  client.client_id = "client";
  client.secret = "secret";
  EXPECT_TRUE(CheckSecretHash(client, "alice", expected));
  ExpectError(CheckSecretHash(client, "alice", std::nullopt), ErrorCode::kNotAuthorized,
              "Unable to verify secret hash for client client");
  ExpectError(CheckSecretHash(client, "bob", expected), ErrorCode::kNotAuthorized,
              "Unable to verify secret hash for client client");
  AppClient open = client;
  open.secret = std::nullopt;
  EXPECT_TRUE(CheckSecretHash(open, "alice", std::nullopt));
}

// ---- SignUp ----------------------------------------------------------------------------------

TEST_F(SelfServiceTest, SignUpCreatesUnconfirmedUserAndSendsCode) {
  SignUpResult r = SignUp("alice", {{"email", "alice@example.com"}});
  EXPECT_FALSE(r.user_confirmed);
  EXPECT_EQ(r.user_sub.size(), 36u);
  ASSERT_TRUE(r.delivery);
  EXPECT_EQ(r.delivery->destination, "a***@e***.com");
  EXPECT_EQ(r.delivery->delivery_medium, "EMAIL");
  EXPECT_EQ(r.delivery->attribute_name, "email");

  UserRecord u = Get("alice");
  EXPECT_EQ(u.status, "UNCONFIRMED");
  EXPECT_EQ(u.sub, r.user_sub);
  EXPECT_TRUE(crypto::VerifyPassword(kPassword, u.PasswordHash()));
  EXPECT_TRUE(u.doc.contains("srp"));

  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].destination, "alice@example.com");
  EXPECT_EQ(sent[0].purpose, "sign_up");
  EXPECT_EQ(sent[0].subject, "Your verification code");
  EXPECT_EQ(LastCode().size(), 6u);
}

TEST_F(SelfServiceTest, SignUpErrors) {
  SignUp("alice", {{"email", "alice@example.com"}});
  ExpectError(self_.SignUp(SignUpOf("alice")), ErrorCode::kUsernameExists, "User already exists");

  SignUpInput weak = SignUpOf("bob");
  weak.password = "short";
  ExpectError(self_.SignUp(weak), ErrorCode::kInvalidPassword,
              "Password did not conform with policy: Password not long enough");

  SignUpInput no_password = SignUpOf("carol");
  no_password.password.reset();
  EXPECT_FALSE(self_.SignUp(no_password));

  SignUpInput bad_client = SignUpOf("dave");
  bad_client.client_id = "nosuchclient";
  ExpectError(self_.SignUp(bad_client), ErrorCode::kResourceNotFound,
              "User pool client nosuchclient does not exist.");

  ExpectError(self_.SignUp(SignUpOf("erin@example.com")), ErrorCode::kInvalidParameter,
              "Username cannot be of email format, since user pool is configured for email "
              "alias.");
}

TEST_F(SelfServiceTest, SignUpChecksSecretHash) {
  MakePool(json{{"AutoVerifiedAttributes", {"email"}}}, "LEGACY", "s3cret");
  SignUpInput in = SignUpOf("alice", {{"email", "alice@example.com"}});
  ExpectError(self_.SignUp(in), ErrorCode::kNotAuthorized,
              std::string("Unable to verify secret hash for client ") + kSelfServiceClient);
  in.secret_hash = "d3Jvbmc=";
  EXPECT_FALSE(self_.SignUp(in));
  in.secret_hash = auth::ComputeSecretHash("s3cret", "alice", kSelfServiceClient);
  EXPECT_TRUE(self_.SignUp(in));
}

TEST_F(SelfServiceTest, SignUpInUsernameAttributePool) {
  MakePool(json{{"UsernameAttributes", {"email"}}, {"AutoVerifiedAttributes", {"email"}}});
  SignUpResult r = SignUp("alice@example.com");
  UserRecord u = Get("alice@example.com");
  EXPECT_EQ(u.username, r.user_sub);
  EXPECT_EQ(u.Attribute("email"), "alice@example.com");
  ExpectError(self_.SignUp(SignUpOf("alice@example.com")), ErrorCode::kUsernameExists,
              "An account with the given email already exists.");
  ExpectError(self_.SignUp(SignUpOf("alice")), ErrorCode::kInvalidParameter,
              "Username should be an email.");
}

TEST_F(SelfServiceTest, SignUpWithoutAutoVerificationSendsNothing) {
  MakePool(json::object());
  SignUpResult r = SignUp("alice", {{"email", "alice@example.com"}});
  EXPECT_FALSE(r.delivery);
  EXPECT_TRUE(env_.sink.Sent().empty());
}

TEST_F(SelfServiceTest, SignUpPrefersThePhoneWhenBothAreAutoVerified) {
  MakePool(json{{"AutoVerifiedAttributes", {"email", "phone_number"}}});
  SignUpResult r = SignUp("alice", {{"email", "a@example.com"}, {"phone_number", "+12065550100"}});
  ASSERT_TRUE(r.delivery);
  EXPECT_EQ(r.delivery->delivery_medium, "SMS");
  EXPECT_EQ(r.delivery->destination, "+*******0100");
  EXPECT_EQ(env_.sink.Sent().back().channel, OutboundMessage::Channel::kSms);
}

TEST_F(SelfServiceTest, SignUpWithLinkSendsTheConfirmationUrl) {
  MakePool(json{{"AutoVerifiedAttributes", {"email"}},
                {"VerificationMessageTemplate", {{"DefaultEmailOption", "CONFIRM_WITH_LINK"}}}});
  env_.ctx.config.public_url = "https://auth.example.com";
  SignUp("alice", {{"email", "alice@example.com"}});
  const auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(sent[0].body.find("https://auth.example.com/confirmUser?client_id="),
            std::string::npos);
  EXPECT_EQ(sent[0].subject, "Your verification link");
}

TEST_F(SelfServiceTest, DevFixedCodeIsEveryCode) {
  env_.ctx.config.dev_fixed_code = "424242";
  SignUp("alice", {{"email", "alice@example.com"}});
  EXPECT_EQ(LastCode(), "424242");
  EXPECT_TRUE(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", "424242", false}));
  ASSERT_TRUE(admin_.AdminResetUserPassword(pool_, "alice"));
  EXPECT_EQ(LastCode(), "424242");
}

// ---- ConfirmSignUp -----------------------------------------------------------------------------

TEST_F(SelfServiceTest, ConfirmSignUpVerifiesTheEmail) {
  SignUp("alice", {{"email", "alice@example.com"}});
  const std::string code = LastCode();
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", "000000", false}),
              ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again.");
  ASSERT_TRUE(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", code, false}));
  UserRecord u = Get("alice");
  EXPECT_EQ(u.status, "CONFIRMED");
  EXPECT_EQ(u.Attribute("email_verified"), "true");
  // Now an alias: findable by e-mail.
  EXPECT_EQ(Get("alice@example.com").sub, u.sub);
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", code, false}),
              ErrorCode::kNotAuthorized, "User cannot be confirmed. Current status is CONFIRMED");
}

TEST_F(SelfServiceTest, ConfirmSignUpCodeExpiresAfterADay) {
  SignUp("alice", {{"email", "alice@example.com"}});
  const std::string code = LastCode();
  env_.clock.AdvanceMillis(kDayMs + 1);
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", code, false}),
              ErrorCode::kExpiredCode, "Invalid code provided, please request a code again.");
}

TEST_F(SelfServiceTest, ConfirmSignUpBurnsTheCodeAfterTooManyWrongGuesses) {
  SignUp("alice", {{"email", "alice@example.com"}});
  const std::string code = LastCode();
  const std::string wrong = code == "111111" ? "222222" : "111111";
  for (int i = 0; i < kMaxWrongCodeAttempts; ++i) {
    ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", wrong, false}),
                ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again.");
  }
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", code, false}),
              ErrorCode::kLimitExceeded, "Attempt limit exceeded, please try after some time.");
  // A new code works again.
  ASSERT_TRUE(self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "alice"}));
  EXPECT_TRUE(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", LastCode(), false}));
}

TEST_F(SelfServiceTest, ConfirmSignUpUnknownUser) {
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "ghost", "123456", false}),
              ErrorCode::kUserNotFound, "Username/client id combination not found.");
  MakePool(json{{"AutoVerifiedAttributes", {"email"}}}, "ENABLED");
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "ghost", "123456", false}),
              ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again.");
}

TEST_F(SelfServiceTest, ConfirmSignUpAliasTakenUnlessForced) {
  Confirmed("alice", "shared@example.com");
  SignUp("bob", {{"email", "shared@example.com"}});
  const std::string code = LastCode();
  ExpectError(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "bob", code, false}),
              ErrorCode::kAliasExists, "An account with the given email already exists.");
  ASSERT_TRUE(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "bob", code, true}));
  EXPECT_EQ(Get("alice").Attribute("email_verified"), "false");
  EXPECT_EQ(Get("shared@example.com").username, "bob");
}

// ---- ResendConfirmationCode ------------------------------------------------------------------

TEST_F(SelfServiceTest, ResendReplacesTheCodeAndIsLimited) {
  SignUp("alice", {{"email", "alice@example.com"}});
  const std::string first = LastCode();
  auto d = self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "alice"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->destination, "a***@e***.com");
  const std::string second = LastCode();
  if (first != second) {
    EXPECT_FALSE(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", first, false}));
  }
  // SignUp and the resend count: three more are allowed within the hour.
  for (int i = 2; i < kMaxCodeSendsPerHour; ++i) {
    EXPECT_TRUE(self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "alice"}));
  }
  ExpectError(self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "alice"}),
              ErrorCode::kLimitExceeded, "Attempt limit exceeded, please try after some time.");
  env_.clock.AdvanceMillis(kHourMs + 1);
  EXPECT_TRUE(self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "alice"}));
  EXPECT_TRUE(self_.ConfirmSignUp({kSelfServiceClient, std::nullopt, "alice", LastCode(), false}));
  ExpectError(self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "alice"}),
              ErrorCode::kInvalidParameter, "User is already confirmed.");
}

TEST_F(SelfServiceTest, ResendUnknownUser) {
  ExpectError(self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "ghost"}),
              ErrorCode::kUserNotFound, "Username/client id combination not found.");
  MakePool(json{{"AutoVerifiedAttributes", {"email"}}}, "ENABLED");
  auto d = self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "ghost"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->delivery_medium, "EMAIL");
  EXPECT_EQ(d->destination.find("***@"), 1u);
  auto again = self_.ResendConfirmationCode({kSelfServiceClient, std::nullopt, "ghost"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->destination, d->destination);
  EXPECT_TRUE(env_.sink.Sent().empty());
}

// ---- ForgotPassword / ConfirmForgotPassword --------------------------------------------------

TEST_F(SelfServiceTest, ForgotPasswordNeedsAVerifiedChannel) {
  SignUp("alice", {{"email", "alice@example.com"}});
  ExpectError(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "alice"}),
              ErrorCode::kInvalidParameter,
              "Cannot reset password for the user as there is no registered/verified email or "
              "phone_number");
}

TEST_F(SelfServiceTest, ForgotAndConfirmForgotPassword) {
  Confirmed("alice", "alice@example.com");
  auto d = self_.ForgotPassword({kSelfServiceClient, std::nullopt, "alice"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->destination, "a***@e***.com");
  EXPECT_EQ(d->attribute_name, "email");
  EXPECT_EQ(env_.sink.Sent().back().purpose, "forgot_password");
  EXPECT_EQ(Get("alice").status, "CONFIRMED");  // unchanged until the code is used
  const std::string code = LastCode();

  ExpectError(
      self_.ConfirmForgotPassword({kSelfServiceClient, std::nullopt, "alice", code, "weak"}),
      ErrorCode::kInvalidPassword, "Password does not conform to policy: Password not long enough");
  ExpectError(self_.ConfirmForgotPassword(
                  {kSelfServiceClient, std::nullopt, "alice", "000000", "N3wPass!!"}),
              ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again.");
  ASSERT_TRUE(
      self_.ConfirmForgotPassword({kSelfServiceClient, std::nullopt, "alice", code, "N3wPass!!"}));
  UserRecord u = Get("alice");
  EXPECT_TRUE(crypto::VerifyPassword("N3wPass!!", u.PasswordHash()));
  EXPECT_EQ(u.status, "CONFIRMED");
  // One-time use.
  ExpectError(
      self_.ConfirmForgotPassword({kSelfServiceClient, std::nullopt, "alice", code, "An0ther!!"}),
      ErrorCode::kExpiredCode, "Invalid code provided, please request a code again.");
}

TEST_F(SelfServiceTest, ResetCodeExpiresAfterAnHourAndResetRequiredBecomesConfirmed) {
  Confirmed("alice", "alice@example.com");
  ASSERT_TRUE(admin_.AdminResetUserPassword(pool_, "alice"));
  EXPECT_EQ(Get("alice").status, "RESET_REQUIRED");
  env_.clock.AdvanceMillis(kHourMs + 1);
  ExpectError(self_.ConfirmForgotPassword(
                  {kSelfServiceClient, std::nullopt, "alice", LastCode(), "N3wPass!!"}),
              ErrorCode::kExpiredCode, "Invalid code provided, please request a code again.");
  ASSERT_TRUE(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "alice"}));
  ASSERT_TRUE(self_.ConfirmForgotPassword(
      {kSelfServiceClient, std::nullopt, "alice", LastCode(), "N3wPass!!"}));
  EXPECT_EQ(Get("alice").status, "CONFIRMED");
}

TEST_F(SelfServiceTest, ForgotPasswordUnknownUserAndLimits) {
  ExpectError(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "ghost"}),
              ErrorCode::kUserNotFound, "Username/client id combination not found.");
  ExpectError(self_.ConfirmForgotPassword(
                  {kSelfServiceClient, std::nullopt, "ghost", "123456", "N3wPass!!"}),
              ErrorCode::kUserNotFound, "Username/client id combination not found.");
  Confirmed("alice", "alice@example.com");
  for (int i = 0; i < kMaxCodeSendsPerHour; ++i) {
    EXPECT_TRUE(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "alice"}));
  }
  ExpectError(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "alice"}),
              ErrorCode::kLimitExceeded, "Attempt limit exceeded, please try after some time.");

  MakePool(json{{"AutoVerifiedAttributes", {"email"}}}, "ENABLED");
  auto d = self_.ForgotPassword({kSelfServiceClient, std::nullopt, "ghost@example.com"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->destination, "g***@e***.com");
  ExpectError(self_.ConfirmForgotPassword(
                  {kSelfServiceClient, std::nullopt, "ghost", "123456", "N3wPass!!"}),
              ErrorCode::kCodeMismatch, "Invalid verification code provided, please try again.");
}

TEST_F(SelfServiceTest, ForgotPasswordRefusesForceChangePasswordAndDisabledUsers) {
  AdminCreateUserInput in;
  in.pool_id = pool_;
  in.username = "temp";
  in.attributes = {{"email", "temp@example.com"}, {"email_verified", "true"}};
  in.temporary_password = kPassword;
  in.message_action = "SUPPRESS";
  ASSERT_TRUE(admin_.AdminCreateUser(in));
  ExpectError(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "temp"}),
              ErrorCode::kNotAuthorized, "User password cannot be reset in the current state.");
  Confirmed("alice", "alice@example.com");
  ASSERT_TRUE(admin_.AdminSetUserEnabled(pool_, "alice", false));
  ExpectError(self_.ForgotPassword({kSelfServiceClient, std::nullopt, "alice"}),
              ErrorCode::kNotAuthorized, "User is disabled.");
}

// ---- token-authorized operations -------------------------------------------------------------

TEST_F(SelfServiceTest, GetUserAndTokenErrors) {
  const std::string token = Confirmed("alice", "alice@example.com");
  auto u = self_.GetUser(token);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->username, "alice");
  ExpectError(self_.GetUser("garbage"), ErrorCode::kNotAuthorized, "Invalid Access Token");
  ASSERT_TRUE(admin_.AdminSetUserEnabled(pool_, "alice", false));
  ExpectError(self_.GetUser(token), ErrorCode::kNotAuthorized, "User is disabled.");
  ASSERT_TRUE(admin_.AdminDeleteUser(pool_, "alice"));
  ExpectError(self_.GetUser(token), ErrorCode::kUserNotFound, "User does not exist.");
}

// GetUser reads no pool row (a user row only exists inside its pool), yet a token whose pool is
// gone still names the pool, as the operations that load the pool's rules do.
TEST_F(SelfServiceTest, GetUserOfADeletedPoolNamesThePool) {
  const std::string token = Confirmed("alice", "alice@example.com");
  ASSERT_TRUE(env_.store.DeletePool(pool_));
  const std::string missing = "User pool " + pool_ + " does not exist.";
  ExpectError(self_.GetUser(token), ErrorCode::kResourceNotFound, missing);
  ExpectError(self_.UpdateUserAttributes(token, {{"name", "Alice"}}), ErrorCode::kResourceNotFound,
              missing);
}

TEST_F(SelfServiceTest, ChangePassword) {
  const std::string token = Confirmed("alice", "alice@example.com");
  ExpectError(self_.ChangePassword(token, std::string("Wr0ng!!!"), "N3wPass!!"),
              ErrorCode::kNotAuthorized, "Incorrect username or password.");
  ExpectError(self_.ChangePassword(token, std::string(kPassword), "weak"),
              ErrorCode::kInvalidPassword,
              "Password does not conform to policy: Password not long enough");
  ASSERT_TRUE(self_.ChangePassword(token, std::string(kPassword), "N3wPass!!"));
  EXPECT_TRUE(crypto::VerifyPassword("N3wPass!!", Get("alice").PasswordHash()));
}

TEST_F(SelfServiceTest, ChangePasswordLimitsWrongPreviousPasswords) {
  const std::string token = Confirmed("alice", "alice@example.com");
  for (int i = 0; i < 5; ++i) {
    ExpectError(self_.ChangePassword(token, std::string("Wr0ng!!!"), "N3wPass!!"),
                ErrorCode::kNotAuthorized, "Incorrect username or password.");
  }
  ExpectError(self_.ChangePassword(token, std::string(kPassword), "N3wPass!!"),
              ErrorCode::kLimitExceeded, "Attempt limit exceeded, please try after some time.");
  env_.clock.AdvanceMillis(15 * 60 * 1000 + 1);
  EXPECT_TRUE(self_.ChangePassword(token, std::string(kPassword), "N3wPass!!"));
  EXPECT_FALSE(Get("alice").doc.contains("change_password_failures"));
}

TEST_F(SelfServiceTest, UpdateUserAttributesSendsACodeForANewEmail) {
  const std::string token = Confirmed("alice", "alice@example.com");
  auto sent = self_.UpdateUserAttributes(token, {{"email", "new@example.com"}, {"name", "Al"}});
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].destination, "n***@e***.com");
  UserRecord u = Get("alice");
  EXPECT_EQ(u.Attribute("email"), "new@example.com");
  EXPECT_EQ(u.Attribute("email_verified"), "false");
  EXPECT_EQ(u.Attribute("name"), "Al");

  ExpectError(self_.VerifyUserAttribute(token, "email", "000000"), ErrorCode::kCodeMismatch,
              "Invalid verification code provided, please try again.");
  ASSERT_TRUE(self_.VerifyUserAttribute(token, "email", LastCode()));
  EXPECT_EQ(Get("alice").Attribute("email_verified"), "true");
  ExpectError(self_.VerifyUserAttribute(token, "email", LastCode()), ErrorCode::kExpiredCode,
              "Invalid code provided, please request a code again.");
}

TEST_F(SelfServiceTest, UpdateUserAttributesKeepsTheOldValueUntilVerified) {
  MakePool(json{
      {"AutoVerifiedAttributes", {"email"}},
      {"AliasAttributes", {"email"}},
      {"UserAttributeUpdateSettings", {{"AttributesRequireVerificationBeforeUpdate", {"email"}}}}});
  const std::string token = Confirmed("alice", "alice@example.com");
  auto sent = self_.UpdateUserAttributes(token, {{"email", "new@example.com"}});
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ(env_.sink.Sent().back().destination, "new@example.com");
  UserRecord u = Get("alice");
  EXPECT_EQ(u.Attribute("email"), "alice@example.com");
  EXPECT_EQ(u.Attribute("email_verified"), "true");

  // A fresh code goes to the pending address too.
  auto again = self_.GetUserAttributeVerificationCode(token, "email");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->destination, "n***@e***.com");
  ASSERT_TRUE(self_.VerifyUserAttribute(token, "email", LastCode()));
  u = Get("alice");
  EXPECT_EQ(u.Attribute("email"), "new@example.com");
  EXPECT_EQ(u.Attribute("email_verified"), "true");
  EXPECT_FALSE(u.doc.contains("pending_attributes"));
}

TEST_F(SelfServiceTest, GetUserAttributeVerificationCodeErrorsAndLimit) {
  const std::string token = Confirmed("alice", "alice@example.com");
  ExpectError(self_.GetUserAttributeVerificationCode(token, "phone_number"),
              ErrorCode::kInvalidParameter,
              "User does not have a value for the attribute phone_number.");
  EXPECT_FALSE(self_.GetUserAttributeVerificationCode(token, "name"));
  for (int i = 0; i < kMaxCodeSendsPerHour; ++i) {
    EXPECT_TRUE(self_.GetUserAttributeVerificationCode(token, "email"));
  }
  ExpectError(self_.GetUserAttributeVerificationCode(token, "email"), ErrorCode::kLimitExceeded,
              "Attempt limit exceeded, please try after some time.");
}

TEST_F(SelfServiceTest, VerifyCodeExpiresAfterADay) {
  const std::string token = Confirmed("alice", "alice@example.com");
  ASSERT_TRUE(self_.GetUserAttributeVerificationCode(token, "email"));
  env_.clock.AdvanceMillis(kDayMs + 1);
  ExpectError(self_.VerifyUserAttribute(token, "email", LastCode()), ErrorCode::kExpiredCode,
              "Invalid code provided, please request a code again.");
}

TEST_F(SelfServiceTest, DeleteUserAttributesAndDeleteUser) {
  const std::string token = Confirmed("alice", "alice@example.com");
  ASSERT_TRUE(self_.UpdateUserAttributes(token, {{"name", "Al"}}));
  ASSERT_TRUE(self_.DeleteUserAttributes(token, {"name"}));
  EXPECT_FALSE(Get("alice").Attribute("name"));
  const std::string sub = Get("alice").sub;
  ASSERT_TRUE(self_.DeleteUser(token));
  EXPECT_EQ(revoked_, std::vector<std::string>{sub});
  EXPECT_FALSE(admin_.AdminGetUser(pool_, "alice"));
  ExpectError(self_.DeleteUser(token), ErrorCode::kUserNotFound, "User does not exist.");
}

}  // namespace
}  // namespace cognate::domain::users
