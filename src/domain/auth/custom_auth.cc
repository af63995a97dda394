// Custom authentication (AuthFlow CUSTOM_AUTH): the pure readers of custom_auth.h and the
// AuthService steps that run the DefineAuthChallenge / CreateAuthChallenge /
// VerifyAuthChallengeResponse state machine (StartCustomAuth, AnswerCustomChallenge,
// DefineNext), plus the sign-in side of lazy user migration (MigrateOnSignIn).

#include "domain/auth/custom_auth.h"

#include "domain/auth/auth_service.h"
#include "domain/auth/params.h"
#include "domain/auth/secret_hash.h"
#include "domain/triggers/triggers.h"
#include "domain/users/migration.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;
using triggers::Trigger;
using users::UserRecord;

constexpr const char* kCustomMember = "custom";  // AuthSession::data member of this flow

ApiError Unrecognizable(std::string_view why) {
  return ApiError(ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
                  std::string(why));
}

ApiError NotConfigured() {
  return ApiError::InvalidParameter(
      "Custom auth lambda trigger is not configured for the user pool.");
}

ApiError FailedAuthentication() {
  return ApiError::NotAuthorized("Incorrect username or password.");
}

const json* Member(const json& response, std::string_view key) {
  if (!response.is_object()) return nullptr;
  auto it = response.find(key);
  if (it == response.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::map<std::string, std::string>> StringMapOf(const json& response, std::string_view key) {
  std::map<std::string, std::string> out;
  const json* m = Member(response, key);
  if (m == nullptr) return out;
  if (!m->is_object()) return Unrecognizable(std::string(key) + " is not an object");
  for (const auto& [k, v] : m->items()) {
    if (!v.is_string()) return Unrecognizable(std::string(key) + "." + k + " is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

// request.clientMetadata, set only when the call carried some.
void AddClientMetadata(const json* metadata, json& request) {
  if (metadata != nullptr && metadata->is_object() && !metadata->empty()) {
    request["clientMetadata"] = *metadata;
  }
}

json& CustomState(AuthSession& session) {
  json& custom = session.data[kCustomMember];
  if (!custom.is_object()) custom = json::object();
  if (!custom.contains("history") || !custom["history"].is_array()) {
    custom["history"] = json::array();
  }
  return custom;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Readers

Result<DefineDecision> ReadDefineResponse(const json& response) {
  bool fail = false;
  bool issue = false;
  for (auto [key, flag] :
       {std::pair{"failAuthentication", &fail}, std::pair{"issueTokens", &issue}}) {
    if (const json* b = Member(response, key)) {
      if (!b->is_boolean()) return Unrecognizable(std::string("DefineAuthChallenge ") + key);
      *flag = b->get<bool>();
    }
  }
  std::string name;
  if (const json* c = Member(response, "challengeName")) {
    if (!c->is_string()) return Unrecognizable("DefineAuthChallenge challengeName");
    name = c->get<std::string>();
  }
  if (fail) return DefineDecision{DefineDecision::Kind::kFail, ""};
  if (issue) return DefineDecision{DefineDecision::Kind::kIssueTokens, ""};
  if (name == kCustomChallenge || name == "PASSWORD_VERIFIER") {
    return DefineDecision{DefineDecision::Kind::kChallenge, name};
  }
  return Unrecognizable("DefineAuthChallenge decided nothing usable: '" + name + "'");
}

Result<CreatedChallenge> ReadCreateResponse(const json& response) {
  CreatedChallenge out;
  auto pub = StringMapOf(response, "publicChallengeParameters");
  if (!pub) return pub.error();
  out.public_parameters = std::move(*pub);
  auto priv = StringMapOf(response, "privateChallengeParameters");
  if (!priv) return priv.error();
  for (const auto& [k, v] : *priv) out.private_parameters[k] = v;
  if (const json* m = Member(response, "challengeMetadata")) {
    if (!m->is_string()) return Unrecognizable("CreateAuthChallenge challengeMetadata");
    out.metadata = *m;
  }
  return out;
}

Result<bool> ReadVerifyResponse(const json& response) {
  const json* b = Member(response, "answerCorrect");
  if (b == nullptr) return false;
  if (!b->is_boolean()) return Unrecognizable("VerifyAuthChallengeResponse answerCorrect");
  return b->get<bool>();
}

json ChallengeResult(const std::string& challenge_name, bool result, const json& metadata) {
  return {{"challengeName", challenge_name},
          {"challengeResult", result},
          {"challengeMetadata", metadata.is_string() ? metadata : json(nullptr)}};
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth CUSTOM_AUTH

Result<AuthOutcome> AuthService::StartCustomAuth(Attempt& a) {
  auto username = RequiredParam(*a.params, "USERNAME");
  if (!username) return username.error();
  if (auto ok = CheckSecretHash(a.client, *username, *a.params); !ok) return ok.error();
  const bool srp_first = Param(*a.params, "CHALLENGE_NAME").value_or("") == "SRP_A";
  if (srp_first) {
    if (auto p = RequiredParam(*a.params, "SRP_A"); !p) return p.error();
  }
  if (!ctx_.triggers ||
      !triggers::TargetFor(a.rules.lambda_config(), Trigger::kDefineAuthChallenge)) {
    return NotConfigured();
  }

  auto user = users::FindUser(ctx_.store, a.rules, *username);
  if (!user) {
    if (!user.error().is(ErrorCode::kUserNotFound)) return user.error();
    if (!a.client.prevent_user_existence_errors) return ApiError::UserNotFound();
  } else {
    if (!user->enabled) return ApiError::NotAuthorized("User is disabled.");
    if (user->status == users::kStatusResetRequired) {
      return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
    }
    if (user->status == users::kStatusUnconfirmed) {
      return ApiError(ErrorCode::kUserNotConfirmed, "User is not confirmed.");
    }
  }

  AuthSession session = NewSession(a, user ? &*user : nullptr, *username);
  json& custom = CustomState(session);
  if (srp_first) custom["history"].push_back(ChallengeResult("SRP_A", true));
  // InitiateAuth gives DefineAuthChallenge / CreateAuthChallenge no ClientMetadata (Cognito's
  // rule); RespondToAuthChallenge does.
  a.client_metadata = nullptr;
  return DefineNext(a, user ? &*user : nullptr, std::move(session));
}

// ---------------------------------------------------------------------------------------------
// After each challenge result: DefineAuthChallenge, then CreateAuthChallenge or the end

Result<AuthOutcome> AuthService::DefineNext(Attempt& a, const UserRecord* user,
                                            AuthSession session) {
  json& custom = CustomState(session);
  const json history = custom["history"];
  if (history.size() > kMaxCustomAuthRounds) return FailedAuthentication();
  const json& lambda_config = a.rules.lambda_config();
  const auto define = triggers::TargetFor(lambda_config, Trigger::kDefineAuthChallenge);
  if (!ctx_.triggers || !define) return NotConfigured();

  const bool not_found = user == nullptr;
  triggers::Event event;
  event.user_pool_id = a.client.pool_id;
  event.username = not_found ? session.given_username : user->username;
  event.client_id = a.client.client_id;
  event.request["userAttributes"] =
      not_found ? json::object() : triggers::EventUserAttributes(user->attributes, user->status);
  event.request["session"] = history;
  AddClientMetadata(a.client_metadata, event.request);
  if (a.client.prevent_user_existence_errors) event.request["userNotFound"] = not_found;

  triggers::Event define_event = event;
  define_event.trigger_source = "DefineAuthChallenge_Authentication";
  auto defined = triggers::Call(ctx_, *define, Trigger::kDefineAuthChallenge, define_event);
  if (!defined) return defined.error();
  auto decision = ReadDefineResponse(*defined);
  if (!decision) return decision.error();

  const std::int64_t now = ctx_.clock.NowMillis();
  switch (decision->kind) {
    case DefineDecision::Kind::kFail:
      return FailedAuthentication();
    case DefineDecision::Kind::kIssueTokens: {
      if (not_found) return FailedAuthentication();
      session.data.erase(kCustomMember);
      session.challenge.clear();
      session.auth_time_s = now / 1000;
      session.passed.push_back(kCustomChallenge);
      return NextStep(a, *user, std::move(session));
    }
    case DefineDecision::Kind::kChallenge:
      break;
  }

  if (decision->challenge_name == "PASSWORD_VERIFIER") {
    // Only right after SRP_A, in the InitiateAuth that carried it.
    if (history.empty() || history.back().value("challengeName", "") != "SRP_A" ||
        !Param(*a.params, "SRP_A")) {
      return Missing("SRP_A");
    }
    const json carry = custom;
    auto out = StartSrp(a, &carry);
    if (!out) return out.error();
    // CUSTOM_AUTH clients answer PASSWORD_VERIFIER with a Session: the step's handle (its
    // SECRET_BLOCK) serves as both.
    if (out->challenge_name == "PASSWORD_VERIFIER" && out->session.empty()) {
      out->session = out->challenge_parameters["SECRET_BLOCK"];
    }
    return out;
  }

  const auto create = triggers::TargetFor(lambda_config, Trigger::kCreateAuthChallenge);
  if (!create) return NotConfigured();
  triggers::Event create_event = event;
  create_event.trigger_source = "CreateAuthChallenge_Authentication";
  create_event.request["challengeName"] = kCustomChallenge;
  auto created_reply = triggers::Call(ctx_, *create, Trigger::kCreateAuthChallenge, create_event);
  if (!created_reply) return created_reply.error();
  auto created = ReadCreateResponse(*created_reply);
  if (!created) return created.error();

  custom["private"] = created->private_parameters;
  custom["metadata"] = created->metadata;
  session.challenge = kCustomChallenge;
  session.expires_ms =
      now + static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
  StringMap parameters = std::move(created->public_parameters);
  parameters["USERNAME"] = session.username;
  return OpenChallenge(a, std::move(session), std::move(parameters));
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge CUSTOM_CHALLENGE

Result<AuthOutcome> AuthService::AnswerCustomChallenge(Attempt& a, const RespondInput& in) {
  const StringMap& r = in.responses;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  const auto answer = Param(r, "ANSWER");
  if (!answer) return Missing("ANSWER");
  if (auto ok = CheckSecretHash(a.client, *username, r); !ok) return ok.error();
  if (!in.session || in.session->empty()) return Missing("Session");
  // One answer per challenge: a wrong answer leads to DefineAuthChallenge again, which opens a
  // new challenge (a new Session) or ends the sign-in.
  auto session = sessions_.Take(*in.session);
  if (!session) return session.error();
  if (!session->Awaits(a.client.pool_id, a.client.client_id, kCustomChallenge) ||
      session->flow != kCustomAuthFlow || !SameUser(a.rules, *session, *username)) {
    return InvalidSession();
  }
  a.flow = session->flow;

  std::optional<UserRecord> user;
  if (!session->sub.empty()) {
    auto row = ctx_.store.GetUserBySub(a.client.pool_id, session->sub);
    if (!row) {
      if (row.error().IsNotFound()) return UnknownUser(a.client);
      return ApiError::Internal("GetUserBySub: " + row.error().detail());
    }
    user = users::FromRow(*row);
  }
  const auto verify =
      triggers::TargetFor(a.rules.lambda_config(), Trigger::kVerifyAuthChallengeResponse);
  if (!ctx_.triggers || !verify) return NotConfigured();

  json& custom = CustomState(*session);
  triggers::Event event;
  event.trigger_source = "VerifyAuthChallengeResponse_Authentication";
  event.user_pool_id = a.client.pool_id;
  event.username = user ? user->username : session->given_username;
  event.client_id = a.client.client_id;
  event.request["userAttributes"] =
      user ? triggers::EventUserAttributes(user->attributes, user->status) : json::object();
  event.request["privateChallengeParameters"] = custom.value("private", json::object()).is_object()
                                                    ? custom.value("private", json::object())
                                                    : json::object();
  event.request["challengeAnswer"] = *answer;
  AddClientMetadata(a.client_metadata, event.request);
  if (a.client.prevent_user_existence_errors) event.request["userNotFound"] = !user.has_value();
  auto verified = triggers::Call(ctx_, *verify, Trigger::kVerifyAuthChallengeResponse, event);
  if (!verified) return verified.error();
  auto correct = ReadVerifyResponse(*verified);
  if (!correct) return correct.error();

  const json metadata = custom.contains("metadata") ? custom["metadata"] : json(nullptr);
  custom["history"].push_back(ChallengeResult(kCustomChallenge, *correct, metadata));
  custom.erase("private");
  custom.erase("metadata");
  session->challenge.clear();
  return DefineNext(a, user ? &*user : nullptr, std::move(*session));
}

// ---------------------------------------------------------------------------------------------
// Lazy migration at sign-in

Result<std::optional<UserRecord>> AuthService::MigrateOnSignIn(Attempt& a,
                                                               const std::string& username,
                                                               const std::string& password) {
  users::MigrationInput in;
  in.client_id = a.client.client_id;
  in.username = username;
  in.password = password;
  if (a.client_metadata != nullptr && a.client_metadata->is_object()) {
    in.client_metadata = *a.client_metadata;
  }
  return users::MigrateUser(ctx_, a.rules, in);
}

}  // namespace cognate::domain::auth
