#pragma once
// The storage interfaces that domain code needs. Every backend (memory, SQLite, PostgreSQL)
// implements the union, `Store`, and passes the one contract suite in tests/contract/.
//
// Design (docs/decisions.md, "Rows with a document"): each entity is a row with the few columns
// the store must index or constrain, plus `doc`, a JSON document the domain owns and the store
// never interprets. Every mutable row carries `version`; updates name the version they read and
// fail with kConflict when another writer got there first (optimistic concurrency, so many nodes
// on one PostgreSQL behave as one service). Methods are synchronous and may block; callers run
// them off the I/O threads. Each method is one transaction: it either happens whole or not at
// all, and once it returns success the write survives a crash of the process.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/result.hpp>

namespace cognate::store {

enum class StoreErrorCode : std::uint8_t {
  kNotFound,     // the row named does not exist
  kConflict,     // a unique key is taken, or the row's version moved on
  kUnavailable,  // the database cannot be reached or is busy; retrying may help
  kInternal,     // anything else
};

class StoreError {
 public:
  StoreError() = default;
  StoreError(StoreErrorCode code, std::string detail = {})
      : code_(code), detail_(std::move(detail)) {}
  StoreErrorCode code() const { return code_; }
  // Details for logs; may name the constraint, never a secret.
  const std::string& detail() const { return detail_; }
  bool IsNotFound() const { return code_ == StoreErrorCode::kNotFound; }
  bool IsConflict() const { return code_ == StoreErrorCode::kConflict; }

 private:
  StoreErrorCode code_ = StoreErrorCode::kInternal;
  std::string detail_;
};

template <class T>
using StoreResult = boost::system::result<T, StoreError>;
using StoreStatus = boost::system::result<void, StoreError>;

// A page of rows and the opaque cursor to continue after the last one (empty when done).
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

// ---------------------------------------------------------------------------------------------
// Rows

struct PoolRow {
  std::string id;    // "us-east-1_AbCdEfGhI"
  std::string name;  // not unique
  std::string doc;   // the domain's JSON
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t version = 0;  // set by the store: 1 on create, +1 on each update
};

struct ClientRow {
  std::string pool_id;
  std::string client_id;  // unique across all pools
  std::string name;
  std::string doc;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t version = 0;
};

// One searchable (attribute name, value) pair of a user, for ListUsers filters.
struct IndexedAttribute {
  std::string name;
  std::string value;
  bool operator==(const IndexedAttribute&) const = default;
};

struct UserRow {
  std::string pool_id;
  std::string sub;           // immutable id, unique in the pool
  std::string username;      // as the user gave it
  std::string username_key;  // unique in the pool (lower-cased when the pool is case-insensitive)
  std::string status;        // UNCONFIRMED, CONFIRMED, ...
  bool enabled = true;
  // Keys that must be unique within the pool besides username_key, e.g. "email:a@b.c" for a
  // verified email used as an alias. A clash on create/update is kConflict.
  std::vector<std::string> unique_keys;
  // Values ListUsers may filter on (username, email, phone_number, sub, status, ...).
  std::vector<IndexedAttribute> indexed;
  std::string doc;  // attributes, password hash and other domain state
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t version = 0;
};

struct GroupRow {
  std::string pool_id;
  std::string name;  // unique in the pool (case-sensitive)
  std::string doc;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t version = 0;
};

// An API caller's credential for SigV4. The secret is stored encrypted by the caller.
struct CredentialRow {
  std::string access_key_id;
  std::string encrypted_secret;
  std::string description;
  std::int64_t created_ms = 0;
};

// A pool's token-signing key. The private key (PKCS#8 PEM) is sealed with the master key's
// SecretBox by the caller; the store never sees it in the clear.
struct SigningKeyRow {
  std::string pool_id;
  std::string kid;                 // unique across all pools (RFC 7638 thumbprint)
  std::string sealed_private_key;  // bytes (SecretBox output)
  std::int64_t created_ms = 0;
  // 0 while the key may sign; set when rotated out (it still verifies until deleted).
  std::int64_t retired_ms = 0;
};

// One sign-in's tokens: every ID/access token carries the family id as `origin_jti`, and the
// refresh token names the family. Revoking the family revokes all of them on every node.
struct TokenFamilyRow {
  std::string family_id;  // unique: the origin_jti
  std::string pool_id;
  std::string client_id;
  std::string sub;
  // SHA-256 (hex) of the refresh token now valid, and of the one it replaced when refresh-token
  // rotation is on (accepted until previous_valid_until_ms, the rotation grace period).
  std::string refresh_hash;
  std::string previous_refresh_hash;
  std::int64_t previous_valid_until_ms = 0;
  std::string doc;  // the domain's JSON (auth_time, device key, scopes, ...)
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // when the refresh token expires
  std::int64_t revoked_ms = 0;  // 0 while live
  std::int64_t version = 0;     // set by the store: 1 on create, +1 on each update
};

// A short-lived record shared by every node: an authentication Session between challenges, a
// used one-time value, a rate-limit counter. Expired rows are invisible and purged lazily.
struct EphemeralRow {
  std::string kind;  // namespace, e.g. "auth_session"
  std::string key;   // unique within kind (callers pass a hash, never a secret)
  std::string pool_id;
  std::string doc;
  std::int64_t expires_ms = 0;
  std::int64_t version = 0;  // set by the store: 1 on put, +1 on each update
};

// A ListUsers query: at most one condition, as Cognito allows.
struct UserQuery {
  enum class Op : std::uint8_t { kAll, kEquals, kPrefix };
  Op op = Op::kAll;
  std::string attribute;  // an IndexedAttribute name when op != kAll
  std::string value;
  std::string cursor;  // from a previous Page::next_cursor, or empty
  int limit = 60;      // 1..60
};

// ---------------------------------------------------------------------------------------------
// Interfaces

class PoolStore {
 public:
  virtual ~PoolStore() = default;
  // Inserts `row` with version 1. kConflict if the id exists.
  virtual StoreStatus CreatePool(const PoolRow& row) = 0;
  virtual StoreResult<PoolRow> GetPool(const std::string& id) = 0;
  // Replaces name/doc/modified_ms where version == expected_version, then bumps the version.
  // kNotFound if absent, kConflict if the version moved on.
  virtual StoreStatus UpdatePool(const PoolRow& row, std::int64_t expected_version) = 0;
  // Deletes the pool and everything in it (clients, users, groups, memberships, signing keys,
  // token families, its ephemeral rows).
  virtual StoreStatus DeletePool(const std::string& id) = 0;
  // Pools ordered by id, `limit` at most, after `cursor`.
  virtual StoreResult<Page<PoolRow>> ListPools(const std::string& cursor, int limit) = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  // kNotFound if the pool does not exist; kConflict if the client id exists.
  virtual StoreStatus CreateClient(const ClientRow& row) = 0;
  // The client by id alone (unsigned operations name only the ClientId).
  virtual StoreResult<ClientRow> GetClient(const std::string& client_id) = 0;
  virtual StoreStatus UpdateClient(const ClientRow& row, std::int64_t expected_version) = 0;
  virtual StoreStatus DeleteClient(const std::string& pool_id, const std::string& client_id) = 0;
  // Clients of a pool ordered by client id.
  virtual StoreResult<Page<ClientRow>> ListClients(const std::string& pool_id,
                                                   const std::string& cursor, int limit) = 0;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // Inserts the user with its unique keys and indexed attributes in one transaction.
  // kNotFound if the pool does not exist; kConflict (detail "username", "sub" or the unique key
  // that clashed) if any key is taken.
  virtual StoreStatus CreateUser(const UserRow& row) = 0;
  virtual StoreResult<UserRow> GetUserByUsernameKey(const std::string& pool_id,
                                                    const std::string& username_key) = 0;
  virtual StoreResult<UserRow> GetUserBySub(const std::string& pool_id, const std::string& sub) = 0;
  // The user holding unique key `key` (e.g. "email:a@b.c").
  virtual StoreResult<UserRow> GetUserByUniqueKey(const std::string& pool_id,
                                                  const std::string& key) = 0;
  // Replaces every field but pool_id/sub/username_key/created_ms, re-deriving unique keys and
  // indexed attributes, where version == expected_version. kConflict on a version race
  // (detail "version") or on a clashing unique key (detail names the key).
  virtual StoreStatus UpdateUser(const UserRow& row, std::int64_t expected_version) = 0;
  // Deletes the user, its keys, indexed attributes, group memberships and token families.
  virtual StoreStatus DeleteUser(const std::string& pool_id, const std::string& sub) = 0;
  // Users matching `query`, in a stable order, resumable by cursor.
  virtual StoreResult<Page<UserRow>> ListUsers(const std::string& pool_id,
                                               const UserQuery& query) = 0;
  // Number of users in the pool (for DescribeUserPool.EstimatedNumberOfUsers).
  virtual StoreResult<std::int64_t> CountUsers(const std::string& pool_id) = 0;
};

class GroupStore {
 public:
  virtual ~GroupStore() = default;
  // kNotFound if the pool does not exist; kConflict if the name exists in the pool.
  virtual StoreStatus CreateGroup(const GroupRow& row) = 0;
  virtual StoreResult<GroupRow> GetGroup(const std::string& pool_id, const std::string& name) = 0;
  virtual StoreStatus UpdateGroup(const GroupRow& row, std::int64_t expected_version) = 0;
  // Deletes the group and its memberships.
  virtual StoreStatus DeleteGroup(const std::string& pool_id, const std::string& name) = 0;
  // Groups of a pool ordered by name.
  virtual StoreResult<Page<GroupRow>> ListGroups(const std::string& pool_id,
                                                 const std::string& cursor, int limit) = 0;
  // Idempotent. kNotFound if the group or the user does not exist.
  virtual StoreStatus AddUserToGroup(const std::string& pool_id, const std::string& group,
                                     const std::string& sub) = 0;
  // Idempotent (removing a non-member succeeds).
  virtual StoreStatus RemoveUserFromGroup(const std::string& pool_id, const std::string& group,
                                          const std::string& sub) = 0;
  // Members of a group ordered by sub.
  virtual StoreResult<Page<UserRow>> ListUsersInGroup(const std::string& pool_id,
                                                      const std::string& group,
                                                      const std::string& cursor, int limit) = 0;
  // Groups a user belongs to, ordered by name.
  virtual StoreResult<Page<GroupRow>> ListGroupsForUser(const std::string& pool_id,
                                                        const std::string& sub,
                                                        const std::string& cursor, int limit) = 0;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // kConflict if the access key id exists.
  virtual StoreStatus PutCredential(const CredentialRow& row) = 0;
  virtual StoreResult<CredentialRow> GetCredential(const std::string& access_key_id) = 0;
  virtual StoreResult<std::vector<CredentialRow>> ListCredentials() = 0;
};

// Small named values shared by every node: the wrapped data key, the pagination-token key, ...
class SettingStore {
 public:
  virtual ~SettingStore() = default;
  // Stores `value` under `name` only if absent; returns the value now stored (first writer wins,
  // so concurrent first starts of many nodes agree).
  virtual StoreResult<std::string> PutSettingIfAbsent(const std::string& name,
                                                      const std::string& value) = 0;
  virtual StoreResult<std::string> GetSetting(const std::string& name) = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // kNotFound if the pool does not exist; kConflict if the kid exists.
  virtual StoreStatus AddSigningKey(const SigningKeyRow& row) = 0;
  // The pool's keys, newest first (created_ms descending, then kid).
  virtual StoreResult<std::vector<SigningKeyRow>> ListSigningKeys(const std::string& pool_id) = 0;
  // Sets retired_ms of a key (idempotent: an already retired key keeps its first time).
  virtual StoreStatus RetireSigningKey(const std::string& pool_id, const std::string& kid,
                                       std::int64_t retired_ms) = 0;
  virtual StoreStatus DeleteSigningKey(const std::string& pool_id, const std::string& kid) = 0;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // kNotFound if the pool does not exist; kConflict if the family id exists.
  virtual StoreStatus CreateTokenFamily(const TokenFamilyRow& row) = 0;
  virtual StoreResult<TokenFamilyRow> GetTokenFamily(const std::string& family_id) = 0;
  // Replaces every field but family_id/pool_id/client_id/sub/created_ms where version ==
  // expected_version, then bumps the version. kNotFound / kConflict as for users.
  virtual StoreStatus UpdateTokenFamily(const TokenFamilyRow& row,
                                        std::int64_t expected_version) = 0;
  // Sets revoked_ms on the family if it is live (idempotent). kNotFound if absent.
  virtual StoreStatus RevokeTokenFamily(const std::string& family_id, std::int64_t revoked_ms) = 0;
  // Revokes every live family of the user (GlobalSignOut); returns how many it revoked.
  virtual StoreResult<std::int64_t> RevokeUserTokenFamilies(const std::string& pool_id,
                                                            const std::string& sub,
                                                            std::int64_t revoked_ms) = 0;
  // Deletes families whose refresh token expired before `now_ms`; returns how many.
  virtual StoreResult<std::int64_t> PurgeTokenFamilies(std::int64_t now_ms) = 0;
};

class EphemeralStore {
 public:
  virtual ~EphemeralStore() = default;
  // Inserts with version 1. kConflict if a live (unexpired at `now_ms`) row has the same
  // kind/key; an expired one is replaced.
  virtual StoreStatus PutEphemeral(const EphemeralRow& row, std::int64_t now_ms) = 0;
  // The live row, or kNotFound (absent or expired at `now_ms`).
  virtual StoreResult<EphemeralRow> GetEphemeral(const std::string& kind, const std::string& key,
                                                 std::int64_t now_ms) = 0;
  // Replaces doc/expires_ms where version == expected_version and the row is live; bumps the
  // version. kNotFound if absent or expired, kConflict if the version moved on.
  virtual StoreStatus UpdateEphemeral(const EphemeralRow& row, std::int64_t expected_version,
                                      std::int64_t now_ms) = 0;
  // Deletes the row and returns it if it was live: exactly one of many concurrent callers gets
  // it (one-time use); the others get kNotFound.
  virtual StoreResult<EphemeralRow> TakeEphemeral(const std::string& kind, const std::string& key,
                                                  std::int64_t now_ms) = 0;
  // Deletes rows expired before `now_ms`; returns how many.
  virtual StoreResult<std::int64_t> PurgeEphemeral(std::int64_t now_ms) = 0;
};

// Held while a thread's reads share a snapshot (Store::PinReads); releases it when destroyed.
class ReadPin {
 public:
  virtual ~ReadPin() = default;
};

class Store : public PoolStore,
              public ClientStore,
              public UserStore,
              public GroupStore,
              public CredentialStore,
              public SettingStore,
              public KeyStore,
              public TokenStore,
              public EphemeralStore {
 public:
  ~Store() override = default;
  // Applies pending numbered migrations. Called once at start, before any other method.
  virtual StoreStatus Migrate() = 0;
  // "memory", "sqlite" or "postgres".
  virtual std::string BackendName() const = 0;
  // Until the returned object is destroyed, reads made by the calling thread may share one
  // snapshot instead of starting a read transaction each (a request's reads; docs/decisions.md,
  // "One read snapshot per request"). A write by the same thread ends the snapshot first, so the
  // thread reads its own writes; a snapshot is also renewed once it is a few milliseconds old,
  // so a long request never reads data older than that. Backends without the cost this saves
  // return nullptr (nothing to release). Pins nest; destroy on the thread that pinned.
  virtual std::unique_ptr<ReadPin> PinReads() { return nullptr; }
};

}  // namespace cognate::store
