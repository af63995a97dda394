#include "domain/users/user_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/users/test_support.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

constexpr char kUserServicePool[] = "us-east-1_Users";
using testing::kPassword;

class UserServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.MakePool(kUserServicePool); }

  AdminCreateUserInput Input(const std::string& username, std::vector<AttributeInput> attrs = {}) {
    AdminCreateUserInput in;
    in.pool_id = kUserServicePool;
    in.username = username;
    in.attributes = std::move(attrs);
    in.temporary_password = kPassword;
    in.message_action = "SUPPRESS";
    return in;
  }

  UserRecord Create(const std::string& username, std::vector<AttributeInput> attrs = {}) {
    auto u = users_.AdminCreateUser(Input(username, std::move(attrs)));
    EXPECT_TRUE(u) << (u ? "" : u.error().message());
    return u ? *u : UserRecord{};
  }

  UserRecord Get(const std::string& username, const std::string& pool = kUserServicePool) {
    auto u = users_.AdminGetUser(pool, username);
    EXPECT_TRUE(u) << (u ? "" : u.error().message());
    return u ? *u : UserRecord{};
  }

  // Inserts a user with `status` directly (as SignUp would leave one).
  void InsertUser(const std::string& username, const std::string& status) {
    auto rules = LoadPoolRules(env_.ctx, kUserServicePool);
    UserRecord u;
    u.pool_id = kUserServicePool;
    u.sub = crypto::NewUuid();
    u.username = username;
    u.status = status;
    u.attributes["sub"] = u.sub;
    ASSERT_TRUE(env_.store.CreateUser(ToRow(*rules, u)));
  }

  testing::TestEnv env_;
  UserService users_{env_.ctx};
};

using testing::ExpectError;

// ---- AdminCreateUser ---------------------------------------------------------------------

TEST_F(UserServiceTest, CreateUserStartsInForceChangePassword) {
  UserRecord u = Create("alice", {{"email", "alice@example.com"}, {"given_name", "Alice"}});
  EXPECT_EQ(u.username, "alice");
  EXPECT_EQ(u.status, "FORCE_CHANGE_PASSWORD");
  EXPECT_TRUE(u.enabled);
  EXPECT_EQ(u.sub.size(), 36u);
  EXPECT_EQ(u.Attribute("sub"), u.sub);
  EXPECT_EQ(u.Attribute("email"), "alice@example.com");
  EXPECT_FALSE(u.Attribute("email_verified"));

  auto row = env_.store.GetUserBySub(kUserServicePool, u.sub);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->doc.find(kPassword), std::string::npos) << "password stored in plain text";
  UserRecord stored = FromRow(*row);
  EXPECT_TRUE(crypto::VerifyPassword(kPassword, stored.PasswordHash()));
  EXPECT_EQ(stored.TemporaryPasswordExpiresMs(),
            env_.clock.NowMillis() + 7LL * 24 * 60 * 60 * 1000);
  EXPECT_TRUE(env_.sink.Sent().empty());  // SUPPRESS
}

TEST_F(UserServiceTest, CreateUserMissingPool) {
  AdminCreateUserInput in = Input("bob");
  in.pool_id = "us-east-1_Missing";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Missing does not exist.");
}

TEST_F(UserServiceTest, CreateUserTwiceIsUsernameExists) {
  Create("bob");
  ExpectError(users_.AdminCreateUser(Input("bob")), ErrorCode::kUsernameExists,
              "User account already exists");
}

TEST_F(UserServiceTest, CaseInsensitivePoolTreatsUsernamesAlike) {
  env_.MakePool("us-east-1_Ci",
                json::parse(R"({"UsernameConfiguration":{"CaseSensitive":false}})"));
  AdminCreateUserInput in = Input("Carol");
  in.pool_id = "us-east-1_Ci";
  ASSERT_TRUE(users_.AdminCreateUser(in));
  in.username = "carol";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kUsernameExists,
              "User account already exists");
  EXPECT_EQ(Get("CAROL", "us-east-1_Ci").username, "Carol");
  // A case-sensitive pool keeps them apart.
  Create("Dave");
  Create("dave");
}

TEST_F(UserServiceTest, TemporaryPasswordMustMeetPolicy) {
  AdminCreateUserInput in = Input("erin");
  in.temporary_password = "short";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidPassword,
              "Password does not conform to policy: Password not long enough");
  in.temporary_password = "alllowercase1!";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidPassword,
              "Password does not conform to policy: Password must have uppercase characters");
}

TEST_F(UserServiceTest, GeneratedPasswordIsSentInInvitation) {
  env_.MakePool("us-east-1_Inv", json::parse(R"({"AdminCreateUserConfig": {"InviteMessageTemplate":
      {"EmailMessage": "Hello {username}, use {####}", "EmailSubject": "Join us",
       "SMSMessage": "{username}/{####}"}}})"));
  AdminCreateUserInput in =
      Input("frank", {{"email", "frank@example.com"}, {"phone_number", "+15555550100"}});
  in.pool_id = "us-east-1_Inv";
  in.temporary_password.reset();
  in.message_action.clear();
  in.desired_delivery_mediums = {"EMAIL", "SMS"};
  auto u = users_.AdminCreateUser(in);
  ASSERT_TRUE(u) << u.error().message();
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].channel, OutboundMessage::Channel::kEmail);
  EXPECT_EQ(sent[0].destination, "frank@example.com");
  EXPECT_EQ(sent[0].subject, "Join us");
  EXPECT_EQ(sent[0].purpose, "invitation");
  const std::string prefix = "Hello frank, use ";
  ASSERT_EQ(sent[0].body.rfind(prefix, 0), 0u) << sent[0].body;
  const std::string password = sent[0].body.substr(prefix.size());
  EXPECT_EQ(sent[1].channel, OutboundMessage::Channel::kSms);
  EXPECT_EQ(sent[1].body, "frank/" + password);
  auto row = env_.store.GetUserBySub("us-east-1_Inv", u->sub);
  EXPECT_TRUE(crypto::VerifyPassword(password, FromRow(*row).PasswordHash()));
}

TEST_F(UserServiceTest, DefaultMediumIsSmsOnly) {
  AdminCreateUserInput in = Input("gina", {{"email", "gina@example.com"}});
  in.message_action.clear();
  ASSERT_TRUE(users_.AdminCreateUser(in));
  EXPECT_TRUE(env_.sink.Sent().empty());  // no phone number, and e-mail was not asked for

  in = Input("gina2", {{"email", "gina@example.com"}});
  in.message_action.clear();
  in.desired_delivery_mediums = {"SMS"};
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "User has no attribute matching desired delivery mediums");
}

TEST_F(UserServiceTest, SchemaErrorsOnCreate) {
  ExpectError(users_.AdminCreateUser(Input("h", {{"custom:nope", "x"}, {"favorite", "y"}})),
              ErrorCode::kInvalidParameter,
              "Attributes did not conform to the schema: custom:nope: Attribute does not exist "
              "in the schema.\nfavorite: Attribute does not exist in the schema.\n");
  ExpectError(users_.AdminCreateUser(Input("h", {{"email", "not-an-email"}})),
              ErrorCode::kInvalidParameter, "Invalid email address format.");
  ExpectError(users_.AdminCreateUser(Input("h", {{"phone_number", "555-0100"}})),
              ErrorCode::kInvalidParameter, "Invalid phone number format.");
  ExpectError(users_.AdminCreateUser(Input("h", {{"email_verified", "true"}})),
              ErrorCode::kInvalidParameter, "Email is required to verify/un-verify an email");
  ExpectError(users_.AdminCreateUser(Input("h", {{"phone_number_verified", "true"}})),
              ErrorCode::kInvalidParameter,
              "Phone Number is required to verify/un-verify a phone number");
  ExpectError(users_.AdminCreateUser(Input("h", {{"sub", "x"}})), ErrorCode::kInvalidParameter,
              "Attributes did not conform to the schema: sub: Attribute cannot be updated.\n");
  ExpectError(
      users_.AdminCreateUser(Input("h", {{"email", "h@x.io"}, {"email_verified", "yes"}})),
      ErrorCode::kInvalidParameter,
      "Attributes did not conform to the schema: email_verified: Value must be either true or "
      "false.\n");
}

TEST_F(UserServiceTest, RequiredAttributesAreEnforced) {
  env_.MakePool("us-east-1_Req", json::parse(R"({"SchemaAttributes": [
      {"Name": "email", "AttributeDataType": "String", "Required": true},
      {"Name": "name", "AttributeDataType": "String", "Required": true}]})"));
  AdminCreateUserInput in = Input("ivan");
  in.pool_id = "us-east-1_Req";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "Attributes did not conform to the schema: email: The attribute is required\n"
              "name.formatted: The attribute is required\n");
  in.attributes = {{"email", "ivan@example.com"}, {"name", "Ivan"}};
  EXPECT_TRUE(users_.AdminCreateUser(in));
}

TEST_F(UserServiceTest, CustomAttributesFollowTheirSchema) {
  env_.MakePool("us-east-1_Cust", json::parse(R"({"SchemaAttributes": [
      {"Name": "custom:tier", "AttributeDataType": "Number", "Mutable": false,
       "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "5"}},
      {"Name": "custom:code", "AttributeDataType": "String",
       "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "4"}}]})"));
  AdminCreateUserInput in = Input("judy", {{"custom:tier", "9"}});
  in.pool_id = "us-east-1_Cust";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "Attributes did not conform to the schema: custom:tier: Number must be no greater "
              "than 5.\n");
  in.attributes = {{"custom:code", "abcdef"}};
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "Attributes did not conform to the schema: custom:code: String must be no longer "
              "than 4 characters.\n");
  in.attributes = {{"custom:tier", "3"}, {"custom:code", "ab"}};
  ASSERT_TRUE(users_.AdminCreateUser(in));
  // Immutable after creation.
  ExpectError(users_.AdminUpdateUserAttributes("us-east-1_Cust", "judy", {{"custom:tier", "4"}}),
              ErrorCode::kInvalidParameter, "user.custom:tier: Attribute cannot be updated.\n");
  EXPECT_TRUE(users_.AdminUpdateUserAttributes("us-east-1_Cust", "judy", {{"custom:code", "xyz"}}));
}

TEST_F(UserServiceTest, EmailAsUsername) {
  env_.MakePool("us-east-1_Em", json::parse(R"({"UsernameAttributes": ["email"]})"));
  AdminCreateUserInput in = Input("kim@example.com");
  in.pool_id = "us-east-1_Em";
  auto u = users_.AdminCreateUser(in);
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->username, u->sub);
  EXPECT_EQ(u->Attribute("email"), "kim@example.com");
  // Found by e-mail (unverified) and by sub.
  EXPECT_EQ(Get("kim@example.com", "us-east-1_Em").sub, u->sub);
  EXPECT_EQ(Get(u->sub, "us-east-1_Em").sub, u->sub);

  ExpectError(users_.AdminCreateUser(in), ErrorCode::kUsernameExists,
              "An account with the given email already exists.");
  in.username = "kim";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "Username should be an email.");

  env_.MakePool("us-east-1_Both",
                json::parse(R"({"UsernameAttributes": ["email", "phone_number"]})"));
  in.pool_id = "us-east-1_Both";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "Username should be either an email or a phone number.");
  in.username = "+15555550123";
  auto p = users_.AdminCreateUser(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->Attribute("phone_number"), "+15555550123");
}

TEST_F(UserServiceTest, EmailAliasRules) {
  env_.MakePool("us-east-1_Al",
                json::parse(R"({"AliasAttributes": ["email", "preferred_username"]})"));
  AdminCreateUserInput in = Input("lee@example.com");
  in.pool_id = "us-east-1_Al";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kInvalidParameter,
              "Username cannot be of email format, since user pool is configured for email "
              "alias.");

  in.username = "lee";
  in.attributes = {{"email", "lee@example.com"}, {"email_verified", "true"}};
  ASSERT_TRUE(users_.AdminCreateUser(in));
  EXPECT_EQ(Get("lee@example.com", "us-east-1_Al").username, "lee");

  in.username = "lee2";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kAliasExists,
              "An account with the given email already exists.");
  // An unverified copy of the address is not an alias and does not clash.
  in.username = "lee3";
  in.attributes = {{"email", "lee@example.com"}};
  ASSERT_TRUE(users_.AdminCreateUser(in));

  // ForceAliasCreation moves the alias to the new user.
  in.username = "lee4";
  in.attributes = {{"email", "lee@example.com"}, {"email_verified", "true"}};
  in.force_alias_creation = true;
  ASSERT_TRUE(users_.AdminCreateUser(in));
  EXPECT_EQ(Get("lee@example.com", "us-east-1_Al").username, "lee4");
  EXPECT_EQ(Get("lee", "us-east-1_Al").Attribute("email_verified"), "false");

  // preferred_username is an alias too.
  in.username = "lee5";
  in.attributes = {{"preferred_username", "leo"}};
  in.force_alias_creation = false;
  ASSERT_TRUE(users_.AdminCreateUser(in));
  EXPECT_EQ(Get("leo", "us-east-1_Al").username, "lee5");
  in.username = "lee6";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kAliasExists,
              "An account with the given preferred_username already exists.");
}

TEST_F(UserServiceTest, ResendInvitation) {
  AdminCreateUserInput in = Input("mia", {{"phone_number", "+15555550199"}});
  in.message_action = "RESEND";
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kUserNotFound, "User does not exist.");

  in.message_action = "SUPPRESS";
  ASSERT_TRUE(users_.AdminCreateUser(in));
  in.message_action = "RESEND";
  in.temporary_password = "N3w-Passw0rd";
  ASSERT_TRUE(users_.AdminCreateUser(in));
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(sent[0].body.find("N3w-Passw0rd"), std::string::npos);
  auto row = env_.store.GetUserByUsernameKey(kUserServicePool, "mia");
  EXPECT_TRUE(crypto::VerifyPassword("N3w-Passw0rd", FromRow(*row).PasswordHash()));

  ASSERT_TRUE(users_.AdminSetUserPassword(kUserServicePool, "mia", kPassword, true));
  ExpectError(users_.AdminCreateUser(in), ErrorCode::kUnsupportedUserState,
              "Resend not possible. mia status is not FORCE_CHANGE_PASSWORD");
}

// ---- AdminGetUser / AdminDeleteUser ---------------------------------------------------------

TEST_F(UserServiceTest, GetAndDelete) {
  UserRecord u = Create("nora");
  EXPECT_EQ(Get("nora").sub, u.sub);
  EXPECT_EQ(Get(u.sub).username, "nora");  // by sub
  ExpectError(users_.AdminGetUser(kUserServicePool, "nobody"), ErrorCode::kUserNotFound,
              "User does not exist.");
  ExpectError(users_.AdminGetUser("us-east-1_None", "nora"), ErrorCode::kResourceNotFound,
              "User pool us-east-1_None does not exist.");
  ASSERT_TRUE(users_.AdminDeleteUser(kUserServicePool, "nora"));
  ExpectError(users_.AdminGetUser(kUserServicePool, "nora"), ErrorCode::kUserNotFound,
              "User does not exist.");
  ExpectError(users_.AdminDeleteUser(kUserServicePool, "nora"), ErrorCode::kUserNotFound,
              "User does not exist.");
}

// ---- AdminUpdateUserAttributes / AdminDeleteUserAttributes --------------------------------

TEST_F(UserServiceTest, UpdateAttributes) {
  Create("omar", {{"email", "omar@example.com"}, {"email_verified", "true"}});
  env_.clock.AdvanceMillis(5000);
  ASSERT_TRUE(users_.AdminUpdateUserAttributes(kUserServicePool, "omar", {{"given_name", "Omar"}}));
  UserRecord u = Get("omar");
  EXPECT_EQ(u.Attribute("given_name"), "Omar");
  EXPECT_EQ(u.Attribute("email_verified"), "true");
  EXPECT_EQ(u.modified_ms, u.created_ms + 5000);

  // A new address is unverified unless the call verifies it.
  ASSERT_TRUE(
      users_.AdminUpdateUserAttributes(kUserServicePool, "omar", {{"email", "o@example.com"}}));
  EXPECT_EQ(Get("omar").Attribute("email_verified"), "false");
  ASSERT_TRUE(users_.AdminUpdateUserAttributes(
      kUserServicePool, "omar", {{"email", "o2@example.com"}, {"email_verified", "true"}}));
  EXPECT_EQ(Get("omar").Attribute("email_verified"), "true");
  EXPECT_TRUE(env_.sink.Sent().empty());  // the pool does not auto-verify

  ExpectError(
      users_.AdminUpdateUserAttributes(kUserServicePool, "omar", {{"custom:x", "1"}, {"sub", "s"}}),
      ErrorCode::kInvalidParameter,
      "user.custom:x: Attribute does not exist in the schema.\n"
      "user.sub: Attribute cannot be updated.\n");
  ExpectError(users_.AdminUpdateUserAttributes(kUserServicePool, "omar", {{"email", "bad"}}),
              ErrorCode::kInvalidParameter, "Invalid email address format.");
  ExpectError(users_.AdminUpdateUserAttributes(kUserServicePool, "ghost", {{"name", "x"}}),
              ErrorCode::kUserNotFound, "User does not exist.");
  ExpectError(users_.AdminUpdateUserAttributes(kUserServicePool, "omar",
                                               {{"phone_number_verified", "true"}}),
              ErrorCode::kInvalidParameter,
              "Phone Number is required to verify/un-verify a phone number");
}

TEST_F(UserServiceTest, UpdateSendsCodeWhenPoolAutoVerifies) {
  env_.MakePool("us-east-1_Av", json::parse(R"({"AutoVerifiedAttributes": ["email"],
      "AliasAttributes": ["email"],
      "VerificationMessageTemplate": {"EmailMessage": "Code: {####}", "EmailSubject": "Verify"}})"));
  AdminCreateUserInput in =
      Input("pam", {{"email", "pam@example.com"}, {"email_verified", "true"}});
  in.pool_id = "us-east-1_Av";
  ASSERT_TRUE(users_.AdminCreateUser(in));
  in.username = "quinn";
  in.attributes = {{"email", "quinn@example.com"}, {"email_verified", "true"}};
  ASSERT_TRUE(users_.AdminCreateUser(in));

  ASSERT_TRUE(users_.AdminUpdateUserAttributes("us-east-1_Av", "pam", {{"email", "p@x.io"}}));
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].destination, "p@x.io");
  EXPECT_EQ(sent[0].subject, "Verify");
  const std::string code = sent[0].body.substr(std::string("Code: ").size());
  UserRecord pam = Get("pam", "us-east-1_Av");
  EXPECT_TRUE(pam.CheckCode(kCodeVerifyEmail, code, env_.clock.NowMillis()));
  EXPECT_FALSE(pam.CheckCode(kCodeVerifyEmail, "000000x", env_.clock.NowMillis()));
  // The old address no longer finds her; the new one is not verified yet.
  ExpectError(users_.AdminGetUser("us-east-1_Av", "pam@example.com"), ErrorCode::kUserNotFound,
              "User does not exist.");

  // Taking another user's verified alias.
  ExpectError(
      users_.AdminUpdateUserAttributes(
          "us-east-1_Av", "pam", {{"email", "quinn@example.com"}, {"email_verified", "true"}}),
      ErrorCode::kAliasExists, "An account with the given email already exists.");
}

TEST_F(UserServiceTest, DeleteAttributes) {
  Create("rita", {{"email", "rita@example.com"}, {"email_verified", "true"}, {"name", "Rita"}});
  ASSERT_TRUE(users_.AdminDeleteUserAttributes(kUserServicePool, "rita", {"email"}));
  UserRecord u = Get("rita");
  EXPECT_FALSE(u.Attribute("email"));
  EXPECT_FALSE(u.Attribute("email_verified"));
  EXPECT_EQ(u.Attribute("name"), "Rita");
  ExpectError(users_.AdminDeleteUserAttributes(kUserServicePool, "rita", {"sub"}),
              ErrorCode::kInvalidParameter, "user.sub: Attribute cannot be updated.\n");
  ExpectError(users_.AdminDeleteUserAttributes(kUserServicePool, "rita", {"custom:zz"}),
              ErrorCode::kInvalidParameter,
              "user.custom:zz: Attribute does not exist in the schema.\n");
  ExpectError(users_.AdminDeleteUserAttributes(kUserServicePool, "ghost", {"name"}),
              ErrorCode::kUserNotFound, "User does not exist.");

  env_.MakePool("us-east-1_Rq", json::parse(R"({"SchemaAttributes": [
      {"Name": "email", "AttributeDataType": "String", "Required": true}]})"));
  AdminCreateUserInput in = Input("sam", {{"email", "sam@example.com"}});
  in.pool_id = "us-east-1_Rq";
  ASSERT_TRUE(users_.AdminCreateUser(in));
  ExpectError(users_.AdminDeleteUserAttributes("us-east-1_Rq", "sam", {"email"}),
              ErrorCode::kInvalidParameter, "user.email: The attribute is required\n");
}

// ---- Enable / Disable ------------------------------------------------------------------------

TEST_F(UserServiceTest, EnableDisable) {
  Create("tom");
  ASSERT_TRUE(users_.AdminSetUserEnabled(kUserServicePool, "tom", false));
  EXPECT_FALSE(Get("tom").enabled);
  ASSERT_TRUE(users_.AdminSetUserEnabled(kUserServicePool, "tom", false));  // idempotent
  ASSERT_TRUE(users_.AdminSetUserEnabled(kUserServicePool, "tom", true));
  EXPECT_TRUE(Get("tom").enabled);
  ExpectError(users_.AdminSetUserEnabled(kUserServicePool, "ghost", true), ErrorCode::kUserNotFound,
              "User does not exist.");
  ExpectError(users_.AdminSetUserEnabled("us-east-1_X", "tom", true), ErrorCode::kResourceNotFound,
              "User pool us-east-1_X does not exist.");
}

// ---- Passwords -----------------------------------------------------------------------------

TEST_F(UserServiceTest, SetUserPassword) {
  Create("uma");
  ASSERT_TRUE(users_.AdminSetUserPassword(kUserServicePool, "uma", "Perm4nent!", true));
  UserRecord u = Get("uma");
  EXPECT_EQ(u.status, "CONFIRMED");
  EXPECT_TRUE(crypto::VerifyPassword("Perm4nent!", u.PasswordHash()));
  EXPECT_EQ(u.TemporaryPasswordExpiresMs(), 0);

  ASSERT_TRUE(users_.AdminSetUserPassword(kUserServicePool, "uma", "Temp0rary!", false));
  u = Get("uma");
  EXPECT_EQ(u.status, "FORCE_CHANGE_PASSWORD");
  EXPECT_GT(u.TemporaryPasswordExpiresMs(), 0);

  ExpectError(users_.AdminSetUserPassword(kUserServicePool, "uma", "weak", true),
              ErrorCode::kInvalidPassword,
              "Password does not conform to policy: Password not long enough");
  ExpectError(users_.AdminSetUserPassword(kUserServicePool, "ghost", "Perm4nent!", true),
              ErrorCode::kUserNotFound, "User does not exist.");
}

TEST_F(UserServiceTest, ResetUserPassword) {
  Create("vic", {{"email", "vic@example.com"}});
  ASSERT_TRUE(users_.AdminSetUserPassword(kUserServicePool, "vic", kPassword, true));
  ExpectError(users_.AdminResetUserPassword(kUserServicePool, "vic"), ErrorCode::kInvalidParameter,
              "Cannot reset password for the user as there is no registered/verified email or "
              "phone_number");

  ASSERT_TRUE(
      users_.AdminUpdateUserAttributes(kUserServicePool, "vic", {{"email_verified", "True"}}));
  EXPECT_EQ(Get("vic").Attribute("email_verified"), "true");
  ASSERT_TRUE(users_.AdminResetUserPassword(kUserServicePool, "vic"));
  UserRecord u = Get("vic");
  EXPECT_EQ(u.status, "RESET_REQUIRED");
  auto sent = env_.sink.Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].destination, "vic@example.com");
  EXPECT_EQ(sent[0].purpose, "forgot_password");
  const std::string body = sent[0].body;
  const std::string code = body.substr(body.find_first_of("0123456789"), 6);
  EXPECT_TRUE(u.CheckCode(kCodeForgotPassword, code, env_.clock.NowMillis()));
  EXPECT_FALSE(u.CheckCode(kCodeForgotPassword, code, env_.clock.NowMillis() + 2 * 3600 * 1000));

  Create("walt", {{"email", "walt@example.com"}, {"email_verified", "true"}});
  ExpectError(users_.AdminResetUserPassword(kUserServicePool, "walt"), ErrorCode::kNotAuthorized,
              "User password cannot be reset in the current state.");
  ExpectError(users_.AdminResetUserPassword(kUserServicePool, "ghost"), ErrorCode::kUserNotFound,
              "User does not exist.");
}

// ---- AdminConfirmSignUp --------------------------------------------------------------------

TEST_F(UserServiceTest, ConfirmSignUp) {
  InsertUser("xena", "UNCONFIRMED");
  ASSERT_TRUE(users_.AdminConfirmSignUp(kUserServicePool, "xena"));
  EXPECT_EQ(Get("xena").status, "CONFIRMED");
  ExpectError(users_.AdminConfirmSignUp(kUserServicePool, "xena"), ErrorCode::kNotAuthorized,
              "User cannot be confirmed. Current status is CONFIRMED");
  Create("yuri");
  ExpectError(users_.AdminConfirmSignUp(kUserServicePool, "yuri"), ErrorCode::kNotAuthorized,
              "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD");
  ExpectError(users_.AdminConfirmSignUp(kUserServicePool, "ghost"), ErrorCode::kUserNotFound,
              "User does not exist.");
}

// ---- ListUsers -----------------------------------------------------------------------------

TEST_F(UserServiceTest, ListUsersFiltersAndPages) {
  for (int i = 0; i < 7; ++i) {
    Create("user" + std::to_string(i),
           {{"email", "u" + std::to_string(i) + (i < 3 ? "@a.io" : "@b.io")},
            {"given_name", i % 2 ? "Odd" : "Even"}});
  }
  InsertUser("pending", "UNCONFIRMED");
  ASSERT_TRUE(users_.AdminSetUserEnabled(kUserServicePool, "user6", false));

  ListUsersInput in;
  in.pool_id = kUserServicePool;
  auto all = users_.ListUsers(in);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->users.size(), 8u);
  EXPECT_TRUE(all->pagination_token.empty());

  in.filter = R"(email = "u1@a.io")";
  auto one = users_.ListUsers(in);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->users.size(), 1u);
  EXPECT_EQ(one->users[0].username, "user1");

  in.filter = R"(email ^= "u")";
  in.limit = 3;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = users_.ListUsers(in);
    ASSERT_TRUE(page) << page.error().message();
    for (const auto& u : page->users) seen.push_back(u.username);
    if (page->pagination_token.empty()) break;
    in.pagination_token = page->pagination_token;
  }
  EXPECT_EQ(seen.size(), 7u);

  in = {};
  in.pool_id = kUserServicePool;
  in.filter = R"(cognito:user_status = "unconfirmed")";
  auto pending = users_.ListUsers(in);
  ASSERT_EQ(pending->users.size(), 1u);
  EXPECT_EQ(pending->users[0].username, "pending");

  in.filter = R"(status = "Disabled")";
  auto disabled = users_.ListUsers(in);
  ASSERT_EQ(disabled->users.size(), 1u);
  EXPECT_EQ(disabled->users[0].username, "user6");

  in.filter = R"(given_name = "Odd")";
  in.attributes_to_get = std::vector<std::string>{"given_name"};
  auto odd = users_.ListUsers(in);
  ASSERT_EQ(odd->users.size(), 3u);
  EXPECT_EQ(odd->users[0].attributes.size(), 1u);
  EXPECT_EQ(odd->users[0].Attribute("given_name"), "Odd");

  in = {};
  in.pool_id = kUserServicePool;
  in.filter = R"(username = "user2")";
  ASSERT_EQ(users_.ListUsers(in)->users.size(), 1u);
  in.filter = R"(sub = ")" + Get("user2").sub + "\"";
  ASSERT_EQ(users_.ListUsers(in)->users.size(), 1u);
}

TEST_F(UserServiceTest, ListUsersErrors) {
  ListUsersInput in;
  in.pool_id = "us-east-1_Gone";
  ExpectError(users_.ListUsers(in), ErrorCode::kResourceNotFound,
              "User pool us-east-1_Gone does not exist.");
  in.pool_id = kUserServicePool;
  in.filter = "email = foo";
  ExpectError(users_.ListUsers(in), ErrorCode::kInvalidParameter, "Error while parsing filter.");
  in.filter = R"(custom:x = "1")";
  ExpectError(users_.ListUsers(in), ErrorCode::kInvalidParameter,
              "Invalid search attribute: custom:x");
  in.filter.clear();
  in.pagination_token = "garbage!";
  ExpectError(users_.ListUsers(in), ErrorCode::kInvalidParameter, "Invalid pagination token.");
  in.pagination_token.clear();
  in.limit = 61;
  auto r = users_.ListUsers(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidParameter);
}

TEST_F(UserServiceTest, PaginationTokenIsBoundToItsListing) {
  for (int i = 0; i < 3; ++i) Create("z" + std::to_string(i));
  ListUsersInput in;
  in.pool_id = kUserServicePool;
  in.limit = 1;
  auto page = users_.ListUsers(in);
  ASSERT_TRUE(page);
  ASSERT_FALSE(page->pagination_token.empty());
  in.filter = R"(username ^= "z")";
  in.pagination_token = page->pagination_token;
  ExpectError(users_.ListUsers(in), ErrorCode::kInvalidParameter, "Invalid pagination token.");
}

}  // namespace
}  // namespace cognate::domain::users
