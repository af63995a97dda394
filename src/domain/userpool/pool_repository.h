#pragma once
// Reading pools and app clients, for every domain service (users, auth, groups, ...).
//
// Documents (docs/decisions.md "Rows with a document"):
// - PoolRow::doc is the API model's UserPoolType JSON exactly as DescribeUserPool returns it, with
//   every default filled in at create, minus EstimatedNumberOfUsers (computed on describe).
//   Members outside the model that other services keep in the doc start with '_'.
// - ClientRow::doc is UserPoolClientType JSON without ClientSecret; a secret, when the client
//   has one, is sealed with ctx.secret_box (aad "client-secret:<clientId>") and kept base64 in
//   the member kSealedSecretMember. Use OpenClientSecret to read it.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"
#include "store/store.h"

namespace cognate::domain::userpool {

inline constexpr std::string_view kSealedSecretMember = "_SealedClientSecret";

// The pool, or ResourceNotFoundException "User pool <id> does not exist.".
Result<store::PoolRow> LoadPool(ServiceContext& ctx, const std::string& pool_id);

// The client `client_id` of pool `pool_id`. ResourceNotFoundException "User pool <id> does not
// exist." when the pool is missing, "User pool client <id> does not exist." when the client is
// missing or belongs to another pool.
Result<store::ClientRow> LoadClient(ServiceContext& ctx, const std::string& pool_id,
                                    const std::string& client_id);

// The client by id alone (unsigned operations name only the ClientId).
// ResourceNotFoundException "User pool client <id> does not exist." when missing.
Result<store::ClientRow> LoadClientById(ServiceContext& ctx, const std::string& client_id);

// The parsed document of a row. InternalErrorException when it is not a JSON object.
Result<nlohmann::json> ParseDoc(const std::string& doc);

// The client's secret in plain text, nullopt when the client has none. InternalErrorException
// when the sealed value does not open (wrong master key or a document moved between rows).
Result<std::optional<std::string>> OpenClientSecret(ServiceContext& ctx,
                                                    const store::ClientRow& row);
// The same with the row's document already parsed.
Result<std::optional<std::string>> OpenClientSecret(ServiceContext& ctx,
                                                    const store::ClientRow& row,
                                                    const nlohmann::json& doc);

// The parsed document of a client row, shared and reused while the row's text is unchanged
// (token issuing reads it on every refresh).
Result<std::shared_ptr<const nlohmann::json>> ClientDoc(const store::ClientRow& row);

// Seals `secret` for the client `client_id` (the value of kSealedSecretMember).
std::string SealClientSecret(ServiceContext& ctx, const std::string& client_id,
                             const std::string& secret);

// The ApiError for a store failure that the caller has no specific meaning for: kConflict is
// ConcurrentModificationException, anything else InternalErrorException (details logged only).
ApiError StoreFailure(const store::StoreError& error);

// New identifiers in Cognito's formats.
// "<region>_" + 9 characters from [0-9A-Za-z].
std::string NewPoolId(const std::string& region);
// 26 characters from [a-z0-9].
std::string NewClientId();
// 51 characters from [a-z0-9].
std::string NewClientSecret();

// The ARN of pool `pool_id`: arn:aws:cognito-idp:<region>:<account>:userpool/<id>.
std::string PoolArn(const DeploymentConfig& config, const std::string& pool_id);

// Milliseconds since the epoch as Cognito's timestamp: epoch seconds with a fraction.
nlohmann::json EpochSeconds(std::int64_t millis);

}  // namespace cognate::domain::userpool
