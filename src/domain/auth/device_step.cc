// Remembered devices in the sign-in flows (members of AuthService; see device_record.h).
//
// A sign-in names its device with DEVICE_KEY (AuthParameters, or the answer to any challenge).
// In a pool with DeviceConfiguration, after the first factor (and NEW_PASSWORD_REQUIRED):
//   - a key the user does not have: ResourceNotFoundException "Device does not exist.";
//   - a confirmed device that is remembered (or any confirmed device when the pool does not
//     wait for the user's prompt): challenge DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} ->
//     DEVICE_PASSWORD_VERIFIER {SALT, SRP_B, SECRET_BLOCK, USERNAME} -> {USERNAME, DEVICE_KEY,
//     PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP}; the proof pushes
//     "DEVICE_PASSWORD_VERIFIER" into `passed` (the MFA step then asks nothing) when the pool's
//     ChallengeRequiredOnNewDevice is on, and NextStep runs again;
//   - any other known device: no challenge.
// The tokens are bound to the known device; a sign-in without one gets a new device key
// (NewDeviceMetadata) and its tokens are bound to it.

#include <algorithm>

#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/device_record.h"
#include "domain/auth/params.h"
#include "domain/auth/secret_hash.h"

namespace cognate::domain::auth {
namespace {

using users::UserRecord;

constexpr const char* kDeviceSrpAuth = "DEVICE_SRP_AUTH";
constexpr const char* kDevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER";
// Session data members: the DEVICE_KEY the caller gave, the device the sign-in is known to come
// from, and whether that device was proven by its SRP.
constexpr const char* kGivenDevice = "device_key_given";
constexpr const char* kKnownDevice = "device_key";
constexpr const char* kDeviceProven = "device_proven";

ApiError WrongProof() { return ApiError::NotAuthorized("Incorrect username or password."); }

std::string DataString(const AuthSession& s, const char* name) {
  const auto it = s.data.find(name);
  return it != s.data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void AuthService::NoteDeviceKey(const Attempt& a, AuthSession& session) const {
  if (a.params == nullptr) return;
  if (auto key = Param(*a.params, "DEVICE_KEY"); key && !key->empty()) {
    session.data[kGivenDevice] = *key;
  }
}

std::optional<Result<AuthOutcome>> AuthService::DeviceStep(Attempt& a, const UserRecord& user,
                                                           AuthSession& session) {
  const users::DeviceSettings& settings = a.rules.device_settings();
  if (!settings.tracked || session.data.value(kDeviceProven, false)) return std::nullopt;
  NoteDeviceKey(a, session);
  const std::string key = DataString(session, kGivenDevice);
  if (key.empty()) return std::nullopt;
  auto device = FindDevice(user, key);
  if (!device) return Result<AuthOutcome>(NoSuchDevice());
  session.data[kKnownDevice] = key;
  if (device->sealed_verifier.empty() ||
      (!device->remembered() && settings.only_remembered_on_user_prompt)) {
    return std::nullopt;
  }
  session.challenge = kDeviceSrpAuth;
  session.expires_ms =
      ctx_.clock.NowMillis() +
      static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
  return OpenChallenge(a, std::move(session), StringMap{});
}

Result<AuthOutcome> AuthService::AnswerDeviceSrp(Attempt& a, const RespondInput& in) {
  const StringMap& r = in.responses;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  auto device_key = RequiredParam(r, "DEVICE_KEY");
  if (!device_key) return device_key.error();
  auto srp_a = RequiredParam(r, "SRP_A");
  if (!srp_a) return srp_a.error();
  if (auto ok = CheckSecretHash(a.client, *username, r); !ok) {
    return ok.error();
  }
  if (!in.session || in.session->empty()) {
    return ApiError::InvalidParameter("Missing required parameter Session");
  }
  auto A = crypto::SrpParsePublicA(*srp_a);
  if (!A) return ApiError::InvalidParameter("SRP_A is not valid.");
  auto session = sessions_.Take(*in.session);
  if (!session) return session.error();
  if (!session->Awaits(a.client.pool_id, a.client.client_id, kDeviceSrpAuth)) {
    return InvalidSession();
  }
  if (!SameUser(a.rules, *session, *username)) return InvalidSession();
  auto row = ctx_.store.GetUserBySub(a.client.pool_id, session->sub);
  if (!row) {
    if (row.error().IsNotFound()) return UnknownUser(a.client);
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  const UserRecord user = users::FromRow(*row);
  auto device = FindDevice(user, *device_key);
  if (!device) return NoSuchDevice();
  auto verifier = OpenDeviceVerifier(ctx_, a.client.pool_id, user.sub, *device);
  if (!verifier) return NoSuchDevice();
  auto ephemeral = crypto::SrpServerBegin(verifier->verifier);
  if (!ephemeral) return ApiError::Internal("SRP: unusable device verifier");

  const std::string handle = SessionStore::NewHandle();
  const std::string secret_block = crypto::Base64Encode(crypto::RandomBytes(96));
  session->challenge = kDevicePasswordVerifier;
  session->expires_ms =
      ctx_.clock.NowMillis() +
      static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
  session->data[kKnownDevice] = device->key;
  session->data["srp"] = {{"A", crypto::HexEncode(*A)},
                          {"B", crypto::HexEncode(ephemeral->B)},
                          {"b", sessions_.Seal(handle, ephemeral->b)},
                          {"block", crypto::HexEncode(crypto::Sha256(secret_block))}};
  StringMap parameters = {{"SALT", crypto::SrpIntegerHex(verifier->salt)},
                          {"SECRET_BLOCK", secret_block},
                          {"SRP_B", crypto::SrpIntegerHex(ephemeral->B)},
                          {"USERNAME", session->username}};
  return OpenChallenge(a, std::move(*session), std::move(parameters), handle);
}

Result<AuthOutcome> AuthService::AnswerDevicePasswordVerifier(Attempt& a, const RespondInput& in) {
  auto answer = ReadPasswordClaim(a.client, in.responses);
  if (!answer) return answer.error();
  auto device_key = RequiredParam(in.responses, "DEVICE_KEY");
  if (!device_key) return device_key.error();
  if (!in.session || in.session->empty()) {
    return ApiError::InvalidParameter("Missing required parameter Session");
  }
  auto session = sessions_.Take(*in.session);  // one answer per session
  if (!session) return session.error();
  if (!session->Awaits(a.client.pool_id, a.client.client_id, kDevicePasswordVerifier)) {
    return InvalidSession();
  }
  if (!SameUser(a.rules, *session, answer->username)) return WrongProof();
  const nlohmann::json srp = session->data.value("srp", nlohmann::json::object());
  if (!crypto::ConstantTimeEquals(crypto::HexEncode(crypto::Sha256(answer->secret_block)),
                                  srp.value("block", ""))) {
    return WrongProof();
  }
  if (*device_key != DataString(*session, kKnownDevice)) return WrongProof();

  auto row = ctx_.store.GetUserBySub(a.client.pool_id, session->sub);
  if (!row) {
    if (row.error().IsNotFound()) return UnknownUser(a.client);
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  const UserRecord user = users::FromRow(*row);
  auto device = FindDevice(user, *device_key);
  if (!device) return NoSuchDevice();
  const auto verifier = OpenDeviceVerifier(ctx_, a.client.pool_id, user.sub, *device);
  const auto A = crypto::HexDecode(srp.value("A", ""));
  const auto B = crypto::HexDecode(srp.value("B", ""));
  const auto b = sessions_.Open(*in.session, srp.value("b", ""));
  const auto block_bytes = crypto::Base64Decode(answer->secret_block);
  bool proven = false;
  if (verifier && A && B && b && block_bytes) {
    crypto::SrpPasswordClaim claim{device->group_key, device->key, *block_bytes, answer->timestamp,
                                   answer->signature};
    proven = crypto::SrpVerifyPasswordClaim(*A, crypto::SrpServerEphemeral{*b, *B},
                                            verifier->verifier, claim);
  }
  if (!proven) return WrongProof();

  // Best effort: the device's last sign-in.
  const std::int64_t now = ctx_.clock.NowMillis();
  (void)UpdateDevice(ctx_, a.rules, user.sub, device->key,
                     [&](DeviceRecord& d) { d.last_auth_ms = now; });
  session->data.erase("srp");
  session->data[kDeviceProven] = true;
  if (a.rules.device_settings().challenge_required_on_new_device) {
    session->passed.push_back(kDevicePasswordVerifier);
  }
  return NextStep(a, user, std::move(*session));
}

Result<void> AuthService::BindDevice(const Attempt& a, const UserRecord& user,
                                     const AuthSession& session, tokens::SignInGrant& grant,
                                     AuthOutcome& out) {
  if (!a.rules.device_settings().tracked) return {};
  const std::string known = DataString(session, kKnownDevice);
  if (!known.empty()) {
    grant.device_key = known;
    return {};
  }
  NewDeviceMetadata fresh;
  fresh.device_key = NewDeviceKey(a.client.pool_id);
  fresh.device_group_key = DeviceGroupKey(a.client.pool_id, user.sub, fresh.device_key);
  grant.device_key = fresh.device_key;
  out.new_device = std::move(fresh);
  return {};
}

std::string AuthService::TrackedDeviceKey(const std::string& pool_id, const std::string& given,
                                          const users::PoolRules* rules) {
  if (given.empty()) return given;
  if (rules != nullptr) return rules->device_settings().tracked ? given : std::string();
  auto loaded = users::LoadPoolRules(ctx_, pool_id);
  if (!loaded || !loaded->device_settings().tracked) return {};
  return given;
}

Result<void> AuthService::CheckRefreshDevice(const ClientFacts& client,
                                             const tokens::IssuedTokens& issued) {
  const std::string& key = issued.device_key;
  if (key.empty()) return {};
  auto row = ctx_.store.GetUserBySub(client.pool_id, issued.sub);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::NotAuthorized("Invalid Refresh Token");
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  if (!FindDevice(users::FromRow(*row), key)) {
    return ApiError::NotAuthorized("Invalid Refresh Token");
  }
  return {};
}

}  // namespace cognate::domain::auth
