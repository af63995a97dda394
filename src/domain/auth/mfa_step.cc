// The MFA step of the sign-in flows (AuthService members; see auth_service.h and
// domain/mfa/). After the first factor (and NEW_PASSWORD_REQUIRED, and the device step), a pool
// with MFA ON or OPTIONAL asks the user for a second factor:
//  - the factors the user enabled that the pool allows and can be delivered (user_mfa.h):
//    one, or the preferred one, opens its challenge (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA);
//    several without a preference open SELECT_MFA_TYPE;
//  - none, with MFA ON: a verified software token, else the phone number (SMS_MFA), else a
//    verified e-mail address (EMAIL_OTP), else MFA_SETUP listing what can be set up
//    (MFAS_CAN_SETUP);
//  - none, with MFA OPTIONAL: no MFA.
// No MFA is asked once a device proof or a one-time-code first factor was passed.
// SMS / e-mail codes are sealed in the session (one per challenge, valid 3 minutes); a wrong
// code keeps the session for another try and counts as a failed sign-in (lockout.h).

#include <algorithm>

#include "crypto/crypto.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/lockout.h"
#include "domain/auth/params.h"
#include "domain/auth/secret_hash.h"
#include "domain/messaging/templates.h"
#include "domain/mfa/mfa_config.h"
#include "domain/mfa/mfa_service.h"
#include "domain/mfa/user_mfa.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/self_service.h"
#include "domain/users/user_support.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;
using users::UserRecord;

constexpr const char* kSelectMfaType = "SELECT_MFA_TYPE";
constexpr const char* kMfaSetup = "MFA_SETUP";
constexpr const char* kMfaMember = "mfa";  // AuthSession::data member of an MFA challenge
constexpr std::int64_t kMfaCodeValidityMs = 3LL * 60 * 1000;

bool Passed(const AuthSession& s, std::string_view factor) {
  return std::find(s.passed.begin(), s.passed.end(), factor) != s.passed.end();
}

// A proof that makes MFA unnecessary: a remembered device, a one-time-code first factor, or
// MFA itself.
bool MfaSatisfied(const AuthSession& s) {
  for (const char* f : {"DEVICE_PASSWORD_VERIFIER", "EMAIL_OTP", "SMS_OTP", mfa::kSmsMfa,
                        mfa::kSoftwareTokenMfa, kMfaSetup}) {
    if (Passed(s, f)) return true;
  }
  return false;
}

bool ListContains(const json& list, std::string_view s) {
  return list.is_array() && std::find(list.begin(), list.end(), json(s)) != list.end();
}

std::string JsonList(const std::vector<std::string>& v) { return json(v).dump(); }

// A wrong SMS or e-mail code (a wrong TOTP code is mfa::TotpError's "Invalid code received for
// user"), as Cognito words them.
ApiError CodeMismatch() {
  return ApiError(ErrorCode::kCodeMismatch, "Invalid code or auth state for the user.");
}

const char* CodeParameter(std::string_view challenge) {
  if (challenge == mfa::kSmsMfa) return "SMS_MFA_CODE";
  if (challenge == mfa::kEmailOtp) return "EMAIL_OTP_CODE";
  return "SOFTWARE_TOKEN_MFA_CODE";
}

// What every MFA answer checks first: USERNAME, SECRET_HASH, the Session, and that the session
// belongs to this client, waits for `challenge` and is this user's.
Result<AuthSession> PeekAnswer(SessionStore& sessions, const ClientFacts& client,
                               const users::PoolRules& rules, const RespondInput& in,
                               std::string_view challenge) {
  const StringMap& r = in.responses;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  if (auto ok = CheckSecretHash(client, *username, r); !ok) {
    return ok.error();
  }
  if (!in.session || in.session->empty()) return Missing("Session");
  auto session = sessions.Peek(*in.session);
  if (!session) return session.error();
  if (!session->Awaits(client.pool_id, client.client_id, challenge) || session->sub.empty()) {
    return InvalidSession();
  }
  if (!SameUser(rules, *session, *username) && *username != session->sub) {
    return InvalidSession();
  }
  return session;
}

Result<UserRecord> LoadUser(ServiceContext& ctx, const std::string& pool_id,
                            const std::string& sub) {
  auto row = ctx.store.GetUserBySub(pool_id, sub);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::UserNotFound();
    return users::StoreFailure("GetUserBySub", row.error());
  }
  return users::FromRow(*row);
}

}  // namespace

std::optional<Result<AuthOutcome>> AuthService::MfaStep(Attempt& a, const UserRecord& user,
                                                        AuthSession& session) {
  if (MfaSatisfied(session)) return std::nullopt;
  auto pool = mfa::LoadPoolMfa(ctx_, a.client.pool_id);
  if (!pool) return Result<AuthOutcome>(pool.error());
  if (pool->mode == "OFF") return std::nullopt;
  std::vector<std::string> factors = mfa::UsableFactors(*pool, user);
  if (factors.empty()) {
    if (pool->mode != "ON") return std::nullopt;
    const auto phone = user.Attribute("phone_number");
    if (pool->software_token && mfa::HasVerifiedSoftwareToken(user)) {
      factors.emplace_back(mfa::kSoftwareTokenMfa);
    } else if (pool->sms && phone && !phone->empty()) {
      factors.emplace_back(mfa::kSmsMfa);
    } else if (pool->email && user.Attribute("email") && user.IsTrue("email_verified")) {
      factors.emplace_back(mfa::kEmailOtp);
    } else {
      std::vector<std::string> can_setup;
      if (pool->sms) can_setup.emplace_back(mfa::kSmsMfa);
      if (pool->software_token) can_setup.emplace_back(mfa::kSoftwareTokenMfa);
      if (pool->email) can_setup.emplace_back(mfa::kEmailOtp);
      session.challenge = kMfaSetup;
      session.expires_ms =
          ctx_.clock.NowMillis() +
          static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
      session.data[kMfaMember] = {{"can_setup", can_setup}};
      return OpenChallenge(a, std::move(session), {{"MFAS_CAN_SETUP", JsonList(can_setup)}});
    }
  }
  const std::string preferred = mfa::PreferredFactor(user);
  if (factors.size() == 1) return OpenMfaChallenge(a, user, std::move(session), factors[0]);
  if (std::find(factors.begin(), factors.end(), preferred) != factors.end()) {
    return OpenMfaChallenge(a, user, std::move(session), preferred);
  }
  session.challenge = kSelectMfaType;
  session.expires_ms =
      ctx_.clock.NowMillis() +
      static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
  session.data[kMfaMember] = {{"choices", factors}};
  return OpenChallenge(a, std::move(session), {{"MFAS_CAN_CHOOSE", JsonList(factors)}});
}

Result<AuthOutcome> AuthService::OpenMfaChallenge(Attempt& a, const UserRecord& user,
                                                  AuthSession session, const std::string& factor,
                                                  const std::string& email_to) {
  const std::int64_t now = ctx_.clock.NowMillis();
  session.challenge = factor;
  session.expires_ms =
      now + static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
  const std::string handle = SessionStore::NewHandle();
  json data = {{"factor", factor}};
  StringMap parameters;
  if (factor == mfa::kSmsMfa || factor == mfa::kEmailOtp) {
    auto pool = mfa::LoadPoolMfa(ctx_, a.client.pool_id);
    if (!pool) return pool.error();
    const bool email = factor == mfa::kEmailOtp;
    const std::string destination =
        !email_to.empty() ? email_to
                          : user.Attribute(email ? "email" : "phone_number").value_or("");
    const std::string code = users::NewCode(ctx_);
    OutboundMessage m;
    m.channel = email ? OutboundMessage::Channel::kEmail : OutboundMessage::Channel::kSms;
    m.destination = destination;
    m.pool_id = a.client.pool_id;
    m.username = user.username;
    m.purpose = "mfa";
    if (email) {
      m.subject = messaging::Render(pool->email_subject, code, user.username);
      m.body = messaging::Render(pool->email_message, code, user.username);
    } else {
      m.body = messaging::Render(pool->sms_message, code, user.username);
    }
    if (auto sent = DeliverSignInCode(a, user, std::move(m), code); !sent) return sent.error();
    data["code"] = sessions_.Seal(handle, code);
    data["code_expires_ms"] = now + std::min(kMfaCodeValidityMs, session.expires_ms - now);
    if (!email_to.empty()) data["setup_email"] = email_to;
    parameters = {{"CODE_DELIVERY_DELIVERY_MEDIUM", email ? "EMAIL" : "SMS"},
                  {"CODE_DELIVERY_DESTINATION", users::MaskDestination(email, destination)}};
  }
  session.data[kMfaMember] = std::move(data);
  return OpenChallenge(a, std::move(session), std::move(parameters), handle);
}

std::optional<Result<AuthOutcome>> AuthService::TryAnswerMfa(Attempt& a, const RespondInput& in) {
  const std::string& name = in.challenge_name;
  if (name == mfa::kSmsMfa || name == mfa::kSoftwareTokenMfa) return AnswerMfaCode(a, in);
  if (name == kSelectMfaType) return AnswerSelectMfaType(a, in);
  if (name == kMfaSetup) return AnswerMfaSetup(a, in);
  if (name == mfa::kEmailOtp && in.session && !in.session->empty()) {
    // EMAIL_OTP is also a first factor (USER_AUTH): answer only sessions of an MFA step.
    auto session = sessions_.Peek(*in.session);
    if (!session) return Result<AuthOutcome>(session.error());
    if (session->challenge == mfa::kEmailOtp && session->data.contains(kMfaMember)) {
      return AnswerMfaCode(a, in);
    }
  }
  return std::nullopt;
}

Result<AuthOutcome> AuthService::AnswerMfaCode(Attempt& a, const RespondInput& in) {
  const std::string& challenge = in.challenge_name;
  auto session = PeekAnswer(sessions_, a.client, a.rules, in, challenge);
  if (!session) return session.error();
  const char* code_name = CodeParameter(challenge);
  auto code = RequiredParam(in.responses, code_name);
  if (!code) return code.error();
  auto user = LoadUser(ctx_, a.client.pool_id, session->sub);
  if (!user) {
    if (user.error().is(ErrorCode::kUserNotFound)) return UnknownUser(a.client);
    return user.error();
  }
  const std::int64_t now = ctx_.clock.NowMillis();
  if (IsLockedOut(ReadLockout(user->doc), now)) {
    return ApiError::NotAuthorized("Password attempts exceeded");
  }
  const json data = session->data.value(kMfaMember, json::object());

  if (challenge == mfa::kSoftwareTokenMfa) {
    mfa::TotpOutcome outcome = mfa::TotpOutcome::kMismatch;
    auto checked = users::MutateUser(
        ctx_, a.rules, [&] { return LoadUser(ctx_, a.client.pool_id, session->sub); },
        [&](UserRecord& u) -> Result<void> {
          outcome = mfa::CheckSoftwareToken(ctx_, u, *code, now / 1000);
          if (outcome != mfa::TotpOutcome::kOk) return mfa::TotpError(outcome);
          return {};
        });
    if (!checked) {
      if (outcome != mfa::TotpOutcome::kOk && checked.error().code() != ErrorCode::kInternalError) {
        RecordFailure(a.rules, session->sub);
      }
      return checked.error();
    }
    *user = std::move(*checked);
  } else {
    const auto expected = sessions_.Open(*in.session, data.value("code", ""));
    if (!expected) return InvalidSession();
    if (now >= data.value("code_expires_ms", std::int64_t{0})) {
      return users::CodeError(users::CodeOutcome::kExpired);
    }
    if (!crypto::ConstantTimeEquals(*expected, *code)) {
      RecordFailure(a.rules, session->sub);
      return CodeMismatch();
    }
  }

  auto taken = sessions_.Take(*in.session);  // one success per session
  if (!taken) return taken.error();
  AuthSession next = std::move(*taken);
  ResetLockout(a.rules, *user);
  if (const std::string email = data.value("setup_email", ""); !email.empty()) {
    // E-mail MFA set up during MFA_SETUP: the address is now the user's, verified, and its MFA.
    auto saved = users::MutateUser(
        ctx_, a.rules, [&] { return LoadUser(ctx_, a.client.pool_id, next.sub); },
        [&](UserRecord& u) -> Result<void> {
          u.attributes["email"] = email;
          u.attributes["email_verified"] = "true";
          mfa::EnableFactor(u, mfa::kEmailOtp);
          if (mfa::PreferredFactor(u).empty()) u.doc[mfa::kPreferredMember] = mfa::kEmailOtp;
          return {};
        });
    if (!saved) return saved.error();
    *user = std::move(*saved);
  }
  next.passed.push_back(challenge);
  next.data.erase(kMfaMember);
  return NextStep(a, *user, std::move(next));
}

Result<AuthOutcome> AuthService::AnswerSelectMfaType(Attempt& a, const RespondInput& in) {
  auto session = PeekAnswer(sessions_, a.client, a.rules, in, kSelectMfaType);
  if (!session) return session.error();
  auto answer = RequiredParam(in.responses, "ANSWER");
  if (!answer) return answer.error();
  const json choices = session->data.value(kMfaMember, json::object()).value("choices", json());
  if (!ListContains(choices, *answer)) {
    return ApiError::InvalidParameter("Invalid MFA type " + *answer + " selected.");
  }
  auto taken = sessions_.Take(*in.session);
  if (!taken) return taken.error();
  auto user = LoadUser(ctx_, a.client.pool_id, taken->sub);
  if (!user) return user.error();
  taken->data.erase(kMfaMember);
  return OpenMfaChallenge(a, *user, std::move(*taken), *answer);
}

Result<AuthOutcome> AuthService::AnswerMfaSetup(Attempt& a, const RespondInput& in) {
  auto session = PeekAnswer(sessions_, a.client, a.rules, in, kMfaSetup);
  if (!session) return session.error();
  const json setup = session->data.value(mfa::kSetupMember, json::object());
  const json can_setup = session->data.value(kMfaMember, json::object()).value("can_setup", json());
  if (setup.value("verified", false)) {
    auto taken = sessions_.Take(*in.session);
    if (!taken) return taken.error();
    auto user = LoadUser(ctx_, a.client.pool_id, taken->sub);
    if (!user) return user.error();
    AuthSession next = std::move(*taken);
    next.passed.emplace_back(kMfaSetup);
    next.data.erase(kMfaMember);
    next.data.erase(mfa::kSetupMember);
    return NextStep(a, *user, std::move(next));
  }
  const auto email = Param(in.responses, "EMAIL");
  if (email && !email->empty() && ListContains(can_setup, mfa::kEmailOtp)) {
    if (!users::IsValidEmail(*email)) {
      return ApiError::InvalidParameter("Invalid email address format.");
    }
    auto taken = sessions_.Take(*in.session);
    if (!taken) return taken.error();
    auto user = LoadUser(ctx_, a.client.pool_id, taken->sub);
    if (!user) return user.error();
    taken->data.erase(kMfaMember);
    taken->data.erase(mfa::kSetupMember);
    return OpenMfaChallenge(a, *user, std::move(*taken), mfa::kEmailOtp, *email);
  }
  return ApiError::InvalidParameter("User has not verified software token mfa");
}

}  // namespace cognate::domain::auth
