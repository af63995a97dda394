// Choice-based sign-in (AuthFlow USER_AUTH): the pure rules of user_auth.h and the AuthService
// steps that apply them (StartUserAuth, AnswerSelectChallenge, AnswerSignInOtp).

#include "domain/auth/user_auth.h"

#include <algorithm>

#include "common/strings.h"
#include "crypto/crypto.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/lockout.h"
#include "domain/auth/params.h"
#include "domain/auth/secret_hash.h"
#include "domain/messaging/templates.h"
#include "domain/mfa/mfa_config.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/self_service.h"
#include "domain/users/user_support.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;
using users::UserRecord;

ApiError WrongCode() {
  return ApiError(ErrorCode::kCodeMismatch, "Invalid code or auth state for the user.");
}

bool IsFirstChallenge(std::string_view name) {
  return name == kPasswordChallenge || name == kPasswordSrpChallenge || name == kEmailOtp ||
         name == kSmsOtp || name == "WEB_AUTHN";
}

bool HasPassword(const UserRecord& user) { return !user.PasswordHash().empty(); }
bool HasVerifiedEmail(const UserRecord& user) {
  return user.IsTrue("email_verified") && user.Attribute("email").has_value();
}
bool HasVerifiedPhone(const UserRecord& user) {
  return user.IsTrue("phone_number_verified") && user.Attribute("phone_number").has_value();
}

// A string member of `doc`, or "".
std::string StringAt(const json& doc, std::initializer_list<const char*> path) {
  const json* at = &doc;
  for (const char* key : path) {
    if (!at->is_object()) return {};
    const auto it = at->find(key);
    if (it == at->end()) return {};
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

// The user's name as a client typed it matches the session's user.
// A plausible masked destination for a decoy (stable per username).
std::string DecoyDestination(const std::string& pool_id, const std::string& username, bool email) {
  if (email && users::IsValidEmail(username)) return users::MaskDestination(true, username);
  if (!email && users::IsValidPhoneNumber(username)) {
    return users::MaskDestination(false, username);
  }
  const std::string h = crypto::Sha256(pool_id + "\n" + username);
  auto byte = [&h](std::size_t i) { return static_cast<unsigned char>(h[i]); };
  if (email) {
    std::string fake = "a@b.com";
    fake[0] = static_cast<char>('a' + byte(0) % 26);
    fake[2] = static_cast<char>('a' + byte(1) % 26);
    return users::MaskDestination(true, fake);
  }
  std::string phone = "+1555";
  for (std::size_t i = 0; i < 7; ++i) phone += static_cast<char>('0' + byte(2 + i) % 10);
  return users::MaskDestination(false, phone);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Rules

std::vector<std::string> AllowedFirstAuthFactors(const json& pool_doc) {
  std::vector<std::string> out;
  if (pool_doc.is_object()) {
    const auto policies = pool_doc.find("Policies");
    if (policies != pool_doc.end() && policies->is_object()) {
      const auto sip = policies->find("SignInPolicy");
      if (sip != policies->end() && sip->is_object()) {
        const auto factors = sip->find("AllowedFirstAuthFactors");
        if (factors != sip->end() && factors->is_array()) {
          for (const auto& f : *factors) {
            if (f.is_string() && !Contains(out, f.get<std::string>())) {
              out.push_back(f.get<std::string>());
            }
          }
        }
      }
    }
  }
  if (out.empty()) out.push_back(kPasswordChallenge);
  return out;
}

bool TierAllowsUserAuth(const json& pool_doc) {
  return StringAt(pool_doc, {"UserPoolTier"}) != "LITE";
}

std::vector<std::string> AvailableFirstChallenges(const std::vector<std::string>& allowed,
                                                  const UserRecord& user) {
  std::vector<std::string> out;
  if (Contains(allowed, kPasswordChallenge) && HasPassword(user)) {
    out.push_back(kPasswordChallenge);
    out.push_back(kPasswordSrpChallenge);
  }
  if (Contains(allowed, kEmailOtp) && HasVerifiedEmail(user)) out.push_back(kEmailOtp);
  if (Contains(allowed, kSmsOtp) && HasVerifiedPhone(user)) out.push_back(kSmsOtp);
  return out;
}

std::vector<std::string> DecoyFirstChallenges(const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  if (Contains(allowed, kPasswordChallenge)) {
    out.push_back(kPasswordChallenge);
    out.push_back(kPasswordSrpChallenge);
  }
  if (Contains(allowed, kEmailOtp)) out.push_back(kEmailOtp);
  if (Contains(allowed, kSmsOtp)) out.push_back(kSmsOtp);
  return out;
}

std::vector<std::string> ConfiguredUserAuthFactors(const std::vector<std::string>& allowed,
                                                   const UserRecord& user) {
  std::vector<std::string> out;
  if (HasPassword(user)) out.push_back(kPasswordChallenge);
  if (Contains(allowed, kEmailOtp) && HasVerifiedEmail(user)) out.push_back(kEmailOtp);
  if (Contains(allowed, kSmsOtp) && HasVerifiedPhone(user)) out.push_back(kSmsOtp);
  return out;
}

Result<std::vector<std::string>> UserAuthFactorsOf(ServiceContext& ctx, const UserRecord& user) {
  auto pool_row = userpool::LoadPool(ctx, user.pool_id);
  if (!pool_row) return pool_row.error();
  auto pool_doc = userpool::ParseDoc(pool_row->doc);
  if (!pool_doc) return pool_doc.error();
  return ConfiguredUserAuthFactors(AllowedFirstAuthFactors(*pool_doc), user);
}

OutboundMessage SignInCodeMessage(const json& pool_doc, const std::string& pool_id,
                                  const std::string& username, bool email,
                                  const std::string& destination, const std::string& code) {
  OutboundMessage m;
  m.pool_id = pool_id;
  m.username = username;
  m.purpose = "sign_in_code";
  m.destination = destination;
  const mfa::PoolMfa texts = mfa::ReadPoolMfa(pool_doc);
  if (email) {
    m.channel = OutboundMessage::Channel::kEmail;
    m.subject = messaging::Render(texts.email_subject, code, username);
    m.body = messaging::Render(texts.email_message, code, username);
  } else {
    m.channel = OutboundMessage::Channel::kSms;
    m.body = messaging::Render(texts.sms_message, code, username);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth USER_AUTH

Result<AuthOutcome> AuthService::StartUserAuth(Attempt& a) {
  auto username = RequiredParam(*a.params, "USERNAME");
  if (!username) return username.error();
  if (auto ok = CheckSecretHash(a.client, *username, *a.params); !ok) {
    return ok.error();
  }
  const std::string preferred = Param(*a.params, "PREFERRED_CHALLENGE").value_or("");
  if (!preferred.empty() && !IsFirstChallenge(preferred)) {
    return ApiError::InvalidParameter("Invalid value for PREFERRED_CHALLENGE: " + preferred);
  }
  // The preferred challenge's own inputs come with it.
  if (preferred == kPasswordChallenge) {
    if (auto p = RequiredParam(*a.params, "PASSWORD"); !p) return p.error();
  }
  if (preferred == kPasswordSrpChallenge) {
    if (auto p = RequiredParam(*a.params, "SRP_A"); !p) return p.error();
  }
  auto pool_row = userpool::LoadPool(ctx_, a.client.pool_id);
  if (!pool_row) return pool_row.error();
  auto pool_doc = userpool::ParseDoc(pool_row->doc);
  if (!pool_doc) return pool_doc.error();
  if (!TierAllowsUserAuth(*pool_doc)) {
    return ApiError(ErrorCode::kFeatureUnavailableInTier,
                    "USER_AUTH requires the Essentials or Plus feature plan.");
  }
  const std::vector<std::string> allowed = AllowedFirstAuthFactors(*pool_doc);

  auto user = users::FindUser(ctx_.store, a.rules, *username);
  if (!user) {
    if (!user.error().is(ErrorCode::kUserNotFound)) return user.error();
    // A password sign-in of an unknown user goes to lazy migration (StartPassword).
    if (preferred == kPasswordChallenge) return StartPassword(a);
    if (!a.client.prevent_user_existence_errors) return ApiError::UserNotFound();
  } else if (user->status == users::kStatusResetRequired) {
    return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
  }
  const std::vector<std::string> available =
      user ? AvailableFirstChallenges(allowed, *user) : DecoyFirstChallenges(allowed);
  if (available.empty()) return ApiError::NotAuthorized("Incorrect username or password.");

  if (!preferred.empty() && Contains(available, preferred)) {
    if (preferred == kPasswordChallenge) return StartPassword(a);
    if (preferred == kPasswordSrpChallenge) return StartUserAuthSrp(a);
  }

  AuthSession session = NewSession(a, user ? &*user : nullptr, *username);
  session.expires_ms =
      ctx_.clock.NowMillis() +
      static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;

  if (!preferred.empty() && Contains(available, preferred)) {  // EMAIL_OTP, SMS_OTP
    return SendSignInCode(a, user ? &*user : nullptr, *pool_doc, std::move(session),
                          preferred == kEmailOtp);
  }
  session.challenge = kSelectChallenge;
  session.data["available"] = available;
  auto out = OpenChallenge(a, std::move(session), {});
  if (!out) return out.error();
  out->available_challenges = available;
  return out;
}

Result<AuthOutcome> AuthService::StartUserAuthSrp(Attempt& a) {
  auto out = StartSrp(a);
  if (!out) return out.error();
  // Choice-based clients answer PASSWORD_VERIFIER with a Session: the step's handle (its
  // SECRET_BLOCK) serves as both.
  if (out->challenge_name == "PASSWORD_VERIFIER" && out->session.empty()) {
    out->session = out->challenge_parameters["SECRET_BLOCK"];
  }
  return out;
}

Result<AuthOutcome> AuthService::SendSignInCode(Attempt& a, const UserRecord* user,
                                                const json& pool_doc, AuthSession session,
                                                bool email) {
  session.challenge = email ? kEmailOtp : kSmsOtp;
  session.data["sign_in_otp"] = true;
  std::string destination;
  if (user == nullptr) {
    destination = DecoyDestination(a.client.pool_id, session.given_username, email);
  } else {
    const std::int64_t now = ctx_.clock.NowMillis();
    if (IsLockedOut(ReadLockout(user->doc), now)) {
      return ApiError::NotAuthorized("Password attempts exceeded");
    }
    const std::string to = user->Attribute(email ? "email" : "phone_number").value_or("");
    const std::string code = users::NewCode(ctx_);
    const std::string_view purpose = email ? kCodeSignInEmail : kCodeSignInSms;
    const std::string pool_id = a.client.pool_id;
    const std::string sub = user->sub;
    auto saved = users::MutateUser(
        ctx_, a.rules,
        [&]() -> Result<UserRecord> {
          auto row = ctx_.store.GetUserBySub(pool_id, sub);
          if (!row) {
            if (row.error().IsNotFound()) return ApiError::UserNotFound();
            return users::StoreFailure("GetUserBySub", row.error());
          }
          return users::FromRow(*row);
        },
        [&](UserRecord& u) -> Result<void> {
          u.SetCode(purpose, code, session.expires_ms, to);
          return {};
        });
    if (!saved) return saved.error();
    if (auto sent = DeliverSignInCode(
            a, *user, SignInCodeMessage(pool_doc, pool_id, user->username, email, to, code), code);
        !sent) {
      return sent.error();
    }
    destination = users::MaskDestination(email, to);
  }
  StringMap parameters = {{"CODE_DELIVERY_DELIVERY_MEDIUM", email ? "EMAIL" : "SMS"},
                          {"CODE_DELIVERY_DESTINATION", destination}};
  return OpenChallenge(a, std::move(session), std::move(parameters));
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge SELECT_CHALLENGE

Result<AuthOutcome> AuthService::AnswerSelectChallenge(Attempt& a, const RespondInput& in) {
  const StringMap& r = in.responses;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  auto answer = RequiredParam(r, "ANSWER");
  if (!answer) return answer.error();
  if (auto ok = CheckSecretHash(a.client, *username, r); !ok) {
    return ok.error();
  }
  if (!in.session || in.session->empty()) return Missing("Session");
  auto session = sessions_.Peek(*in.session);
  if (!session) return session.error();
  if (!session->Awaits(a.client.pool_id, a.client.client_id, kSelectChallenge) ||
      !SameUser(a.rules, *session, *username)) {
    return InvalidSession();
  }
  std::vector<std::string> available;
  if (const auto it = session->data.find("available"); it != session->data.end()) {
    for (const auto& c : *it) {
      if (c.is_string()) available.push_back(c.get<std::string>());
    }
  }
  if (!Contains(available, *answer)) {
    return ApiError::InvalidParameter("The challenge " + *answer +
                                      " is not available for this user.");
  }
  if (*answer == kPasswordChallenge) {
    if (auto p = RequiredParam(r, "PASSWORD"); !p) return p.error();
  }
  if (*answer == kPasswordSrpChallenge) {
    if (auto p = RequiredParam(r, "SRP_A"); !p) return p.error();
  }
  // One answer per session.
  auto taken = sessions_.Take(*in.session);
  if (!taken) return taken.error();
  a.flow = taken->flow;
  if (*answer == kPasswordChallenge) return StartPassword(a);
  if (*answer == kPasswordSrpChallenge) return StartUserAuthSrp(a);

  // EMAIL_OTP / SMS_OTP: send the code now.
  auto pool_row = userpool::LoadPool(ctx_, a.client.pool_id);
  if (!pool_row) return pool_row.error();
  auto pool_doc = userpool::ParseDoc(pool_row->doc);
  if (!pool_doc) return pool_doc.error();
  AuthSession next = std::move(*taken);
  next.data.erase("available");
  next.expires_ms = ctx_.clock.NowMillis() +
                    static_cast<std::int64_t>(a.client.auth_session_validity_minutes) * 60 * 1000;
  if (next.sub.empty()) {
    return SendSignInCode(a, nullptr, *pool_doc, std::move(next), *answer == kEmailOtp);
  }
  auto row = ctx_.store.GetUserBySub(a.client.pool_id, next.sub);
  if (!row) {
    if (row.error().IsNotFound()) return UnknownUser(a.client);
    return ApiError::Internal("GetUserBySub: " + row.error().detail());
  }
  const UserRecord user = users::FromRow(*row);
  return SendSignInCode(a, &user, *pool_doc, std::move(next), *answer == kEmailOtp);
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge EMAIL_OTP / SMS_OTP as a first factor

bool AuthService::IsSignInOtpAnswer(const RespondInput& in) {
  if (in.challenge_name == kSmsOtp) return true;
  if (in.challenge_name != kEmailOtp || !in.session || in.session->empty()) return false;
  auto session = sessions_.Peek(*in.session);
  // An expired session is reported as such whichever step it belonged to.
  if (!session) return session.error().message() == ExpiredSession().message();
  return session->data.value("sign_in_otp", false);
}

Result<AuthOutcome> AuthService::AnswerSignInOtp(Attempt& a, const RespondInput& in) {
  const bool email = in.challenge_name == kEmailOtp;
  const StringMap& r = in.responses;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  auto code = RequiredParam(r, email ? "EMAIL_OTP_CODE" : "SMS_OTP_CODE");
  if (!code) return code.error();
  if (auto ok = CheckSecretHash(a.client, *username, r); !ok) {
    return ok.error();
  }
  if (!in.session || in.session->empty()) return Missing("Session");
  // Peek: a wrong code may be corrected with the same session (the code counts the attempts).
  auto session = sessions_.Peek(*in.session);
  if (!session) return session.error();
  if (!session->Awaits(a.client.pool_id, a.client.client_id, in.challenge_name) ||
      !session->data.value("sign_in_otp", false) || !SameUser(a.rules, *session, *username)) {
    return InvalidSession();
  }
  if (session->sub.empty()) return WrongCode();  // a decoy: no code was sent

  const std::int64_t now = ctx_.clock.NowMillis();
  const std::string_view purpose = email ? kCodeSignInEmail : kCodeSignInSms;
  const std::string pool_id = a.client.pool_id;
  const std::string sub = session->sub;
  users::CodeOutcome outcome = users::CodeOutcome::kNoCode;
  bool locked = false;
  auto user = users::MutateUser(
      ctx_, a.rules,
      [&]() -> Result<UserRecord> {
        auto row = ctx_.store.GetUserBySub(pool_id, sub);
        if (!row) {
          if (row.error().IsNotFound()) return UnknownUser(a.client);
          return users::StoreFailure("GetUserBySub", row.error());
        }
        return users::FromRow(*row);
      },
      [&](UserRecord& u) -> Result<void> {
        locked = IsLockedOut(ReadLockout(u.doc), now);
        if (locked) return {};
        outcome = users::ConsumeCode(u, purpose, *code, now);
        if (outcome == users::CodeOutcome::kOk) {
          WriteLockout(u.doc, {});
        } else if (outcome == users::CodeOutcome::kMismatch) {
          WriteLockout(u.doc, AfterFailure(ReadLockout(u.doc), now));
        }
        return {};
      });
  if (!user) return user.error();
  if (locked) return ApiError::NotAuthorized("Password attempts exceeded");
  switch (outcome) {
    case users::CodeOutcome::kOk:
      break;
    case users::CodeOutcome::kMismatch:
      return WrongCode();
    case users::CodeOutcome::kLimited:
      // Too many wrong codes: the sign-in is over.
      (void)sessions_.Take(*in.session);
      return InvalidSession();
    case users::CodeOutcome::kExpired:
    case users::CodeOutcome::kNoCode:
      return users::CodeError(users::CodeOutcome::kExpired);
  }
  auto taken = sessions_.Take(*in.session);  // exactly one caller completes the sign-in
  if (!taken) return taken.error();
  AuthSession next = std::move(*taken);
  next.data.erase("sign_in_otp");
  next.auth_time_s = now / 1000;
  next.passed.push_back(in.challenge_name);
  a.flow = next.flow;
  return NextStep(a, *user, std::move(next));
}

}  // namespace cognate::domain::auth
