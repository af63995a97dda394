#pragma once
// What the hosted pages look like for one app client: the classic UI customization
// (SetUICustomization: CSS and a logo, per pool and per client, the client's winning) and the
// managed-login branding (CreateManagedLoginBranding ...: settings and assets). The pages link
// the CSS and the logo from their own asset routes; this is where their content comes from.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::userpool {

struct PageBranding {
  // CSS appended after the pages' own stylesheet (the UI customization's CSS, and the managed-
  // login settings turned into CSS). Only Cognito's allowed classes and properties reach it.
  std::string css;
  // The logo image, when one is set ("image/png", "image/jpeg" or "image/svg+xml").
  std::optional<std::string> logo_bytes;
  std::string logo_content_type;
  // The managed-login branding's Settings document, or null when none applies.
  nlohmann::json settings;
  // Changes whenever the branding changes (for cache-busting asset URLs).
  std::string version;
};

// The branding the pages of `client_id` in `pool_id` show. An empty PageBranding when none is
// set. ResourceNotFoundException for a missing pool.
Result<PageBranding> BrandingFor(ServiceContext& ctx, const std::string& pool_id,
                                 const std::string& client_id);

}  // namespace cognate::domain::userpool
