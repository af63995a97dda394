// Resource-server handlers: CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
// DeleteResourceServer, ListResourceServers (domain/userpool/resource_servers.h).

#include <memory>

#include "api/cognito_idp/register.h"
#include "domain/userpool/resource_servers.h"

namespace cognate::api::cognito_idp {

void RegisterResourceServerOps(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  auto servers = std::make_shared<domain::userpool::ResourceServerService>(ctx);
  using nlohmann::json;
  registry.Register("CreateResourceServer",
                    [servers](const json& in, const CallContext&) { return servers->Create(in); });
  registry.Register("DescribeResourceServer", [servers](const json& in, const CallContext&) {
    return servers->Describe(in);
  });
  registry.Register("UpdateResourceServer",
                    [servers](const json& in, const CallContext&) { return servers->Update(in); });
  registry.Register("DeleteResourceServer",
                    [servers](const json& in, const CallContext&) { return servers->Delete(in); });
  registry.Register("ListResourceServers",
                    [servers](const json& in, const CallContext&) { return servers->List(in); });
}

}  // namespace cognate::api::cognito_idp
