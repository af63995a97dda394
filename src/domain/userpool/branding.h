#pragma once
// What the hosted pages look like for one app client: the classic UI customization
// (SetUICustomization: CSS and a logo, per pool and per client, the client's winning) and the
// managed-login branding (CreateManagedLoginBranding ...: settings and assets). The pages link
// the CSS and the logo from their own asset routes; this is where their content comes from.
//
// Storage (pool_records.h): a UI customization is the record kind "ui_customization", key
// "<pool>/<client id or ALL>"; a managed-login style is kind "managed_login_branding", key
// "<pool>/<style id>", with the index kind "managed_login_client", key "<pool>/<client id>" (one
// style per app client). Deleting the pool deletes them all.

#include <optional>
#include <string>
#include <string_view>

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

// The CSS classes SetUICustomization accepts (Cognito's classic hosted UI), selectors included
// (".submitButton-customizable:hover"). The hosted pages put these classes on their elements.
bool IsAllowedUiSelector(std::string_view selector);

// Checks a SetUICustomization CSS text and returns it normalized (comments dropped, one rule per
// line). InvalidParameterException naming the first problem: a selector outside the allowed
// classes, an at-rule, markup, url(), expression() or javascript, a malformed rule.
Result<std::string> SanitizeUiCss(std::string_view css);

// The path (after public_url) of the logo of a UI customization, as GetUICustomization's
// ImageUrl names it: "/assets/logo?client_id=<client id>" (the hosted pages' logo route; "ALL":
// the pool's default, then with "&user_pool_id=<pool>"), plus "&v=<version>".
std::string UiLogoPath(const std::string& pool_id, const std::string& client_id,
                       const std::string& version);

// GetUICustomization / SetUICustomization: {"UICustomization": UICustomizationType}.
// Set needs a domain on the pool (InvalidParameterException "There has to be an existing domain
// associated with this user pool"), a client of the pool or "ALL" (or no ClientId), CSS that
// SanitizeUiCss accepts, an ImageFile that is a PNG or JPEG image of at most 100 KB. Get falls
// back from the client to ALL; with neither it returns only UserPoolId and ClientId.
class BrandingService {
 public:
  explicit BrandingService(ServiceContext& ctx) : ctx_(ctx) {}

  Result<nlohmann::json> GetUICustomization(const nlohmann::json& input);
  Result<nlohmann::json> SetUICustomization(const nlohmann::json& input);

  // The managed-login branding operations: {"ManagedLoginBranding": ManagedLoginBrandingType}
  // (Delete: {}). Create: ManagedLoginBrandingExistsException when the client has a style;
  // InvalidParameterException for UseCognitoProvidedValues with Settings or Assets, two assets
  // of the same Category and ColorMode, Settings that are not an object. Update merges Settings
  // (a JSON merge patch) and replaces assets by Category and ColorMode; UseCognitoProvidedValues
  // resets the style. Describe with ReturnMergedResources merges Cognate's defaults in.
  Result<nlohmann::json> CreateManagedLoginBranding(const nlohmann::json& input);
  Result<nlohmann::json> DescribeManagedLoginBranding(const nlohmann::json& input);
  Result<nlohmann::json> DescribeManagedLoginBrandingByClient(const nlohmann::json& input);
  Result<nlohmann::json> UpdateManagedLoginBranding(const nlohmann::json& input);
  Result<nlohmann::json> DeleteManagedLoginBranding(const nlohmann::json& input);

 private:
  ServiceContext& ctx_;
};

// The default managed-login Settings (what ReturnMergedResources fills in).
const nlohmann::json& DefaultManagedLoginSettings();

}  // namespace cognate::domain::userpool
