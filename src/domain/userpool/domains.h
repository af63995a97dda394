#pragma once
// User-pool domains (CreateUserPoolDomain and friends): a prefix domain is served as
// "{prefix}.{auth_host}" (DeploymentConfig::auth_host), a custom domain under its own name with
// its certificate. The OAuth endpoints and hosted pages find their pool from the Host header
// through PoolIdForHost; on the main host they find it from client_id instead.

#include <optional>
#include <string>
#include <string_view>

#include "domain/service_context.h"

namespace cognate::domain::userpool {

// The pool whose domain `host` (lowercase, no port: api::web::RequestHost) names, or nullopt for
// any other host (the main host included). Never an error: a store failure reads as nullopt.
std::optional<std::string> PoolIdForHost(ServiceContext& ctx, std::string_view host);

}  // namespace cognate::domain::userpool
