#include "domain/userpool/pool_repository.h"

#include <memory>
#include <string>

#include "common/derived_cache.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"

namespace cognate::domain::userpool {
namespace {

constexpr std::string_view kAlnum =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kLowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz";

ApiError PoolNotFound(const std::string& pool_id) {
  return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
}

ApiError ClientNotFound(const std::string& client_id) {
  return ApiError::ResourceNotFound("User pool client " + client_id + " does not exist.");
}

std::string SecretAad(const std::string& client_id) { return "client-secret:" + client_id; }

}  // namespace

ApiError StoreFailure(const store::StoreError& error) {
  if (error.IsConflict()) {
    return ApiError(ErrorCode::kConcurrentModification,
                    "The resource was modified by another request. Retry the request.",
                    error.detail());
  }
  return ApiError::Internal("store: " + error.detail());
}

Result<store::PoolRow> LoadPool(ServiceContext& ctx, const std::string& pool_id) {
  auto row = ctx.store.GetPool(pool_id);
  if (row) return std::move(*row);
  if (row.error().IsNotFound()) return PoolNotFound(pool_id);
  return StoreFailure(row.error());
}

Result<store::ClientRow> LoadClientById(ServiceContext& ctx, const std::string& client_id) {
  auto row = ctx.store.GetClient(client_id);
  if (row) return std::move(*row);
  if (row.error().IsNotFound()) return ClientNotFound(client_id);
  return StoreFailure(row.error());
}

Result<store::ClientRow> LoadClient(ServiceContext& ctx, const std::string& pool_id,
                                    const std::string& client_id) {
  auto row = ctx.store.GetClient(client_id);
  if (row && row->pool_id == pool_id) return std::move(*row);
  if (!row && !row.error().IsNotFound()) return StoreFailure(row.error());
  // Missing (or in another pool): name the pool when it is the pool that is missing.
  auto pool = LoadPool(ctx, pool_id);
  if (!pool) return pool.error();
  return ClientNotFound(client_id);
}

Result<nlohmann::json> ParseDoc(const std::string& doc) {
  auto parsed = ParseJson(doc);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return ApiError::Internal("stored document is not a JSON object");
  }
  return parsed;
}

Result<std::optional<std::string>> OpenClientSecret(ServiceContext& ctx,
                                                    const store::ClientRow& row) {
  auto doc = ParseDoc(row.doc);
  if (!doc) return doc.error();
  return OpenClientSecret(ctx, row, *doc);
}

Result<std::optional<std::string>> OpenClientSecret(ServiceContext& ctx,
                                                    const store::ClientRow& row,
                                                    const nlohmann::json& doc) {
  auto it = doc.find(kSealedSecretMember);
  if (it == doc.end() || !it->is_string()) return std::optional<std::string>();
  auto sealed = crypto::Base64Decode(it->get<std::string>());
  if (!sealed) return ApiError::Internal("client secret is not valid base64");
  auto plain = ctx.secret_box.Open(*sealed, SecretAad(row.client_id));
  if (!plain) return ApiError::Internal("client secret does not open with the master key");
  return std::optional<std::string>(std::move(*plain));
}

std::string SealClientSecret(ServiceContext& ctx, const std::string& client_id,
                             const std::string& secret) {
  return crypto::Base64Encode(ctx.secret_box.Seal(secret, SecretAad(client_id)));
}

std::string NewPoolId(const std::string& region) {
  return region + "_" + crypto::RandomString(9, kAlnum);
}

std::string NewClientId() { return crypto::RandomString(26, kLowerAlnum); }

std::string NewClientSecret() { return crypto::RandomString(51, kLowerAlnum); }

std::string PoolArn(const DeploymentConfig& config, const std::string& pool_id) {
  return "arn:aws:cognito-idp:" + config.region + ":" + config.account_id + ":userpool/" + pool_id;
}

nlohmann::json EpochSeconds(std::int64_t millis) {
  if (millis % 1000 == 0) return millis / 1000;
  return static_cast<double>(millis) / 1000.0;
}

Result<std::shared_ptr<const nlohmann::json>> ClientDoc(const store::ClientRow& row) {
  static DerivedCache<nlohmann::json> cache;
  const std::string stamp = row.pool_id + "\n" + row.doc;
  if (auto hit = cache.Find(row.client_id, stamp)) return hit;
  auto doc = ParseDoc(row.doc);
  if (!doc) return doc.error();
  return cache.Put(row.client_id, stamp, std::move(*doc));
}

}  // namespace cognate::domain::userpool
