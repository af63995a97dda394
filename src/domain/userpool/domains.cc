// Placeholder body for the contract; the domains work replaces it.
#include "domain/userpool/domains.h"

namespace cognate::domain::userpool {

std::optional<std::string> PoolIdForHost(ServiceContext& /*ctx*/, std::string_view /*host*/) {
  return std::nullopt;
}

}  // namespace cognate::domain::userpool
