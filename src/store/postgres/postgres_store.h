#pragma once
// Store on PostgreSQL (15+), shared by any number of nodes. A fixed pool of connections, each
// with its statements prepared once; every write is one transaction. SQLSTATE 23505 (unique
// violation) is kConflict naming the key; a lost connection is kUnavailable and is re-opened on
// its next use (a transaction's BEGIN and plain reads are retried once on a fresh connection, so
// a PostgreSQL restart costs at most the requests in flight). Schema:
// src/store/migrations/postgres/.

#include <memory>
#include <string>

#include "store/store.h"

namespace cognate::store {

class PostgresStore final : public Store {
 public:
  // `dsn` is a libpq connection string or URI (postgres://user@host:port/db). Connections open
  // lazily; at most `pool_size` at once, callers beyond that wait for a free one.
  explicit PostgresStore(std::string dsn, int pool_size = 8);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Applies pending migrations in one transaction holding a transaction-scoped advisory lock, so
  // nodes starting together apply each migration exactly once.
  StoreStatus Migrate() override;
  std::string BackendName() const override { return "postgres"; }

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
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cognate::store
