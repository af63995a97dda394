#include "domain/auth/custom_auth.h"

#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/test_support.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/password.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;
using triggers::Invocation;

constexpr char kCustomAuthPool[] = "us-east-1_CustomPool";
constexpr char kBare[] = "us-east-1_BarePool";
using users::testing::kPassword;
constexpr char kCode[] = "424242";

using testing::FakeIssuer;

using testing::EvenHex;

// A Lambda-style handler: gets the event, changes it, returns it.
triggers::FakeInvoker::Handler Lambda(std::function<void(json&)> fn) {
  return [fn = std::move(fn)](std::string_view body) {
    json event = json::parse(body);
    fn(event);
    return Invocation{Invocation::Status::kOk, event.dump()};
  };
}

class CustomAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kCustomAuthPool, {{"LambdaConfig",
                                     {{"DefineAuthChallenge", "define"},
                                      {"CreateAuthChallenge", "create"},
                                      {"VerifyAuthChallengeResponse", "verify"}}}});
    env_.MakePool(kBare);
    // The magic-code flow, as the three triggers of a passwordless sign-in write it.
    env_.invoker.handlers["define"] = Lambda([this](json& e) {
      define_events_.push_back(e);
      const json& s = e["request"]["session"];
      auto& r = e["response"];
      if (!s.empty() && s.back()["challengeResult"] == true &&
          s.back()["challengeName"] == "CUSTOM_CHALLENGE") {
        r["issueTokens"] = true;
        r["failAuthentication"] = false;
      } else if (s.size() >= 3) {
        r["issueTokens"] = false;
        r["failAuthentication"] = true;
      } else if (!s.empty() && s.back()["challengeName"] == "SRP_A") {
        r["challengeName"] = "PASSWORD_VERIFIER";
      } else {
        r["issueTokens"] = false;
        r["failAuthentication"] = false;
        r["challengeName"] = "CUSTOM_CHALLENGE";
      }
    });
    env_.invoker.handlers["create"] = Lambda([this](json& e) {
      create_events_.push_back(e);
      e["response"]["publicChallengeParameters"] = {{"hint", "check your mail"}};
      e["response"]["privateChallengeParameters"] = {{"code", kCode}};
      e["response"]["challengeMetadata"] = "CODE-" + std::to_string(e["request"]["session"].size());
    });
    env_.invoker.handlers["verify"] = Lambda([this](json& e) {
      verify_events_.push_back(e);
      e["response"]["answerCorrect"] =
          e["request"]["challengeAnswer"] == e["request"]["privateChallengeParameters"]["code"];
    });
  }

  std::string MakeClient(bool prevent = true, const std::string& pool = kCustomAuthPool) {
    const std::string id = "client" + std::to_string(++clients_);
    json doc = {{"ClientId", id},
                {"UserPoolId", pool},
                {"ClientName", "c"},
                {"ExplicitAuthFlows", {"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}},
                {"PreventUserExistenceErrors", prevent ? "ENABLED" : "LEGACY"},
                {"AuthSessionValidity", 3}};
    store::ClientRow row{pool, id, "c", doc.dump(), 0, 0, 0};
    EXPECT_TRUE(env_.store.CreateClient(row));
    return id;
  }

  users::UserRecord MakeUser(const std::string& username,
                             const std::string& pool = kCustomAuthPool) {
    users::AdminCreateUserInput in;
    in.pool_id = pool;
    in.username = username;
    in.attributes = {{"email", username + "@example.com"}, {"email_verified", "true"}};
    in.temporary_password = kPassword;
    in.message_action = "SUPPRESS";
    EXPECT_TRUE(users_.AdminCreateUser(in));
    EXPECT_TRUE(users_.AdminSetUserPassword(pool, username, kPassword, true));
    return *users_.AdminGetUser(pool, username);
  }

  Result<AuthOutcome> Start(const std::string& client, const std::string& username,
                            StringMap extra = {}, StringMap metadata = {}) {
    InitiateAuthInput in;
    in.client_id = client;
    in.auth_flow = "CUSTOM_AUTH";
    in.parameters = {{"USERNAME", username}};
    in.parameters.merge(extra);
    in.client_metadata = std::move(metadata);
    return auth_.InitiateAuth(in);
  }

  Result<AuthOutcome> Answer(const std::string& client, const std::string& username,
                             const std::string& session, const std::string& answer,
                             StringMap metadata = {}) {
    RespondInput in;
    in.client_id = client;
    in.challenge_name = "CUSTOM_CHALLENGE";
    in.session = session;
    in.responses = {{"USERNAME", username}, {"ANSWER", answer}};
    in.client_metadata = std::move(metadata);
    return auth_.RespondToAuthChallenge(in);
  }

  users::testing::TestEnv env_;
  users::UserService users_{env_.ctx};
  std::shared_ptr<FakeIssuer> issuer_ = std::make_shared<FakeIssuer>();
  AuthService auth_{env_.ctx, issuer_};
  int clients_ = 0;
  std::vector<json> define_events_, create_events_, verify_events_;
};

TEST(CustomAuthReadersTest, DefineResponse) {
  auto d = ReadDefineResponse({{"challengeName", "CUSTOM_CHALLENGE"}, {"issueTokens", false}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DefineDecision::Kind::kChallenge);
  EXPECT_EQ(d->challenge_name, "CUSTOM_CHALLENGE");
  d = ReadDefineResponse({{"issueTokens", true}, {"challengeName", nullptr}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DefineDecision::Kind::kIssueTokens);
  d = ReadDefineResponse({{"issueTokens", true}, {"failAuthentication", true}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DefineDecision::Kind::kFail);
  EXPECT_ERROR(ReadDefineResponse({{"issueTokens", "yes"}}), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
  EXPECT_ERROR(ReadDefineResponse({{"challengeName", 3}}), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
  EXPECT_ERROR(ReadDefineResponse(json::object()), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
  EXPECT_ERROR(ReadDefineResponse({{"challengeName", "SMS_MFA"}}), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
}

TEST(CustomAuthReadersTest, CreateAndVerifyResponses) {
  auto c = ReadCreateResponse({{"publicChallengeParameters", {{"a", "1"}}},
                               {"privateChallengeParameters", {{"b", "2"}}},
                               {"challengeMetadata", "M"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->public_parameters.at("a"), "1");
  EXPECT_EQ(c->private_parameters, (json{{"b", "2"}}));
  EXPECT_EQ(c->metadata, "M");
  c = ReadCreateResponse(json::object());
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->public_parameters.empty());
  EXPECT_TRUE(c->metadata.is_null());
  EXPECT_ERROR(ReadCreateResponse({{"publicChallengeParameters", {{"a", 1}}}}),
               kInvalidLambdaResponse, "Unrecognizable lambda output");
  EXPECT_ERROR(ReadCreateResponse({{"privateChallengeParameters", "x"}}), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
  EXPECT_ERROR(ReadCreateResponse({{"challengeMetadata", 1}}), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
  EXPECT_EQ(*ReadVerifyResponse({{"answerCorrect", true}}), true);
  EXPECT_EQ(*ReadVerifyResponse(json::object()), false);
  EXPECT_ERROR(ReadVerifyResponse({{"answerCorrect", "true"}}), kInvalidLambdaResponse,
               "Unrecognizable lambda output");
  EXPECT_EQ(ChallengeResult("SRP_A", true), (json{{"challengeName", "SRP_A"},
                                                  {"challengeResult", true},
                                                  {"challengeMetadata", nullptr}}));
}

TEST_F(CustomAuthTest, MagicCodeFlowWithAWrongAnswerFirst) {
  const auto user = MakeUser("alice");
  const auto client = MakeClient();
  auto first = Start(client, "alice", {}, {{"ignored", "at initiate"}});
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->challenge_name, "CUSTOM_CHALLENGE");
  EXPECT_FALSE(first->session.empty());
  EXPECT_EQ(first->challenge_parameters,
            (StringMap{{"USERNAME", "alice"}, {"hint", "check your mail"}}));

  ASSERT_EQ(define_events_.size(), 1u);
  const json& d0 = define_events_[0];
  EXPECT_EQ(d0["triggerSource"], "DefineAuthChallenge_Authentication");
  EXPECT_EQ(d0["userName"], "alice");
  EXPECT_EQ(d0["userPoolId"], kCustomAuthPool);
  EXPECT_EQ(d0["callerContext"]["clientId"], client);
  EXPECT_EQ(d0["request"]["session"], json::array());
  EXPECT_EQ(d0["request"]["userNotFound"], false);
  EXPECT_FALSE(d0["request"].contains("clientMetadata"));  // InitiateAuth passes none
  EXPECT_EQ(d0["request"]["userAttributes"]["sub"], user.sub);
  EXPECT_EQ(d0["request"]["userAttributes"]["email"], "alice@example.com");
  EXPECT_EQ(d0["request"]["userAttributes"]["cognito:user_status"], "CONFIRMED");
  ASSERT_EQ(create_events_.size(), 1u);
  EXPECT_EQ(create_events_[0]["triggerSource"], "CreateAuthChallenge_Authentication");
  EXPECT_EQ(create_events_[0]["request"]["challengeName"], "CUSTOM_CHALLENGE");
  EXPECT_EQ(create_events_[0]["request"]["session"], json::array());

  auto wrong = Answer(client, "alice", first->session, "000000", {{"app", "web"}});
  ASSERT_TRUE(wrong) << wrong.error().message();
  EXPECT_EQ(wrong->challenge_name, "CUSTOM_CHALLENGE");
  EXPECT_NE(wrong->session, first->session);
  ASSERT_EQ(verify_events_.size(), 1u);
  const json& v0 = verify_events_[0];
  EXPECT_EQ(v0["triggerSource"], "VerifyAuthChallengeResponse_Authentication");
  EXPECT_EQ(v0["request"]["challengeAnswer"], "000000");
  EXPECT_EQ(v0["request"]["privateChallengeParameters"], (json{{"code", kCode}}));
  EXPECT_EQ(v0["request"]["clientMetadata"], (json{{"app", "web"}}));
  EXPECT_EQ(v0["request"]["userNotFound"], false);
  ASSERT_EQ(define_events_.size(), 2u);
  EXPECT_EQ(define_events_[1]["request"]["session"],
            (json::array({ChallengeResult("CUSTOM_CHALLENGE", false, "CODE-0")})));
  EXPECT_EQ(define_events_[1]["request"]["clientMetadata"], (json{{"app", "web"}}));
  EXPECT_EQ(create_events_[1]["request"]["session"].size(), 1u);

  // The first session was spent.
  EXPECT_ERROR(Answer(client, "alice", first->session, kCode), kNotAuthorized,
               "Invalid session for the user.");
  auto done = Answer(client, "alice", wrong->session, kCode);
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_TRUE(done->tokens);
  ASSERT_EQ(issuer_->grants.size(), 1u);
  EXPECT_EQ(issuer_->grants[0].sub, user.sub);
  EXPECT_EQ(define_events_.back()["request"]["session"],
            (json::array({ChallengeResult("CUSTOM_CHALLENGE", false, "CODE-0"),
                          ChallengeResult("CUSTOM_CHALLENGE", true, "CODE-1")})));
}

TEST_F(CustomAuthTest, DefineFailsAfterThreeWrongAnswers) {
  MakeUser("alice");
  const auto client = MakeClient();
  auto step = Start(client, "alice");
  ASSERT_TRUE(step);
  for (int i = 0; i < 2; ++i) {
    step = Answer(client, "alice", step->session, "nope");
    ASSERT_TRUE(step) << step.error().message();
  }
  EXPECT_ERROR(Answer(client, "alice", step->session, "nope"), kNotAuthorized,
               "Incorrect username or password.");
  EXPECT_TRUE(issuer_->grants.empty());
}

TEST_F(CustomAuthTest, RoundLimitEndsASignInDefineNeverEnds) {
  MakeUser("alice");
  const auto client = MakeClient();
  env_.invoker.handlers["define"] =
      Lambda([](json& e) { e["response"]["challengeName"] = "CUSTOM_CHALLENGE"; });
  auto step = Start(client, "alice");
  ASSERT_TRUE(step);
  std::size_t rounds = 0;
  for (; rounds < 20; ++rounds) {
    auto next = Answer(client, "alice", step->session, "x");
    if (!next) {
      EXPECT_EQ(next.error().message(), "Incorrect username or password.");
      break;
    }
    step = std::move(next);
  }
  EXPECT_EQ(rounds, kMaxCustomAuthRounds);
}

TEST_F(CustomAuthTest, UnknownUsers) {
  const auto legacy = MakeClient(/*prevent=*/false);
  EXPECT_ERROR(Start(legacy, "ghost"), kUserNotFound, "User does not exist.");
  EXPECT_TRUE(define_events_.empty());

  // PreventUserExistenceErrors: the triggers run with userNotFound, and tokens are never issued.
  const auto client = MakeClient();
  env_.invoker.handlers["verify"] = Lambda([](json& e) { e["response"]["answerCorrect"] = true; });
  auto first = Start(client, "ghost");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->challenge_parameters.at("USERNAME"), "ghost");
  EXPECT_EQ(define_events_[0]["request"]["userNotFound"], true);
  EXPECT_EQ(define_events_[0]["request"]["userAttributes"], json::object());
  EXPECT_EQ(define_events_[0]["userName"], "ghost");
  EXPECT_ERROR(Answer(client, "ghost", first->session, "x"), kNotAuthorized,
               "Incorrect username or password.");
}

TEST_F(CustomAuthTest, ConfigurationAndUserStateErrors) {
  const auto bare = MakeClient(true, kBare);
  EXPECT_ERROR(Start(bare, "alice"), kInvalidParameter,
               "Custom auth lambda trigger is not configured for the user pool.");
  const auto client = MakeClient();
  EXPECT_ERROR(Start(client, ""), kInvalidParameter, "Missing required parameter USERNAME");
  MakeUser("bob");
  ASSERT_TRUE(users_.AdminSetUserEnabled(kCustomAuthPool, "bob", false));
  EXPECT_ERROR(Start(client, "bob"), kNotAuthorized, "User is disabled.");

  MakeUser("alice");
  auto first = Start(client, "alice");
  ASSERT_TRUE(first);
  RespondInput in;
  in.client_id = client;
  in.challenge_name = "CUSTOM_CHALLENGE";
  in.session = first->session;
  in.responses = {{"USERNAME", "alice"}};
  EXPECT_ERROR(auth_.RespondToAuthChallenge(in), kInvalidParameter,
               "Missing required parameter ANSWER");
  EXPECT_ERROR(Answer(client, "mallory", first->session, kCode), kNotAuthorized,
               "Invalid session for the user.");
  // The flow must be enabled on the client.
  json doc = {{"ClientId", "noflow"},
              {"UserPoolId", kCustomAuthPool},
              {"ClientName", "c"},
              {"ExplicitAuthFlows", {"ALLOW_USER_SRP_AUTH"}}};
  ASSERT_TRUE(env_.store.CreateClient({kCustomAuthPool, "noflow", "c", doc.dump(), 0, 0, 0}));
  EXPECT_ERROR(Start("noflow", "alice"), kInvalidParameter,
               "CUSTOM_AUTH flow not enabled for this client");
}

TEST_F(CustomAuthTest, TriggerErrorsReachTheCaller) {
  MakeUser("alice");
  const auto client = MakeClient();
  env_.invoker.handlers["create"] = [](std::string_view) {
    return Invocation{Invocation::Status::kFunctionError, "boom"};
  };
  EXPECT_ERROR(Start(client, "alice"), kUserLambdaValidation,
               "CreateAuthChallenge failed with error boom.");
  env_.invoker.handlers["define"] = Lambda([](json& e) { e["response"]["issueTokens"] = "yes"; });
  EXPECT_ERROR(Start(client, "alice"), kInvalidLambdaResponse, "Unrecognizable lambda output");
  env_.invoker.handlers["define"] = [](std::string_view) {
    return Invocation{Invocation::Status::kTimeout, ""};
  };
  EXPECT_ERROR(Start(client, "alice"), kUnexpectedLambda,
               "DefineAuthChallenge invocation failed due to error Socket timeout while invoking "
               "Lambda function.");
  env_.invoker.handlers["define"] =
      Lambda([](json& e) { e["response"]["failAuthentication"] = true; });
  EXPECT_ERROR(Start(client, "alice"), kNotAuthorized, "Incorrect username or password.");
}

TEST_F(CustomAuthTest, SrpThenPasswordVerifierThenCustomChallenge) {
  const auto user = MakeUser("alice");
  const auto client = MakeClient();
  const std::string a(32, '\x07');
  const crypto::SrpClient probe(users::SrpPoolName(kCustomAuthPool), "x", a);
  auto first = Start(client, "alice", {{"CHALLENGE_NAME", "SRP_A"}, {"SRP_A", probe.PublicAHex()}});
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->challenge_name, "PASSWORD_VERIFIER");
  EXPECT_FALSE(first->session.empty());
  EXPECT_EQ(define_events_[0]["request"]["session"],
            (json::array({ChallengeResult("SRP_A", true)})));
  EXPECT_TRUE(create_events_.empty());

  auto p = first->challenge_parameters;
  const crypto::SrpClient side(users::SrpPoolName(kCustomAuthPool), p["USER_ID_FOR_SRP"], a);
  const std::string ts = crypto::FormatSrpTimestamp(env_.clock.NowSeconds());
  auto sig = side.SignClaim(kPassword, *crypto::HexDecode(EvenHex(p["SRP_B"])),
                            *crypto::HexDecode(EvenHex(p["SALT"])),
                            *crypto::Base64Decode(p["SECRET_BLOCK"]), ts);
  ASSERT_TRUE(sig);
  RespondInput in;
  in.client_id = client;
  in.challenge_name = "PASSWORD_VERIFIER";
  in.session = first->session;
  in.responses = {{"USERNAME", "alice"},
                  {"PASSWORD_CLAIM_SECRET_BLOCK", p["SECRET_BLOCK"]},
                  {"PASSWORD_CLAIM_SIGNATURE", *sig},
                  {"TIMESTAMP", ts}};
  auto second = auth_.RespondToAuthChallenge(in);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->challenge_name, "CUSTOM_CHALLENGE");
  EXPECT_EQ(
      define_events_[1]["request"]["session"],
      (json::array({ChallengeResult("SRP_A", true), ChallengeResult("PASSWORD_VERIFIER", true)})));
  auto done = Answer(client, "alice", second->session, kCode);
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_TRUE(done->tokens);
  EXPECT_EQ(define_events_.back()["request"]["session"].size(), 3u);

  // A wrong password inside custom auth fails like any wrong password.
  auto again = Start(client, "alice", {{"CHALLENGE_NAME", "SRP_A"}, {"SRP_A", probe.PublicAHex()}});
  ASSERT_TRUE(again);
  auto q = again->challenge_parameters;
  auto bad = side.SignClaim("wrong-password", *crypto::HexDecode(EvenHex(q["SRP_B"])),
                            *crypto::HexDecode(EvenHex(q["SALT"])),
                            *crypto::Base64Decode(q["SECRET_BLOCK"]), ts);
  in.responses["PASSWORD_CLAIM_SECRET_BLOCK"] = q["SECRET_BLOCK"];
  in.responses["PASSWORD_CLAIM_SIGNATURE"] = *bad;
  EXPECT_ERROR(auth_.RespondToAuthChallenge(in), kNotAuthorized, "Incorrect username or password.");
  // Without SRP_A, a Define asking for PASSWORD_VERIFIER cannot be served.
  env_.invoker.handlers["define"] =
      Lambda([](json& e) { e["response"]["challengeName"] = "PASSWORD_VERIFIER"; });
  EXPECT_ERROR(Start(client, "alice"), kInvalidParameter, "Missing required parameter SRP_A");
  (void)user;
}

// ---------------------------------------------------------------------------------------------
// Lazy migration at sign-in

TEST_F(CustomAuthTest, MigrationOnPasswordSignIn) {
  env_.MakePool("us-east-1_Migrate", {{"LambdaConfig", {{"UserMigration", "migrate"}}}});
  std::vector<json> events;
  env_.invoker.handlers["migrate"] = Lambda([&](json& e) {
    events.push_back(e);
    if (e["userName"] == "legacy" && e["request"]["password"] == "Legacy-pass1") {
      e["response"]["userAttributes"] = {{"email", "legacy@example.com"},
                                         {"email_verified", "true"}};
      e["response"]["finalUserStatus"] = "CONFIRMED";
      e["response"]["messageAction"] = "SUPPRESS";
    } else if (e["userName"] == "resetme") {
      e["response"]["userAttributes"] = {{"email", "r@example.com"}};
      e["response"]["finalUserStatus"] = "RESET_REQUIRED";
      e["response"]["messageAction"] = "SUPPRESS";
    }
  });
  json doc = {{"ClientId", "mig"},
              {"UserPoolId", "us-east-1_Migrate"},
              {"ClientName", "c"},
              {"ExplicitAuthFlows", {"ALLOW_USER_PASSWORD_AUTH"}},
              {"PreventUserExistenceErrors", "LEGACY"}};
  ASSERT_TRUE(env_.store.CreateClient({"us-east-1_Migrate", "mig", "c", doc.dump(), 0, 0, 0}));
  InitiateAuthInput in;
  in.client_id = "mig";
  in.auth_flow = "USER_PASSWORD_AUTH";
  in.parameters = {{"USERNAME", "legacy"}, {"PASSWORD", "Legacy-pass1"}};
  in.client_metadata = {{"source", "app"}};
  auto out = auth_.InitiateAuth(in);
  ASSERT_TRUE(out) << out.error().message();
  ASSERT_TRUE(out->tokens);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["triggerSource"], "UserMigration_Authentication");
  EXPECT_EQ(events[0]["request"]["password"], "Legacy-pass1");
  EXPECT_EQ(events[0]["request"]["validationData"], (json{{"source", "app"}}));
  EXPECT_EQ(events[0]["request"]["clientMetadata"], (json{{"source", "app"}}));
  EXPECT_EQ(events[0]["callerContext"]["clientId"], "mig");
  auto created = users_.AdminGetUser("us-east-1_Migrate", "legacy");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, "CONFIRMED");
  EXPECT_EQ(created->Attribute("email"), "legacy@example.com");
  EXPECT_TRUE(env_.sink.Sent().empty());

  // Known now: the password works without the trigger.
  out = auth_.InitiateAuth(in);
  ASSERT_TRUE(out);
  EXPECT_EQ(events.size(), 1u);

  // The function does not know the user (returns the event unchanged).
  in.parameters = {{"USERNAME", "stranger"}, {"PASSWORD", "x"}};
  EXPECT_ERROR(auth_.InitiateAuth(in), kUserNotFound,
               "Exception migrating user in app client mig.");
  // RESET_REQUIRED: created, but the sign-in asks for a reset.
  in.parameters = {{"USERNAME", "resetme"}, {"PASSWORD", "x"}};
  EXPECT_ERROR(auth_.InitiateAuth(in), kPasswordResetRequired,
               "Password reset required for the user");
  EXPECT_EQ(users_.AdminGetUser("us-east-1_Migrate", "resetme")->status, "RESET_REQUIRED");
  // A thrown error.
  env_.invoker.handlers["migrate"] = [](std::string_view) {
    return Invocation{Invocation::Status::kFunctionError, "Bad password"};
  };
  in.parameters = {{"USERNAME", "other"}, {"PASSWORD", "x"}};
  EXPECT_ERROR(auth_.InitiateAuth(in), kUserNotFound,
               "Exception migrating user in app client mig.");
}

}  // namespace
}  // namespace cognate::domain::auth
