#pragma once
// The signing keys of every user pool, parsed once and cached in memory.
//
// Keys live in the KeyStore (private PEM sealed with ctx.secret_box, aad
// "signing-key:<pool>:<kid>"). A pool gets an RSA-2048 key on first use; two nodes creating one
// at the same moment just leave two keys, and every node signs with the newest live one (created
// first, then kid). A cached pool is re-read from the store when it is older than kMaxAge (so a
// rotation or deletion on another node is seen within a minute) and, rate-limited, when a token
// names a kid this node does not know yet. Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "crypto/jwt.h"
#include "domain/service_context.h"

namespace cognate::domain::tokens {

// InternalErrorException "<what>: <store detail>" for a store failure the caller cannot handle.
ApiError StoreInternal(std::string_view what, const store::StoreError& e);

// One pool's keys as of one read of the store. Immutable once built.
struct PoolKeys {
  std::string pool_id;
  std::string issuer;                                       // "<public_url>/<pool id>"
  std::shared_ptr<const crypto::JwtSigner> signer;          // newest live key; null if none
  crypto::JwtVerifier verifier;                             // every key not deleted
  std::vector<crypto::Jwk> jwks;                            // newest first
  std::map<std::string, crypto::RsaKey, std::less<>> keys;  // kid -> parsed key
  std::int64_t loaded_ms = 0;
};

class KeyRing {
 public:
  static constexpr std::int64_t kMaxAgeMs = 60'000;          // cache staleness bound
  static constexpr std::int64_t kUnknownKidRetryMs = 1'000;  // per pool
  static constexpr int kUnknownKidReloadsPerSecond = 20;     // all pools together

  explicit KeyRing(ServiceContext& ctx) : ctx_(ctx) {}

  // The pool's keys with a signer, creating the pool's first key when it has no live one.
  // The pool must exist (callers check); a store failure is InternalErrorException.
  Result<std::shared_ptr<const PoolKeys>> ForSigning(const std::string& pool_id);

  // The cached keys holding the token header `header_b64` (our exact header) or `kid`, or null.
  // Refreshes a stale entry (without blocking when another thread already does).
  std::shared_ptr<const PoolKeys> FindByHeader(std::string_view header_b64);
  std::shared_ptr<const PoolKeys> FindByKid(std::string_view kid);

  // Re-reads `pool_id` after a token named an unknown kid, at most once per kUnknownKidRetryMs
  // per pool (and kUnknownKidReloadsPerSecond overall). Null when not re-read or the pool has no
  // keys.
  std::shared_ptr<const PoolKeys> ReloadForUnknownKid(const std::string& pool_id);

  // Adds a new key that signs from now on and retires the live ones. Returns the new kid.
  Result<std::string> Rotate(const std::string& pool_id);
  // Deletes keys retired at or before now - older_than_s; returns how many.
  Result<int> DeleteRetired(const std::string& pool_id, std::int64_t older_than_s);

  // The associated data sealing a key's private PEM.
  static std::string Aad(const std::string& pool_id, const std::string& kid);

 private:
  std::shared_ptr<const PoolKeys> Cached(std::string_view pool_id) const;
  std::shared_ptr<const PoolKeys> Fresh(std::shared_ptr<const PoolKeys> entry);
  // Reads the pool's keys (reusing parsed ones of `old`); call with load_mu_ held.
  Result<std::shared_ptr<const PoolKeys>> LoadLocked(const std::string& pool_id,
                                                     const PoolKeys* old);
  Result<std::string> CreateKeyLocked(const std::string& pool_id, std::int64_t min_created_ms);
  void Install(const std::shared_ptr<const PoolKeys>& entry);

  ServiceContext& ctx_;
  mutable std::shared_mutex mu_;  // guards the maps below
  std::unordered_map<std::string, std::shared_ptr<const PoolKeys>> by_pool_;
  std::map<std::string, std::shared_ptr<const PoolKeys>, std::less<>> by_kid_;
  std::map<std::string, std::shared_ptr<const PoolKeys>, std::less<>> by_header_;

  std::mutex load_mu_;  // one store read / key creation at a time in this process
  std::mutex retry_mu_;
  std::unordered_map<std::string, std::int64_t> last_retry_ms_;
  std::int64_t retry_window_s_ = 0;
  int retries_in_window_ = 0;
};

}  // namespace cognate::domain::tokens
