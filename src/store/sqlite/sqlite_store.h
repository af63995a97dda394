#pragma once
// Store on one SQLite file: WAL, one writer connection (writes are serialised in-process and by
// BEGIN IMMEDIATE across processes) and a small pool of reader connections that read WAL
// snapshots concurrently. Statements are prepared once per connection and cached. Foreign keys
// with ON DELETE CASCADE remove a pool's contents. Schema: src/store/migrations/sqlite/.

#include <cstdint>
#include <memory>
#include <string>

#include "store/store.h"

namespace cognate::store {

struct SqliteOptions {
  // true (default): a write acknowledged is on disk, surviving kill -9 and power loss, as at
  // PRAGMA synchronous=FULL. The writer commits at NORMAL and a durable write then waits for an
  // fdatasync of the WAL made outside the writer lock, shared by the writes waiting together, so
  // other writes go on meanwhile (docs/decisions.md). false never syncs a commit (WAL + NORMAL:
  // still safe against kill -9, not against power loss).
  // Writes of transient ephemeral rows (those that expire within a day: sign-in sessions,
  // authorization codes, hosted-page sessions, one-time markers) never wait for the disk: they
  // survive kill -9 like everything else, and the next durable write's sync covers them too.
  bool synchronous_full = true;
  // How long a statement waits for a lock held by another process before kUnavailable.
  int busy_timeout_ms = 5000;
  // Reader connections (0: every read uses the writer connection). A thread inside PinReads()
  // holds one until its pin ends, so give at least one per thread that may pin at once.
  int reader_connections = 4;
  // How long a pinned snapshot (PinReads) serves reads before the next read starts a new one.
  int pinned_snapshot_max_age_ms = 20;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path`. Failures surface as kUnavailable from
  // Migrate() and every other method. ":memory:" works with a single shared connection.
  explicit SqliteStore(std::string path, SqliteOptions opts = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Applies pending migrations in one BEGIN IMMEDIATE transaction, recording each in
  // schema_migrations; concurrent starts serialise on the write lock.
  StoreStatus Migrate() override;
  std::string BackendName() const override { return "sqlite"; }
  // Each read otherwise opens its own WAL snapshot, and when another connection has written
  // since, SQLite drops the connection's page cache: pinned, a request's later reads skip both.
  // The pin holds one reader connection until it ends, so size reader_connections to the
  // threads that may pin at once. Within one snapshot, GetPool, GetClient and GetUserBySub
  // answer a key they have already answered from memory (the same snapshot gives the same row).
  std::unique_ptr<ReadPin> PinReads() override;

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

  // Inserts `rows` in one transaction (benchmarks and tests seeding many users quickly). Same
  // checks as CreateUser; stops at the first error, inserting nothing.
  StoreStatus CreateUsersBulkForTest(const std::vector<UserRow>& rows);
  // Point reads answered from a pinned snapshot's memo so far (tests).
  std::uint64_t MemoHitsForTest() const;
  // How many times a durable write has synced the WAL (each sync may cover several writes).
  std::uint64_t WalSyncsForTest() const;

 private:
  struct Impl;
  friend class SqliteReadPin;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cognate::store
