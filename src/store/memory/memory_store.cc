#include "store/memory/memory_store.h"

#include <algorithm>

#include "store/store_util.h"

namespace cognate::store {
namespace {

using internal::BadCursorError;
using internal::ClampLimit;
using internal::DecodeCursor;
using internal::EncodeCursor;

StoreError NotFound(std::string what) { return {StoreErrorCode::kNotFound, std::move(what)}; }
StoreError Conflict(std::string what) { return {StoreErrorCode::kConflict, std::move(what)}; }

// Decodes a one-part cursor into `after`; false when malformed. An empty cursor leaves `after`
// unset.
bool DecodeOne(const std::string& cursor, std::optional<std::string>& after) {
  if (cursor.empty()) return true;
  auto parts = DecodeCursor(cursor, 1);
  if (!parts) return false;
  after = std::move((*parts)[0]);
  return true;
}

}  // namespace

MemoryStore::PoolData* MemoryStore::FindPool(const std::string& id) {
  auto it = pools_.find(id);
  return it == pools_.end() ? nullptr : &it->second;
}

void MemoryStore::UnindexUser(PoolData& pool, const UserRow& user) {
  for (const auto& key : user.unique_keys) pool.by_unique_key.erase(key);
  for (const auto& a : user.indexed) pool.attrs.erase({a.name, a.value, user.sub});
}

void MemoryStore::IndexUser(PoolData& pool, const UserRow& user) {
  for (const auto& key : user.unique_keys) pool.by_unique_key[key] = user.sub;
  for (const auto& a : user.indexed) pool.attrs.insert({a.name, a.value, user.sub});
}

void MemoryStore::EraseFamilies(PoolData& pool, const std::optional<std::string>& sub) {
  auto f = sub ? pool.families.lower_bound({*sub, std::string()}) : pool.families.begin();
  while (f != pool.families.end() && (!sub || f->first == *sub)) {
    families_.erase(f->second);
    f = pool.families.erase(f);
  }
}

EphemeralRow* MemoryStore::FindLiveEphemeral(const std::string& kind, const std::string& key,
                                             std::int64_t now_ms) {
  auto it = ephemeral_.find({kind, key});
  if (it == ephemeral_.end()) return nullptr;
  if (it->second.expires_ms <= now_ms) {
    ephemeral_.erase(it);
    return nullptr;
  }
  return &it->second;
}

// ---------------------------------------------------------------------------------------------
// Pools

StoreStatus MemoryStore::CreatePool(const PoolRow& row) {
  std::lock_guard lock(mu_);
  if (pools_.contains(row.id)) return Conflict("id");
  PoolData data;
  data.row = row;
  data.row.version = 1;
  pools_.emplace(row.id, std::move(data));
  return {};
}

StoreResult<PoolRow> MemoryStore::GetPool(const std::string& id) {
  std::lock_guard lock(mu_);
  const PoolData* pool = FindPool(id);
  if (pool == nullptr) return NotFound("pool");
  return pool->row;
}

StoreStatus MemoryStore::UpdatePool(const PoolRow& row, std::int64_t expected_version) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.id);
  if (pool == nullptr) return NotFound("pool");
  if (pool->row.version != expected_version) return Conflict("version");
  pool->row.name = row.name;
  pool->row.doc = row.doc;
  pool->row.modified_ms = row.modified_ms;
  ++pool->row.version;
  return {};
}

StoreStatus MemoryStore::DeletePool(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = pools_.find(id);
  if (it == pools_.end()) return NotFound("pool");
  for (const auto& client_id : it->second.client_ids) clients_.erase(client_id);
  for (const auto& kid : it->second.key_ids) signing_keys_.erase(kid);
  EraseFamilies(it->second, std::nullopt);
  std::erase_if(ephemeral_, [&id](const auto& entry) { return entry.second.pool_id == id; });
  pools_.erase(it);
  return {};
}

StoreResult<Page<PoolRow>> MemoryStore::ListPools(const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  std::optional<std::string> after;
  if (!DecodeOne(cursor, after)) return BadCursorError();
  std::lock_guard lock(mu_);
  Page<PoolRow> page;
  auto it = after ? pools_.upper_bound(*after) : pools_.begin();
  for (; it != pools_.end(); ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().id});
      break;
    }
    page.items.push_back(it->second.row);
  }
  return page;
}

// ---------------------------------------------------------------------------------------------
// Clients

StoreStatus MemoryStore::CreateClient(const ClientRow& row) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.pool_id);
  if (pool == nullptr) return NotFound("pool");
  if (clients_.contains(row.client_id)) return Conflict("client_id");
  ClientRow stored = row;
  stored.version = 1;
  clients_.emplace(row.client_id, std::move(stored));
  pool->client_ids.insert(row.client_id);
  return {};
}

StoreResult<ClientRow> MemoryStore::GetClient(const std::string& client_id) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return NotFound("client");
  return it->second;
}

StoreStatus MemoryStore::UpdateClient(const ClientRow& row, std::int64_t expected_version) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(row.client_id);
  if (it == clients_.end() || it->second.pool_id != row.pool_id) return NotFound("client");
  ClientRow& stored = it->second;
  if (stored.version != expected_version) return Conflict("version");
  stored.name = row.name;
  stored.doc = row.doc;
  stored.modified_ms = row.modified_ms;
  ++stored.version;
  return {};
}

StoreStatus MemoryStore::DeleteClient(const std::string& pool_id, const std::string& client_id) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end() || it->second.pool_id != pool_id) return NotFound("client");
  clients_.erase(it);
  if (PoolData* pool = FindPool(pool_id)) pool->client_ids.erase(client_id);
  return {};
}

StoreResult<Page<ClientRow>> MemoryStore::ListClients(const std::string& pool_id,
                                                      const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  std::optional<std::string> after;
  if (!DecodeOne(cursor, after)) return BadCursorError();
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("pool");
  Page<ClientRow> page;
  auto it = after ? pool->client_ids.upper_bound(*after) : pool->client_ids.begin();
  for (; it != pool->client_ids.end(); ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().client_id});
      break;
    }
    page.items.push_back(clients_.at(*it));
  }
  return page;
}

// ---------------------------------------------------------------------------------------------
// Users

StoreStatus MemoryStore::CreateUser(const UserRow& row) {
  UserRow user = row;
  internal::NormalizeUser(user);
  user.version = 1;
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(user.pool_id);
  if (pool == nullptr) return NotFound("pool");
  if (pool->by_username.contains(user.username_key)) return Conflict("username");
  if (pool->users.contains(user.sub)) return Conflict("sub");
  for (const auto& key : user.unique_keys) {
    if (pool->by_unique_key.contains(key)) return Conflict(key);
  }
  IndexUser(*pool, user);
  pool->by_username.emplace(user.username_key, user.sub);
  pool->users.emplace(user.sub, std::move(user));
  return {};
}

StoreResult<UserRow> MemoryStore::GetUserByUsernameKey(const std::string& pool_id,
                                                       const std::string& username_key) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("user");
  auto it = pool->by_username.find(username_key);
  if (it == pool->by_username.end()) return NotFound("user");
  return pool->users.at(it->second);
}

StoreResult<UserRow> MemoryStore::GetUserBySub(const std::string& pool_id, const std::string& sub) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("user");
  auto it = pool->users.find(sub);
  if (it == pool->users.end()) return NotFound("user");
  return it->second;
}

StoreResult<UserRow> MemoryStore::GetUserByUniqueKey(const std::string& pool_id,
                                                     const std::string& key) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("user");
  auto it = pool->by_unique_key.find(key);
  if (it == pool->by_unique_key.end()) return NotFound("user");
  return pool->users.at(it->second);
}

StoreStatus MemoryStore::UpdateUser(const UserRow& row, std::int64_t expected_version) {
  UserRow next = row;
  internal::NormalizeUser(next);
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.pool_id);
  if (pool == nullptr) return NotFound("user");
  auto it = pool->users.find(row.sub);
  if (it == pool->users.end()) return NotFound("user");
  UserRow& stored = it->second;
  if (stored.version != expected_version) return Conflict("version");
  for (const auto& key : next.unique_keys) {
    auto holder = pool->by_unique_key.find(key);
    if (holder != pool->by_unique_key.end() && holder->second != stored.sub) return Conflict(key);
  }
  UnindexUser(*pool, stored);
  stored.username = std::move(next.username);
  stored.status = std::move(next.status);
  stored.enabled = next.enabled;
  stored.unique_keys = std::move(next.unique_keys);
  stored.indexed = std::move(next.indexed);
  stored.doc = std::move(next.doc);
  stored.modified_ms = next.modified_ms;
  ++stored.version;
  IndexUser(*pool, stored);
  return {};
}

StoreStatus MemoryStore::DeleteUser(const std::string& pool_id, const std::string& sub) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("user");
  auto it = pool->users.find(sub);
  if (it == pool->users.end()) return NotFound("user");
  UnindexUser(*pool, it->second);
  pool->by_username.erase(it->second.username_key);
  auto g = pool->user_groups.lower_bound({sub, std::string()});
  while (g != pool->user_groups.end() && g->first == sub) {
    pool->members.erase({g->second, sub});
    g = pool->user_groups.erase(g);
  }
  EraseFamilies(*pool, sub);
  pool->users.erase(it);
  return {};
}

StoreResult<Page<UserRow>> MemoryStore::ListUsers(const std::string& pool_id,
                                                  const UserQuery& query) {
  const int limit = ClampLimit(query.limit);
  // Cursors are checked before anything else, as the SQL backends do.
  std::optional<std::string> after_key;
  std::optional<std::vector<std::string>> after;
  if (query.op == UserQuery::Op::kAll) {
    if (!DecodeOne(query.cursor, after_key)) return BadCursorError();
  } else if (!query.cursor.empty()) {
    after = DecodeCursor(query.cursor, 2);
    if (!after) return BadCursorError();
  }
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("pool");
  Page<UserRow> page;
  if (query.op == UserQuery::Op::kAll) {
    const auto& after = after_key;
    auto it = after ? pool->by_username.upper_bound(*after) : pool->by_username.begin();
    for (; it != pool->by_username.end(); ++it) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_cursor = EncodeCursor({page.items.back().username_key});
        break;
      }
      page.items.push_back(pool->users.at(it->second));
    }
    return page;
  }
  // Filters walk the (name, value, sub) index from the cursor or the start of the value range.
  const bool equals = query.op == UserQuery::Op::kEquals;
  auto it = pool->attrs.lower_bound({query.attribute, query.value, std::string()});
  switch (internal::ResolveFilterStart(equals, query.value, after)) {
    case internal::FilterStart::kEmpty:
      return page;
    case internal::FilterStart::kFromValue:
      break;
    default:  // resume after the cursor's (value, sub)
      it = pool->attrs.upper_bound({query.attribute, (*after)[0], (*after)[1]});
      break;
  }
  std::string last_value;
  for (; it != pool->attrs.end(); ++it) {
    const auto& [name, value, sub] = *it;
    if (name != query.attribute) break;
    const bool match = equals ? value == query.value : value.starts_with(query.value);
    if (!match) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({last_value, page.items.back().sub});
      break;
    }
    page.items.push_back(pool->users.at(sub));
    last_value = value;
  }
  return page;
}

StoreResult<std::int64_t> MemoryStore::CountUsers(const std::string& pool_id) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("pool");
  return static_cast<std::int64_t>(pool->users.size());
}

// ---------------------------------------------------------------------------------------------
// Groups

StoreStatus MemoryStore::CreateGroup(const GroupRow& row) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.pool_id);
  if (pool == nullptr) return NotFound("pool");
  if (pool->groups.contains(row.name)) return Conflict("name");
  GroupRow stored = row;
  stored.version = 1;
  pool->groups.emplace(row.name, std::move(stored));
  return {};
}

StoreResult<GroupRow> MemoryStore::GetGroup(const std::string& pool_id, const std::string& name) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("group");
  auto it = pool->groups.find(name);
  if (it == pool->groups.end()) return NotFound("group");
  return it->second;
}

StoreStatus MemoryStore::UpdateGroup(const GroupRow& row, std::int64_t expected_version) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.pool_id);
  if (pool == nullptr) return NotFound("group");
  auto it = pool->groups.find(row.name);
  if (it == pool->groups.end()) return NotFound("group");
  GroupRow& stored = it->second;
  if (stored.version != expected_version) return Conflict("version");
  stored.doc = row.doc;
  stored.modified_ms = row.modified_ms;
  ++stored.version;
  return {};
}

StoreStatus MemoryStore::DeleteGroup(const std::string& pool_id, const std::string& name) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("group");
  auto it = pool->groups.find(name);
  if (it == pool->groups.end()) return NotFound("group");
  auto m = pool->members.lower_bound({name, std::string()});
  while (m != pool->members.end() && m->first == name) {
    pool->user_groups.erase({m->second, name});
    m = pool->members.erase(m);
  }
  pool->groups.erase(it);
  return {};
}

StoreResult<Page<GroupRow>> MemoryStore::ListGroups(const std::string& pool_id,
                                                    const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  std::optional<std::string> after;
  if (!DecodeOne(cursor, after)) return BadCursorError();
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return NotFound("pool");
  Page<GroupRow> page;
  auto it = after ? pool->groups.upper_bound(*after) : pool->groups.begin();
  for (; it != pool->groups.end(); ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().name});
      break;
    }
    page.items.push_back(it->second);
  }
  return page;
}

StoreStatus MemoryStore::AddUserToGroup(const std::string& pool_id, const std::string& group,
                                        const std::string& sub) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr || !pool->groups.contains(group)) return NotFound("group");
  if (!pool->users.contains(sub)) return NotFound("user");
  pool->members.insert({group, sub});
  pool->user_groups.insert({sub, group});
  return {};
}

StoreStatus MemoryStore::RemoveUserFromGroup(const std::string& pool_id, const std::string& group,
                                             const std::string& sub) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr || !pool->groups.contains(group)) return NotFound("group");
  if (!pool->users.contains(sub)) return NotFound("user");
  pool->members.erase({group, sub});
  pool->user_groups.erase({sub, group});
  return {};
}

StoreResult<Page<UserRow>> MemoryStore::ListUsersInGroup(const std::string& pool_id,
                                                         const std::string& group,
                                                         const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  std::optional<std::string> after;
  if (!DecodeOne(cursor, after)) return BadCursorError();
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr || !pool->groups.contains(group)) return NotFound("group");
  Page<UserRow> page;
  auto it = after ? pool->members.upper_bound({group, *after})
                  : pool->members.lower_bound({group, std::string()});
  for (; it != pool->members.end() && it->first == group; ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().sub});
      break;
    }
    page.items.push_back(pool->users.at(it->second));
  }
  return page;
}

StoreResult<Page<GroupRow>> MemoryStore::ListGroupsForUser(const std::string& pool_id,
                                                           const std::string& sub,
                                                           const std::string& cursor, int limit) {
  limit = ClampLimit(limit);
  std::optional<std::string> after;
  if (!DecodeOne(cursor, after)) return BadCursorError();
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr || !pool->users.contains(sub)) return NotFound("user");
  Page<GroupRow> page;
  auto it = after ? pool->user_groups.upper_bound({sub, *after})
                  : pool->user_groups.lower_bound({sub, std::string()});
  for (; it != pool->user_groups.end() && it->first == sub; ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().name});
      break;
    }
    page.items.push_back(pool->groups.at(it->second));
  }
  return page;
}

// ---------------------------------------------------------------------------------------------
// Credentials and settings

StoreStatus MemoryStore::PutCredential(const CredentialRow& row) {
  std::lock_guard lock(mu_);
  if (!credentials_.emplace(row.access_key_id, row).second) return Conflict("access_key_id");
  return {};
}

StoreResult<CredentialRow> MemoryStore::GetCredential(const std::string& access_key_id) {
  std::lock_guard lock(mu_);
  auto it = credentials_.find(access_key_id);
  if (it == credentials_.end()) return NotFound("credential");
  return it->second;
}

StoreResult<std::vector<CredentialRow>> MemoryStore::ListCredentials() {
  std::lock_guard lock(mu_);
  std::vector<CredentialRow> out;
  out.reserve(credentials_.size());
  for (const auto& [id, row] : credentials_) out.push_back(row);
  return out;
}

StoreResult<std::string> MemoryStore::PutSettingIfAbsent(const std::string& name,
                                                         const std::string& value) {
  std::lock_guard lock(mu_);
  return settings_.emplace(name, value).first->second;
}

StoreResult<std::string> MemoryStore::GetSetting(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = settings_.find(name);
  if (it == settings_.end()) return NotFound("setting");
  return it->second;
}

// ---------------------------------------------------------------------------------------------
// Signing keys

StoreStatus MemoryStore::AddSigningKey(const SigningKeyRow& row) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.pool_id);
  if (pool == nullptr) return NotFound("pool");
  if (!signing_keys_.emplace(row.kid, row).second) return Conflict("kid");
  pool->key_ids.insert(row.kid);
  return {};
}

StoreResult<std::vector<SigningKeyRow>> MemoryStore::ListSigningKeys(const std::string& pool_id) {
  std::lock_guard lock(mu_);
  std::vector<SigningKeyRow> out;
  const PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return out;
  for (const auto& kid : pool->key_ids) out.push_back(signing_keys_.at(kid));
  // key_ids is ordered by kid, so a stable sort on created_ms leaves ties in kid order.
  std::stable_sort(out.begin(), out.end(), [](const SigningKeyRow& a, const SigningKeyRow& b) {
    return a.created_ms > b.created_ms;
  });
  return out;
}

StoreStatus MemoryStore::RetireSigningKey(const std::string& pool_id, const std::string& kid,
                                          std::int64_t retired_ms) {
  std::lock_guard lock(mu_);
  auto it = signing_keys_.find(kid);
  if (it == signing_keys_.end() || it->second.pool_id != pool_id) return NotFound("signing key");
  if (it->second.retired_ms == 0) it->second.retired_ms = retired_ms;
  return {};
}

StoreStatus MemoryStore::DeleteSigningKey(const std::string& pool_id, const std::string& kid) {
  std::lock_guard lock(mu_);
  auto it = signing_keys_.find(kid);
  if (it == signing_keys_.end() || it->second.pool_id != pool_id) return NotFound("signing key");
  signing_keys_.erase(it);
  if (PoolData* pool = FindPool(pool_id)) pool->key_ids.erase(kid);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Token families

StoreStatus MemoryStore::CreateTokenFamily(const TokenFamilyRow& row) {
  std::lock_guard lock(mu_);
  PoolData* pool = FindPool(row.pool_id);
  if (pool == nullptr) return NotFound("pool");
  TokenFamilyRow stored = row;
  stored.version = 1;
  if (!families_.emplace(row.family_id, std::move(stored)).second) return Conflict("family_id");
  pool->families.insert({row.sub, row.family_id});
  return {};
}

StoreResult<TokenFamilyRow> MemoryStore::GetTokenFamily(const std::string& family_id) {
  std::lock_guard lock(mu_);
  auto it = families_.find(family_id);
  if (it == families_.end()) return NotFound("token family");
  return it->second;
}

StoreStatus MemoryStore::UpdateTokenFamily(const TokenFamilyRow& row,
                                           std::int64_t expected_version) {
  std::lock_guard lock(mu_);
  auto it = families_.find(row.family_id);
  if (it == families_.end()) return NotFound("token family");
  TokenFamilyRow& stored = it->second;
  if (stored.version != expected_version) return Conflict("version");
  stored.refresh_hash = row.refresh_hash;
  stored.previous_refresh_hash = row.previous_refresh_hash;
  stored.previous_valid_until_ms = row.previous_valid_until_ms;
  stored.doc = row.doc;
  stored.expires_ms = row.expires_ms;
  stored.revoked_ms = row.revoked_ms;
  ++stored.version;
  return {};
}

StoreStatus MemoryStore::RevokeTokenFamily(const std::string& family_id, std::int64_t revoked_ms) {
  std::lock_guard lock(mu_);
  auto it = families_.find(family_id);
  if (it == families_.end()) return NotFound("token family");
  if (it->second.revoked_ms == 0) {
    it->second.revoked_ms = revoked_ms;
    ++it->second.version;
  }
  return {};
}

StoreResult<std::int64_t> MemoryStore::RevokeUserTokenFamilies(const std::string& pool_id,
                                                               const std::string& sub,
                                                               std::int64_t revoked_ms) {
  std::lock_guard lock(mu_);
  std::int64_t count = 0;
  PoolData* pool = FindPool(pool_id);
  if (pool == nullptr) return count;
  auto f = pool->families.lower_bound({sub, std::string()});
  for (; f != pool->families.end() && f->first == sub; ++f) {
    TokenFamilyRow& family = families_.at(f->second);
    if (family.revoked_ms != 0) continue;
    family.revoked_ms = revoked_ms;
    ++family.version;
    ++count;
  }
  return count;
}

StoreResult<std::int64_t> MemoryStore::PurgeTokenFamilies(std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  std::int64_t count = 0;
  for (auto it = families_.begin(); it != families_.end();) {
    if (it->second.expires_ms > now_ms) {
      ++it;
      continue;
    }
    if (PoolData* pool = FindPool(it->second.pool_id)) {
      pool->families.erase({it->second.sub, it->first});
    }
    it = families_.erase(it);
    ++count;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Ephemeral rows

StoreStatus MemoryStore::PutEphemeral(const EphemeralRow& row, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (FindLiveEphemeral(row.kind, row.key, now_ms) != nullptr) return Conflict("ephemeral");
  EphemeralRow stored = row;
  stored.version = 1;
  ephemeral_.insert_or_assign({row.kind, row.key}, std::move(stored));
  return {};
}

StoreResult<EphemeralRow> MemoryStore::GetEphemeral(const std::string& kind, const std::string& key,
                                                    std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  const EphemeralRow* row = FindLiveEphemeral(kind, key, now_ms);
  if (row == nullptr) return NotFound("ephemeral");
  return *row;
}

StoreStatus MemoryStore::UpdateEphemeral(const EphemeralRow& row, std::int64_t expected_version,
                                         std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  EphemeralRow* stored = FindLiveEphemeral(row.kind, row.key, now_ms);
  if (stored == nullptr) return NotFound("ephemeral");
  if (stored->version != expected_version) return Conflict("version");
  stored->doc = row.doc;
  stored->expires_ms = row.expires_ms;
  ++stored->version;
  return {};
}

StoreResult<EphemeralRow> MemoryStore::TakeEphemeral(const std::string& kind,
                                                     const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  EphemeralRow* row = FindLiveEphemeral(kind, key, now_ms);
  if (row == nullptr) return NotFound("ephemeral");
  EphemeralRow taken = std::move(*row);
  ephemeral_.erase({kind, key});
  return taken;
}

StoreResult<std::int64_t> MemoryStore::PurgeEphemeral(std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  return static_cast<std::int64_t>(std::erase_if(
      ephemeral_, [now_ms](const auto& entry) { return entry.second.expires_ms <= now_ms; }));
}

}  // namespace cognate::store
