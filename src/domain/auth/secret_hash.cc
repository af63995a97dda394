#include "domain/auth/secret_hash.h"

#include "crypto/crypto.h"

namespace cognate::domain::auth {
namespace {

ApiError Mismatch(std::string_view client_id) {
  return ApiError::NotAuthorized("Unable to verify secret hash for client " +
                                 std::string(client_id));
}

}  // namespace

std::string ComputeSecretHash(std::string_view client_secret, std::string_view username,
                              std::string_view client_id) {
  std::string message(username);
  message.append(client_id);
  return crypto::Base64Encode(crypto::HmacSha256(client_secret, message));
}

Result<void> CheckSecretHash(const std::optional<std::string>& client_secret,
                             std::string_view client_id, std::string_view username,
                             const std::optional<std::string>& provided) {
  if (!client_secret) return {};
  if (!provided) {
    return ApiError::NotAuthorized("Client " + std::string(client_id) +
                                   " is configured with secret but SECRET_HASH was not received");
  }
  const std::string expected = ComputeSecretHash(*client_secret, username, client_id);
  if (!crypto::ConstantTimeEquals(expected, *provided)) return Mismatch(client_id);
  return {};
}

Result<void> CheckClientSecret(const std::optional<std::string>& client_secret,
                               std::string_view client_id,
                               const std::optional<std::string>& provided) {
  if (!client_secret) return {};
  if (!provided) {
    return ApiError::NotAuthorized("Client " + std::string(client_id) +
                                   " is configured with secret but ClientSecret was not received");
  }
  if (!crypto::ConstantTimeEquals(*client_secret, *provided)) return Mismatch(client_id);
  return {};
}

Result<void> CheckSecretHash(const userpool::ClientFacts& client, std::string_view username,
                             const std::map<std::string, std::string>& params) {
  const auto it = params.find("SECRET_HASH");
  return CheckSecretHash(
      client.secret, client.client_id, username,
      it == params.end() ? std::nullopt : std::optional<std::string>(it->second));
}

}  // namespace cognate::domain::auth
