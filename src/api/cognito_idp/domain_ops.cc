// User-pool domain handlers: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
// DeleteUserPoolDomain (domain/userpool/domains.h).

#include <memory>

#include "api/cognito_idp/register.h"
#include "domain/userpool/domains.h"

namespace cognate::api::cognito_idp {

void RegisterDomainOps(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  auto domains = std::make_shared<domain::userpool::DomainService>(ctx);
  using nlohmann::json;
  registry.Register("CreateUserPoolDomain",
                    [domains](const json& in, const CallContext&) { return domains->Create(in); });
  registry.Register("DescribeUserPoolDomain", [domains](const json& in, const CallContext&) {
    return domains->Describe(in);
  });
  registry.Register("UpdateUserPoolDomain",
                    [domains](const json& in, const CallContext&) { return domains->Update(in); });
  registry.Register("DeleteUserPoolDomain",
                    [domains](const json& in, const CallContext&) { return domains->Delete(in); });
}

}  // namespace cognate::api::cognito_idp
