#pragma once
// Reading the caller's AuthParameters and ChallengeResponses, with Cognito's wording when one is
// missing. Shared by every step of the sign-in flows.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace cognate::domain::auth {

// The value of `name`, or nullopt when the caller did not send it.
std::optional<std::string> Param(const std::map<std::string, std::string>& m,
                                 std::string_view name);
// InvalidParameterException "Missing required parameter <name>".
ApiError Missing(std::string_view name);
// The value of `name`; Missing(name) when it is absent or empty.
Result<std::string> RequiredParam(const std::map<std::string, std::string>& m,
                                  std::string_view name);

}  // namespace cognate::domain::auth
