#pragma once
// AWS Signature Version 4 verification for awsJson and restJson requests (header auth only).
// Implements https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cognate::crypto {

struct SigV4Request {
  std::string method;  // "POST"
  std::string target;  // raw request-target: path and query, as received
  // Every header as received (names in any case; repeated headers appear repeatedly).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

enum class SigV4Failure : std::uint8_t {
  kMissing,          // no Authorization header            -> MissingAuthenticationTokenException
  kIncomplete,       // malformed header or missing parts  -> IncompleteSignatureException
  kUnknownKey,       // access key not known               -> UnrecognizedClientException
  kBadSignature,     // signature mismatch                 -> InvalidSignatureException
  kExpired,          // X-Amz-Date outside the skew window -> InvalidSignatureException
  kWrongService,     // credential scope names another service -> InvalidSignatureException
  kBadSessionToken,  // X-Amz-Security-Token present but not valid for this key
};

struct SigV4Verified {
  std::string access_key_id;
  std::string region;   // from the credential scope
  std::string service;  // from the credential scope
};

struct SigV4Outcome {
  std::optional<SigV4Verified> ok;
  SigV4Failure failure = SigV4Failure::kMissing;
  std::string message;  // AWS-style message for the failure
};

struct SigV4Secret {
  std::string secret_access_key;
  // When set, the request must carry exactly this X-Amz-Security-Token.
  std::optional<std::string> session_token;
};

// Looks up the secret for an access key id; nullopt when unknown.
using SigV4SecretLookup = std::function<std::optional<SigV4Secret>(std::string_view akid)>;

// Verifies `req` signed for `service` (e.g. "cognito-idp") at `now_epoch_s`, allowing
// `max_skew_s` of clock difference (AWS uses 5 minutes).
SigV4Outcome VerifySigV4(const SigV4Request& req, std::string_view service,
                         const SigV4SecretLookup& lookup, std::int64_t now_epoch_s,
                         std::int64_t max_skew_s = 300);

// Signs a request the way the AWS SDKs do (used by tests and the bench load generator).
// Adds X-Amz-Date, x-amz-content-sha256 (if requested) and Authorization to `req.headers`.
void SignSigV4ForTest(SigV4Request& req, std::string_view akid, std::string_view secret,
                      std::string_view region, std::string_view service,
                      std::int64_t now_epoch_s, bool add_content_sha256);

}  // namespace cognate::crypto
