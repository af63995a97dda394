#pragma once
// The complete in-memory Store: every method with the same semantics as the SQL backends (the
// contract suite in tests/contract/ proves it). Thread-safe: one mutex guards all state. Nothing
// survives the process; for tests and `--store memory`.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "store/store.h"

namespace cognate::store {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  // Nothing to migrate; always succeeds.
  StoreStatus Migrate() override { return {}; }
  std::string BackendName() const override { return "memory"; }

  StoreStatus CreatePool(const PoolRow& row) override;
  StoreResult<PoolRow> GetPool(const std::string& id) override;
  StoreStatus UpdatePool(const PoolRow& row, std::int64_t expected_version) override;
  StoreStatus DeletePool(const std::string& id) override;
  StoreResult<Page<PoolRow>> ListPools(const std::string& cursor, int limit) override;

  StoreStatus CreateClient(const ClientRow& row) override;
  StoreResult<ClientRow> GetClient(const std::string& client_id) override;
  StoreStatus UpdateClient(const ClientRow& row, std::int64_t expected_version) override;
  StoreStatus DeleteClient(const std::string& pool_id, const std::string& client_id) override;
  StoreResult<Page<ClientRow>> ListClients(const std::string& pool_id, const std::string& cursor,
                                           int limit) override;

  StoreStatus CreateUser(const UserRow& row) override;
  StoreResult<UserRow> GetUserByUsernameKey(const std::string& pool_id,
                                            const std::string& username_key) override;
  StoreResult<UserRow> GetUserBySub(const std::string& pool_id, const std::string& sub) override;
  StoreResult<UserRow> GetUserByUniqueKey(const std::string& pool_id,
                                          const std::string& key) override;
  StoreStatus UpdateUser(const UserRow& row, std::int64_t expected_version) override;
  StoreStatus DeleteUser(const std::string& pool_id, const std::string& sub) override;
  StoreResult<Page<UserRow>> ListUsers(const std::string& pool_id, const UserQuery& query) override;
  StoreResult<std::int64_t> CountUsers(const std::string& pool_id) override;

  StoreStatus CreateGroup(const GroupRow& row) override;
  StoreResult<GroupRow> GetGroup(const std::string& pool_id, const std::string& name) override;
  StoreStatus UpdateGroup(const GroupRow& row, std::int64_t expected_version) override;
  StoreStatus DeleteGroup(const std::string& pool_id, const std::string& name) override;
  StoreResult<Page<GroupRow>> ListGroups(const std::string& pool_id, const std::string& cursor,
                                         int limit) override;
  StoreStatus AddUserToGroup(const std::string& pool_id, const std::string& group,
                             const std::string& sub) override;
  StoreStatus RemoveUserFromGroup(const std::string& pool_id, const std::string& group,
                                  const std::string& sub) override;
  StoreResult<Page<UserRow>> ListUsersInGroup(const std::string& pool_id, const std::string& group,
                                              const std::string& cursor, int limit) override;
  StoreResult<Page<GroupRow>> ListGroupsForUser(const std::string& pool_id, const std::string& sub,
                                                const std::string& cursor, int limit) override;

  StoreStatus PutCredential(const CredentialRow& row) override;
  StoreResult<CredentialRow> GetCredential(const std::string& access_key_id) override;
  StoreResult<std::vector<CredentialRow>> ListCredentials() override;

  StoreResult<std::string> PutSettingIfAbsent(const std::string& name,
                                              const std::string& value) override;
  StoreResult<std::string> GetSetting(const std::string& name) override;

  StoreStatus AddSigningKey(const SigningKeyRow& row) override;
  StoreResult<std::vector<SigningKeyRow>> ListSigningKeys(const std::string& pool_id) override;
  StoreStatus RetireSigningKey(const std::string& pool_id, const std::string& kid,
                               std::int64_t retired_ms) override;
  StoreStatus DeleteSigningKey(const std::string& pool_id, const std::string& kid) override;

  StoreStatus CreateTokenFamily(const TokenFamilyRow& row) override;
  StoreResult<TokenFamilyRow> GetTokenFamily(const std::string& family_id) override;
  StoreStatus UpdateTokenFamily(const TokenFamilyRow& row, std::int64_t expected_version) override;
  StoreStatus RevokeTokenFamily(const std::string& family_id, std::int64_t revoked_ms) override;
  StoreResult<std::int64_t> RevokeUserTokenFamilies(const std::string& pool_id,
                                                    const std::string& sub,
                                                    std::int64_t revoked_ms) override;
  StoreResult<std::int64_t> PurgeTokenFamilies(std::int64_t now_ms) override;

  StoreStatus PutEphemeral(const EphemeralRow& row, std::int64_t now_ms) override;
  StoreResult<EphemeralRow> GetEphemeral(const std::string& kind, const std::string& key,
                                         std::int64_t now_ms) override;
  StoreStatus UpdateEphemeral(const EphemeralRow& row, std::int64_t expected_version,
                              std::int64_t now_ms) override;
  StoreResult<EphemeralRow> TakeEphemeral(const std::string& kind, const std::string& key,
                                          std::int64_t now_ms) override;
  StoreResult<std::int64_t> PurgeEphemeral(std::int64_t now_ms) override;

 private:
  // Everything that lives inside one pool, so DeletePool is one erase.
  struct PoolData {
    PoolRow row;
    std::set<std::string> client_ids;
    std::map<std::string, UserRow> users;                               // by sub
    std::map<std::string, std::string> by_username;                     // username_key -> sub
    std::map<std::string, std::string> by_unique_key;                   // unique key -> sub
    std::set<std::tuple<std::string, std::string, std::string>> attrs;  // (name, value, sub)
    std::map<std::string, GroupRow> groups;                             // by name
    std::set<std::pair<std::string, std::string>> members;              // (group, sub)
    std::set<std::pair<std::string, std::string>> user_groups;          // (sub, group)
    std::set<std::string> key_ids;                                      // kids of signing_keys_
    std::set<std::pair<std::string, std::string>> families;             // (sub, family id)
  };

  PoolData* FindPool(const std::string& id);
  // Removes the user's unique keys and indexed attributes from the pool's indexes.
  static void UnindexUser(PoolData& pool, const UserRow& user);
  static void IndexUser(PoolData& pool, const UserRow& user);
  // Erases the user's token families (DeleteUser) or every family of the pool (sub nullopt).
  void EraseFamilies(PoolData& pool, const std::optional<std::string>& sub);
  // The live ephemeral row at (kind, key), erasing it when expired; nullptr when none.
  EphemeralRow* FindLiveEphemeral(const std::string& kind, const std::string& key,
                                  std::int64_t now_ms);

  std::mutex mu_;
  std::map<std::string, PoolData> pools_;
  std::map<std::string, ClientRow> clients_;
  std::map<std::string, CredentialRow> credentials_;
  std::map<std::string, std::string> settings_;
  std::map<std::string, SigningKeyRow> signing_keys_;                      // by kid
  std::map<std::string, TokenFamilyRow> families_;                         // by family id
  std::map<std::pair<std::string, std::string>, EphemeralRow> ephemeral_;  // by (kind, key)
};

}  // namespace cognate::store
