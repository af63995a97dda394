// Remembered devices: the device records, the device operations and the device challenge in the
// sign-in flows (with the client side of crypto/srp.h playing the device).

#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/device_record.h"
#include "domain/auth/device_service.h"
#include "domain/tokens/token_service.h"
#include "domain/users/test_support.h"
#include "domain/users/user_service.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;

constexpr char kDevicePool[] = "eu-west-1_DevPool1";
using users::testing::kPassword;
constexpr char kDevicePassword[] = "device-random-password";

users::UserRecord BareUser() {
  users::UserRecord u;
  u.pool_id = kDevicePool;
  u.sub = "sub-1";
  u.username = "u";
  return u;
}

DeviceRecord DeviceRow(const std::string& key, std::int64_t created_ms) {
  DeviceRecord d;
  d.key = key;
  d.group_key = "-g";
  d.created_ms = created_ms;
  return d;
}

TEST(DeviceRecordTest, KeysAndGroupKeys) {
  const std::string key = NewDeviceKey(kDevicePool);
  EXPECT_EQ(key.rfind("eu-west-1_", 0), 0u);
  EXPECT_EQ(key.size(), std::string("eu-west-1_").size() + 36);
  EXPECT_TRUE(IsDeviceKeyShape(key));
  EXPECT_NE(NewDeviceKey(kDevicePool), key);
  EXPECT_FALSE(IsDeviceKeyShape(""));
  EXPECT_FALSE(IsDeviceKeyShape("nounderscore"));
  EXPECT_FALSE(IsDeviceKeyShape("us-east-1_XYZ"));
  EXPECT_FALSE(IsDeviceKeyShape("us east_abc"));
  EXPECT_FALSE(IsDeviceKeyShape(std::string(50, 'a') + "_abcdef"));

  const std::string group = DeviceGroupKey(kDevicePool, "sub-1", key);
  EXPECT_EQ(group, DeviceGroupKey(kDevicePool, "sub-1", key));
  EXPECT_NE(group, DeviceGroupKey(kDevicePool, "sub-2", key));
  ASSERT_EQ(group.size(), 10u);
  EXPECT_EQ(group[0], '-');
  for (char c : group.substr(1)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(DeviceRecordTest, PutFindRemoveAndEviction) {
  users::UserRecord u = BareUser();
  EXPECT_TRUE(ReadDevices(u).empty());
  PutDevice(u, DeviceRow("k1", 1));
  PutDevice(u, DeviceRow("k2", 2));
  DeviceRecord k1 = *FindDevice(u, "k1");
  k1.name = "renamed";
  k1.remembered_status = std::string(kRemembered);
  PutDevice(u, k1);
  ASSERT_EQ(ReadDevices(u).size(), 2u);
  EXPECT_EQ(FindDevice(u, "k1")->name, "renamed");
  EXPECT_TRUE(FindDevice(u, "k1")->remembered());
  EXPECT_FALSE(FindDevice(u, "k2")->remembered());
  EXPECT_FALSE(FindDevice(u, "k3"));
  EXPECT_TRUE(RemoveDevice(u, "k2"));
  EXPECT_FALSE(RemoveDevice(u, "k2"));
  EXPECT_TRUE(RemoveDevice(u, "k1"));
  EXPECT_FALSE(u.doc.contains("devices"));

  // Beyond the cap the least recently used goes, never the one being put.
  for (std::size_t i = 0; i < kMaxDevicesPerUser; ++i) {
    PutDevice(u, DeviceRow("d" + std::to_string(i), 100 + static_cast<std::int64_t>(i)));
  }
  DeviceRecord old = DeviceRow("newest", 1);  // older timestamps than everyone
  PutDevice(u, old);
  EXPECT_EQ(ReadDevices(u).size(), kMaxDevicesPerUser);
  EXPECT_TRUE(FindDevice(u, "newest"));
  EXPECT_FALSE(FindDevice(u, "d0"));
  EXPECT_TRUE(FindDevice(u, "d1"));

  // Malformed entries are skipped.
  u.doc["devices"] = json::array({1, json::object(), {{"key", "ok"}}});
  ASSERT_EQ(ReadDevices(u).size(), 1u);
  EXPECT_EQ(ReadDevices(u)[0].key, "ok");
}

TEST(DeviceRecordTest, VerifierIsSealedAndBound) {
  users::testing::TestEnv env;
  const auto v = crypto::MakeSrpVerifier("-group", "key", "pw");
  DeviceRecord d = DeviceRow("us-east-1_abc", 1);
  d.sealed_verifier = SealDeviceVerifier(env.ctx, kDevicePool, "sub-1", d.key, v);
  EXPECT_EQ(d.sealed_verifier.find(crypto::HexEncode(v.verifier)), std::string::npos);
  auto opened = OpenDeviceVerifier(env.ctx, kDevicePool, "sub-1", d);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->salt, v.salt);
  EXPECT_EQ(opened->verifier, v.verifier);
  EXPECT_FALSE(OpenDeviceVerifier(env.ctx, kDevicePool, "sub-2", d));
  DeviceRecord moved = d;
  moved.key = "us-east-1_abd";
  EXPECT_FALSE(OpenDeviceVerifier(env.ctx, kDevicePool, "sub-1", moved));
  moved.sealed_verifier = "***";
  EXPECT_FALSE(OpenDeviceVerifier(env.ctx, kDevicePool, "sub-1", moved));
}

// Tokens are fake: the issuer records the grant, and the gate resolves an access token by its
// device key ("access.<sub>.<device_key>").
class DeviceIssuer final : public TokenIssuer {
 public:
  std::vector<tokens::SignInGrant> grants;
  Result<tokens::IssuedTokens> IssueForSignIn(const tokens::SignInGrant& grant) override {
    grants.push_back(grant);
    tokens::IssuedTokens t;
    t.access_token = "access." + grant.sub + "." + grant.device_key;
    t.id_token = "id";
    t.refresh_token = "refresh";
    return t;
  }
  Result<tokens::IssuedTokens> Refresh(const tokens::RefreshInput&) override {
    return ApiError::Internal("unused");
  }
};

class DeviceFlowTest : public ::testing::Test {
 protected:
  void SetUp() override { SetPool(json{{"ChallengeRequiredOnNewDevice", true}}); }

  void SetPool(const json& device_configuration) {
    json doc = json::object();
    if (!device_configuration.is_null()) doc["DeviceConfiguration"] = device_configuration;
    auto existing = env_.store.GetPool(kDevicePool);
    if (existing) {
      auto row = *existing;
      doc["Id"] = kDevicePool;
      row.doc = doc.dump();
      row.modified_ms += 1;
      ASSERT_TRUE(env_.store.UpdatePool(row, row.version));
    } else {
      env_.MakePool(kDevicePool, doc);
      json client = {{"ClientId", "client1"},
                     {"UserPoolId", kDevicePool},
                     {"ClientName", "c"},
                     {"ExplicitAuthFlows", {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}},
                     {"AuthSessionValidity", 3}};
      ASSERT_TRUE(env_.store.CreateClient({kDevicePool, "client1", "c", client.dump(), 0, 0, 0}));
      users::AdminCreateUserInput in;
      in.pool_id = kDevicePool;
      in.username = "alice";
      in.temporary_password = kPassword;
      in.message_action = "SUPPRESS";
      ASSERT_TRUE(users_.AdminCreateUser(in));
      ASSERT_TRUE(users_.AdminSetUserPassword(kDevicePool, "alice", kPassword, true));
      sub_ = users_.AdminGetUser(kDevicePool, "alice")->sub;
    }
  }

  users::AccessTokenGate Gate() {
    users::AccessTokenGate gate;
    gate.verify = [](std::string_view token) -> Result<tokens::AccessTokenClaims> {
      const std::string t(token);
      if (t.rfind("access.", 0) != 0) return ApiError::NotAuthorized("Invalid Access Token");
      const auto dot = t.find('.', 7);
      tokens::AccessTokenClaims c;
      c.pool_id = kDevicePool;
      c.sub = t.substr(7, dot - 7);
      c.device_key = t.substr(dot + 1);
      return c;
    };
    return gate;
  }

  Result<AuthOutcome> SignIn(const std::string& device_key = "") {
    InitiateAuthInput in;
    in.client_id = "client1";
    in.auth_flow = "USER_PASSWORD_AUTH";
    in.parameters = {{"USERNAME", "alice"}, {"PASSWORD", kPassword}};
    if (!device_key.empty()) in.parameters["DEVICE_KEY"] = device_key;
    return auth_.InitiateAuth(in);
  }

  Result<AuthOutcome> Respond(const std::string& challenge, const std::string& session,
                              StringMap responses) {
    RespondInput in;
    in.client_id = "client1";
    in.challenge_name = challenge;
    in.session = session;
    in.responses = std::move(responses);
    return auth_.RespondToAuthChallenge(in);
  }

  // Signs in on a new device and confirms it; returns (key, group key).
  std::pair<std::string, std::string> Remember(bool expect_prompt = false) {
    auto out = SignIn();
    EXPECT_TRUE(out && out->new_device);
    if (!out || !out->new_device) return {};
    const std::string key = out->new_device->device_key;
    const std::string group = out->new_device->device_group_key;
    const auto v = crypto::MakeSrpVerifier(group, key, kDevicePassword);
    ConfirmDeviceInput in;
    in.access_token = out->tokens->access_token;
    in.device_key = key;
    in.password_verifier = crypto::Base64Encode(v.verifier);
    in.salt = crypto::Base64Encode(v.salt);
    in.device_name = "phone";
    in.source_ip = "192.0.2.7";
    auto necessary = devices_.ConfirmDevice(in);
    EXPECT_TRUE(necessary) << (necessary ? "" : necessary.error().message());
    if (necessary) {
      EXPECT_EQ(*necessary, expect_prompt);
    }
    return {key, group};
  }

  // Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER as the device; `verifier_username`,
  // when given, replaces the USERNAME the second answer would send.
  Result<AuthOutcome> DeviceProof(const std::string& session, const std::string& key,
                                  const std::string& group,
                                  const std::string& password = kDevicePassword,
                                  const std::string& verifier_username = "") {
    const crypto::SrpClient client(group, key, std::string(32, '\x05'));
    auto step =
        Respond("DEVICE_SRP_AUTH", session,
                {{"USERNAME", "alice"}, {"DEVICE_KEY", key}, {"SRP_A", client.PublicAHex()}});
    if (!step) return step.error();
    EXPECT_EQ(step->challenge_name, "DEVICE_PASSWORD_VERIFIER");
    auto& p = step->challenge_parameters;
    auto even = [](std::string h) { return h.size() % 2 ? "0" + h : h; };
    const std::string ts = crypto::FormatSrpTimestamp(env_.clock.NowSeconds());
    auto sig = client.SignClaim(password, *crypto::HexDecode(even(p["SRP_B"])),
                                *crypto::HexDecode(even(p["SALT"])),
                                *crypto::Base64Decode(p["SECRET_BLOCK"]), ts);
    EXPECT_TRUE(sig);
    return Respond("DEVICE_PASSWORD_VERIFIER", step->session,
                   {{"USERNAME", verifier_username.empty() ? p["USERNAME"] : verifier_username},
                    {"DEVICE_KEY", key},
                    {"PASSWORD_CLAIM_SECRET_BLOCK", p["SECRET_BLOCK"]},
                    {"PASSWORD_CLAIM_SIGNATURE", sig.value_or("")},
                    {"TIMESTAMP", ts}});
  }

  users::testing::TestEnv env_;
  users::UserService users_{env_.ctx};
  std::shared_ptr<DeviceIssuer> issuer_ = std::make_shared<DeviceIssuer>();
  AuthService auth_{env_.ctx, issuer_};
  DeviceService devices_{env_.ctx, Gate()};
  std::string sub_;
};

TEST_F(DeviceFlowTest, NoTrackingNoDevice) {
  SetPool(nullptr);
  auto out = SignIn("us-east-1_00000000-0000-4000-8000-000000000000");
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->new_device);
  EXPECT_EQ(issuer_->grants.back().device_key, "");
}

TEST_F(DeviceFlowTest, NewDeviceThenConfirm) {
  auto out = SignIn();
  ASSERT_TRUE(out && out->tokens && out->new_device);
  EXPECT_EQ(issuer_->grants.back().device_key, out->new_device->device_key);
  EXPECT_EQ(out->new_device->device_group_key,
            DeviceGroupKey(kDevicePool, sub_, out->new_device->device_key));
  auto [key, group] = Remember();
  auto device = devices_.GetDevice("access." + sub_ + ".", key);
  ASSERT_TRUE(device);
  EXPECT_EQ(device->group_key, group);
  EXPECT_EQ(device->name, "phone");
  EXPECT_EQ(device->last_ip, "192.0.2.7");
  EXPECT_TRUE(device->remembered());
  EXPECT_EQ(device->created_ms, env_.clock.NowMillis());
}

TEST_F(DeviceFlowTest, ConfirmDeviceErrors) {
  auto out = SignIn();
  ASSERT_TRUE(out && out->new_device);
  ConfirmDeviceInput in;
  in.access_token = out->tokens->access_token;
  in.device_key = "us-east-1_00000000-0000-4000-8000-000000000000";
  EXPECT_ERROR(devices_.ConfirmDevice(in), kResourceNotFound, "Device does not exist.");
  in.device_key = out->new_device->device_key;
  EXPECT_ERROR(devices_.ConfirmDevice(in), kInvalidParameter,
               "Missing required parameter DeviceSecretVerifierConfig");
  in.password_verifier = crypto::Base64Encode(std::string(4, '\0'));
  in.salt = crypto::Base64Encode("salt");
  EXPECT_ERROR(devices_.ConfirmDevice(in), kInvalidParameter,
               "DeviceSecretVerifierConfig is not valid.");
  in.password_verifier = crypto::Base64Encode(std::string(400, '\xff'));  // not below N
  EXPECT_ERROR(devices_.ConfirmDevice(in), kInvalidParameter,
               "DeviceSecretVerifierConfig is not valid.");
  // A padded verifier (leading zero byte) is accepted.
  in.password_verifier = crypto::Base64Encode(std::string(1, '\0') + "\x80\x01");
  ASSERT_TRUE(devices_.ConfirmDevice(in));
  EXPECT_ERROR(devices_.ConfirmDevice(in), kDeviceKeyExists, "Device key already exists.");
  in.access_token = "bogus";
  EXPECT_ERROR(devices_.ConfirmDevice(in), kNotAuthorized, "Invalid Access Token");
}

TEST_F(DeviceFlowTest, RememberedDeviceSignsInWithDeviceSrp) {
  auto [key, group] = Remember();
  auto step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->challenge_name, "DEVICE_SRP_AUTH");
  EXPECT_FALSE(step->session.empty());
  EXPECT_TRUE(step->challenge_parameters.empty());
  env_.clock.AdvanceMillis(5000);
  auto done = DeviceProof(step->session, key, group);
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_TRUE(done->tokens);
  EXPECT_FALSE(done->new_device);
  EXPECT_EQ(issuer_->grants.back().device_key, key);
  EXPECT_EQ(issuer_->grants.back().source, tokens::TokenSource::kAuthenticateDevice);
  EXPECT_EQ(devices_.GetDevice("access." + sub_ + ".", key)->last_auth_ms, env_.clock.NowMillis());
}

TEST_F(DeviceFlowTest, WrongDeviceProofAndReplay) {
  auto [key, group] = Remember();
  auto step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_ERROR(DeviceProof(step->session, key, group, "wrong"), kNotAuthorized,
               "Incorrect username or password.");
  EXPECT_ERROR(DeviceProof(step->session, key, group), kNotAuthorized,
               "Invalid session for the user.");
  // A DEVICE_PASSWORD_VERIFIER session answers nothing else, and vice versa.
  step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_ERROR(Respond("DEVICE_PASSWORD_VERIFIER", step->session,
                       {{"USERNAME", "alice"},
                        {"DEVICE_KEY", key},
                        {"PASSWORD_CLAIM_SECRET_BLOCK", "AAAA"},
                        {"PASSWORD_CLAIM_SIGNATURE", "AAAA"},
                        {"TIMESTAMP", crypto::FormatSrpTimestamp(env_.clock.NowSeconds())}}),
               kNotAuthorized, "Invalid session for the user.");
  step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_ERROR(Respond("DEVICE_SRP_AUTH", step->session,
                       {{"USERNAME", "alice"}, {"DEVICE_KEY", key}, {"SRP_A", "0"}}),
               kInvalidParameter, "SRP_A is not valid.");
  EXPECT_ERROR(Respond("DEVICE_SRP_AUTH", step->session,
                       {{"USERNAME", "alice"},
                        {"DEVICE_KEY", "us-east-1_00000000-0000-4000-8000-000000000000"},
                        {"SRP_A", "2"}}),
               kResourceNotFound, "Device does not exist.");
}

TEST_F(DeviceFlowTest, DeviceAnswersMustNameTheSessionsUser) {
  auto [key, group] = Remember();
  auto step = SignIn(key);
  ASSERT_TRUE(step);
  const crypto::SrpClient device(group, key, std::string(32, '\x05'));
  EXPECT_ERROR(
      Respond("DEVICE_SRP_AUTH", step->session,
              {{"USERNAME", "mallory"}, {"DEVICE_KEY", key}, {"SRP_A", device.PublicAHex()}}),
      kNotAuthorized, "Invalid session for the user.");
  step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_ERROR(DeviceProof(step->session, key, group, kDevicePassword, "mallory"), kNotAuthorized,
               "Incorrect username or password.");
  step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_TRUE(DeviceProof(step->session, key, group));
}

TEST_F(DeviceFlowTest, UnknownDeviceKey) {
  EXPECT_ERROR(SignIn("us-east-1_00000000-0000-4000-8000-000000000000"), kResourceNotFound,
               "Device does not exist.");
}

TEST_F(DeviceFlowTest, OptInPoolAsksOnlyRememberedDevices) {
  SetPool(json{{"ChallengeRequiredOnNewDevice", true}, {"DeviceOnlyRememberedOnUserPrompt", true}});
  auto [key, group] = Remember(/*expect_prompt=*/true);
  const std::string token = "access." + sub_ + ".";
  EXPECT_FALSE(devices_.GetDevice(token, key)->remembered());
  auto direct = SignIn(key);
  ASSERT_TRUE(direct && direct->tokens);
  EXPECT_FALSE(direct->new_device);
  EXPECT_EQ(issuer_->grants.back().device_key, key);

  ASSERT_TRUE(devices_.UpdateDeviceStatus(token, key, std::string(kRemembered)));
  auto step = SignIn(key);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->challenge_name, "DEVICE_SRP_AUTH");
  ASSERT_TRUE(DeviceProof(step->session, key, group));

  ASSERT_TRUE(
      devices_.AdminUpdateDeviceStatus(kDevicePool, "alice", key, std::string(kNotRemembered)));
  auto again = SignIn(key);
  ASSERT_TRUE(again && again->tokens);
  EXPECT_ERROR(devices_.UpdateDeviceStatus(token, key, std::string("sometimes")), kInvalidParameter,
               "1 validation error detected: Value 'sometimes' at 'deviceRememberedStatus' failed "
               "to satisfy constraint: Member must satisfy enum value set: [not_remembered, "
               "remembered]");
}

TEST_F(DeviceFlowTest, ListForgetAndAdminErrors) {
  const std::string token = "access." + sub_ + ".";
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) {
    keys.push_back(Remember().first);
    env_.clock.AdvanceMillis(1000);
  }
  auto first = devices_.ListDevices(token, 2, std::nullopt);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->devices.size(), 2u);
  EXPECT_EQ(first->devices[0].key, keys[0]);
  EXPECT_EQ(first->devices[1].key, keys[1]);
  ASSERT_FALSE(first->pagination_token.empty());
  auto second = devices_.ListDevices(token, 2, first->pagination_token);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->devices.size(), 1u);
  EXPECT_EQ(second->devices[0].key, keys[2]);
  EXPECT_TRUE(second->pagination_token.empty());
  EXPECT_EQ(devices_.ListDevices(token, 0, std::nullopt)->devices.size(), 3u);
  EXPECT_FALSE(devices_.ListDevices(token, 2, "garbage"));
  // Another user's listing does not take this token.
  EXPECT_FALSE(devices_.AdminListDevices(kDevicePool, "alice", 2, first->pagination_token + "x"));

  ASSERT_TRUE(devices_.ForgetDevice(token, keys[1]));
  EXPECT_ERROR(devices_.ForgetDevice(token, keys[1]), kResourceNotFound, "Device does not exist.");
  // The forgotten position does not break the next page.
  auto rest = devices_.ListDevices(token, 2, first->pagination_token);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->devices.size(), 1u);
  EXPECT_EQ(rest->devices[0].key, keys[2]);
  ASSERT_TRUE(devices_.AdminForgetDevice(kDevicePool, "alice", keys[0]));
  EXPECT_EQ(
      devices_.AdminListDevices(kDevicePool, "alice", std::nullopt, std::nullopt)->devices.size(),
      1u);
  EXPECT_ERROR(devices_.AdminGetDevice(kDevicePool, "bob", keys[2]), kUserNotFound,
               "User does not exist.");
  EXPECT_ERROR(devices_.AdminGetDevice(kDevicePool, "alice", keys[0]), kResourceNotFound,
               "Device does not exist.");
  EXPECT_FALSE(devices_.AdminListDevices("us-east-1_none", "alice", std::nullopt, std::nullopt));
  EXPECT_ERROR(SignIn(keys[0]), kResourceNotFound, "Device does not exist.");
}

TEST_F(DeviceFlowTest, TokenFamiliesAreBoundToTheirDevice) {
  tokens::TokenService service(env_.ctx);
  tokens::SignInGrant grant;
  grant.pool_id = kDevicePool;
  grant.client_id = "client1";
  grant.sub = sub_;
  grant.device_key = "eu-west-1_0000000a-0000-4000-8000-000000000000";
  auto bound = service.IssueForSignIn(grant);
  ASSERT_TRUE(bound) << bound.error().message();
  tokens::RefreshInput in;
  in.client_id = "client1";
  in.refresh_token = bound->refresh_token;
  EXPECT_ERROR(service.Refresh(in), kNotAuthorized, "Invalid Refresh Token");
  in.device_key = "eu-west-1_0000000b-0000-4000-8000-000000000000";
  EXPECT_ERROR(service.Refresh(in), kNotAuthorized, "Invalid Refresh Token");
  in.device_key = grant.device_key;
  EXPECT_TRUE(service.Refresh(in));

  grant.device_key.clear();
  auto unbound = service.IssueForSignIn(grant);
  ASSERT_TRUE(unbound);
  in.refresh_token = unbound->refresh_token;
  in.device_key.clear();
  EXPECT_TRUE(service.Refresh(in));
  in.device_key = "eu-west-1_0000000c-0000-4000-8000-000000000000";
  auto adopted = service.Refresh(in);
  ASSERT_TRUE(adopted);
  auto claims = service.VerifyAccessToken(adopted->access_token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->device_key, in.device_key);
}

}  // namespace
}  // namespace cognate::domain::auth
