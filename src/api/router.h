#pragma once
// The request router in front of every api/ handler: POST / (the awsJson1_1 API, chosen by
// X-Amz-Target) goes to the AwsJsonService, GET /health answers {"status":"ok"}, and later code
// registers path-prefix handlers (AddPrefix("/oauth2/", ...)) and path-suffix handlers
// (AddSuffix("/.well-known/jwks.json", ...)). Anything else is a 404 in the AWS
// style (awsJson error body with UnknownOperationException).

#include <string>
#include <vector>

#include "api/api_types.h"

namespace cognate::api {

class Router final : public RequestHandler {
 public:
  // `aws_json` answers POST / (and any request carrying X-Amz-Target to /). Not owned: it must
  // outlive the router, as must every handler given to AddPrefix.
  explicit Router(RequestHandler& aws_json);

  // Sends requests whose path starts with `prefix` to `handler`; the longest prefix wins.
  // Register before serving (not thread-safe against concurrent Handle()).
  void AddPrefix(std::string prefix, RequestHandler& handler);
  // Sends requests whose path ends with `suffix` (e.g. "/.well-known/jwks.json", after a pool id)
  // to `handler`, when no prefix matched. Register before serving.
  void AddSuffix(std::string suffix, RequestHandler& handler);

  ApiResponse Handle(const ApiRequest& request) override;
  // The sign-in, sign-up and password operations of cognito-idp (by X-Amz-Target) and the OAuth
  // token endpoint.
  bool IsCpuHeavy(const ApiRequest& request) const override;
  // GetUser and AdminGetUser: a token check and point reads.
  bool IsInlineSafe(const ApiRequest& request) const override;

 private:
  RequestHandler& aws_json_;
  std::vector<std::pair<std::string, RequestHandler*>> prefixes_;
  std::vector<std::pair<std::string, RequestHandler*>> suffixes_;
};

}  // namespace cognate::api
