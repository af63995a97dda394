#pragma once
// Test support for the userpool services (included by *_test.cc only): a ServiceContext over a
// MemoryStore, and a Store wrapper that can lose write races on demand.

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "domain/messaging/message_sink.h"
#include "domain/service_context.h"
#include "store/memory/memory_store.h"

namespace cognate::domain::userpool::testing {

// Forwards every call to a MemoryStore; UpdatePool/UpdateClient first run `before_update`
// (which may change the row behind the caller's back) and fail with kConflict while
// `conflicts_left` > 0.
class RacingStore final : public store::Store {
 public:
  store::MemoryStore inner;
  int pool_conflicts_left = 0;
  int client_conflicts_left = 0;
  int pool_updates = 0;

  store::StoreStatus Migrate() override { return inner.Migrate(); }
  std::string BackendName() const override { return "racing"; }
  store::StoreStatus CreatePool(const store::PoolRow& r) override { return inner.CreatePool(r); }
  store::StoreResult<store::PoolRow> GetPool(const std::string& id) override {
    return inner.GetPool(id);
  }
  store::StoreStatus UpdatePool(const store::PoolRow& r, std::int64_t v) override {
    ++pool_updates;
    if (pool_conflicts_left > 0) {
      --pool_conflicts_left;
      return store::StoreError(store::StoreErrorCode::kConflict, "version");
    }
    return inner.UpdatePool(r, v);
  }
  store::StoreStatus DeletePool(const std::string& id) override { return inner.DeletePool(id); }
  store::StoreResult<store::Page<store::PoolRow>> ListPools(const std::string& c, int l) override {
    return inner.ListPools(c, l);
  }
  store::StoreStatus CreateClient(const store::ClientRow& r) override {
    return inner.CreateClient(r);
  }
  store::StoreResult<store::ClientRow> GetClient(const std::string& id) override {
    return inner.GetClient(id);
  }
  store::StoreStatus UpdateClient(const store::ClientRow& r, std::int64_t v) override {
    if (client_conflicts_left > 0) {
      --client_conflicts_left;
      return store::StoreError(store::StoreErrorCode::kConflict, "version");
    }
    return inner.UpdateClient(r, v);
  }
  store::StoreStatus DeleteClient(const std::string& p, const std::string& c) override {
    return inner.DeleteClient(p, c);
  }
  store::StoreResult<store::Page<store::ClientRow>> ListClients(const std::string& p,
                                                                const std::string& c,
                                                                int l) override {
    return inner.ListClients(p, c, l);
  }
  store::StoreStatus CreateUser(const store::UserRow& r) override { return inner.CreateUser(r); }
  store::StoreResult<store::UserRow> GetUserByUsernameKey(const std::string& p,
                                                          const std::string& k) override {
    return inner.GetUserByUsernameKey(p, k);
  }
  store::StoreResult<store::UserRow> GetUserBySub(const std::string& p,
                                                  const std::string& s) override {
    return inner.GetUserBySub(p, s);
  }
  store::StoreResult<store::UserRow> GetUserByUniqueKey(const std::string& p,
                                                        const std::string& k) override {
    return inner.GetUserByUniqueKey(p, k);
  }
  store::StoreStatus UpdateUser(const store::UserRow& r, std::int64_t v) override {
    return inner.UpdateUser(r, v);
  }
  store::StoreStatus DeleteUser(const std::string& p, const std::string& s) override {
    return inner.DeleteUser(p, s);
  }
  store::StoreResult<store::Page<store::UserRow>> ListUsers(const std::string& p,
                                                            const store::UserQuery& q) override {
    return inner.ListUsers(p, q);
  }
  store::StoreResult<std::int64_t> CountUsers(const std::string& p) override {
    return inner.CountUsers(p);
  }
  store::StoreStatus CreateGroup(const store::GroupRow& r) override { return inner.CreateGroup(r); }
  store::StoreResult<store::GroupRow> GetGroup(const std::string& p,
                                               const std::string& n) override {
    return inner.GetGroup(p, n);
  }
  store::StoreStatus UpdateGroup(const store::GroupRow& r, std::int64_t v) override {
    return inner.UpdateGroup(r, v);
  }
  store::StoreStatus DeleteGroup(const std::string& p, const std::string& n) override {
    return inner.DeleteGroup(p, n);
  }
  store::StoreResult<store::Page<store::GroupRow>> ListGroups(const std::string& p,
                                                              const std::string& c,
                                                              int l) override {
    return inner.ListGroups(p, c, l);
  }
  store::StoreStatus AddUserToGroup(const std::string& p, const std::string& g,
                                    const std::string& s) override {
    return inner.AddUserToGroup(p, g, s);
  }
  store::StoreStatus RemoveUserFromGroup(const std::string& p, const std::string& g,
                                         const std::string& s) override {
    return inner.RemoveUserFromGroup(p, g, s);
  }
  store::StoreResult<store::Page<store::UserRow>> ListUsersInGroup(const std::string& p,
                                                                   const std::string& g,
                                                                   const std::string& c,
                                                                   int l) override {
    return inner.ListUsersInGroup(p, g, c, l);
  }
  store::StoreResult<store::Page<store::GroupRow>> ListGroupsForUser(const std::string& p,
                                                                     const std::string& s,
                                                                     const std::string& c,
                                                                     int l) override {
    return inner.ListGroupsForUser(p, s, c, l);
  }
  store::StoreStatus PutCredential(const store::CredentialRow& r) override {
    return inner.PutCredential(r);
  }
  store::StoreResult<store::CredentialRow> GetCredential(const std::string& k) override {
    return inner.GetCredential(k);
  }
  store::StoreResult<std::vector<store::CredentialRow>> ListCredentials() override {
    return inner.ListCredentials();
  }
  store::StoreResult<std::string> PutSettingIfAbsent(const std::string& n,
                                                     const std::string& v) override {
    return inner.PutSettingIfAbsent(n, v);
  }
  store::StoreResult<std::string> GetSetting(const std::string& n) override {
    return inner.GetSetting(n);
  }
  store::StoreStatus AddSigningKey(const store::SigningKeyRow& r) override {
    return inner.AddSigningKey(r);
  }
  store::StoreResult<std::vector<store::SigningKeyRow>> ListSigningKeys(
      const std::string& p) override {
    return inner.ListSigningKeys(p);
  }
  store::StoreStatus RetireSigningKey(const std::string& p, const std::string& k,
                                      std::int64_t t) override {
    return inner.RetireSigningKey(p, k, t);
  }
  store::StoreStatus DeleteSigningKey(const std::string& p, const std::string& k) override {
    return inner.DeleteSigningKey(p, k);
  }
  store::StoreStatus CreateTokenFamily(const store::TokenFamilyRow& r) override {
    return inner.CreateTokenFamily(r);
  }
  store::StoreResult<store::TokenFamilyRow> GetTokenFamily(const std::string& id) override {
    return inner.GetTokenFamily(id);
  }
  store::StoreStatus UpdateTokenFamily(const store::TokenFamilyRow& r, std::int64_t v) override {
    return inner.UpdateTokenFamily(r, v);
  }
  store::StoreStatus RevokeTokenFamily(const std::string& id, std::int64_t t) override {
    return inner.RevokeTokenFamily(id, t);
  }
  store::StoreResult<std::int64_t> RevokeUserTokenFamilies(const std::string& p,
                                                           const std::string& s,
                                                           std::int64_t t) override {
    return inner.RevokeUserTokenFamilies(p, s, t);
  }
  store::StoreResult<std::int64_t> PurgeTokenFamilies(std::int64_t now) override {
    return inner.PurgeTokenFamilies(now);
  }
  store::StoreStatus PutEphemeral(const store::EphemeralRow& r, std::int64_t now) override {
    return inner.PutEphemeral(r, now);
  }
  store::StoreResult<store::EphemeralRow> GetEphemeral(const std::string& k, const std::string& key,
                                                       std::int64_t now) override {
    return inner.GetEphemeral(k, key, now);
  }
  store::StoreStatus UpdateEphemeral(const store::EphemeralRow& r, std::int64_t v,
                                     std::int64_t now) override {
    return inner.UpdateEphemeral(r, v, now);
  }
  store::StoreResult<store::EphemeralRow> TakeEphemeral(const std::string& k,
                                                        const std::string& key,
                                                        std::int64_t now) override {
    return inner.TakeEphemeral(k, key, now);
  }
  store::StoreResult<std::int64_t> PurgeEphemeral(std::int64_t now) override {
    return inner.PurgeEphemeral(now);
  }
};

// Everything a service needs, over a RacingStore (which behaves as a MemoryStore until told
// otherwise).
struct TestContext {
  RacingStore store;
  FakeClock clock;
  crypto::SecretBox box{std::string(crypto::SecretBox::kKeySize, 'k')};
  RecordingMessageSink sink;
  ServiceContext ctx{store, clock, box, sink, DeploymentConfig{}};
};

}  // namespace cognate::domain::userpool::testing
