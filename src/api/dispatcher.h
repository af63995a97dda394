#pragma once
// awsJson1_1 dispatch: X-Amz-Target "<Service>.<Operation>" -> a handler, after the caller is
// authenticated as the operation's auth kind requires and the input is validated against the
// API model. Handlers are thin: JSON in -> domain call -> JSON out.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace cognate::api {

// Who may call an operation, from the API model.
enum class AuthKind : std::uint8_t {
  kIam,     // SigV4-signed (admin plane)
  kToken,   // unsigned; an AccessToken (or MFA-setup Session) in the body
  kPublic,  // unsigned; identified by ClientId / refresh token / feedback token
};

// Facts about the call that handlers may use.
struct CallContext {
  std::string request_id;
  std::string operation;
  std::string region;             // of the deployment (or the SigV4 scope when signed)
  std::string caller_access_key;  // set for verified SigV4 calls
  std::string source_ip;
  std::string user_agent;
};

using JsonHandler =
    std::function<Result<nlohmann::json>(const nlohmann::json& input, const CallContext& ctx)>;

// The handlers registered for one service (cognito-idp or cognito-identity).
class HandlerRegistry {
 public:
  // Registers `handler` for `operation` (e.g. "CreateUserPool"). Registering twice is a bug.
  void Register(std::string operation, JsonHandler handler);
  // The handler, or nullptr when the operation is not implemented yet.
  const JsonHandler* Find(std::string_view operation) const;
  const std::map<std::string, JsonHandler, std::less<>>& All() const { return handlers_; }

 private:
  std::map<std::string, JsonHandler, std::less<>> handlers_;
};

}  // namespace cognate::api
