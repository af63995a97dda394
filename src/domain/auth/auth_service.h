#pragma once
// The sign-in flows of a user pool, with Cognito's rules and errors:
//   InitiateAuth / AdminInitiateAuth: USER_SRP_AUTH, USER_PASSWORD_AUTH (public),
//     ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH (admin), REFRESH_TOKEN_AUTH / REFRESH_TOKEN;
//   RespondToAuthChallenge / AdminRespondToAuthChallenge: PASSWORD_VERIFIER,
//     NEW_PASSWORD_REQUIRED, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (device_step.cc);
//   GetTokensFromRefreshToken;
//   choice-based sign-in, USER_AUTH with SELECT_CHALLENGE and the PASSWORD, PASSWORD_SRP,
//     EMAIL_OTP and SMS_OTP first factors (user_auth.h, user_auth.cc);
//   custom authentication, CUSTOM_AUTH with CUSTOM_CHALLENGE driven by the pool's
//     DefineAuthChallenge / CreateAuthChallenge / VerifyAuthChallengeResponse triggers, optionally
//     after SRP_A and PASSWORD_VERIFIER (custom_auth.h, custom_auth.cc);
//   lazy user migration: a password sign-in of an unknown user asks the pool's UserMigration
//     trigger (users/migration.h) before failing.
// The client's ExplicitAuthFlows are enforced, SECRET_HASH is required of clients with a secret,
// PreAuthentication runs once per InitiateAuth / AdminInitiateAuth of every flow but the refresh
// flows, before the first factor (RunPreAuthenticationHook); PostAuthentication once when a
// sign-in issues tokens (IssueTokens), never on refresh.
// PreventUserExistenceErrors decides between UserNotFoundException and a decoy that fails like a
// wrong password, failed passwords lock the user out (lockout.h), and challenge state lives in
// one-time sessions (session.h). Tokens come from a TokenIssuer (the pool's TokenService).
//
// After the first factor, `NextStep` decides what follows (user state checks, then
// NEW_PASSWORD_REQUIRED, later MFA) and either issues tokens or opens the next challenge; each
// challenge has one answer handler. New challenges plug in there.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/auth/params.h"
#include "domain/auth/session.h"
#include "domain/service_context.h"
#include "domain/tokens/token_service.h"
#include "domain/userpool/client_facts.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::auth {

// What the flows need from the token service (an interface, so the rules are testable alone).
class TokenIssuer {
 public:
  virtual ~TokenIssuer() = default;
  virtual Result<tokens::IssuedTokens> IssueForSignIn(const tokens::SignInGrant& grant) = 0;
  virtual Result<tokens::IssuedTokens> Refresh(const tokens::RefreshInput& input) = 0;
};

// The TokenService behind a TokenIssuer.
std::shared_ptr<TokenIssuer> MakeTokenIssuer(std::shared_ptr<tokens::TokenService> tokens);

using StringMap = std::map<std::string, std::string>;

struct InitiateAuthInput {
  bool admin = false;  // AdminInitiateAuth
  // The hosted sign-in pages (api/hosted_ui/): SECRET_HASH does not apply (the server itself is
  // the caller), only USER_PASSWORD_AUTH (whatever the client's ExplicitAuthFlows) and USER_AUTH
  // (choice-based sign-in, when the client allows ALLOW_USER_AUTH) are accepted, and the final
  // step yields AuthOutcome::signed_in instead of tokens. Its sessions can only be answered with
  // `hosted` set, and the API's sessions never with it.
  bool hosted = false;
  std::string pool_id;  // AdminInitiateAuth only
  std::string client_id;
  std::string auth_flow;
  StringMap parameters;                                       // AuthParameters
  nlohmann::json client_metadata = nlohmann::json::object();  // ClientMetadata, for triggers
};

struct RespondInput {
  bool admin = false;   // AdminRespondToAuthChallenge
  bool hosted = false;  // the hosted pages (see InitiateAuthInput::hosted)
  std::string pool_id;  // AdminRespondToAuthChallenge only
  std::string client_id;
  std::string challenge_name;
  std::optional<std::string> session;
  StringMap responses;                                        // ChallengeResponses
  nlohmann::json client_metadata = nlohmann::json::object();  // ClientMetadata, for triggers
};

struct RefreshTokensInput {  // GetTokensFromRefreshToken
  std::string client_id;
  std::string refresh_token;
  std::optional<std::string> client_secret;
  std::string device_key;
  nlohmann::json client_metadata = nlohmann::json::object();  // ClientMetadata, for triggers
};

// AuthenticationResult.NewDeviceMetadata (device tracking, device_step.cc).
struct NewDeviceMetadata {
  std::string device_key;
  std::string device_group_key;
};

// Who a hosted sign-in proved to be (instead of tokens; the pages start a hosted session).
struct SignedIn {
  std::string pool_id;
  std::string sub;
  std::string username;  // as stored
  std::int64_t auth_time_s = 0;
};

// Either tokens (or, for a hosted sign-in, `signed_in`) or the next challenge.
struct AuthOutcome {
  std::optional<tokens::IssuedTokens> tokens;
  std::optional<SignedIn> signed_in;  // hosted sign-ins only (RespondInput / InitiateAuthInput)
  std::optional<NewDeviceMetadata> new_device;  // with tokens, in a device-tracking pool
  std::string challenge_name;
  std::string session;  // empty for PASSWORD_VERIFIER (answered through its SECRET_BLOCK)
  StringMap challenge_parameters;
  std::vector<std::string> available_challenges;  // SELECT_CHALLENGE's AvailableChallenges
};

using userpool::ClientFacts;

// True when a client with `explicit_auth_flows` may use `auth_flow` (legacy values included).
bool FlowAllowed(const std::vector<std::string>& explicit_auth_flows, std::string_view auth_flow);

class AuthService {
 public:
  AuthService(ServiceContext& ctx, std::shared_ptr<TokenIssuer> issuer);

  // InitiateAuth / AdminInitiateAuth. Errors: ResourceNotFoundException (client, pool),
  // InvalidParameterException ("Initiate Auth method not supported.", "<flow> ... not enabled
  // ...", "Missing required parameter USERNAME", ...), NotAuthorizedException ("Incorrect
  // username or password.", "User is disabled.", "Password attempts exceeded", secret hash),
  // UserNotFoundException (PreventUserExistenceErrors LEGACY), UserNotConfirmedException,
  // PasswordResetRequiredException, and the token service's refresh errors.
  Result<AuthOutcome> InitiateAuth(const InitiateAuthInput& input);

  // RespondToAuthChallenge / AdminRespondToAuthChallenge. Errors as above plus
  // NotAuthorizedException "Invalid session for the user[, session is expired.]",
  // InvalidPasswordException, InvalidParameterException ("Invalid attributes given, <name> is
  // missing", "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.").
  Result<AuthOutcome> RespondToAuthChallenge(const RespondInput& input);

  // The hosted pages only: signs in the user `sub` of `client_id`'s pool who has just signed up
  // (choosing a password) and confirmed the account in the same browser, the pages holding the
  // server-side proof of both (api/hosted_ui/). The first factor counts as passed now; what
  // follows is NextStep's as after a password (PreAuthentication first, then the user's state,
  // MFA, ...), ending with AuthOutcome::signed_in. Errors as for InitiateAuth.
  Result<AuthOutcome> SignInAfterSignUp(const std::string& client_id, const std::string& sub);

  // GetTokensFromRefreshToken: the token service's Refresh with rotation allowed.
  Result<tokens::IssuedTokens> GetTokensFromRefreshToken(const RefreshTokensInput& input);

 private:
  // One call's context: client, rules, caller's parameters.
  struct Attempt {
    ClientFacts client;
    users::PoolRules rules;
    bool admin = false;
    std::string flow;
    const StringMap* params = nullptr;                // AuthParameters or ChallengeResponses
    const nlohmann::json* client_metadata = nullptr;  // the call's ClientMetadata
    bool hosted = false;  // the hosted pages: no SECRET_HASH, SignedIn instead of tokens
  };

  Result<ClientFacts> LoadClient(bool admin, const std::string& pool_id,
                                 const std::string& client_id);
  // A session of this attempt's pool, client, flow and caller for `user`, signed in as
  // `typed_username`; with no user (an unknown name under PreventUserExistenceErrors) it is a
  // decoy (data.decoy) naming the typed name. No challenge and no expiry yet.
  static AuthSession NewSession(const Attempt& a, const users::UserRecord* user,
                                const std::string& typed_username);
  // `custom`: the CUSTOM_AUTH history to carry into the PASSWORD_VERIFIER step (custom_auth.cc).
  Result<AuthOutcome> StartSrp(Attempt& a, const nlohmann::json* custom = nullptr);
  Result<AuthOutcome> StartPassword(Attempt& a);
  Result<AuthOutcome> StartRefresh(Attempt& a);
  Result<AuthOutcome> AnswerPasswordVerifier(Attempt& a, const RespondInput& in);
  // The proof of a PASSWORD_VERIFIER answer, then the sign-in's next step.
  Result<AuthOutcome> ProvePasswordVerifier(Attempt& a, const PasswordClaimAnswer& answer,
                                            const SrpStepState& srp, AuthSession session);
  Result<AuthOutcome> AnswerNewPassword(Attempt& a, const RespondInput& in);
  // Remembered devices (device_step.cc): DEVICE_SRP_AUTH after the first factor when the
  // sign-in names a remembered device, its two answers, the device the tokens are bound to, and
  // the device check of the refresh flows.
  std::optional<Result<AuthOutcome>> DeviceStep(Attempt& a, const users::UserRecord& user,
                                                AuthSession& session);
  Result<AuthOutcome> AnswerDeviceSrp(Attempt& a, const RespondInput& in);
  Result<AuthOutcome> AnswerDevicePasswordVerifier(Attempt& a, const RespondInput& in);
  void NoteDeviceKey(const Attempt& a, AuthSession& session) const;
  Result<void> BindDevice(const Attempt& a, const users::UserRecord& user,
                          const AuthSession& session, tokens::SignInGrant& grant, AuthOutcome& out);
  std::string TrackedDeviceKey(const std::string& pool_id, const std::string& given,
                               const users::PoolRules* rules = nullptr);
  Result<void> CheckRefreshDevice(const ClientFacts& client, const tokens::IssuedTokens& issued);
  // MFA (mfa_step.cc): the MFA step of NextStep (nullopt when no MFA is due) and the answers
  // to SMS_MFA, EMAIL_OTP (as MFA), SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP (nullopt
  // when the challenge is not one of ours).
  std::optional<Result<AuthOutcome>> MfaStep(Attempt& a, const users::UserRecord& user,
                                             AuthSession& session);
  std::optional<Result<AuthOutcome>> TryAnswerMfa(Attempt& a, const RespondInput& in);
  Result<AuthOutcome> OpenMfaChallenge(Attempt& a, const users::UserRecord& user,
                                       AuthSession session, const std::string& factor,
                                       const std::string& email_to = {});
  Result<AuthOutcome> AnswerMfaCode(Attempt& a, const RespondInput& in);
  Result<AuthOutcome> AnswerSelectMfaType(Attempt& a, const RespondInput& in);
  Result<AuthOutcome> AnswerMfaSetup(Attempt& a, const RespondInput& in);
  // Choice-based sign-in, USER_AUTH (user_auth.cc).
  Result<AuthOutcome> StartUserAuth(Attempt& a);
  Result<AuthOutcome> StartUserAuthSrp(Attempt& a);
  Result<AuthOutcome> SendSignInCode(Attempt& a, const users::UserRecord* user,
                                     const nlohmann::json& pool_doc, AuthSession session,
                                     bool email);
  Result<AuthOutcome> AnswerSelectChallenge(Attempt& a, const RespondInput& in);
  bool IsSignInOtpAnswer(const RespondInput& in);  // EMAIL_OTP / SMS_OTP as the first factor
  Result<AuthOutcome> AnswerSignInOtp(Attempt& a, const RespondInput& in);
  // Custom authentication, CUSTOM_AUTH (custom_auth.cc): the start, the answer to
  // CUSTOM_CHALLENGE, and the DefineAuthChallenge round that follows every challenge result
  // (`user` is nullptr for an unknown user under PreventUserExistenceErrors).
  Result<AuthOutcome> StartCustomAuth(Attempt& a);
  Result<AuthOutcome> AnswerCustomChallenge(Attempt& a, const RespondInput& in);
  Result<AuthOutcome> DefineNext(Attempt& a, const users::UserRecord* user, AuthSession session);
  // Lazy migration (migration.cc via users/migration.h) of an unknown user signing in with a
  // password: the created user, nullopt when the pool has no UserMigration trigger.
  Result<std::optional<users::UserRecord>> MigrateOnSignIn(Attempt& a, const std::string& username,
                                                           const std::string& password);
  // After a factor was proven: user state checks, then the next challenge or tokens.
  Result<AuthOutcome> NextStep(Attempt& a, const users::UserRecord& user, AuthSession session);
  Result<AuthOutcome> OpenChallenge(Attempt& a, AuthSession session, StringMap parameters,
                                    std::string handle = {});
  Result<AuthOutcome> IssueTokens(Attempt& a, const users::UserRecord& user,
                                  const AuthSession& session);
  // PreAuthentication for the user AuthParameters.USERNAME names (when the pool names the
  // trigger): the user as found, or userNotFound under PreventUserExistenceErrors; an unknown
  // user otherwise is left to the flow's own error.
  Result<void> RunPreAuthenticationHook(const Attempt& a);
  // Sends a sign-in code (MFA, EMAIL_OTP / SMS_OTP) through CustomMessage_Authentication / the
  // custom senders when the pool names them (triggers::DeliverMessage).
  Result<void> DeliverSignInCode(const Attempt& a, const users::UserRecord& user,
                                 OutboundMessage message, const std::string& code);

  // The failure for an unknown user (per PreventUserExistenceErrors).
  ApiError UnknownUser(const ClientFacts& client);
  // Lockout bookkeeping in the user document (best effort under write races).
  void RecordFailure(const users::PoolRules& rules, const std::string& sub);
  void ResetLockout(const users::PoolRules& rules, const users::UserRecord& user);
  // Loads the user by sub, applies `change`, saves; retries lost races.
  template <class Fn>
  Result<users::UserRecord> MutateUser(const users::PoolRules& rules, const std::string& sub,
                                       Fn&& change);

  const std::string& DecoyKey();
  const std::string& DummyPasswordHash();

  ServiceContext& ctx_;
  std::shared_ptr<TokenIssuer> issuer_;
  SessionStore sessions_;
  std::once_flag decoy_once_;
  std::string decoy_key_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace cognate::domain::auth
