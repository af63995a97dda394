#include "domain/auth/auth_service.h"

#include <algorithm>

#include "common/json_parse.h"
#include "common/strings.h"
#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/auth/custom_auth.h"
#include "domain/auth/lockout.h"
#include "domain/auth/params.h"
#include "domain/auth/secret_hash.h"
#include "domain/triggers/hooks.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/password.h"
#include "domain/users/user_service.h"

namespace cognate::domain::auth {
namespace {

using users::PoolRules;
using users::UserRecord;

constexpr int kMaxRetries = 5;
constexpr const char* kPasswordVerifier = "PASSWORD_VERIFIER";
constexpr const char* kNewPasswordRequired = "NEW_PASSWORD_REQUIRED";
constexpr const char* kUserAttributesPrefix = "userAttributes.";

const std::vector<std::string>& DefaultFlows() {
  static const std::vector<std::string> flows = {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                                                 "ALLOW_CUSTOM_AUTH"};
  return flows;
}

ApiError WrongPassword() { return ApiError::NotAuthorized("Incorrect username or password."); }
ApiError AttemptsExceeded() { return ApiError::NotAuthorized("Password attempts exceeded"); }

// Cognito's answer when the client does not allow `flow`.
ApiError FlowNotEnabled(std::string_view flow) {
  if (flow == "USER_SRP_AUTH") {
    return ApiError::InvalidParameter("USER_SRP_AUTH is not enabled for the client.");
  }
  if (flow == "ADMIN_USER_PASSWORD_AUTH" || flow == "ADMIN_NO_SRP_AUTH") {
    return ApiError::InvalidParameter("Auth flow not enabled for this client");
  }
  if (flow == "REFRESH_TOKEN") flow = "REFRESH_TOKEN_AUTH";
  return ApiError::InvalidParameter(std::string(flow) + " flow not enabled for this client");
}

// The `username` claim of a token this server just issued (no verification needed).
std::string TokenUsername(std::string_view jwt) {
  const auto first = jwt.find('.');
  if (first == std::string_view::npos) return {};
  const auto second = jwt.find('.', first + 1);
  if (second == std::string_view::npos) return {};
  auto payload = crypto::Base64UrlDecode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return {};
  auto claims = ParseJson(*payload);
  if (!claims.is_object()) return {};
  for (const char* name : {"username", "cognito:username"}) {
    const auto it = claims.find(name);
    if (it != claims.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

// A UUID-shaped string from 16 bytes (decoy USER_ID_FOR_SRP in username-attribute pools).
std::string UuidFrom(std::string_view bytes16) {
  std::string b(bytes16.substr(0, 16));
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  const std::string h = crypto::HexEncode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

// "a", "a and b", "a, b and c".
std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

// Required schema attributes `user` has no value for (sub excluded).
std::vector<std::string> MissingRequired(const PoolRules& rules, const UserRecord& user) {
  std::vector<std::string> missing;
  for (const auto& attr : rules.schema()) {
    if (!attr.required || attr.name == "sub") continue;
    auto v = user.Attribute(attr.name);
    if (!v || v->empty()) missing.push_back(attr.name);
  }
  return missing;
}

std::vector<users::AttributeInput> AttributesFromResponses(const StringMap& responses) {
  std::vector<users::AttributeInput> out;
  const std::string_view prefix = kUserAttributesPrefix;
  for (const auto& [key, value] : responses) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
      out.push_back({key.substr(prefix.size()), value});
    }
  }
  return out;
}

// PreTokenGeneration's triggerSource for tokens issued at the end of `session`: from the last
// of NEW_PASSWORD_REQUIRED / DEVICE_PASSWORD_VERIFIER it passed, else a plain sign-in.
tokens::TokenSource TokenSourceOf(const AuthSession& session) {
  for (auto it = session.passed.rbegin(); it != session.passed.rend(); ++it) {
    if (*it == "DEVICE_PASSWORD_VERIFIER") return tokens::TokenSource::kAuthenticateDevice;
    if (*it == kNewPasswordRequired) return tokens::TokenSource::kNewPasswordChallenge;
  }
  return tokens::TokenSource::kAuthentication;
}

}  // namespace

bool FlowAllowed(const std::vector<std::string>& explicit_auth_flows, std::string_view flow) {
  const auto& flows = explicit_auth_flows.empty() ? DefaultFlows() : explicit_auth_flows;
  const bool legacy = Contains(flows, "ADMIN_NO_SRP_AUTH") ||
                      Contains(flows, "CUSTOM_AUTH_FLOW_ONLY") ||
                      Contains(flows, "USER_PASSWORD_AUTH");
  if (flow == "USER_SRP_AUTH") {
    return legacy ? !Contains(flows, "CUSTOM_AUTH_FLOW_ONLY")
                  : Contains(flows, "ALLOW_USER_SRP_AUTH");
  }
  if (flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN") {
    return legacy || Contains(flows, "ALLOW_REFRESH_TOKEN_AUTH");
  }
  if (flow == "USER_PASSWORD_AUTH") {
    return Contains(flows, "ALLOW_USER_PASSWORD_AUTH") || Contains(flows, "USER_PASSWORD_AUTH");
  }
  if (flow == "ADMIN_USER_PASSWORD_AUTH" || flow == "ADMIN_NO_SRP_AUTH") {
    return Contains(flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH") ||
           Contains(flows, "ADMIN_NO_SRP_AUTH");
  }
  if (flow == "CUSTOM_AUTH") {
    return Contains(flows, "ALLOW_CUSTOM_AUTH") || Contains(flows, "CUSTOM_AUTH_FLOW_ONLY");
  }
  if (flow == "USER_AUTH") return Contains(flows, "ALLOW_USER_AUTH");
  return false;
}

// ---------------------------------------------------------------------------------------------

AuthService::AuthService(ServiceContext& ctx, std::shared_ptr<TokenIssuer> issuer)
    : ctx_(ctx), issuer_(std::move(issuer)), sessions_(ctx) {}

Result<ClientFacts> AuthService::LoadClient(bool admin, const std::string& pool_id,
                                            const std::string& client_id) {
  return userpool::LoadClientFacts(ctx_, admin ? pool_id : std::string(), client_id);
}

ApiError AuthService::UnknownUser(const ClientFacts& client) {
  return client.prevent_user_existence_errors ? WrongPassword() : ApiError::UserNotFound();
}

const std::string& AuthService::DecoyKey() {
  std::call_once(decoy_once_, [this] {
    auto stored =
        ctx_.store.PutSettingIfAbsent("auth_decoy_key", crypto::HexEncode(crypto::RandomBytes(32)));
    decoy_key_ = stored ? *stored : crypto::RandomBytes(32);
  });
  return decoy_key_;
}

const std::string& AuthService::DummyPasswordHash() {
  std::call_once(dummy_once_, [this] {
    dummy_hash_ = crypto::HashPassword(crypto::HexEncode(crypto::RandomBytes(16)));
  });
  return dummy_hash_;
}

template <class Fn>
Result<UserRecord> AuthService::MutateUser(const PoolRules& rules, const std::string& sub,
                                           Fn&& change) {
  for (int attempt = 0;; ++attempt) {
    auto row = ctx_.store.GetUserBySub(rules.pool_id(), sub);
    if (!row) {
      if (row.error().IsNotFound()) return ApiError::UserNotFound();
      return ApiError::Internal("GetUserBySub: " + row.error().detail());
    }
    UserRecord user = users::FromRow(*row);
    if (auto ok = change(user); !ok) return ok.error();
    user.modified_ms = ctx_.clock.NowMillis();
    auto st = ctx_.store.UpdateUser(users::ToRow(rules, user), user.version);
    if (st) {
      ++user.version;
      return user;
    }
    const auto& e = st.error();
    if (e.IsNotFound()) return ApiError::UserNotFound();
    if (e.IsConflict()) {
      if (e.detail() != "version") {
        return users::AliasConflictError(rules, e.detail(), /*creating=*/false);
      }
      if (attempt + 1 < kMaxRetries) continue;
      return ApiError(ErrorCode::kConcurrentModification, "Concurrent modification.",
                      "user version moved on");
    }
    return ApiError::Internal("UpdateUser: " + e.detail());
  }
}

void AuthService::RecordFailure(const PoolRules& rules, const std::string& sub) {
  const std::int64_t now = ctx_.clock.NowMillis();
  (void)MutateUser(rules, sub, [&](UserRecord& u) -> Result<void> {
    WriteLockout(u.doc, AfterFailure(ReadLockout(u.doc), now));
    return {};
  });
}

void AuthService::ResetLockout(const PoolRules& rules, const UserRecord& user) {
  if (ReadLockout(user.doc) == LockoutState{}) return;
  (void)MutateUser(rules, user.sub, [&](UserRecord& u) -> Result<void> {
    WriteLockout(u.doc, {});
    return {};
  });
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth

Result<AuthOutcome> AuthService::InitiateAuth(const InitiateAuthInput& input) {
  auto client = LoadClient(input.admin, input.pool_id, input.client_id);
  if (!client) return client.error();
  static const std::vector<std::string> kPublicFlows = {"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH",
                                                        "REFRESH_TOKEN", "USER_PASSWORD_AUTH",
                                                        "CUSTOM_AUTH",   "USER_AUTH"};
  static const std::vector<std::string> kAdminFlows = {
      "USER_SRP_AUTH",     "REFRESH_TOKEN_AUTH",       "REFRESH_TOKEN",
      "ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH", "CUSTOM_AUTH",
      "USER_AUTH"};
  const std::string& flow = input.auth_flow;
  if (input.hosted) {
    // The hosted pages sign in with the password whatever the client allows the API, or by
    // choice (USER_AUTH) when the client allows that.
    if ((flow != "USER_PASSWORD_AUTH" && flow != "USER_AUTH") || input.admin) {
      return ApiError::InvalidParameter("Initiate Auth method not supported.");
    }
    if (flow == "USER_AUTH" && !FlowAllowed(client->explicit_auth_flows, flow)) {
      return FlowNotEnabled(flow);
    }
    client->secret.reset();  // the server is the caller: no SECRET_HASH to prove
  } else {
    if (!Contains(input.admin ? kAdminFlows : kPublicFlows, flow)) {
      return ApiError::InvalidParameter("Initiate Auth method not supported.");
    }
    if (!FlowAllowed(client->explicit_auth_flows, flow)) return FlowNotEnabled(flow);
  }
  auto rules = users::LoadPoolRules(ctx_, client->pool_id);
  if (!rules) return rules.error();

  Attempt a{std::move(*client), std::move(*rules),      input.admin, flow,
            &input.parameters,  &input.client_metadata, input.hosted};
  if (flow != "REFRESH_TOKEN_AUTH" && flow != "REFRESH_TOKEN") {
    if (auto ok = RunPreAuthenticationHook(a); !ok) return ok.error();
  }
  if (flow == "USER_SRP_AUTH") return StartSrp(a);
  if (flow == kCustomAuthFlow) return StartCustomAuth(a);
  if (flow == "USER_AUTH") return StartUserAuth(a);
  if (flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN") return StartRefresh(a);
  return StartPassword(a);
}

Result<AuthOutcome> AuthService::StartPassword(Attempt& a) {
  auto username = RequiredParam(*a.params, "USERNAME");
  if (!username) return username.error();
  auto password = RequiredParam(*a.params, "PASSWORD");
  if (!password) return password.error();
  if (auto ok = CheckSecretHash(a.client, *username, *a.params); !ok) {
    return ok.error();
  }
  auto user = users::FindUser(ctx_.store, a.rules, *username);
  bool migrated = false;
  if (!user) {
    if (!user.error().is(ErrorCode::kUserNotFound)) return user.error();
    // Lazy migration: the pool's UserMigration function may know the user.
    auto created = MigrateOnSignIn(a, *username, *password);
    if (!created) {
      if (created.error().is(ErrorCode::kUserNotFound) && a.client.prevent_user_existence_errors) {
        return WrongPassword();
      }
      return created.error();
    }
    if (!*created) {
      if (a.client.prevent_user_existence_errors) {
        (void)crypto::VerifyPassword(*password, DummyPasswordHash());  // same time as a user's
      }
      return UnknownUser(a.client);
    }
    user = std::move(**created);
    migrated = true;
  }
  if (user->status == users::kStatusResetRequired) {
    return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
  }
  const std::int64_t now = ctx_.clock.NowMillis();
  if (!migrated) {  // a migrated user's password is the one just given
    if (IsLockedOut(ReadLockout(user->doc), now)) return AttemptsExceeded();
    const std::string hash = user->PasswordHash();
    if (hash.empty()) {
      (void)crypto::VerifyPassword(*password, DummyPasswordHash());
      return WrongPassword();
    }
    if (!crypto::VerifyPassword(*password, hash)) {
      RecordFailure(a.rules, user->sub);
      return WrongPassword();
    }
    ResetLockout(a.rules, *user);
  }

  AuthSession session = NewSession(a, &*user, *username);
  session.auth_time_s = now / 1000;
  session.passed.push_back("PASSWORD");
  return NextStep(a, *user, std::move(session));
}

Result<AuthOutcome> AuthService::SignInAfterSignUp(const std::string& client_id,
                                                   const std::string& sub) {
  auto client = LoadClient(false, "", client_id);
  if (!client) return client.error();
  client->secret.reset();  // the server is the caller
  auto rules = users::LoadPoolRules(ctx_, client->pool_id);
  if (!rules) return rules.error();
  auto row = ctx_.store.GetUserBySub(client->pool_id, sub);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::UserNotFound();
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  const UserRecord user = users::FromRow(*row);
  const StringMap params = {{"USERNAME", user.username}};
  const nlohmann::json metadata = nlohmann::json::object();
  Attempt a{std::move(*client), std::move(*rules), false, "USER_PASSWORD_AUTH", &params,
            &metadata,          /*hosted=*/true};
  if (auto ok = RunPreAuthenticationHook(a); !ok) return ok.error();
  const std::int64_t now = ctx_.clock.NowMillis();
  if (IsLockedOut(ReadLockout(user.doc), now)) return AttemptsExceeded();
  AuthSession session = NewSession(a, &user, user.username);
  session.auth_time_s = now / 1000;
  session.passed.push_back("PASSWORD");  // chosen at sign-up, with the code as its proof
  return NextStep(a, user, std::move(session));
}

AuthSession AuthService::NewSession(const Attempt& a, const users::UserRecord* user,
                                    const std::string& typed_username) {
  AuthSession session;
  session.pool_id = a.client.pool_id;
  session.client_id = a.client.client_id;
  session.sub = user != nullptr ? user->sub : std::string();
  session.username = user != nullptr ? user->username : typed_username;
  session.given_username = typed_username;
  session.flow = a.flow;
  session.admin = a.admin;
  if (user == nullptr) session.data["decoy"] = true;
  if (a.hosted) session.data["hosted"] = true;
  return session;
}

Result<AuthOutcome> AuthService::StartSrp(Attempt& a, const nlohmann::json* custom) {
  auto username = RequiredParam(*a.params, "USERNAME");
  if (!username) return username.error();
  auto srp_a = RequiredParam(*a.params, "SRP_A");
  if (!srp_a) return srp_a.error();
  if (auto ok = CheckSecretHash(a.client, *username, *a.params); !ok) {
    return ok.error();
  }
  auto A = crypto::SrpParsePublicA(*srp_a);
  if (!A) return ApiError::InvalidParameter("SRP_A is not valid.");

  const std::int64_t now = ctx_.clock.NowMillis();
  AuthSession session;
  session.pool_id = a.client.pool_id;
  session.client_id = a.client.client_id;
  session.given_username = *username;
  session.flow = a.flow;
  session.challenge = kPasswordVerifier;
  session.admin = a.admin;
  session.expires_ms =
      now + static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;

  std::optional<crypto::SrpVerifier> verifier;
  std::string user_id_for_srp;
  auto user = users::FindUser(ctx_.store, a.rules, *username);
  if (user) {
    if (user->status == users::kStatusResetRequired) {
      return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
    }
    if (IsLockedOut(ReadLockout(user->doc), now)) return AttemptsExceeded();
    session.sub = user->sub;
    session.username = user->username;
    user_id_for_srp = users::SrpUserId(*user);
    verifier = users::OpenSrpVerifier(ctx_, *user);
  } else {
    if (!user.error().is(ErrorCode::kUserNotFound)) return user.error();
    if (!a.client.prevent_user_existence_errors) return ApiError::UserNotFound();
  }
  if (!verifier) {
    // A decoy: an unknown user (or one without a verifier) gets a challenge that looks like a
    // real one, stable per username, and fails like a wrong password.
    const std::string mac = crypto::HmacSha256(
        DecoyKey(), a.client.pool_id + "\n" + a.rules.NormalizeUsername(*username));
    if (!user) {
      user_id_for_srp = a.rules.username_attributes().empty() ? *username : UuidFrom(mac);
      session.username = user_id_for_srp;
    }
    verifier =
        crypto::MakeSrpVerifierWithSalt(users::SrpPoolName(a.client.pool_id), user_id_for_srp,
                                        crypto::HexEncode(mac), mac.substr(0, 16));
    session.data["decoy"] = true;
  }
  auto ephemeral = crypto::SrpServerBegin(verifier->verifier);
  if (!ephemeral) return ApiError::Internal("SRP: unusable verifier");

  if (custom != nullptr) session.data["custom"] = *custom;
  NoteDeviceKey(a, session);
  // Clients echo the SECRET_BLOCK without a Session: the block is the step's sealed state.
  AuthOutcome out;
  out.challenge_name = session.challenge;
  out.challenge_parameters = {
      {"SALT", crypto::SrpIntegerHex(verifier->salt)},
      {"SECRET_BLOCK", sessions_.SealPasswordVerifier(session, {*A, ephemeral->B, ephemeral->b})},
      {"SRP_B", crypto::SrpIntegerHex(ephemeral->B)},
      {"USERNAME", session.username},
      {"USER_ID_FOR_SRP", user_id_for_srp}};
  return out;
}

Result<AuthOutcome> AuthService::StartRefresh(Attempt& a) {
  auto token = RequiredParam(*a.params, "REFRESH_TOKEN");
  if (!token) return token.error();
  const auto secret_hash = Param(*a.params, "SECRET_HASH");
  if (a.client.secret && !secret_hash) {
    return CheckSecretHash(a.client.secret, a.client.client_id, "", std::nullopt).error();
  }
  tokens::RefreshInput in;
  in.pool_id = a.admin ? a.client.pool_id : "";
  in.client_id = a.client.client_id;
  in.refresh_token = *token;
  in.device_key =
      TrackedDeviceKey(a.client.pool_id, Param(*a.params, "DEVICE_KEY").value_or(""), &a.rules);
  in.allow_rotation = false;
  if (a.client_metadata != nullptr) in.client_metadata = *a.client_metadata;
  auto issued = issuer_->Refresh(in);
  if (!issued) {
    const ApiError& e = issued.error();
    if (e.is(ErrorCode::kUserNotFound) || e.message() == "User does not exist.") {
      return a.client.prevent_user_existence_errors
                 ? ApiError::NotAuthorized("Invalid Refresh Token")
                 : ApiError::UserNotFound();
    }
    return e;
  }
  if (a.client.secret) {
    // The hash is over the user's username, which only the token knows.
    const std::string username = TokenUsername(issued->access_token);
    if (auto ok = CheckSecretHash(a.client.secret, a.client.client_id, username, secret_hash);
        !ok) {
      return ok.error();
    }
  }
  if (auto ok = CheckRefreshDevice(a.client, *issued); !ok) return ok.error();
  AuthOutcome out;
  out.tokens = std::move(*issued);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Challenges

Result<AuthOutcome> AuthService::RespondToAuthChallenge(const RespondInput& input) {
  auto client = LoadClient(input.admin, input.pool_id, input.client_id);
  if (!client) return client.error();
  auto rules = users::LoadPoolRules(ctx_, client->pool_id);
  if (!rules) return rules.error();
  if (input.hosted) client->secret.reset();  // the server is the caller
  Attempt a{std::move(*client), std::move(*rules),      input.admin, "",
            &input.responses,   &input.client_metadata, input.hosted};
  // A hosted sign-in's session is answered by the hosted pages only, and they answer no other.
  if (input.session && !input.session->empty()) {
    if (auto peek = sessions_.Peek(*input.session);
        peek && peek->data.value("hosted", false) != input.hosted) {
      return InvalidSession();
    }
  } else if (input.hosted) {
    return InvalidSession();  // PASSWORD_VERIFIER and the device steps are not hosted
  }
  if (input.challenge_name == kPasswordVerifier) return AnswerPasswordVerifier(a, input);
  if (input.challenge_name == kNewPasswordRequired) return AnswerNewPassword(a, input);
  if (input.challenge_name == "DEVICE_SRP_AUTH") return AnswerDeviceSrp(a, input);
  if (input.challenge_name == "DEVICE_PASSWORD_VERIFIER") {
    return AnswerDevicePasswordVerifier(a, input);
  }
  if (auto mfa = TryAnswerMfa(a, input)) return std::move(*mfa);
  if (input.challenge_name == "SELECT_CHALLENGE") return AnswerSelectChallenge(a, input);
  if (IsSignInOtpAnswer(input)) return AnswerSignInOtp(a, input);
  if (input.challenge_name == kCustomChallenge) return AnswerCustomChallenge(a, input);
  // No session of ours waits for any other challenge yet.
  return InvalidSession();
}

Result<AuthOutcome> AuthService::AnswerPasswordVerifier(Attempt& a, const RespondInput& in) {
  auto answer = ReadPasswordClaim(a.client, in.responses);
  if (!answer) return answer.error();
  auto opened = sessions_.OpenPasswordVerifier(answer->secret_block);
  if (!opened) return opened.error();
  AuthSession& session = opened->session;
  if (!session.Awaits(a.client.pool_id, a.client.client_id, kPasswordVerifier)) {
    return InvalidSession();
  }
  // One answer per block: tokens of the family the block names spend it through that family's
  // row; every other outcome (a wrong proof, a next challenge, an error) spends it here.
  auto out = ProvePasswordVerifier(a, *answer, opened->srp, session);  // on a copy
  if (out && out->tokens && out->tokens->family_id == session.family_id) return out;
  if (auto spent = sessions_.SpendPasswordVerifier(session); !spent) return spent.error();
  return out;
}

Result<AuthOutcome> AuthService::ProvePasswordVerifier(Attempt& a,
                                                       const PasswordClaimAnswer& answer,
                                                       const SrpStepState& srp,
                                                       AuthSession session) {
  if (!SameUser(a.rules, session, answer.username)) return WrongPassword();
  if (session.data.value("decoy", false) || session.sub.empty()) {
    if (!session.sub.empty()) RecordFailure(a.rules, session.sub);
    return WrongPassword();
  }

  auto row = ctx_.store.GetUserBySub(a.client.pool_id, session.sub);
  if (!row) {
    if (row.error().IsNotFound()) return UnknownUser(a.client);
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  const UserRecord user = users::FromRow(*row);
  const std::int64_t now = ctx_.clock.NowMillis();
  if (IsLockedOut(ReadLockout(user.doc), now)) return AttemptsExceeded();

  const auto verifier = users::OpenSrpVerifier(ctx_, user);
  const auto block_bytes = crypto::Base64Decode(answer.secret_block);
  bool proven = false;
  if (verifier && block_bytes) {
    const std::string pool_name = users::SrpPoolName(a.client.pool_id);
    const std::string user_id = users::SrpUserId(user);
    crypto::SrpPasswordClaim claim{pool_name, user_id, *block_bytes, answer.timestamp,
                                   answer.signature};
    proven = crypto::SrpVerifyPasswordClaim(srp.A, crypto::SrpServerEphemeral{srp.b, srp.B},
                                            verifier->verifier, claim);
  }
  if (!proven) {
    RecordFailure(a.rules, user.sub);
    return WrongPassword();
  }
  ResetLockout(a.rules, user);
  session.auth_time_s = now / 1000;
  session.passed.push_back(kPasswordVerifier);
  if (session.flow == kCustomAuthFlow) {  // SRP inside CUSTOM_AUTH: DefineAuthChallenge decides
    a.flow = session.flow;
    session.challenge.clear();
    session.data["custom"]["history"].push_back(ChallengeResult(kPasswordVerifier, true));
    return DefineNext(a, &user, std::move(session));
  }
  return NextStep(a, user, std::move(session));
}

Result<AuthOutcome> AuthService::AnswerNewPassword(Attempt& a, const RespondInput& in) {
  const StringMap& r = in.responses;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  auto new_password = RequiredParam(r, "NEW_PASSWORD");
  if (!new_password) return new_password.error();
  if (auto ok = CheckSecretHash(a.client, *username, r); !ok) {
    return ok.error();
  }
  if (!in.session || in.session->empty()) return Missing("Session");
  // Validate the answer against the session before spending it: a password the policy refuses
  // or a missing attribute can be corrected and sent again with the same session.
  auto session = sessions_.Peek(*in.session);
  if (!session) return session.error();
  if (!session->Awaits(a.client.pool_id, a.client.client_id, kNewPasswordRequired))
    return InvalidSession();
  if (!SameUser(a.rules, *session, *username)) return InvalidSession();
  auto row = ctx_.store.GetUserBySub(a.client.pool_id, session->sub);
  if (!row) {
    if (row.error().IsNotFound()) return UnknownUser(a.client);
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  UserRecord preview = users::FromRow(*row);
  if (preview.status != users::kStatusForceChangePassword) return InvalidSession();
  const auto attributes = AttributesFromResponses(r);
  if (auto applied =
          users::ApplyAttributes(a.rules, preview, attributes, users::AttributeWriteMode::kUpdate);
      !applied) {
    return applied.error();
  }
  if (auto missing = MissingRequired(a.rules, preview); !missing.empty()) {
    return ApiError::InvalidParameter("Invalid attributes given, " + JoinNames(missing) +
                                      " is missing");
  }
  if (auto violation = a.rules.PasswordViolation(*new_password)) {
    return ApiError(ErrorCode::kInvalidPassword,
                    "Password does not conform to policy: " + *violation);
  }

  auto taken = sessions_.Take(*in.session);
  if (!taken) return taken.error();
  const users::PasswordSecrets secrets = users::DerivePasswordSecrets(
      ctx_, a.client.pool_id, preview.sub, users::SrpUserId(preview), *new_password);
  auto user = MutateUser(a.rules, session->sub, [&](UserRecord& u) -> Result<void> {
    if (u.status != users::kStatusForceChangePassword) return InvalidSession();
    auto applied =
        users::ApplyAttributes(a.rules, u, attributes, users::AttributeWriteMode::kUpdate);
    if (!applied) return applied.error();
    users::ApplyPasswordSecrets(u, secrets);
    u.status = std::string(users::kStatusConfirmed);
    u.SetTemporaryPasswordExpiresMs(0);
    WriteLockout(u.doc, {});
    return {};
  });
  if (!user) return user.error();
  AuthSession next = std::move(*taken);
  next.passed.push_back(kNewPasswordRequired);
  return NextStep(a, *user, std::move(next));
}

// ---------------------------------------------------------------------------------------------
// After a factor

Result<AuthOutcome> AuthService::NextStep(Attempt& a, const UserRecord& user, AuthSession session) {
  if (!user.enabled) return ApiError::NotAuthorized("User is disabled.");
  if (user.status == users::kStatusUnconfirmed) {
    return ApiError(ErrorCode::kUserNotConfirmed, "User is not confirmed.");
  }
  if (user.status == users::kStatusResetRequired) {
    return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
  }
  if (user.status == users::kStatusExternalProvider) return WrongPassword();
  if (user.status == users::kStatusForceChangePassword) {
    const std::int64_t expires = user.TemporaryPasswordExpiresMs();
    if (expires > 0 && ctx_.clock.NowMillis() >= expires) {
      return ApiError::NotAuthorized(
          "Temporary password has expired and must be reset by an administrator.");
    }
    nlohmann::json user_attributes = nlohmann::json::object();
    for (const auto& [name, value] : user.attributes) {
      if (name != "sub") user_attributes[name] = value;
    }
    nlohmann::json required = nlohmann::json::array();
    for (const auto& name : MissingRequired(a.rules, user)) {
      required.push_back(kUserAttributesPrefix + name);
    }
    session.challenge = kNewPasswordRequired;
    session.expires_ms =
        ctx_.clock.NowMillis() +
        static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
    StringMap parameters = {{"USER_ID_FOR_SRP", users::SrpUserId(user)},
                            {"requiredAttributes", required.dump()},
                            {"userAttributes", user_attributes.dump()}};
    return OpenChallenge(a, std::move(session), std::move(parameters));
  }
  if (auto device = DeviceStep(a, user, session)) return std::move(*device);
  if (auto mfa = MfaStep(a, user, session)) return std::move(*mfa);
  return IssueTokens(a, user, session);
}

Result<AuthOutcome> AuthService::OpenChallenge(Attempt& a, AuthSession session,
                                               StringMap parameters, std::string handle) {
  NoteDeviceKey(a, session);
  if (handle.empty()) handle = SessionStore::NewHandle();
  if (auto ok = sessions_.Put(handle, session); !ok) return ok.error();
  AuthOutcome out;
  out.challenge_name = session.challenge;
  out.challenge_parameters = std::move(parameters);
  out.session = std::move(handle);
  return out;
}

Result<AuthOutcome> AuthService::IssueTokens(Attempt& a, const UserRecord& user,
                                             const AuthSession& session) {
  tokens::SignInGrant grant;
  grant.pool_id = a.client.pool_id;
  grant.client_id = a.client.client_id;
  grant.sub = user.sub;
  grant.auth_time_s = session.auth_time_s > 0 ? session.auth_time_s : ctx_.clock.NowSeconds();
  grant.family_id = session.family_id;
  grant.source = TokenSourceOf(session);
  grant.rules = &a.rules;
  if (a.client_metadata != nullptr) grant.client_metadata = *a.client_metadata;
  AuthOutcome out;
  if (a.hosted) {
    // The hosted pages start a hosted session; the tokens come later from /oauth2/authorize.
    out.signed_in = SignedIn{a.client.pool_id, user.sub, user.username, grant.auth_time_s};
  } else {
    if (auto bound = BindDevice(a, user, session, grant, out); !bound) return bound.error();
    auto issued = issuer_->IssueForSignIn(grant);
    if (!issued) return issued.error();
    out.tokens = std::move(*issued);
  }
  const nlohmann::json& lambda_config = a.rules.lambda_config();
  if (!lambda_config.empty()) {
    static const nlohmann::json kNoMetadata = nlohmann::json::object();
    auto hooked = triggers::RunPostAuthentication(
        ctx_, lambda_config, users::HookUserOf(user), a.client.client_id,
        out.new_device.has_value(),
        a.client_metadata != nullptr ? *a.client_metadata : kNoMetadata);
    if (!hooked) return hooked.error();
  }
  return out;
}

Result<void> AuthService::DeliverSignInCode(const Attempt& a, const UserRecord& user,
                                            OutboundMessage message, const std::string& code) {
  const nlohmann::json& lambda_config = a.rules.lambda_config();
  if (lambda_config.empty()) return ctx_.messages.Send(message);
  triggers::CodeMessageCall call;
  call.source = "Authentication";
  call.client_id = a.client.client_id;
  if (a.client_metadata != nullptr) call.client_metadata = *a.client_metadata;
  call.code = code;
  return triggers::DeliverMessage(ctx_, lambda_config, users::HookUserOf(user), std::move(message),
                                  call);
}

Result<void> AuthService::RunPreAuthenticationHook(const Attempt& a) {
  const nlohmann::json& lambda_config = a.rules.lambda_config();
  if (lambda_config.empty() || ctx_.triggers == nullptr ||
      !triggers::TargetFor(lambda_config, triggers::Trigger::kPreAuthentication)) {
    return {};
  }
  auto username = Param(*a.params, "USERNAME");
  if (!username || username->empty()) return {};  // the flow reports the missing parameter
  // A caller that cannot prove the client secret never reaches the pool's function.
  if (auto ok = CheckSecretHash(a.client, *username, *a.params); !ok) return ok.error();
  static const nlohmann::json kNoMetadata = nlohmann::json::object();
  const nlohmann::json& metadata = a.client_metadata != nullptr ? *a.client_metadata : kNoMetadata;
  auto user = users::FindUser(ctx_.store, a.rules, *username);
  if (!user) {
    if (!user.error().is(ErrorCode::kUserNotFound)) return user.error();
    if (!a.client.prevent_user_existence_errors) return {};
    return triggers::RunPreAuthentication(ctx_, lambda_config, a.client.pool_id, nullptr, *username,
                                          a.client.client_id, metadata);
  }
  const triggers::HookUser hook_user = users::HookUserOf(*user);
  return triggers::RunPreAuthentication(ctx_, lambda_config, a.client.pool_id, &hook_user,
                                        *username, a.client.client_id, metadata);
}

// ---------------------------------------------------------------------------------------------

Result<tokens::IssuedTokens> AuthService::GetTokensFromRefreshToken(
    const RefreshTokensInput& input) {
  auto client = LoadClient(false, "", input.client_id);
  if (!client) return client.error();
  if (auto ok = CheckClientSecret(client->secret, client->client_id, input.client_secret); !ok) {
    return ok.error();
  }
  if (!FlowAllowed(client->explicit_auth_flows, "REFRESH_TOKEN_AUTH")) {
    return FlowNotEnabled("REFRESH_TOKEN_AUTH");
  }
  tokens::RefreshInput in;
  in.client_id = client->client_id;
  in.refresh_token = input.refresh_token;
  in.device_key = TrackedDeviceKey(client->pool_id, input.device_key);
  in.allow_rotation = true;
  in.client_metadata = input.client_metadata;
  auto issued = issuer_->Refresh(in);
  if (!issued) {
    const ApiError& e = issued.error();
    if (e.is(ErrorCode::kUserNotFound) || e.message() == "User does not exist.") {
      return client->prevent_user_existence_errors
                 ? ApiError::NotAuthorized("Invalid Refresh Token")
                 : ApiError::UserNotFound();
    }
    return e;
  }
  if (auto ok = CheckRefreshDevice(*client, *issued); !ok) return ok.error();
  return issued;
}

}  // namespace cognate::domain::auth
