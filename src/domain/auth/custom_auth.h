#pragma once
// Custom authentication (AuthFlow CUSTOM_AUTH): the pure part of the DefineAuthChallenge /
// CreateAuthChallenge / VerifyAuthChallengeResponse state machine. The flow itself
// (InitiateAuth CUSTOM_AUTH, RespondToAuthChallenge CUSTOM_CHALLENGE, the SRP_A /
// PASSWORD_VERIFIER prelude) is AuthService's, in custom_auth.cc.
//
// The sign-in keeps its history in the auth session (data "custom"): the challenge results so far
// ({challengeName, challengeResult, challengeMetadata}, oldest first, as DefineAuthChallenge
// and CreateAuthChallenge receive them in request.session) and, while a CUSTOM_CHALLENGE waits
// for its answer, the privateChallengeParameters and challengeMetadata CreateAuthChallenge gave.
//
// A sign-in runs at most kMaxCustomAuthRounds challenge results; the next call to
// DefineAuthChallenge is not made and the sign-in fails with NotAuthorizedException
// "Incorrect username or password.".

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace cognate::domain::auth {

inline constexpr const char* kCustomChallenge = "CUSTOM_CHALLENGE";
inline constexpr const char* kCustomAuthFlow = "CUSTOM_AUTH";
// Challenge results a custom sign-in may accumulate (SRP_A and PASSWORD_VERIFIER included).
inline constexpr std::size_t kMaxCustomAuthRounds = 10;

// What DefineAuthChallenge decided.
struct DefineDecision {
  enum class Kind { kFail, kIssueTokens, kChallenge };
  Kind kind = Kind::kFail;
  std::string challenge_name;  // kChallenge: CUSTOM_CHALLENGE or PASSWORD_VERIFIER
};

// Reads DefineAuthChallenge's response: failAuthentication true wins, then issueTokens true, then
// challengeName. InvalidLambdaResponseException "Unrecognizable lambda output" when a member has
// the wrong type (challengeName not a string, the flags not booleans) or when the response
// decides nothing (no flag set and no challengeName) or names a challenge other than
// CUSTOM_CHALLENGE / PASSWORD_VERIFIER.
Result<DefineDecision> ReadDefineResponse(const nlohmann::json& response);

// What CreateAuthChallenge produced.
struct CreatedChallenge {
  std::map<std::string, std::string> public_parameters;  // -> the API's ChallengeParameters
  nlohmann::json private_parameters = nlohmann::json::object();
  nlohmann::json metadata;  // challengeMetadata: a string, or null when not given
};

// Reads CreateAuthChallenge's response. publicChallengeParameters and privateChallengeParameters
// are string-to-string maps (absent or null: empty), challengeMetadata a string (absent or null:
// null). InvalidLambdaResponseException "Unrecognizable lambda output" otherwise.
Result<CreatedChallenge> ReadCreateResponse(const nlohmann::json& response);

// Reads VerifyAuthChallengeResponse's answerCorrect (absent or null: false).
// InvalidLambdaResponseException when it is not a boolean.
Result<bool> ReadVerifyResponse(const nlohmann::json& response);

// One element of request.session: {challengeName, challengeResult, challengeMetadata (null when
// none)}.
nlohmann::json ChallengeResult(const std::string& challenge_name, bool result,
                               const nlohmann::json& metadata = nullptr);

}  // namespace cognate::domain::auth
