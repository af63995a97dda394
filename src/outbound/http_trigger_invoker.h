#pragma once
// The real trigger invoker: each event is one HTTP POST of the event JSON to the function's URL
// (libcurl), the way Cognito invokes a Lambda function synchronously.
//
// Resolution of a LambdaConfig value: an http(s):// URL is used as given; anything else (a
// function name, or an ARN arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]) is
// looked up in `functions` by the whole value, then by "<name>:<qualifier>", then by "<name>".
//
// Protocol (docs/operating.md "Triggers"): request headers
//   Content-Type: application/json
//   X-Cognate-Timestamp: <unix seconds>
//   X-Cognate-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
// A 2xx answer is the function's result (the event with its `response` filled in). An answer
// whose JSON body carries a string `errorMessage` (Lambda's error shape, any status), or any
// answer with an `X-Amz-Function-Error` header, is the function's own error. Other non-2xx
// answers, connection failures and timeouts are invocation failures. Only connection failures
// are retried (at most `attempts` tries in all, within the timeout).

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "domain/triggers/invoker.h"

namespace cognate::outbound {

struct HttpTriggerOptions {
  std::map<std::string, std::string, std::less<>> functions;  // name or ARN -> http(s) URL
  std::string secret;                                         // HMAC key; never logged
  std::chrono::milliseconds timeout{5'000};                   // Cognito's 5 seconds, all tries
  int attempts = 3;
  std::size_t max_reply_bytes = 1 << 20;
};

class HttpTriggerInvoker final : public domain::triggers::Invoker {
 public:
  explicit HttpTriggerInvoker(HttpTriggerOptions options);

  domain::triggers::Invocation Invoke(std::string_view function, std::string_view event) override;

  // The URL `function` resolves to, or "" when it names nothing known.
  std::string Resolve(std::string_view function) const;

  // The X-Cognate-Signature value for `body` sent at `timestamp` (unix seconds) with `secret`.
  static std::string Signature(std::string_view secret, std::string_view timestamp,
                               std::string_view body);

 private:
  HttpTriggerOptions options_;
};

}  // namespace cognate::outbound
