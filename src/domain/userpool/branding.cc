// Placeholder body for the contract; the branding work replaces it.
#include "domain/userpool/branding.h"

namespace cognate::domain::userpool {

Result<PageBranding> BrandingFor(ServiceContext& /*ctx*/, const std::string& /*pool_id*/,
                                 const std::string& /*client_id*/) {
  return PageBranding{};
}

}  // namespace cognate::domain::userpool
