#pragma once
// The claims of Cognito's ID and access tokens, built from a user, its groups and the app client,
// and the app-client settings tokens depend on (validity, readable attributes, refresh-token
// rotation). Pure functions: no store, no clock.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/groups/group_service.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::tokens {

// Token lifetimes in seconds, from the client's AccessTokenValidity / IdTokenValidity /
// RefreshTokenValidity and TokenValidityUnits. Absent or unreadable members take Cognito's
// defaults: 60 minutes, 60 minutes, 30 days (a value without a unit is in hours, hours, days).
struct TokenValidity {
  std::int64_t access_s = 3600;
  std::int64_t id_s = 3600;
  std::int64_t refresh_s = 30 * 86400;
};
TokenValidity ValidityFromClient(const nlohmann::json& client_doc);

// The client's RefreshTokenRotation.
struct RotationSettings {
  bool enabled = false;
  std::int64_t grace_s = 0;  // RetryGracePeriodSeconds, 0..60
};
RotationSettings RotationFromClient(const nlohmann::json& client_doc);

// The attributes an ID token may carry for this client: ReadAttributes when the client names
// them, otherwise every attribute of the pool's schema that is not developer-only. `sub` is
// always readable.
std::vector<std::string> ReadableAttributes(const users::PoolRules& rules,
                                            const nlohmann::json& client_doc);

// Everything one issuance needs besides the token kind.
struct ClaimInputs {
  std::string issuer;  // "<public_url>/<pool id>"
  std::string client_id;
  std::string family_id;  // origin_jti
  std::string event_id;
  std::string device_key;           // "" when none
  std::vector<std::string> scopes;  // access token "scope", space-joined
  std::int64_t auth_time_s = 0;
  std::int64_t now_s = 0;
  TokenValidity validity;
  std::vector<std::string> readable;  // from ReadableAttributes
};

// The ID token's claims in Cognito's order: sub, cognito:groups (when any),
// email_verified / phone_number_verified (JSON booleans), cognito:preferred_role, iss,
// cognito:username, origin_jti, cognito:roles, aud, event_id, token_use "id", auth_time, exp,
// iat, jti, then the other readable attributes (strings; updated_at a number, address
// {"formatted": ...}).
nlohmann::ordered_json IdClaims(const ClaimInputs& in, const users::UserRecord& user,
                                const std::vector<groups::GroupRecord>& groups,
                                const std::string& jti);

// The access token's claims in Cognito's order: sub, cognito:groups (when any), device_key
// (when set), iss, client_id, origin_jti, event_id, token_use "access", scope, auth_time, exp,
// iat, jti, username.
nlohmann::ordered_json AccessClaims(const ClaimInputs& in, const users::UserRecord& user,
                                    const std::vector<groups::GroupRecord>& groups,
                                    const std::string& jti);

// cognito:roles (every group RoleArn, in group order) and cognito:preferred_role (the RoleArn of
// the group with the lowest Precedence; groups without one rank last; none on a tie).
struct GroupRoles {
  std::vector<std::string> roles;
  std::string preferred;  // "" when none
};
GroupRoles RolesOf(const std::vector<groups::GroupRecord>& groups);

}  // namespace cognate::domain::tokens
