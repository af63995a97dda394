// Pool, app-client and tag operations: JSON in -> domain/userpool -> JSON out.

#include <memory>
#include <string>

#include "api/cognito_idp/register.h"
#include "domain/userpool/client_service.h"
#include "domain/userpool/pool_service.h"

namespace cognate::api::cognito_idp {
namespace {

using Json = nlohmann::json;

// A required string member, or Cognito's "must not be null" validation error.
Result<std::string> Required(const Json& input, const char* key, const char* path) {
  auto v = domain::userpool::OptString(input, key);
  if (!v) return v.error();
  if (!*v) return domain::userpool::ValidationError("null", path, "Member must not be null");
  return std::move(**v);
}

// A required member of any JSON type.
Result<const Json*> RequiredMember(const Json& input, const char* key, const char* path) {
  if (input.is_object()) {
    auto it = input.find(key);
    if (it != input.end() && !it->is_null()) return &*it;
  }
  return domain::userpool::ValidationError("null", path, "Member must not be null");
}

Result<Json> Wrap(const char* member, Result<Json> r) {
  if (!r) return r.error();
  return Json{{member, std::move(*r)}};
}

}  // namespace

void RegisterPoolOps(HandlerRegistry& registry, domain::ServiceContext& ctx) {
  auto pools = std::make_shared<domain::userpool::PoolService>(ctx);
  auto clients = std::make_shared<domain::userpool::ClientService>(ctx);

  // ---- user pools ----------------------------------------------------------------------------
  registry.Register("CreateUserPool", [pools](const Json& in, const CallContext&) {
    return Wrap("UserPool", pools->CreateUserPool(in));
  });
  registry.Register("DescribeUserPool",
                    [pools](const Json& in, const CallContext&) -> Result<Json> {
                      auto id = Required(in, "UserPoolId", "userPoolId");
                      if (!id) return id.error();
                      return Wrap("UserPool", pools->DescribeUserPool(*id));
                    });
  registry.Register("UpdateUserPool", [pools](const Json& in, const CallContext&) {
    return Empty(pools->UpdateUserPool(in));
  });
  registry.Register("DeleteUserPool", [pools](const Json& in, const CallContext&) -> Result<Json> {
    auto id = Required(in, "UserPoolId", "userPoolId");
    if (!id) return id.error();
    return Empty(pools->DeleteUserPool(*id));
  });
  registry.Register("ListUserPools", [pools](const Json& in, const CallContext&) {
    return pools->ListUserPools(in);
  });
  registry.Register("AddCustomAttributes",
                    [pools](const Json& in, const CallContext&) -> Result<Json> {
                      auto id = Required(in, "UserPoolId", "userPoolId");
                      if (!id) return id.error();
                      auto attrs = RequiredMember(in, "CustomAttributes", "customAttributes");
                      if (!attrs) return attrs.error();
                      return Empty(pools->AddCustomAttributes(*id, **attrs));
                    });

  // ---- app clients ---------------------------------------------------------------------------
  registry.Register("CreateUserPoolClient", [clients](const Json& in, const CallContext&) {
    return Wrap("UserPoolClient", clients->CreateUserPoolClient(in));
  });
  registry.Register(
      "DescribeUserPoolClient", [clients](const Json& in, const CallContext&) -> Result<Json> {
        auto pool = Required(in, "UserPoolId", "userPoolId");
        if (!pool) return pool.error();
        auto client = Required(in, "ClientId", "clientId");
        if (!client) return client.error();
        return Wrap("UserPoolClient", clients->DescribeUserPoolClient(*pool, *client));
      });
  registry.Register("UpdateUserPoolClient", [clients](const Json& in, const CallContext&) {
    return Wrap("UserPoolClient", clients->UpdateUserPoolClient(in));
  });
  registry.Register("DeleteUserPoolClient",
                    [clients](const Json& in, const CallContext&) -> Result<Json> {
                      auto pool = Required(in, "UserPoolId", "userPoolId");
                      if (!pool) return pool.error();
                      auto client = Required(in, "ClientId", "clientId");
                      if (!client) return client.error();
                      return Empty(clients->DeleteUserPoolClient(*pool, *client));
                    });
  registry.Register("ListUserPoolClients", [clients](const Json& in, const CallContext&) {
    return clients->ListUserPoolClients(in);
  });

  // ---- tags ----------------------------------------------------------------------------------
  registry.Register("TagResource", [pools](const Json& in, const CallContext&) -> Result<Json> {
    auto arn = Required(in, "ResourceArn", "resourceArn");
    if (!arn) return arn.error();
    auto tags = RequiredMember(in, "Tags", "tags");
    if (!tags) return tags.error();
    return Empty(pools->TagResource(*arn, **tags));
  });
  registry.Register("UntagResource", [pools](const Json& in, const CallContext&) -> Result<Json> {
    auto arn = Required(in, "ResourceArn", "resourceArn");
    if (!arn) return arn.error();
    auto keys = RequiredMember(in, "TagKeys", "tagKeys");
    if (!keys) return keys.error();
    return Empty(pools->UntagResource(*arn, **keys));
  });
  registry.Register("ListTagsForResource",
                    [pools](const Json& in, const CallContext&) -> Result<Json> {
                      auto arn = Required(in, "ResourceArn", "resourceArn");
                      if (!arn) return arn.error();
                      return pools->ListTagsForResource(*arn);
                    });
}

}  // namespace cognate::api::cognito_idp
