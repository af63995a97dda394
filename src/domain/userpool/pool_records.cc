#include "domain/userpool/pool_records.h"

#include "domain/userpool/pool_repository.h"

namespace cognate::domain::userpool {

Result<std::optional<store::EphemeralRow>> GetRecord(ServiceContext& ctx, const std::string& kind,
                                                     const std::string& key) {
  auto row = ctx.store.GetEphemeral(kind, key, ctx.clock.NowMillis());
  if (row) return std::optional<store::EphemeralRow>(std::move(*row));
  if (row.error().IsNotFound()) return std::optional<store::EphemeralRow>();
  return StoreFailure(row.error());
}

Result<bool> InsertRecord(ServiceContext& ctx, const std::string& kind, const std::string& key,
                          const std::string& pool_id, const std::string& doc) {
  store::EphemeralRow row;
  row.kind = kind;
  row.key = key;
  row.pool_id = pool_id;
  row.doc = doc;
  row.expires_ms = kRecordNeverExpires;
  auto put = ctx.store.PutEphemeral(row, ctx.clock.NowMillis());
  if (put) return true;
  if (put.error().IsConflict()) return false;
  if (put.error().IsNotFound()) {
    return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
  }
  return StoreFailure(put.error());
}

Result<void> PutRecord(ServiceContext& ctx, const std::string& kind, const std::string& key,
                       const std::string& pool_id, const std::string& doc) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto existing = GetRecord(ctx, kind, key);
    if (!existing) return existing.error();
    if (!*existing) {
      auto inserted = InsertRecord(ctx, kind, key, pool_id, doc);
      if (!inserted) return inserted.error();
      if (*inserted) return {};
      continue;
    }
    store::EphemeralRow next = **existing;
    next.pool_id = pool_id;
    next.doc = doc;
    next.expires_ms = kRecordNeverExpires;
    auto updated = ctx.store.UpdateEphemeral(next, (*existing)->version, ctx.clock.NowMillis());
    if (updated) return {};
    if (!updated.error().IsConflict() && !updated.error().IsNotFound()) {
      return StoreFailure(updated.error());
    }
  }
  return ApiError(ErrorCode::kConcurrentModification, "Concurrent modification.");
}

Result<void> DeleteRecord(ServiceContext& ctx, const std::string& kind, const std::string& key) {
  auto taken = ctx.store.TakeEphemeral(kind, key, ctx.clock.NowMillis());
  if (taken || taken.error().IsNotFound()) return {};
  return StoreFailure(taken.error());
}

}  // namespace cognate::domain::userpool
