#pragma once
// Resource servers of a user pool (custom OAuth scopes): CreateResourceServer,
// DescribeResourceServer, UpdateResourceServer, DeleteResourceServer, ListResourceServers, and
// the lookups the OAuth endpoints and app-client scopes build on.
//
// Storage: the pool document's `_ResourceServers` member (pool_repository.h: members outside the
// model start with '_' and DescribeUserPool leaves them out), a list of ResourceServerType
// objects without UserPoolId, in creation order. A pool holds at most kMaxResourceServers; a
// server at most 100 scopes (the model's limit). Deleting the pool deletes them.
// A custom scope is "<Identifier>/<ScopeName>".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::userpool {

// Cognito's quota of resource servers per user pool.
inline constexpr std::size_t kMaxResourceServers = 25;
// The pool-document member that holds them.
inline constexpr std::string_view kResourceServersMember = "_ResourceServers";

struct ResourceServerScope {
  std::string name;
  std::string description;
};

struct ResourceServer {
  std::string identifier;
  std::string name;
  std::vector<ResourceServerScope> scopes;
};

// The resource servers a pool document holds (in creation order; unreadable entries skipped).
std::vector<ResourceServer> ResourceServersOf(const nlohmann::json& pool_doc);

// True when `scope` is "<identifier>/<scope name>" of a resource server of the pool document.
bool IsCustomScope(const nlohmann::json& pool_doc, std::string_view scope);

class ResourceServerService {
 public:
  explicit ResourceServerService(ServiceContext& ctx) : ctx_(ctx) {}

  // The operations, from their request JSON to their response JSON ({"ResourceServer":
  // ResourceServerType}; List: {"ResourceServers": [...], "NextToken"?}; Delete: {}).
  // Errors: ResourceNotFoundException "User pool <id> does not exist." / "Resource server
  // <identifier> does not exist."; InvalidParameterException for a taken identifier ("A resource
  // server with identifier <identifier> already exists in this user pool."), duplicate scope
  // names ("Duplicate scope name: <name>"), a bad NextToken or members of the wrong type;
  // LimitExceededException past kMaxResourceServers.
  Result<nlohmann::json> Create(const nlohmann::json& input);
  Result<nlohmann::json> Describe(const nlohmann::json& input);
  Result<nlohmann::json> Update(const nlohmann::json& input);
  Result<nlohmann::json> Delete(const nlohmann::json& input);
  Result<nlohmann::json> List(const nlohmann::json& input);

 private:
  ServiceContext& ctx_;
};

}  // namespace cognate::domain::userpool
