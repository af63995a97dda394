// Branding handlers: GetUICustomization, SetUICustomization and the managed-login branding
// operations (domain/userpool/branding.h).

#include <memory>

#include "api/cognito_idp/register.h"
#include "domain/userpool/branding.h"

namespace cognate::api::cognito_idp {

void RegisterBrandingOps(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  auto branding = std::make_shared<domain::userpool::BrandingService>(ctx);
  using nlohmann::json;
  using Service = domain::userpool::BrandingService;
  const std::pair<const char*, Result<json> (Service::*)(const json&)> ops[] = {
      {"GetUICustomization", &Service::GetUICustomization},
      {"SetUICustomization", &Service::SetUICustomization},
      {"CreateManagedLoginBranding", &Service::CreateManagedLoginBranding},
      {"DescribeManagedLoginBranding", &Service::DescribeManagedLoginBranding},
      {"DescribeManagedLoginBrandingByClient", &Service::DescribeManagedLoginBrandingByClient},
      {"UpdateManagedLoginBranding", &Service::UpdateManagedLoginBranding},
      {"DeleteManagedLoginBranding", &Service::DeleteManagedLoginBranding},
  };
  for (const auto& op : ops) {
    auto method = op.second;  // clang 14 cannot capture a structured binding
    registry.Register(op.first, [branding, method](const json& in, const CallContext&) {
      return ((*branding).*method)(in);
    });
  }
}

}  // namespace cognate::api::cognito_idp
