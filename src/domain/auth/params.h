#pragma once
// Reading the caller's AuthParameters and ChallengeResponses, with Cognito's wording when one is
// missing. Shared by every step of the sign-in flows.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/userpool/client_facts.h"

namespace cognate::domain::auth {

// The value of `name`, or nullopt when the caller did not send it.
std::optional<std::string> Param(const std::map<std::string, std::string>& m,
                                 std::string_view name);
// The answer to PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER: USERNAME, the claim's signature and
// secret block, and its TIMESTAMP in the canonical form the signature covers.
struct PasswordClaimAnswer {
  std::string username;
  std::string signature;     // PASSWORD_CLAIM_SIGNATURE (base64)
  std::string secret_block;  // PASSWORD_CLAIM_SECRET_BLOCK
  std::string timestamp;     // canonical TIMESTAMP
};
// Reads a password-claim answer and checks the client's SECRET_HASH. InvalidParameterException
// for a missing member or a malformed TIMESTAMP; NotAuthorizedException for a wrong SECRET_HASH.
Result<PasswordClaimAnswer> ReadPasswordClaim(const userpool::ClientFacts& client,
                                              const std::map<std::string, std::string>& r);

// InvalidParameterException "Missing required parameter <name>".
ApiError Missing(std::string_view name);
// The value of `name`; Missing(name) when it is absent or empty.
Result<std::string> RequiredParam(const std::map<std::string, std::string>& m,
                                  std::string_view name);

}  // namespace cognate::domain::auth
