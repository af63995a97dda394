#pragma once
// The awsJson1_1 front door (POST / with X-Amz-Target) for cognito-idp and cognito-identity:
// target parsing, JSON decoding with limits, caller authentication by the operation's auth kind
// (SigV4 for IAM operations), validation against the API model, dispatch, and the wire format of
// successes and errors (__type + message body, x-amzn-ErrorType/-ErrorMessage/-RequestId, Date).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/api_types.h"
#include "api/dispatcher.h"
#include "common/clock.h"
#include "crypto/sigv4.h"

namespace cognate::api {

struct AwsJsonOptions {
  bool dev_mode = false;  // accept any SigV4 signature (logged loudly at start)
  std::string region = "us-east-1";
  std::size_t max_json_depth = 64;
};

class AwsJsonService final : public RequestHandler {
 public:
  // `idp` and `identity` hold the implemented operations of each service; every other operation
  // of the model answers a clean "not implemented" 400. `secrets` resolves SigV4 access keys.
  AwsJsonService(const HandlerRegistry& idp, const HandlerRegistry& identity,
                 crypto::SigV4SecretLookup secrets, const Clock& clock, AwsJsonOptions options);
  ~AwsJsonService() override;
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cognate::api
