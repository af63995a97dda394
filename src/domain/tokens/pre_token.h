#pragma once
// Cognito's PreTokenGeneration trigger: the event sent before every token issue and the
// application of its reply to the claims about to be signed.
//
// Versions (the pool's PreTokenGenerationConfig.LambdaVersion; the legacy PreTokenGeneration ARN
// is V1_0):
//   V1_0 (event version "1"): request {userAttributes, groupConfiguration, clientMetadata},
//        response {claimsOverrideDetails: null}. The reply changes the ID token only:
//        claimsOverrideDetails {claimsToAddOrOverride {name: string}, claimsToSuppress [name],
//        groupOverrideDetails {groupsToOverride, iamRolesToOverride, preferredRole}}.
//   V2_0 / V3_0 (event versions "2" / "3"): request adds `scopes`; response
//        {claimsAndScopeOverrideDetails: null}. The reply changes both tokens:
//        claimsAndScopeOverrideDetails {idTokenGeneration {claimsToAddOrOverride,
//        claimsToSuppress}, accessTokenGeneration {claimsToAddOrOverride, claimsToSuppress,
//        scopesToAdd, scopesToSuppress}, groupOverrideDetails}; claim values may be any JSON.
//        groupsToOverride replaces cognito:groups in both tokens; roles only live in the ID token.
//        Only V3_0 runs for client-credentials tokens.
// Claims Cognito keeps to itself (acr, amr, aud, at_hash, auth_time, azp, client_id, device_key,
// event_id, exp, iat, identities, iss, jti, nbf, nonce, origin_jti, scope, sub, token_use,
// username, every cognito:* and dev:* name) are left as issued when a reply adds, overrides or
// suppresses them; cognito:groups / cognito:roles / cognito:preferred_role change only through
// groupOverrideDetails (suppressing them is allowed). Added claims follow the issued ones;
// a claim both added and suppressed is suppressed.
// A member of the wrong type → InvalidLambdaResponseException "Unrecognizable lambda output";
// transport and handler failures as in triggers.h.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/groups/group_service.h"
#include "domain/service_context.h"
#include "domain/triggers/triggers.h"
#include "domain/users/user_record.h"

namespace cognate::domain::tokens {

// What kind of issue the tokens come from: the event's triggerSource.
enum class TokenSource {
  kAuthentication,        // TokenGeneration_Authentication: a sign-in
  kNewPasswordChallenge,  // TokenGeneration_NewPasswordChallenge: after NEW_PASSWORD_REQUIRED
  kAuthenticateDevice,    // TokenGeneration_AuthenticateDevice: after DEVICE_PASSWORD_VERIFIER
  kRefreshTokens,         // TokenGeneration_RefreshTokens: any refresh
  kHostedAuth,            // TokenGeneration_HostedAuth: the OAuth endpoints' sign-ins
  kClientCredentials,     // TokenGeneration_ClientCredentials: M2M (V3_0 only)
};

// "TokenGeneration_<source>".
std::string_view TriggerSourceName(TokenSource source);

// The pool's PreTokenGeneration target, when it names one and the server has an invoker.
// Cheap when the pool has no trigger (one object lookup).
std::optional<triggers::Target> PreTokenTarget(const ServiceContext& ctx,
                                               const nlohmann::json& lambda_config);

// Everything the event tells the function.
struct PreTokenSubject {
  std::string pool_id;
  std::string client_id;
  const users::UserRecord* user = nullptr;  // null for client credentials
  const std::vector<groups::GroupRecord>* groups = nullptr;
  std::vector<std::string> scopes;  // the access token's scopes before the trigger
  nlohmann::json client_metadata = nlohmann::json::object();
};

// The event for `subject` under `target`'s version (request and initial response filled).
triggers::Event PreTokenEvent(const triggers::Target& target, TokenSource source,
                              const PreTokenSubject& subject);

// Applies a reply's `response` object to the claims of the tokens being issued. `id_claims` is
// null when no ID token is issued (client credentials). `access_claims` "scope" is rewritten by
// scopesToAdd / scopesToSuppress (V2_0 / V3_0). Errors: InvalidLambdaResponseException.
Result<void> ApplyPreTokenResponse(std::string_view lambda_version, const nlohmann::json& response,
                                   nlohmann::ordered_json* id_claims,
                                   nlohmann::ordered_json& access_claims);

// Calls the function `target` names and applies its reply. V1_0 and V2_0 functions are not
// called for client-credentials tokens.
Result<void> RunPreTokenGeneration(const ServiceContext& ctx, const triggers::Target& target,
                                   TokenSource source, const PreTokenSubject& subject,
                                   nlohmann::ordered_json* id_claims,
                                   nlohmann::ordered_json& access_claims);

}  // namespace cognate::domain::tokens
