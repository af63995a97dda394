#pragma once
// Lasting per-pool records kept in the ephemeral table with an expiry far in the future: user-pool
// domains (a globally unique name), UI customizations and managed-login branding styles. The
// ephemeral table gives what these need without a new table: a unique (kind, key), a pool column
// so that deleting the pool deletes them, optimistic versions, and rows any size the doc allows.
// See docs/decisions.md "Domains and branding in the ephemeral table".

#include <optional>
#include <string>

#include "common/error.h"
#include "domain/service_context.h"
#include "store/store.h"

namespace cognate::domain::userpool {

// 9999-12-31: "never expires".
inline constexpr std::int64_t kRecordNeverExpires = 253'402'300'799'000;

// The record, nullopt when absent. InternalErrorException on a store failure.
Result<std::optional<store::EphemeralRow>> GetRecord(ServiceContext& ctx, const std::string& kind,
                                                     const std::string& key);
// Inserts the record. false when (kind, key) is taken; InternalErrorException on a store failure.
Result<bool> InsertRecord(ServiceContext& ctx, const std::string& kind, const std::string& key,
                          const std::string& pool_id, const std::string& doc);
// Inserts or replaces the record (retrying lost races).
Result<void> PutRecord(ServiceContext& ctx, const std::string& kind, const std::string& key,
                       const std::string& pool_id, const std::string& doc);
// Deletes the record (absent is fine).
Result<void> DeleteRecord(ServiceContext& ctx, const std::string& kind, const std::string& key);

}  // namespace cognate::domain::userpool
