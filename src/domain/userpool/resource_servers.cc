#include "domain/userpool/resource_servers.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "domain/pagination/pagination_token.h"
#include "domain/userpool/json_fields.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::userpool {
namespace {

constexpr int kMaxServerUpdateAttempts = 4;
constexpr std::int64_t kDefaultPageSize = 50;

ApiError NotFound(const std::string& identifier) {
  return ApiError::ResourceNotFound("Resource server " + identifier + " does not exist.");
}

Json ScopesJson(const std::vector<ResourceServerScope>& scopes) {
  Json out = Json::array();
  for (const auto& s : scopes) {
    out.push_back({{"ScopeName", s.name}, {"ScopeDescription", s.description}});
  }
  return out;
}

// The stored form (no UserPoolId).
Json StoredJson(const ResourceServer& rs) {
  return {{"Identifier", rs.identifier}, {"Name", rs.name}, {"Scopes", ScopesJson(rs.scopes)}};
}

// ResourceServerType.
Json TypeJson(const std::string& pool_id, const ResourceServer& rs) {
  return {{"UserPoolId", pool_id},
          {"Identifier", rs.identifier},
          {"Name", rs.name},
          {"Scopes", ScopesJson(rs.scopes)}};
}

std::optional<ResourceServer> FromStored(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  auto id = j.find("Identifier");
  auto name = j.find("Name");
  if (id == j.end() || !id->is_string() || name == j.end() || !name->is_string()) {
    return std::nullopt;
  }
  ResourceServer rs{id->get<std::string>(), name->get<std::string>(), {}};
  if (auto scopes = j.find("Scopes"); scopes != j.end() && scopes->is_array()) {
    for (const auto& s : *scopes) {
      if (!s.is_object()) continue;
      auto n = s.find("ScopeName");
      auto d = s.find("ScopeDescription");
      if (n == s.end() || !n->is_string()) continue;
      rs.scopes.push_back(
          {n->get<std::string>(), d != s.end() && d->is_string() ? d->get<std::string>() : ""});
    }
  }
  return rs;
}

Result<std::string> RequiredMember(const Json& in, std::string_view key, std::string_view path) {
  auto v = OptString(in, key);
  if (!v) return v.error();
  if (!*v) return NotNull(path);
  return std::move(**v);
}

// Identifier, Name and Scopes of a Create / Update request (the model has checked lengths and
// patterns at the door; these are re-checked where a unit test or a slip could break storage).
Result<ResourceServer> ReadServer(const Json& in) {
  if (!in.is_object()) return WrongType("input", "structure");
  ResourceServer rs;
  auto id = RequiredMember(in, "Identifier", "identifier");
  if (!id) return id.error();
  if (id->empty() || id->size() > 256) {
    return ValidationError("'" + *id + "'", "identifier",
                           "Member must have length between 1 and 256");
  }
  rs.identifier = std::move(*id);
  auto name = RequiredMember(in, "Name", "name");
  if (!name) return name.error();
  if (name->empty() || name->size() > 256) {
    return ValidationError("'" + *name + "'", "name", "Member must have length between 1 and 256");
  }
  rs.name = std::move(*name);
  auto scopes = OptArray(in, "Scopes");
  if (!scopes) return scopes.error();
  if (*scopes != nullptr) {
    if ((*scopes)->size() > 100) {
      return ValidationError("'[...]'", "scopes",
                             "Member must have length less than or equal to 100");
    }
    for (const auto& s : **scopes) {
      if (!s.is_object()) return WrongType("Scopes.member", "structure");
      auto scope_name = RequiredMember(s, "ScopeName", "scopes.member.scopeName");
      if (!scope_name) return scope_name.error();
      auto description = RequiredMember(s, "ScopeDescription", "scopes.member.scopeDescription");
      if (!description) return description.error();
      if (scope_name->empty() || scope_name->size() > 256 ||
          scope_name->find_first_of("/\" \\") != std::string::npos) {
        return ValidationError("'" + *scope_name + "'", "scopes.member.scopeName",
                               "Member must satisfy regular expression pattern: "
                               "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+");
      }
      for (const auto& existing : rs.scopes) {
        if (existing.name == *scope_name) {
          return ApiError::InvalidParameter("Duplicate scope name: " + *scope_name);
        }
      }
      rs.scopes.push_back({std::move(*scope_name), std::move(*description)});
    }
  }
  return rs;
}

// Loads the pool document, lets `change` edit its resource-server list, and writes it back,
// retrying lost races. `change` may fail; then nothing is written.
Result<void> ModifyServers(
    ServiceContext& ctx, const std::string& pool_id,
    const std::function<Result<void>(std::vector<ResourceServer>&)>& change) {
  for (int attempt = 0;; ++attempt) {
    auto row = LoadPool(ctx, pool_id);
    if (!row) return row.error();
    auto doc = ParseDoc(row->doc);
    if (!doc) return doc.error();
    std::vector<ResourceServer> servers = ResourceServersOf(*doc);
    if (auto ok = change(servers); !ok) return ok.error();
    Json stored = Json::array();
    for (const auto& rs : servers) stored.push_back(StoredJson(rs));
    if (stored.empty()) {
      doc->erase(std::string(kResourceServersMember));
    } else {
      (*doc)[std::string(kResourceServersMember)] = std::move(stored);
    }
    store::PoolRow next = *row;
    next.doc = doc->dump();
    auto updated = ctx.store.UpdatePool(next, row->version);
    if (updated) return {};
    if (updated.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
    }
    if (!updated.error().IsConflict() || attempt + 1 >= kMaxServerUpdateAttempts) {
      return StoreFailure(updated.error());
    }
  }
}

Result<std::pair<std::string, std::string>> PoolAndIdentifier(const Json& in) {
  if (!in.is_object()) return WrongType("input", "structure");
  auto pool = RequiredMember(in, "UserPoolId", "userPoolId");
  if (!pool) return pool.error();
  auto id = RequiredMember(in, "Identifier", "identifier");
  if (!id) return id.error();
  return std::make_pair(std::move(*pool), std::move(*id));
}

}  // namespace

std::vector<ResourceServer> ResourceServersOf(const Json& pool_doc) {
  std::vector<ResourceServer> out;
  if (!pool_doc.is_object()) return out;
  auto it = pool_doc.find(kResourceServersMember);
  if (it == pool_doc.end() || !it->is_array()) return out;
  for (const auto& j : *it) {
    if (auto rs = FromStored(j)) out.push_back(std::move(*rs));
  }
  return out;
}

bool IsCustomScope(const Json& pool_doc, std::string_view scope) {
  const std::size_t slash = scope.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == scope.size()) return false;
  const std::string_view identifier = scope.substr(0, slash);
  const std::string_view name = scope.substr(slash + 1);
  for (const auto& rs : ResourceServersOf(pool_doc)) {
    if (rs.identifier != identifier) continue;
    for (const auto& s : rs.scopes) {
      if (s.name == name) return true;
    }
  }
  return false;
}

Result<Json> ResourceServerService::Create(const Json& input) {
  auto rs = ReadServer(input);
  if (!rs) return rs.error();
  auto pool = RequiredMember(input, "UserPoolId", "userPoolId");
  if (!pool) return pool.error();
  auto done = ModifyServers(ctx_, *pool, [&](std::vector<ResourceServer>& servers) -> Result<void> {
    for (const auto& existing : servers) {
      if (existing.identifier == rs->identifier) {
        return ApiError::InvalidParameter("A resource server with identifier " + rs->identifier +
                                          " already exists in this user pool.");
      }
    }
    if (servers.size() >= kMaxResourceServers) {
      return ApiError(ErrorCode::kLimitExceeded,
                      "The number of resource servers in this user pool has reached the limit "
                      "of " +
                          std::to_string(kMaxResourceServers) + ".");
    }
    servers.push_back(*rs);
    return {};
  });
  if (!done) return done.error();
  return Json{{"ResourceServer", TypeJson(*pool, *rs)}};
}

Result<Json> ResourceServerService::Describe(const Json& input) {
  auto keys = PoolAndIdentifier(input);
  if (!keys) return keys.error();
  auto row = LoadPool(ctx_, keys->first);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  for (const auto& rs : ResourceServersOf(*doc)) {
    if (rs.identifier == keys->second) return Json{{"ResourceServer", TypeJson(keys->first, rs)}};
  }
  return NotFound(keys->second);
}

Result<Json> ResourceServerService::Update(const Json& input) {
  auto rs = ReadServer(input);
  if (!rs) return rs.error();
  auto pool = RequiredMember(input, "UserPoolId", "userPoolId");
  if (!pool) return pool.error();
  auto done = ModifyServers(ctx_, *pool, [&](std::vector<ResourceServer>& servers) -> Result<void> {
    for (auto& existing : servers) {
      if (existing.identifier == rs->identifier) {
        existing = *rs;  // the request replaces Name and Scopes (absent Scopes: none)
        return {};
      }
    }
    return NotFound(rs->identifier);
  });
  if (!done) return done.error();
  return Json{{"ResourceServer", TypeJson(*pool, *rs)}};
}

Result<Json> ResourceServerService::Delete(const Json& input) {
  auto keys = PoolAndIdentifier(input);
  if (!keys) return keys.error();
  auto done =
      ModifyServers(ctx_, keys->first, [&](std::vector<ResourceServer>& servers) -> Result<void> {
        auto it = std::find_if(servers.begin(), servers.end(), [&](const ResourceServer& rs) {
          return rs.identifier == keys->second;
        });
        if (it == servers.end()) return NotFound(keys->second);
        servers.erase(it);
        return {};
      });
  if (!done) return done.error();
  return Json::object();
}

Result<Json> ResourceServerService::List(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool = RequiredMember(input, "UserPoolId", "userPoolId");
  if (!pool) return pool.error();
  auto max = OptInt(input, "MaxResults");
  if (!max) return max.error();
  const std::int64_t limit = max->value_or(kDefaultPageSize);
  if (limit < 1 || limit > 50) {
    return ValidationError("'" + std::to_string(limit) + "'", "maxResults",
                           limit < 1 ? "Member must have value greater than or equal to 1"
                                     : "Member must have value less than or equal to 50");
  }
  auto token = OptString(input, "NextToken");
  if (!token) return token.error();
  auto row = LoadPool(ctx_, *pool);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();

  const std::string scope = "ListResourceServers:" + *pool;
  auto codec = PaginationCodec::FromStore(ctx_.store);
  if (!codec) return codec.error();
  std::string after;  // list sorted by identifier; the page starts after this one
  if (*token) {
    auto cursor = codec->Decode(scope, **token);
    if (!cursor) return cursor.error();
    after = std::move(*cursor);
  }
  std::vector<ResourceServer> servers = ResourceServersOf(*doc);
  std::sort(servers.begin(), servers.end(), [](const ResourceServer& a, const ResourceServer& b) {
    return a.identifier < b.identifier;
  });
  Json list = Json::array();
  std::string last;
  bool more = false;
  for (const auto& rs : servers) {
    if (*token && rs.identifier <= after) continue;
    if (static_cast<std::int64_t>(list.size()) == limit) {
      more = true;
      break;
    }
    list.push_back(TypeJson(*pool, rs));
    last = rs.identifier;
  }
  Json out = {{"ResourceServers", std::move(list)}};
  if (more) out["NextToken"] = codec->Encode(scope, last);
  return out;
}

}  // namespace cognate::domain::userpool
