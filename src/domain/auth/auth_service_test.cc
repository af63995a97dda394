#include "domain/auth/auth_service.h"
#include "domain/auth/test_support.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/auth/lockout.h"
#include "domain/auth/secret_hash.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/password.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;

constexpr char kAuthServicePool[] = "us-east-1_AuthPool1";
constexpr char kEmailPool[] = "us-east-1_EmailPool";
using users::testing::kPassword;
constexpr char kSecret[] = "s3cr3tvalue";

// Records what the flows asked of the token service and answers with fake tokens whose access
// token carries the username claim (SECRET_HASH of refreshes is checked over it). Given a store,
// it records a family named by the grant as TokenService does, refusing a second one.
class RefreshingIssuer final : public TokenIssuer {
 public:
  std::vector<tokens::SignInGrant> grants;
  std::vector<tokens::RefreshInput> refreshes;
  std::optional<ApiError> refresh_error;
  std::string refresh_username = "alice";
  store::Store* families = nullptr;

  Result<tokens::IssuedTokens> IssueForSignIn(const tokens::SignInGrant& grant) override {
    grants.push_back(grant);
    tokens::IssuedTokens t;
    if (families != nullptr && !grant.family_id.empty()) {
      store::TokenFamilyRow row;
      row.family_id = grant.family_id;
      row.pool_id = grant.pool_id;
      row.client_id = grant.client_id;
      row.sub = grant.sub;
      row.expires_ms = 4'000'000'000'000;
      if (!families->CreateTokenFamily(row)) {
        return ApiError::NotAuthorized("Invalid session for the user.");
      }
      t.family_id = grant.family_id;
    }
    t.id_token = "id." + grant.sub;
    t.access_token = Jwt(grant.sub);
    t.refresh_token = "refresh." + grant.sub;
    t.expires_in_s = 3600;
    return t;
  }
  Result<tokens::IssuedTokens> Refresh(const tokens::RefreshInput& input) override {
    refreshes.push_back(input);
    if (refresh_error) return *refresh_error;
    tokens::IssuedTokens t;
    t.id_token = "id";
    t.access_token = Jwt(refresh_username);
    if (input.allow_rotation) t.refresh_token = "rotated";
    t.expires_in_s = 3600;
    return t;
  }
  static std::string Jwt(const std::string& username) {
    return crypto::Base64UrlEncode(R"({"alg":"RS256"})") + "." +
           crypto::Base64UrlEncode(json{{"username", username}}.dump()) + ".sig";
  }
};

using testing::EvenHex;

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.MakePool(kAuthServicePool);
    env_.MakePool(kEmailPool, {{"UsernameAttributes", {"email"}}});
  }

  // A client of `pool` with `flows`, PreventUserExistenceErrors `prevent`, an optional secret.
  std::string MakeClient(std::vector<std::string> flows, bool prevent = true,
                         std::optional<std::string> secret = std::nullopt,
                         const std::string& pool = kAuthServicePool, int session_minutes = 3) {
    const std::string id = "client" + std::to_string(++clients_);
    json doc = {{"ClientId", id},
                {"UserPoolId", pool},
                {"ClientName", "c"},
                {"ExplicitAuthFlows", flows},
                {"PreventUserExistenceErrors", prevent ? "ENABLED" : "LEGACY"},
                {"AuthSessionValidity", session_minutes}};
    if (secret)
      doc[userpool::kSealedSecretMember] = userpool::SealClientSecret(env_.ctx, id, *secret);
    store::ClientRow row{pool, id, "c", doc.dump(), 0, 0, 0};
    EXPECT_TRUE(env_.store.CreateClient(row));
    return id;
  }

  // A CONFIRMED user with kPassword (or FORCE_CHANGE_PASSWORD when temporary).
  users::UserRecord MakeUser(const std::string& username, bool temporary = false,
                             const std::string& pool = kAuthServicePool,
                             std::vector<users::AttributeInput> attrs = {}) {
    users::AdminCreateUserInput in;
    in.pool_id = pool;
    in.username = username;
    in.attributes = std::move(attrs);
    in.temporary_password = kPassword;
    in.message_action = "SUPPRESS";
    auto u = users_.AdminCreateUser(in);
    EXPECT_TRUE(u) << (u ? "" : u.error().message());
    if (!temporary) {
      EXPECT_TRUE(users_.AdminSetUserPassword(pool, username, kPassword, true));
    }
    return Get(username, pool);
  }

  users::UserRecord Get(const std::string& username, const std::string& pool = kAuthServicePool) {
    auto u = users_.AdminGetUser(pool, username);
    EXPECT_TRUE(u) << (u ? "" : u.error().message());
    return u ? *u : users::UserRecord{};
  }

  Result<AuthOutcome> Password(const std::string& client, const std::string& username,
                               const std::string& password, StringMap extra = {}) {
    InitiateAuthInput in;
    in.client_id = client;
    in.auth_flow = "USER_PASSWORD_AUTH";
    in.parameters = {{"USERNAME", username}, {"PASSWORD", password}};
    in.parameters.merge(extra);
    return auth_.InitiateAuth(in);
  }

  Result<AuthOutcome> Respond(const std::string& client, const std::string& challenge,
                              std::optional<std::string> session, StringMap responses) {
    RespondInput in;
    in.client_id = client;
    in.challenge_name = challenge;
    in.session = std::move(session);
    in.responses = std::move(responses);
    return auth_.RespondToAuthChallenge(in);
  }

  // Runs USER_SRP_AUTH with `password`; returns the challenge parameters and the answer's result.
  struct SrpRun {
    Result<AuthOutcome> challenge;
    Result<AuthOutcome> answer;
    StringMap answer_responses;
  };
  SrpRun Srp(const std::string& client, const std::string& username, const std::string& password,
             const std::string& pool = kAuthServicePool,
             std::optional<std::string> timestamp = std::nullopt) {
    SrpRun run = SrpChallenge(client, username, password, pool, std::move(timestamp));
    if (run.challenge) {
      run.answer = Respond(client, "PASSWORD_VERIFIER", std::nullopt, run.answer_responses);
    }
    return run;
  }
  // The challenge and a signed answer to it, not sent.
  SrpRun SrpChallenge(const std::string& client, const std::string& username,
                      const std::string& password, const std::string& pool = kAuthServicePool,
                      std::optional<std::string> timestamp = std::nullopt) {
    const crypto::SrpClient probe(users::SrpPoolName(pool), "x", a_);
    InitiateAuthInput in;
    in.client_id = client;
    in.auth_flow = "USER_SRP_AUTH";
    in.parameters = {{"USERNAME", username}, {"SRP_A", probe.PublicAHex()}};
    SrpRun run{auth_.InitiateAuth(in), ApiError(), {}};
    if (!run.challenge) return run;
    auto& p = run.challenge->challenge_parameters;
    // The same `a` (so the same SRP_A) for the user id the server names.
    const crypto::SrpClient client_side(users::SrpPoolName(pool), p["USER_ID_FOR_SRP"], a_);
    const std::string ts = timestamp.value_or(crypto::FormatSrpTimestamp(env_.clock.NowSeconds()));
    auto sig = client_side.SignClaim(password, *crypto::HexDecode(EvenHex(p["SRP_B"])),
                                     *crypto::HexDecode(EvenHex(p["SALT"])),
                                     *crypto::Base64Decode(p["SECRET_BLOCK"]), ts);
    EXPECT_TRUE(sig);
    run.answer_responses = {{"USERNAME", p["USERNAME"]},
                            {"PASSWORD_CLAIM_SECRET_BLOCK", p["SECRET_BLOCK"]},
                            {"PASSWORD_CLAIM_SIGNATURE", sig.value_or("")},
                            {"TIMESTAMP", ts}};
    return run;
  }

  users::testing::TestEnv env_;
  users::UserService users_{env_.ctx};
  std::shared_ptr<RefreshingIssuer> issuer_ = std::make_shared<RefreshingIssuer>();
  AuthService auth_{env_.ctx, issuer_};
  int clients_ = 0;
  std::string a_ = std::string(32, '\x07');
};

TEST(FlowAllowedTest, ModernLegacyAndDefault) {
  const std::vector<std::string> modern = {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"};
  EXPECT_TRUE(FlowAllowed(modern, "USER_PASSWORD_AUTH"));
  EXPECT_TRUE(FlowAllowed(modern, "REFRESH_TOKEN"));
  EXPECT_FALSE(FlowAllowed(modern, "USER_SRP_AUTH"));
  EXPECT_FALSE(FlowAllowed(modern, "ADMIN_USER_PASSWORD_AUTH"));
  const std::vector<std::string> legacy = {"ADMIN_NO_SRP_AUTH"};
  EXPECT_TRUE(FlowAllowed(legacy, "ADMIN_NO_SRP_AUTH"));
  EXPECT_TRUE(FlowAllowed(legacy, "ADMIN_USER_PASSWORD_AUTH"));
  EXPECT_TRUE(FlowAllowed(legacy, "USER_SRP_AUTH"));
  EXPECT_TRUE(FlowAllowed(legacy, "REFRESH_TOKEN_AUTH"));
  EXPECT_FALSE(FlowAllowed(legacy, "USER_PASSWORD_AUTH"));
  EXPECT_TRUE(FlowAllowed({"USER_PASSWORD_AUTH"}, "USER_PASSWORD_AUTH"));
  EXPECT_FALSE(FlowAllowed({"CUSTOM_AUTH_FLOW_ONLY"}, "USER_SRP_AUTH"));
  EXPECT_TRUE(FlowAllowed({}, "USER_SRP_AUTH"));
  EXPECT_FALSE(FlowAllowed({}, "USER_PASSWORD_AUTH"));
  EXPECT_TRUE(FlowAllowed({"ALLOW_ADMIN_USER_PASSWORD_AUTH"}, "ADMIN_NO_SRP_AUTH"));
}

TEST(LockoutTest, Schedule) {
  EXPECT_EQ(LockoutDurationMs(1), 0);
  EXPECT_EQ(LockoutDurationMs(4), 0);
  EXPECT_EQ(LockoutDurationMs(5), 1000);
  EXPECT_EQ(LockoutDurationMs(6), 2000);
  EXPECT_EQ(LockoutDurationMs(10), 32000);
  EXPECT_EQ(LockoutDurationMs(15), 900000);
  EXPECT_EQ(LockoutDurationMs(500), kMaxLockoutMs);

  LockoutState s;
  std::int64_t now = 1'000'000;
  for (int i = 0; i < 4; ++i) s = AfterFailure(s, now);
  EXPECT_FALSE(IsLockedOut(s, now));
  s = AfterFailure(s, now);
  EXPECT_TRUE(IsLockedOut(s, now));
  EXPECT_FALSE(IsLockedOut(s, now + 1000));
  // Fifteen quiet minutes start over.
  EXPECT_EQ(EffectiveLockout(s, now + kQuietResetMs + 1000), LockoutState{});
  s = AfterFailure(s, now + 1000);
  EXPECT_EQ(s.failures, 6);
  EXPECT_EQ(s.locked_until_ms, now + 1000 + 2000);

  json doc = json::object();
  WriteLockout(doc, s);
  EXPECT_EQ(ReadLockout(doc), s);
  WriteLockout(doc, {});
  EXPECT_FALSE(doc.contains(kLockoutMember));
  EXPECT_EQ(ReadLockout(json{{kLockoutMember, "junk"}}), LockoutState{});
}

TEST(SecretHashTest, HashAndChecks) {
  // Base64(HMAC-SHA256("secret", "alice" + "client")).
  EXPECT_EQ(ComputeSecretHash("secret", "alice", "client"),
            crypto::Base64Encode(crypto::HmacSha256("secret", "aliceclient")));
  const std::optional<std::string> secret = "secret";
  const std::string good = ComputeSecretHash("secret", "alice", "client");
  EXPECT_TRUE(CheckSecretHash(secret, "client", "alice", good));
  EXPECT_ERROR(CheckSecretHash(secret, "client", "alice", std::nullopt), kNotAuthorized,
               "Client client is configured with secret but SECRET_HASH was not received");
  EXPECT_ERROR(CheckSecretHash(secret, "client", "bob", good), kNotAuthorized,
               "Unable to verify secret hash for client client");
  EXPECT_TRUE(CheckSecretHash(std::nullopt, "client", "alice", "anything"));
  EXPECT_TRUE(CheckClientSecret(secret, "client", std::string("secret")));
  EXPECT_ERROR(CheckClientSecret(secret, "client", std::string("nope")), kNotAuthorized,
               "Unable to verify secret hash for client client");
}

TEST_F(AuthServiceTest, UserPasswordAuthIssuesTokens) {
  const auto user = MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  auto r = Password(client, "alice", kPassword);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(r->tokens);
  EXPECT_EQ(r->tokens->refresh_token, "refresh." + user.sub);
  ASSERT_EQ(issuer_->grants.size(), 1u);
  EXPECT_EQ(issuer_->grants[0].sub, user.sub);
  EXPECT_EQ(issuer_->grants[0].pool_id, kAuthServicePool);
  EXPECT_EQ(issuer_->grants[0].client_id, client);
  EXPECT_EQ(issuer_->grants[0].auth_time_s, env_.clock.NowSeconds());
  EXPECT_EQ(issuer_->grants[0].source, tokens::TokenSource::kAuthentication);
  EXPECT_EQ(issuer_->grants[0].client_metadata, json::object());
}

TEST_F(AuthServiceTest, ClientMetadataReachesTheTokenIssuer) {
  MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  InitiateAuthInput in;
  in.client_id = client;
  in.auth_flow = "USER_PASSWORD_AUTH";
  in.parameters = {{"USERNAME", "alice"}, {"PASSWORD", kPassword}};
  in.client_metadata = {{"app", "web"}};
  ASSERT_TRUE(auth_.InitiateAuth(in));
  ASSERT_EQ(issuer_->grants.size(), 1u);
  EXPECT_EQ(issuer_->grants[0].client_metadata, json({{"app", "web"}}));
  InitiateAuthInput refresh;
  refresh.client_id = client;
  refresh.auth_flow = "REFRESH_TOKEN_AUTH";
  refresh.parameters = {{"REFRESH_TOKEN", "token"}};
  refresh.client_metadata = {{"app", "cli"}};
  ASSERT_TRUE(auth_.InitiateAuth(refresh));
  ASSERT_EQ(issuer_->refreshes.size(), 1u);
  EXPECT_EQ(issuer_->refreshes[0].client_metadata, json({{"app", "cli"}}));
}

TEST_F(AuthServiceTest, WrongPasswordAndUnknownUser) {
  MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  EXPECT_ERROR(Password(client, "alice", "Wrong0000!"), kNotAuthorized,
               "Incorrect username or password.");
  EXPECT_ERROR(Password(client, "nobody", kPassword), kNotAuthorized,
               "Incorrect username or password.");
  const auto legacy = MakeClient({"ALLOW_USER_PASSWORD_AUTH"}, /*prevent=*/false);
  EXPECT_ERROR(Password(legacy, "nobody", kPassword), kUserNotFound, "User does not exist.");
  EXPECT_TRUE(issuer_->grants.empty());
}

TEST_F(AuthServiceTest, MissingParameters) {
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"});
  InitiateAuthInput in;
  in.client_id = client;
  in.auth_flow = "USER_PASSWORD_AUTH";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "Missing required parameter USERNAME");
  in.parameters = {{"USERNAME", "alice"}};
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "Missing required parameter PASSWORD");
  in.auth_flow = "USER_SRP_AUTH";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "Missing required parameter SRP_A");
  in.parameters["SRP_A"] = "0";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "SRP_A is not valid.");
  in.client_id = "nosuchclient";
  EXPECT_ERROR(auth_.InitiateAuth(in), kResourceNotFound,
               "User pool client nosuchclient does not exist.");
}

TEST_F(AuthServiceTest, UserStates) {
  MakeUser("dis");
  ASSERT_TRUE(users_.AdminSetUserEnabled(kAuthServicePool, "dis", false));
  MakeUser("reset", false, kAuthServicePool,
           {{"email", "r@example.com"}, {"email_verified", "true"}});
  ASSERT_TRUE(users_.AdminResetUserPassword(kAuthServicePool, "reset"));
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  EXPECT_ERROR(Password(client, "dis", kPassword), kNotAuthorized, "User is disabled.");
  // A disabled user with a wrong password learns nothing more than anyone else.
  EXPECT_ERROR(Password(client, "dis", "Wrong0000!"), kNotAuthorized,
               "Incorrect username or password.");
  EXPECT_ERROR(Password(client, "reset", kPassword), kPasswordResetRequired,
               "Password reset required for the user");

  // UNCONFIRMED, as SignUp leaves a user.
  auto rules = users::LoadPoolRules(env_.ctx, kAuthServicePool);
  users::UserRecord u;
  u.pool_id = kAuthServicePool;
  u.sub = crypto::NewUuid();
  u.username = "unconfirmed";
  u.status = std::string(users::kStatusUnconfirmed);
  u.attributes["sub"] = u.sub;
  users::SetUserPassword(env_.ctx, u, kPassword);
  ASSERT_TRUE(env_.store.CreateUser(users::ToRow(*rules, u)));
  EXPECT_ERROR(Password(client, "unconfirmed", "Wrong0000!"), kNotAuthorized,
               "Incorrect username or password.");
  EXPECT_ERROR(Password(client, "unconfirmed", kPassword), kUserNotConfirmed,
               "User is not confirmed.");
}

TEST_F(AuthServiceTest, FlowRules) {
  MakeUser("alice");
  const auto srp_only = MakeClient({"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  EXPECT_ERROR(Password(srp_only, "alice", kPassword), kInvalidParameter,
               "USER_PASSWORD_AUTH flow not enabled for this client");
  const auto pw_only = MakeClient({"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  InitiateAuthInput in;
  in.client_id = pw_only;
  in.auth_flow = "USER_SRP_AUTH";
  in.parameters = {{"USERNAME", "alice"}, {"SRP_A", "abc"}};
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter,
               "USER_SRP_AUTH is not enabled for the client.");
  in.auth_flow = "ADMIN_USER_PASSWORD_AUTH";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "Initiate Auth method not supported.");
  in.admin = true;
  in.pool_id = kAuthServicePool;
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "Auth flow not enabled for this client");
  in.auth_flow = "USER_PASSWORD_AUTH";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter, "Initiate Auth method not supported.");
  in.auth_flow = "CUSTOM_AUTH";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter,
               "CUSTOM_AUTH flow not enabled for this client");
}

TEST_F(AuthServiceTest, AdminPasswordFlows) {
  const auto user = MakeUser("alice");
  const auto client = MakeClient({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  InitiateAuthInput in;
  in.admin = true;
  in.pool_id = kAuthServicePool;
  in.client_id = client;
  in.auth_flow = "ADMIN_USER_PASSWORD_AUTH";
  in.parameters = {{"USERNAME", "alice"}, {"PASSWORD", kPassword}};
  auto r = auth_.InitiateAuth(in);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->tokens);
  in.auth_flow = "ADMIN_NO_SRP_AUTH";
  EXPECT_TRUE(auth_.InitiateAuth(in));
  const auto legacy = MakeClient({"ADMIN_NO_SRP_AUTH"});
  in.client_id = legacy;
  EXPECT_TRUE(auth_.InitiateAuth(in));
  in.pool_id = kEmailPool;  // the client is not in this pool
  EXPECT_ERROR(auth_.InitiateAuth(in), kResourceNotFound,
               "User pool client " + legacy + " does not exist.");
}

TEST_F(AuthServiceTest, SecretHashRequired) {
  MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"}, true, std::string(kSecret));
  EXPECT_ERROR(Password(client, "alice", kPassword), kNotAuthorized,
               "Client " + client + " is configured with secret but SECRET_HASH was not received");
  EXPECT_ERROR(Password(client, "alice", kPassword, {{"SECRET_HASH", "d3Jvbmc="}}), kNotAuthorized,
               "Unable to verify secret hash for client " + client);
  auto ok = Password(client, "alice", kPassword,
                     {{"SECRET_HASH", ComputeSecretHash(kSecret, "alice", client)}});
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_TRUE(ok->tokens);
}

TEST_F(AuthServiceTest, LockoutAfterFiveFailures) {
  const auto user = MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  for (int i = 0; i < 5; ++i) {
    EXPECT_ERROR(Password(client, "alice", "Wrong0000!"), kNotAuthorized,
                 "Incorrect username or password.");
  }
  // Locked for one second: even the right password is refused, and the refusal does not count.
  EXPECT_ERROR(Password(client, "alice", kPassword), kNotAuthorized, "Password attempts exceeded");
  EXPECT_EQ(ReadLockout(Get("alice").doc).failures, 5);
  env_.clock.AdvanceMillis(1000);
  EXPECT_ERROR(Password(client, "alice", "Wrong0000!"), kNotAuthorized,
               "Incorrect username or password.");
  // Now two seconds.
  env_.clock.AdvanceMillis(1999);
  EXPECT_ERROR(Password(client, "alice", kPassword), kNotAuthorized, "Password attempts exceeded");
  env_.clock.AdvanceMillis(1);
  ASSERT_TRUE(Password(client, "alice", kPassword));
  EXPECT_EQ(ReadLockout(Get("alice").doc), LockoutState{});
  // The lockout holds on SRP too (it lives in the user, not in this process).
  for (int i = 0; i < 5; ++i) (void)Password(client, "alice", "Wrong0000!");
  const auto srp = MakeClient({"ALLOW_USER_SRP_AUTH"});
  auto run = Srp(srp, "alice", kPassword);
  EXPECT_ERROR(run.challenge, kNotAuthorized, "Password attempts exceeded");
}

TEST_F(AuthServiceTest, SrpSignIn) {
  const auto user = MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  auto run = Srp(client, "alice", kPassword);
  ASSERT_TRUE(run.challenge) << run.challenge.error().message();
  EXPECT_EQ(run.challenge->challenge_name, "PASSWORD_VERIFIER");
  EXPECT_TRUE(run.challenge->session.empty());
  auto& p = run.challenge->challenge_parameters;
  EXPECT_EQ(p["USERNAME"], "alice");
  EXPECT_EQ(p["USER_ID_FOR_SRP"], "alice");
  EXPECT_FALSE(p["SALT"].empty());
  EXPECT_FALSE(p["SRP_B"].empty());
  ASSERT_TRUE(run.answer) << run.answer.error().message();
  ASSERT_TRUE(run.answer->tokens);
  EXPECT_EQ(issuer_->grants.back().sub, user.sub);
  // The secret block answers once.
  EXPECT_ERROR(Respond(client, "PASSWORD_VERIFIER", std::nullopt, run.answer_responses),
               kNotAuthorized, "Invalid session for the user.");
}

TEST_F(AuthServiceTest, SrpSignInSpendsItsBlockThroughTheTokenFamily) {
  issuer_->families = &env_.store;
  MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH"});
  auto run = Srp(client, "alice", kPassword);
  ASSERT_TRUE(run.answer) << run.answer.error().message();
  const std::string family = issuer_->grants.back().family_id;
  ASSERT_FALSE(family.empty());
  EXPECT_EQ(run.answer->tokens->family_id, family);
  // Nothing but the family records the answer: no spent marker was written.
  EXPECT_FALSE(env_.store.GetEphemeral(kSpentBlockKind, family, env_.clock.NowMillis()));
  EXPECT_ERROR(Respond(client, "PASSWORD_VERIFIER", std::nullopt, run.answer_responses),
               kNotAuthorized, "Invalid session for the user.");
}

TEST_F(AuthServiceTest, SrpSecretBlockIsTheSealedStepAnsweredOnce) {
  const std::string name(128, 'n');  // the longest username: the block still fits a Session
  MakeUser(name);
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH"});
  const auto other = MakeClient({"ALLOW_USER_SRP_AUTH"});
  // A challenge, and an answer to it signed with `password` (SrpRun without the Respond).
  auto begin = [&](const std::string& password) {
    auto run = Srp(client, name, password);
    EXPECT_TRUE(run.challenge);
    return run;
  };
  auto run = begin("Wrong0000!");
  const std::string block = run.answer_responses["PASSWORD_CLAIM_SECRET_BLOCK"];
  EXPECT_LE(block.size(), 2048u);
  EXPECT_GT(block.size(), 1000u);  // the state travels in it
  // A wrong proof spends the block: the right one then finds it answered.
  EXPECT_ERROR(run.answer, kNotAuthorized, "Incorrect username or password.");
  EXPECT_ERROR(Respond(client, "PASSWORD_VERIFIER", std::nullopt, run.answer_responses),
               kNotAuthorized, "Invalid session for the user.");

  // Damaged, foreign and expired blocks.
  auto answer_with = [&](const std::string& to, std::string b) {
    StringMap r = run.answer_responses;
    r["PASSWORD_CLAIM_SECRET_BLOCK"] = std::move(b);
    return Respond(to, "PASSWORD_VERIFIER", std::nullopt, r);
  };
  std::string damaged = block;
  damaged[damaged.size() / 2] = damaged[damaged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_ERROR(answer_with(client, damaged), kNotAuthorized, "Invalid session for the user.");
  EXPECT_ERROR(answer_with(client, "AAAA"), kNotAuthorized, "Invalid session for the user.");
  InitiateAuthInput in;
  in.client_id = client;
  in.auth_flow = "USER_SRP_AUTH";
  in.parameters = {
      {"USERNAME", name},
      {"SRP_A", crypto::SrpClient(users::SrpPoolName(kAuthServicePool), name, a_).PublicAHex()}};
  // The longest DEVICE_KEY too (the step notes it): the block still leaves room for CUSTOM_AUTH's
  // history when it serves as a Session.
  in.parameters["DEVICE_KEY"] = "us-east-1_" + std::string(36, 'd');
  auto fresh = auth_.InitiateAuth(in);
  ASSERT_TRUE(fresh);
  const std::string fresh_block = fresh->challenge_parameters["SECRET_BLOCK"];
  EXPECT_NE(fresh_block, block);
  EXPECT_LE(fresh_block.size(), 2048u - 250u) << fresh_block.size();
  EXPECT_ERROR(answer_with(other, fresh_block), kNotAuthorized, "Invalid session for the user.");
  env_.clock.AdvanceMillis(3 * 60 * 1000);  // the client's AuthSessionValidity (default)
  EXPECT_ERROR(answer_with(client, fresh_block), kNotAuthorized,
               "Invalid session for the user, session is expired.");
}

TEST_F(AuthServiceTest, SrpWrongPasswordAndTimestamps) {
  MakeUser("alice");
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH"});
  EXPECT_ERROR(Srp(client, "alice", "Wrong0000!").answer, kNotAuthorized,
               "Incorrect username or password.");
  EXPECT_EQ(ReadLockout(Get("alice").doc).failures, 1);
  EXPECT_ERROR(Srp(client, "alice", kPassword, kAuthServicePool, std::string("yesterday")).answer,
               kInvalidParameter,
               "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.");
  // Signed over a zero-padded day: parsed, but the signature is checked over the canonical form.
  env_.clock.SetMillis(1'762'000'000'000);  // Sat Nov 1 2025
  EXPECT_ERROR(
      Srp(client, "alice", kPassword, kAuthServicePool, std::string("Sat Nov 01 12:26:40 UTC 2025"))
          .answer,
      kNotAuthorized, "Incorrect username or password.");
  EXPECT_TRUE(
      Srp(client, "alice", kPassword, kAuthServicePool, std::string("Sat Nov 1 12:26:40 UTC 2025"))
          .answer);
}

TEST_F(AuthServiceTest, AnswersMustNameTheSessionsUser) {
  MakeUser("alice");
  MakeUser("bob");
  // A proof sent under another user's name is refused like a wrong password.
  const auto srp = MakeClient({"ALLOW_USER_SRP_AUTH"});
  auto run = SrpChallenge(srp, "alice", kPassword);
  ASSERT_TRUE(run.challenge);
  StringMap as_bob = run.answer_responses;
  as_bob["USERNAME"] = "bob";
  EXPECT_ERROR(Respond(srp, "PASSWORD_VERIFIER", std::nullopt, as_bob), kNotAuthorized,
               "Incorrect username or password.");
  // ... and spends the step: alice's own answer to it is not accepted after that.
  EXPECT_ERROR(Respond(srp, "PASSWORD_VERIFIER", std::nullopt, run.answer_responses),
               kNotAuthorized, "Invalid session for the user.");
  // A new password sent under another user's name is refused; the session still serves its user.
  MakeUser("temp", /*temporary=*/true);
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  auto r = Password(client, "temp", kPassword);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->challenge_name, "NEW_PASSWORD_REQUIRED");
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", r->session,
                       {{"USERNAME", "bob"}, {"NEW_PASSWORD", "Better0000!"}}),
               kNotAuthorized, "Invalid session for the user.");
  auto done = Respond(client, "NEW_PASSWORD_REQUIRED", r->session,
                      {{"USERNAME", "temp"}, {"NEW_PASSWORD", "Better0000!"}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
}

TEST_F(AuthServiceTest, SrpUnknownUserGetsDecoy) {
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH"});
  auto first = Srp(client, "ghost", kPassword);
  ASSERT_TRUE(first.challenge) << first.challenge.error().message();
  EXPECT_EQ(first.challenge->challenge_parameters["USER_ID_FOR_SRP"], "ghost");
  EXPECT_ERROR(first.answer, kNotAuthorized, "Incorrect username or password.");
  auto second = Srp(client, "ghost", kPassword);
  ASSERT_TRUE(second.challenge);
  EXPECT_EQ(first.challenge->challenge_parameters["SALT"],
            second.challenge->challenge_parameters["SALT"]);
  // In a pool where e-mail is the username, real users' USER_ID_FOR_SRP is a UUID: so is the
  // decoy's.
  const auto email_client = MakeClient({"ALLOW_USER_SRP_AUTH"}, true, std::nullopt, kEmailPool);
  auto ghost = Srp(email_client, "ghost@example.com", kPassword, kEmailPool);
  ASSERT_TRUE(ghost.challenge);
  EXPECT_EQ(ghost.challenge->challenge_parameters["USER_ID_FOR_SRP"].size(), 36u);

  const auto legacy = MakeClient({"ALLOW_USER_SRP_AUTH"}, /*prevent=*/false);
  EXPECT_ERROR(Srp(legacy, "ghost", kPassword).challenge, kUserNotFound, "User does not exist.");
}

TEST_F(AuthServiceTest, SignInByEmailInUsernameAttributePool) {
  const auto user = MakeUser("ada@example.com", false, kEmailPool, {{"email", "ada@example.com"}});
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"}, true,
                                 std::nullopt, kEmailPool);
  auto run = Srp(client, "ada@example.com", kPassword, kEmailPool);
  ASSERT_TRUE(run.challenge) << run.challenge.error().message();
  EXPECT_EQ(run.challenge->challenge_parameters["USERNAME"], user.username);
  EXPECT_EQ(run.challenge->challenge_parameters["USER_ID_FOR_SRP"], user.sub);
  ASSERT_TRUE(run.answer) << run.answer.error().message();
  EXPECT_TRUE(Password(client, "ada@example.com", kPassword));
}

TEST_F(AuthServiceTest, NewPasswordRequired) {
  // A pool with a required attribute the user lacks (created before the rule, say).
  env_.MakePool("us-east-1_Required", {{"SchemaAttributes",
                                        {{{"Name", "given_name"},
                                          {"AttributeDataType", "String"},
                                          {"Mutable", true},
                                          {"Required", true}}}}});
  auto rules = users::LoadPoolRules(env_.ctx, "us-east-1_Required");
  users::UserRecord u;
  u.pool_id = "us-east-1_Required";
  u.sub = crypto::NewUuid();
  u.username = "newbie";
  u.status = std::string(users::kStatusForceChangePassword);
  u.attributes = {{"sub", u.sub}, {"email", "n@example.com"}};
  users::SetUserPassword(env_.ctx, u, kPassword);
  u.SetTemporaryPasswordExpiresMs(env_.clock.NowMillis() + 86400000);
  ASSERT_TRUE(env_.store.CreateUser(users::ToRow(*rules, u)));
  const auto client =
      MakeClient({"ALLOW_USER_PASSWORD_AUTH"}, true, std::nullopt, "us-east-1_Required");

  auto r = Password(client, "newbie", kPassword);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->challenge_name, "NEW_PASSWORD_REQUIRED");
  EXPECT_GE(r->session.size(), 20u);
  EXPECT_EQ(json::parse(r->challenge_parameters["requiredAttributes"]),
            json::array({"userAttributes.given_name"}));
  EXPECT_EQ(json::parse(r->challenge_parameters["userAttributes"]),
            json({{"email", "n@example.com"}}));
  EXPECT_EQ(r->challenge_parameters["USER_ID_FOR_SRP"], "newbie");
  const std::string session = r->session;

  // Mistakes can be corrected with the same session.
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", session, {{"USERNAME", "newbie"}}),
               kInvalidParameter, "Missing required parameter NEW_PASSWORD");
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", session,
                       {{"USERNAME", "newbie"}, {"NEW_PASSWORD", "Better0000!"}}),
               kInvalidParameter, "Invalid attributes given, given_name is missing");
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", session,
                       {{"USERNAME", "newbie"},
                        {"NEW_PASSWORD", "short"},
                        {"userAttributes.given_name", "Newt"}}),
               kInvalidPassword, "Password does not conform to policy: Password not long enough");
  auto done = Respond(client, "NEW_PASSWORD_REQUIRED", session,
                      {{"USERNAME", "newbie"},
                       {"NEW_PASSWORD", "Better0000!"},
                       {"userAttributes.given_name", "Newt"}});
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_TRUE(done->tokens);
  EXPECT_EQ(issuer_->grants.back().source, tokens::TokenSource::kNewPasswordChallenge);
  auto after = users::FindUser(env_.store, *rules, "newbie");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, "CONFIRMED");
  EXPECT_EQ(after->Attribute("given_name"), "Newt");
  EXPECT_EQ(after->TemporaryPasswordExpiresMs(), 0);
  // Both the hash and the SRP verifier moved to the new password.
  EXPECT_TRUE(Password(client, "newbie", "Better0000!"));
  EXPECT_ERROR(Password(client, "newbie", kPassword), kNotAuthorized,
               "Incorrect username or password.");
  const auto srp = MakeClient({"ALLOW_USER_SRP_AUTH"}, true, std::nullopt, "us-east-1_Required");
  EXPECT_TRUE(Srp(srp, "newbie", "Better0000!", "us-east-1_Required").answer);
  // The session was spent.
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", session,
                       {{"USERNAME", "newbie"},
                        {"NEW_PASSWORD", "Better0000!"},
                        {"userAttributes.given_name", "Newt"}}),
               kNotAuthorized, "Invalid session for the user.");
}

TEST_F(AuthServiceTest, NewPasswordAfterSrpAndSessionRules) {
  MakeUser("temp", /*temporary=*/true);
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"});
  auto run = Srp(client, "temp", kPassword);
  ASSERT_TRUE(run.answer) << run.answer.error().message();
  EXPECT_EQ(run.answer->challenge_name, "NEW_PASSWORD_REQUIRED");
  const std::string session = run.answer->session;
  const StringMap answer = {{"USERNAME", "temp"}, {"NEW_PASSWORD", "Better0000!"}};
  // Another client cannot use it; a made-up session is unknown.
  const auto other = MakeClient({"ALLOW_USER_SRP_AUTH"});
  EXPECT_ERROR(Respond(other, "NEW_PASSWORD_REQUIRED", session, answer), kNotAuthorized,
               "Invalid session for the user.");
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", std::string(40, 'x'), answer),
               kNotAuthorized, "Invalid session for the user.");
  EXPECT_ERROR(Respond(client, "SMS_MFA", session, answer), kNotAuthorized,
               "Invalid session for the user.");
  // Three minutes (the client's AuthSessionValidity) later it has expired.
  env_.clock.AdvanceMillis(3 * 60 * 1000);
  EXPECT_ERROR(Respond(client, "NEW_PASSWORD_REQUIRED", session, answer), kNotAuthorized,
               "Invalid session for the user, session is expired.");
}

TEST_F(AuthServiceTest, SessionValidityFromClient) {
  MakeUser("temp", /*temporary=*/true);
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"}, true, std::nullopt, kAuthServicePool,
                                 /*session_minutes=*/10);
  auto r = Password(client, "temp", kPassword);
  ASSERT_TRUE(r);
  env_.clock.AdvanceMillis(9 * 60 * 1000);
  auto done = Respond(client, "NEW_PASSWORD_REQUIRED", r->session,
                      {{"USERNAME", "temp"}, {"NEW_PASSWORD", "Better0000!"}});
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->tokens);
}

TEST_F(AuthServiceTest, ExpiredTemporaryPassword) {
  MakeUser("temp", /*temporary=*/true);
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  env_.clock.AdvanceMillis(8LL * 24 * 3600 * 1000);  // the default validity is 7 days
  EXPECT_ERROR(Password(client, "temp", kPassword), kNotAuthorized,
               "Temporary password has expired and must be reset by an administrator.");
}

TEST_F(AuthServiceTest, RefreshFlows) {
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"});
  InitiateAuthInput in;
  in.client_id = client;
  in.auth_flow = "REFRESH_TOKEN_AUTH";
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter,
               "Missing required parameter REFRESH_TOKEN");
  in.parameters = {{"REFRESH_TOKEN", "tok"}, {"DEVICE_KEY", "dev"}};
  auto r = auth_.InitiateAuth(in);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(r->tokens);
  EXPECT_TRUE(r->tokens->refresh_token.empty());
  ASSERT_EQ(issuer_->refreshes.size(), 1u);
  EXPECT_EQ(issuer_->refreshes[0].client_id, client);
  EXPECT_EQ(issuer_->refreshes[0].device_key, "");  // ignored: the pool tracks no devices
  EXPECT_FALSE(issuer_->refreshes[0].allow_rotation);
  in.auth_flow = "REFRESH_TOKEN";
  EXPECT_TRUE(auth_.InitiateAuth(in));

  issuer_->refresh_error = ApiError::NotAuthorized("User does not exist.");
  EXPECT_ERROR(auth_.InitiateAuth(in), kNotAuthorized, "Invalid Refresh Token");
  const auto legacy = MakeClient({"ALLOW_REFRESH_TOKEN_AUTH"}, /*prevent=*/false);
  in.client_id = legacy;
  EXPECT_ERROR(auth_.InitiateAuth(in), kUserNotFound, "User does not exist.");
  issuer_->refresh_error = ApiError::NotAuthorized("Refresh Token has been revoked");
  EXPECT_ERROR(auth_.InitiateAuth(in), kNotAuthorized, "Refresh Token has been revoked");
  issuer_->refresh_error.reset();

  const auto no_refresh = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  in.client_id = no_refresh;
  EXPECT_ERROR(auth_.InitiateAuth(in), kInvalidParameter,
               "REFRESH_TOKEN_AUTH flow not enabled for this client");

  // With a secret, the hash is over the token's username.
  const auto secret = MakeClient({"ALLOW_REFRESH_TOKEN_AUTH"}, true, std::string(kSecret));
  in.client_id = secret;
  EXPECT_ERROR(auth_.InitiateAuth(in), kNotAuthorized,
               "Client " + secret + " is configured with secret but SECRET_HASH was not received");
  in.parameters["SECRET_HASH"] = ComputeSecretHash(kSecret, "someone", secret);
  EXPECT_ERROR(auth_.InitiateAuth(in), kNotAuthorized,
               "Unable to verify secret hash for client " + secret);
  in.parameters["SECRET_HASH"] = ComputeSecretHash(kSecret, "alice", secret);
  EXPECT_TRUE(auth_.InitiateAuth(in));
}

TEST_F(AuthServiceTest, GetTokensFromRefreshToken) {
  const auto client = MakeClient({"ALLOW_REFRESH_TOKEN_AUTH"}, true, std::string(kSecret));
  RefreshTokensInput in;
  in.client_id = client;
  in.refresh_token = "tok";
  EXPECT_ERROR(auth_.GetTokensFromRefreshToken(in), kNotAuthorized,
               "Client " + client + " is configured with secret but ClientSecret was not received");
  in.client_secret = "wrong";
  EXPECT_ERROR(auth_.GetTokensFromRefreshToken(in), kNotAuthorized,
               "Unable to verify secret hash for client " + client);
  in.client_secret = kSecret;
  auto r = auth_.GetTokensFromRefreshToken(in);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->refresh_token, "rotated");
  EXPECT_TRUE(issuer_->refreshes.back().allow_rotation);
}

TEST_F(AuthServiceTest, SessionStoreSealsAndForgets) {
  SessionStore sessions(env_.ctx);
  const std::string handle = SessionStore::NewHandle();
  EXPECT_EQ(handle.size(), 128u);
  AuthSession s;
  s.pool_id = kAuthServicePool;
  s.client_id = "c";
  s.challenge = "NEW_PASSWORD_REQUIRED";
  s.expires_ms = env_.clock.NowMillis() + 1000;
  s.data["x"] = 1;
  ASSERT_TRUE(sessions.Put(handle, s));
  // The store keeps only the hash of the handle.
  EXPECT_FALSE(env_.store.GetEphemeral(kSessionKind, handle, env_.clock.NowMillis()));
  auto peeked = sessions.Peek(handle);
  ASSERT_TRUE(peeked);
  EXPECT_EQ(peeked->data["x"], 1);
  const std::string sealed = sessions.Seal(handle, "secret b");
  EXPECT_EQ(sessions.Open(handle, sealed), "secret b");
  EXPECT_FALSE(sessions.Open(SessionStore::NewHandle(), sealed));
  ASSERT_TRUE(sessions.Take(handle));
  EXPECT_ERROR(sessions.Take(handle), kNotAuthorized, "Invalid session for the user.");
  EXPECT_ERROR(sessions.Peek(""), kNotAuthorized, "Invalid session for the user.");
}

// ---------------------------------------------------------------------------------------------
// The hosted pages' mode

TEST_F(AuthServiceTest, HostedSignInIgnoresFlowsAndSecretAndYieldsTheUser) {
  const auto user = MakeUser("hosted1");
  const auto client = MakeClient({"ALLOW_USER_SRP_AUTH"}, true, std::string(kSecret));
  InitiateAuthInput in;
  in.hosted = true;
  in.client_id = client;
  in.auth_flow = "USER_PASSWORD_AUTH";
  in.parameters = {{"USERNAME", "hosted1"}, {"PASSWORD", kPassword}};
  auto r = auth_.InitiateAuth(in);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->tokens);
  ASSERT_TRUE(r->signed_in);
  EXPECT_EQ(r->signed_in->sub, user.sub);
  EXPECT_EQ(r->signed_in->username, "hosted1");
  EXPECT_EQ(r->signed_in->pool_id, kAuthServicePool);
  EXPECT_EQ(r->signed_in->auth_time_s, env_.clock.NowSeconds());
  EXPECT_TRUE(issuer_->grants.empty());

  // The API itself still refuses the flow.
  in.hosted = false;
  EXPECT_FALSE(auth_.InitiateAuth(in));
  // Only the password flow is hosted.
  in.hosted = true;
  in.auth_flow = "USER_SRP_AUTH";
  EXPECT_FALSE(auth_.InitiateAuth(in));
  // A wrong password fails as everywhere.
  in.auth_flow = "USER_PASSWORD_AUTH";
  in.parameters["PASSWORD"] = "nope";
  auto wrong = auth_.InitiateAuth(in);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message(), "Incorrect username or password.");
}

TEST_F(AuthServiceTest, HostedSessionsAreAnsweredByTheHostedPagesOnly) {
  MakeUser("hosted2", /*temporary=*/true);
  const auto client = MakeClient({"ALLOW_USER_PASSWORD_AUTH"});
  InitiateAuthInput in;
  in.hosted = true;
  in.client_id = client;
  in.auth_flow = "USER_PASSWORD_AUTH";
  in.parameters = {{"USERNAME", "hosted2"}, {"PASSWORD", kPassword}};
  auto r = auth_.InitiateAuth(in);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->challenge_name, "NEW_PASSWORD_REQUIRED");
  const StringMap answer = {{"USERNAME", "hosted2"}, {"NEW_PASSWORD", "N3wPassw0rd!"}};
  auto api = Respond(client, "NEW_PASSWORD_REQUIRED", r->session, answer);
  ASSERT_FALSE(api);
  EXPECT_EQ(api.error().message(), "Invalid session for the user.");

  RespondInput hosted;
  hosted.hosted = true;
  hosted.client_id = client;
  hosted.challenge_name = "NEW_PASSWORD_REQUIRED";
  hosted.session = r->session;
  hosted.responses = answer;
  auto done = auth_.RespondToAuthChallenge(hosted);
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_TRUE(done->signed_in);
  EXPECT_FALSE(done->tokens);

  // An API session is not answered by the hosted pages.
  MakeUser("hosted3", /*temporary=*/true);
  auto api_start = Password(client, "hosted3", kPassword);
  ASSERT_TRUE(api_start) << api_start.error().message();
  hosted.session = api_start->session;
  hosted.responses = {{"USERNAME", "hosted3"}, {"NEW_PASSWORD", "N3wPassw0rd!"}};
  auto crossed = auth_.RespondToAuthChallenge(hosted);
  ASSERT_FALSE(crossed);
  EXPECT_EQ(crossed.error().message(), "Invalid session for the user.");
}

}  // namespace
}  // namespace cognate::domain::auth
