#pragma once
// How the domain reaches a trigger function (Cognito's "Lambda triggers"). The domain builds the
// event and interprets the reply (triggers.h); an Invoker only carries bytes. The real one lives in
// outbound/ (an HTTP POST signed with HMAC, 5-second timeout, retried on connection failure
// only); unit tests use FakeInvoker.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cognate::domain::triggers {

// What one invocation came back with, at the transport level.
struct Invocation {
  enum class Status {
    kOk,             // the function answered; `body` is its reply (should be the event, JSON)
    kFunctionError,  // the function reported an error; `body` is its error message
    kTimeout,        // no answer within the timeout
    kUnreachable,    // no function behind the name, or the connection failed on every attempt
  };
  Status status = Status::kOk;
  std::string body;
};

class Invoker {
 public:
  virtual ~Invoker() = default;
  // kUnreachable's body, when not empty, is a caller-safe reason (no addresses) for the error
  // message; empty means "ResourceNotFoundException".
  // Sends `event` (JSON text) to `function`: the LambdaConfig value, i.e. a Lambda ARN, a function
  // name, or an http(s):// URL. Blocks for at most the invoker's timeout (plus retries).
  virtual Invocation Invoke(std::string_view function, std::string_view event) = 0;
};

// A scripted invoker for unit tests: `handlers[function]` answers; unknown functions are
// kUnreachable. Every call is recorded.
class FakeInvoker final : public Invoker {
 public:
  using Handler = std::function<Invocation(std::string_view event)>;
  std::map<std::string, Handler, std::less<>> handlers;

  Invocation Invoke(std::string_view function, std::string_view event) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back({std::string(function), std::string(event)});
    }
    auto it = handlers.find(function);
    if (it == handlers.end()) return {Invocation::Status::kUnreachable, ""};
    return it->second(event);
  }
  struct Call {
    std::string function;
    std::string event;
  };
  std::vector<Call> Calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

}  // namespace cognate::domain::triggers
