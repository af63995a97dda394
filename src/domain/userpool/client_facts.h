#pragma once
// An app client as the unsigned and sign-in operations see it: the few settings they act on,
// read from the client row once per call, with the secret opened. One loader for every family.

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::userpool {

struct ClientFacts {
  std::string pool_id;
  std::string client_id;
  std::optional<std::string> secret;  // plain text, when the client has one
  std::vector<std::string> explicit_auth_flows;
  bool prevent_user_existence_errors = false;  // PreventUserExistenceErrors == ENABLED
  int auth_session_validity_minutes = 3;       // AuthSessionValidity, clamped to 3..15
};

// The client by id alone (`pool_id` empty: the unsigned operations) or within `pool_id` (the
// Admin* operations). ResourceNotFoundException for a missing client or pool.
Result<ClientFacts> LoadClientFacts(ServiceContext& ctx, const std::string& pool_id,
                                    const std::string& client_id);

}  // namespace cognate::domain::userpool
