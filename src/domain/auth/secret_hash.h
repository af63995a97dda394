#pragma once
// The client secret checks of the unsigned sign-in operations. A client with a secret must prove
// it on every call: InitiateAuth / RespondToAuthChallenge (and their Admin twins) with
// SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)),
// GetTokensFromRefreshToken with the secret itself. Comparisons are constant-time. A client
// without a secret ignores whatever is sent, as Cognito does.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/userpool/client_facts.h"

namespace cognate::domain::auth {

// Base64(HMAC-SHA256(secret, username + client_id)).
std::string ComputeSecretHash(std::string_view client_secret, std::string_view username,
                              std::string_view client_id);

// Checks `provided` (the SECRET_HASH parameter, nullopt when absent) for `username`.
// NotAuthorizedException "Client <id> is configured with secret but SECRET_HASH was not
// received" when it is missing, "Unable to verify secret hash for client <id>" when it is wrong.
Result<void> CheckSecretHash(const std::optional<std::string>& client_secret,
                             std::string_view client_id, std::string_view username,
                             const std::optional<std::string>& provided);

// The same for a sign-in call: `params` are the caller's AuthParameters or ChallengeResponses,
// whose SECRET_HASH member (if any) is checked against `client`.
Result<void> CheckSecretHash(const userpool::ClientFacts& client, std::string_view username,
                             const std::map<std::string, std::string>& params);

// GetTokensFromRefreshToken's ClientSecret: NotAuthorizedException "Client <id> is configured
// with secret but ClientSecret was not received" / "Unable to verify secret hash for client <id>".
Result<void> CheckClientSecret(const std::optional<std::string>& client_secret,
                               std::string_view client_id,
                               const std::optional<std::string>& provided);

}  // namespace cognate::domain::auth
