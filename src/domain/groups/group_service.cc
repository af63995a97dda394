#include "domain/groups/group_service.h"

#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "domain/pagination/pagination_token.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"

namespace cognate::domain::groups {
namespace {

using nlohmann::json;

// The cursor inside `token` ("" for no token) for the listing `scope`.
Result<std::string> DecodeToken(const PaginationCodec& codec, const std::string& scope,
                                const std::string& token) {
  if (token.empty()) return std::string();
  return codec.Decode(scope, token);
}

std::string EncodeToken(const PaginationCodec& codec, const std::string& scope,
                        const std::string& cursor) {
  return cursor.empty() ? std::string() : codec.Encode(scope, cursor);
}

constexpr int kMaxRetries = 5;

ApiError GroupNotFound() { return ApiError::ResourceNotFound("Group not found."); }

ApiError StoreFailure(const char* what, const store::StoreError& e) {
  return ApiError::Internal(std::string(what) + ": " + e.detail());
}

std::string DocOf(const GroupRecord& g) {
  json doc = json::object();
  if (g.description) doc["Description"] = *g.description;
  if (g.role_arn) doc["RoleArn"] = *g.role_arn;
  if (g.precedence) doc["Precedence"] = *g.precedence;
  return doc.dump();
}

Result<int> CheckLimit(int limit) {
  if (limit < 0 || limit > 60) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value '" + std::to_string(limit) +
        "' at 'limit' failed to satisfy constraint: Member must have value less than or equal "
        "to 60");
  }
  return limit == 0 ? 60 : limit;
}

}  // namespace

GroupRecord FromGroupRow(const store::GroupRow& row) {
  GroupRecord g;
  g.pool_id = row.pool_id;
  g.name = row.name;
  g.created_ms = row.created_ms;
  g.modified_ms = row.modified_ms;
  g.version = row.version;
  json doc = ParseJson(row.doc);
  if (doc.is_object()) {
    if (auto it = doc.find("Description"); it != doc.end() && it->is_string()) {
      g.description = it->get<std::string>();
    }
    if (auto it = doc.find("RoleArn"); it != doc.end() && it->is_string()) {
      g.role_arn = it->get<std::string>();
    }
    if (auto it = doc.find("Precedence"); it != doc.end() && it->is_number_integer()) {
      g.precedence = it->get<std::int64_t>();
    }
  }
  return g;
}

Result<GroupRecord> GroupService::CreateGroup(const GroupInput& input) {
  if (auto pool = userpool::LoadPool(ctx_, input.pool_id); !pool) return pool.error();
  const std::int64_t now = ctx_.clock.NowMillis();
  GroupRecord g;
  g.pool_id = input.pool_id;
  g.name = input.name;
  g.description = input.description;
  g.role_arn = input.role_arn;
  g.precedence = input.precedence;
  g.created_ms = now;
  g.modified_ms = now;
  store::GroupRow row{g.pool_id, g.name, DocOf(g), now, now, 0};
  auto st = ctx_.store.CreateGroup(row);
  if (!st) {
    if (st.error().IsConflict()) {
      return ApiError(ErrorCode::kGroupExists,
                      "A group with the name " + input.name + " already exists.");
    }
    if (st.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + input.pool_id + " does not exist.");
    }
    return StoreFailure("CreateGroup", st.error());
  }
  g.version = 1;
  return g;
}

Result<GroupRecord> GroupService::GetGroup(const std::string& pool_id, const std::string& name) {
  if (auto pool = userpool::LoadPool(ctx_, pool_id); !pool) return pool.error();
  auto row = ctx_.store.GetGroup(pool_id, name);
  if (!row) {
    if (row.error().IsNotFound()) return GroupNotFound();
    return StoreFailure("GetGroup", row.error());
  }
  return FromGroupRow(*row);
}

Result<GroupRecord> GroupService::UpdateGroup(const GroupInput& input) {
  if (auto pool = userpool::LoadPool(ctx_, input.pool_id); !pool) return pool.error();
  for (int attempt = 0;; ++attempt) {
    auto row = ctx_.store.GetGroup(input.pool_id, input.name);
    if (!row) {
      if (row.error().IsNotFound()) return GroupNotFound();
      return StoreFailure("GetGroup", row.error());
    }
    GroupRecord g = FromGroupRow(*row);
    if (input.description) g.description = input.description;
    if (input.role_arn) g.role_arn = input.role_arn;
    if (input.precedence) g.precedence = input.precedence;
    g.modified_ms = ctx_.clock.NowMillis();
    store::GroupRow updated = *row;
    updated.doc = DocOf(g);
    updated.modified_ms = g.modified_ms;
    auto st = ctx_.store.UpdateGroup(updated, row->version);
    if (st) {
      g.version = row->version + 1;
      return g;
    }
    if (st.error().IsNotFound()) return GroupNotFound();
    if (!st.error().IsConflict() || attempt + 1 >= kMaxRetries) {
      return StoreFailure("UpdateGroup", st.error());
    }
  }
}

Result<void> GroupService::DeleteGroup(const std::string& pool_id, const std::string& name) {
  if (auto pool = userpool::LoadPool(ctx_, pool_id); !pool) return pool.error();
  auto st = ctx_.store.DeleteGroup(pool_id, name);
  if (!st) {
    if (st.error().IsNotFound()) return GroupNotFound();
    return StoreFailure("DeleteGroup", st.error());
  }
  return {};
}

Result<GroupPage> GroupService::ListGroups(const std::string& pool_id, int limit,
                                           const std::string& token) {
  if (auto pool = userpool::LoadPool(ctx_, pool_id); !pool) return pool.error();
  auto n = CheckLimit(limit);
  if (!n) return n.error();
  const std::string scope = "ListGroups:" + pool_id;
  auto codec = PaginationCodec::FromStore(ctx_.store);
  if (!codec) return codec.error();
  auto cursor = DecodeToken(*codec, scope, token);
  if (!cursor) return cursor.error();
  auto page = ctx_.store.ListGroups(pool_id, *cursor, *n);
  if (!page) return StoreFailure("ListGroups", page.error());
  GroupPage out;
  for (const auto& row : page->items) out.groups.push_back(FromGroupRow(row));
  out.next_token = EncodeToken(*codec, scope, page->next_cursor);
  return out;
}

Result<void> GroupService::AdminAddUserToGroup(const std::string& pool_id,
                                               const std::string& username,
                                               const std::string& group) {
  auto rules = users::LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user = users::FindUser(ctx_.store, *rules, username);
  if (!user) return user.error();
  auto st = ctx_.store.AddUserToGroup(pool_id, group, user->sub);
  if (!st) {
    if (st.error().IsNotFound()) {
      // The store does not say which one vanished: ask.
      if (!ctx_.store.GetGroup(pool_id, group)) return GroupNotFound();
      return ApiError::UserNotFound();
    }
    return StoreFailure("AddUserToGroup", st.error());
  }
  return {};
}

Result<void> GroupService::AdminRemoveUserFromGroup(const std::string& pool_id,
                                                    const std::string& username,
                                                    const std::string& group) {
  auto rules = users::LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user = users::FindUser(ctx_.store, *rules, username);
  if (!user) return user.error();
  auto g = ctx_.store.GetGroup(pool_id, group);
  if (!g) {
    if (g.error().IsNotFound()) return GroupNotFound();
    return StoreFailure("GetGroup", g.error());
  }
  auto st = ctx_.store.RemoveUserFromGroup(pool_id, group, user->sub);
  if (!st) {
    if (st.error().IsNotFound()) return GroupNotFound();
    return StoreFailure("RemoveUserFromGroup", st.error());
  }
  return {};
}

Result<GroupPage> GroupService::AdminListGroupsForUser(const std::string& pool_id,
                                                       const std::string& username, int limit,
                                                       const std::string& token) {
  auto rules = users::LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto n = CheckLimit(limit);
  if (!n) return n.error();
  auto user = users::FindUser(ctx_.store, *rules, username);
  if (!user) return user.error();
  const std::string scope = "AdminListGroupsForUser:" + pool_id + ":" + user->sub;
  auto codec = PaginationCodec::FromStore(ctx_.store);
  if (!codec) return codec.error();
  auto cursor = DecodeToken(*codec, scope, token);
  if (!cursor) return cursor.error();
  auto page = ctx_.store.ListGroupsForUser(pool_id, user->sub, *cursor, *n);
  if (!page) {
    if (page.error().IsNotFound()) return ApiError::UserNotFound();
    return StoreFailure("ListGroupsForUser", page.error());
  }
  GroupPage out;
  for (const auto& row : page->items) out.groups.push_back(FromGroupRow(row));
  out.next_token = EncodeToken(*codec, scope, page->next_cursor);
  return out;
}

Result<GroupUserPage> GroupService::ListUsersInGroup(const std::string& pool_id,
                                                     const std::string& group, int limit,
                                                     const std::string& token) {
  if (auto pool = userpool::LoadPool(ctx_, pool_id); !pool) return pool.error();
  auto n = CheckLimit(limit);
  if (!n) return n.error();
  const std::string scope = "ListUsersInGroup:" + pool_id + ":" + group;
  auto codec = PaginationCodec::FromStore(ctx_.store);
  if (!codec) return codec.error();
  auto cursor = DecodeToken(*codec, scope, token);
  if (!cursor) return cursor.error();
  auto page = ctx_.store.ListUsersInGroup(pool_id, group, *cursor, *n);
  if (!page) {
    if (page.error().IsNotFound()) return GroupNotFound();
    return StoreFailure("ListUsersInGroup", page.error());
  }
  GroupUserPage out;
  for (const auto& row : page->items) out.users.push_back(users::FromRow(row));
  out.next_token = EncodeToken(*codec, scope, page->next_cursor);
  return out;
}

}  // namespace cognate::domain::groups
