#include "domain/tokens/key_ring.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::tokens {
namespace {

// The header JwtSigner writes for `kid`, base64url: how our own tokens are recognised without a
// JSON parse.
std::string HeaderB64(const std::string& kid) {
  return crypto::Base64UrlEncode(R"({"kid":)" + nlohmann::json(kid).dump() + R"(,"alg":"RS256"})");
}

}  // namespace

ApiError StoreInternal(std::string_view what, const store::StoreError& e) {
  return ApiError::Internal(std::string(what) + ": " + e.detail());
}

std::string KeyRing::Aad(const std::string& pool_id, const std::string& kid) {
  return "signing-key:" + pool_id + ":" + kid;
}

std::shared_ptr<const PoolKeys> KeyRing::Cached(std::string_view pool_id) const {
  std::shared_lock lock(mu_);
  auto it = by_pool_.find(std::string(pool_id));
  return it == by_pool_.end() ? nullptr : it->second;
}

std::shared_ptr<const PoolKeys> KeyRing::Fresh(std::shared_ptr<const PoolKeys> entry) {
  if (!entry || ctx_.clock.NowMillis() - entry->loaded_ms < kMaxAgeMs) return entry;
  std::unique_lock load(load_mu_, std::try_to_lock);
  if (!load.owns_lock()) return entry;  // another thread is reading the store: use what we have
  auto current = Cached(entry->pool_id);
  if (current && ctx_.clock.NowMillis() - current->loaded_ms < kMaxAgeMs) return current;
  auto loaded = LoadLocked(entry->pool_id, current ? current.get() : entry.get());
  if (!loaded) return entry;  // the store is unavailable: keep verifying with the cached keys
  Install(*loaded);
  return *loaded;
}

std::shared_ptr<const PoolKeys> KeyRing::FindByHeader(std::string_view header_b64) {
  std::shared_ptr<const PoolKeys> entry;
  {
    std::shared_lock lock(mu_);
    auto it = by_header_.find(header_b64);
    if (it == by_header_.end()) return nullptr;
    entry = it->second;
  }
  return Fresh(std::move(entry));
}

std::shared_ptr<const PoolKeys> KeyRing::FindByKid(std::string_view kid) {
  std::shared_ptr<const PoolKeys> entry;
  {
    std::shared_lock lock(mu_);
    auto it = by_kid_.find(kid);
    if (it == by_kid_.end()) return nullptr;
    entry = it->second;
  }
  return Fresh(std::move(entry));
}

Result<std::shared_ptr<const PoolKeys>> KeyRing::ForSigning(const std::string& pool_id) {
  auto usable = [this](const std::shared_ptr<const PoolKeys>& e) {
    return e && e->signer && ctx_.clock.NowMillis() - e->loaded_ms < kMaxAgeMs;
  };
  if (auto entry = Cached(pool_id); usable(entry)) return entry;
  std::lock_guard load(load_mu_);
  auto current = Cached(pool_id);
  if (usable(current)) return current;
  auto loaded = LoadLocked(pool_id, current.get());
  if (!loaded) return loaded.error();
  if (!(*loaded)->signer) {
    auto created = CreateKeyLocked(pool_id, 0);
    if (!created) return created.error();
    loaded = LoadLocked(pool_id, loaded->get());
    if (!loaded) return loaded.error();
    if (!(*loaded)->signer) return ApiError::Internal("no signing key after creating one");
  }
  Install(*loaded);
  return *loaded;
}

std::shared_ptr<const PoolKeys> KeyRing::ReloadForUnknownKid(const std::string& pool_id) {
  const std::int64_t now = ctx_.clock.NowMillis();
  {
    std::lock_guard lock(retry_mu_);
    if (now / 1000 != retry_window_s_) {
      retry_window_s_ = now / 1000;
      retries_in_window_ = 0;
    }
    if (retries_in_window_ >= kUnknownKidReloadsPerSecond) return nullptr;
    auto it = last_retry_ms_.find(pool_id);
    if (it != last_retry_ms_.end() && now - it->second < kUnknownKidRetryMs) return nullptr;
    if (last_retry_ms_.size() > 10'000) last_retry_ms_.clear();
    last_retry_ms_[pool_id] = now;
    ++retries_in_window_;
  }
  std::lock_guard load(load_mu_);
  auto current = Cached(pool_id);
  auto loaded = LoadLocked(pool_id, current.get());
  if (!loaded || (*loaded)->keys.empty()) return nullptr;
  Install(*loaded);
  return *loaded;
}

Result<std::shared_ptr<const PoolKeys>> KeyRing::LoadLocked(const std::string& pool_id,
                                                            const PoolKeys* old) {
  auto rows = ctx_.store.ListSigningKeys(pool_id);
  if (!rows) return StoreInternal("list signing keys", rows.error());
  auto entry = std::make_shared<PoolKeys>();
  entry->pool_id = pool_id;
  entry->issuer = ctx_.config.public_url + "/" + pool_id;
  entry->loaded_ms = ctx_.clock.NowMillis();
  for (const auto& row : *rows) {
    std::optional<crypto::RsaKey> key;
    if (old != nullptr) {
      if (auto it = old->keys.find(row.kid); it != old->keys.end()) key = it->second;
    }
    if (!key) {
      auto pem = ctx_.secret_box.Open(row.sealed_private_key, Aad(pool_id, row.kid));
      if (!pem) return ApiError::Internal("signing key " + row.kid + " does not open");
      key = crypto::RsaKey::FromPrivatePem(*pem);
      if (!key) return ApiError::Internal("signing key " + row.kid + " does not parse");
    }
    entry->verifier.AddKey(row.kid, *key);
    entry->jwks.push_back(key->ToJwk(row.kid));
    if (!entry->signer && row.retired_ms == 0) {
      if (auto signer = crypto::JwtSigner::Create(*key, row.kid)) {
        entry->signer = std::make_shared<const crypto::JwtSigner>(std::move(*signer));
      }
    }
    entry->keys.emplace(row.kid, std::move(*key));
  }
  return std::shared_ptr<const PoolKeys>(std::move(entry));
}

Result<std::string> KeyRing::CreateKeyLocked(const std::string& pool_id,
                                             std::int64_t min_created_ms) {
  auto key = crypto::RsaKey::Generate(2048);
  if (!key) return ApiError::Internal("RSA key generation failed");
  store::SigningKeyRow row;
  row.pool_id = pool_id;
  row.kid = key->Thumbprint();
  row.sealed_private_key = ctx_.secret_box.Seal(key->PrivatePem(), Aad(pool_id, row.kid));
  row.created_ms = std::max(ctx_.clock.NowMillis(), min_created_ms);
  auto added = ctx_.store.AddSigningKey(row);
  if (!added) {
    if (added.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
    }
    return StoreInternal("add signing key", added.error());
  }
  return row.kid;
}

void KeyRing::Install(const std::shared_ptr<const PoolKeys>& entry) {
  std::unique_lock lock(mu_);
  if (auto it = by_pool_.find(entry->pool_id); it != by_pool_.end()) {
    for (const auto& [kid, key] : it->second->keys) {
      by_kid_.erase(kid);
      by_header_.erase(HeaderB64(kid));
    }
  }
  if (entry->keys.empty()) {
    by_pool_.erase(entry->pool_id);
    return;
  }
  by_pool_[entry->pool_id] = entry;
  for (const auto& [kid, key] : entry->keys) {
    by_kid_[kid] = entry;
    by_header_[HeaderB64(kid)] = entry;
  }
}

Result<std::string> KeyRing::Rotate(const std::string& pool_id) {
  std::lock_guard load(load_mu_);
  auto rows = ctx_.store.ListSigningKeys(pool_id);
  if (!rows) return StoreInternal("list signing keys", rows.error());
  std::int64_t newest = 0;
  for (const auto& r : *rows) newest = std::max(newest, r.created_ms);
  auto kid = CreateKeyLocked(pool_id, newest + 1);
  if (!kid) return kid.error();
  const std::int64_t now = ctx_.clock.NowMillis();
  for (const auto& r : *rows) {
    if (r.retired_ms != 0) continue;
    auto retired = ctx_.store.RetireSigningKey(pool_id, r.kid, now);
    if (!retired && !retired.error().IsNotFound()) {
      return StoreInternal("retire signing key", retired.error());
    }
  }
  auto current = Cached(pool_id);
  auto loaded = LoadLocked(pool_id, current.get());
  if (!loaded) return loaded.error();
  Install(*loaded);
  return *kid;
}

Result<int> KeyRing::DeleteRetired(const std::string& pool_id, std::int64_t older_than_s) {
  std::lock_guard load(load_mu_);
  auto rows = ctx_.store.ListSigningKeys(pool_id);
  if (!rows) return StoreInternal("list signing keys", rows.error());
  const std::int64_t cutoff =
      ctx_.clock.NowMillis() - std::max<std::int64_t>(older_than_s, 0) * 1000;
  int deleted = 0;
  for (const auto& r : *rows) {
    if (r.retired_ms == 0 || r.retired_ms > cutoff) continue;
    auto d = ctx_.store.DeleteSigningKey(pool_id, r.kid);
    if (!d && !d.error().IsNotFound()) return StoreInternal("delete signing key", d.error());
    if (d) ++deleted;
  }
  auto current = Cached(pool_id);
  auto loaded = LoadLocked(pool_id, current.get());
  if (!loaded) return loaded.error();
  Install(*loaded);
  return deleted;
}

}  // namespace cognate::domain::tokens
