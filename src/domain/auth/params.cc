#include "domain/auth/params.h"

#include <utility>

#include "crypto/srp.h"
#include "domain/auth/secret_hash.h"

namespace cognate::domain::auth {

std::optional<std::string> Param(const std::map<std::string, std::string>& m,
                                 std::string_view name) {
  const auto it = m.find(std::string(name));
  if (it == m.end()) return std::nullopt;
  return it->second;
}

ApiError Missing(std::string_view name) {
  return ApiError::InvalidParameter("Missing required parameter " + std::string(name));
}

Result<std::string> RequiredParam(const std::map<std::string, std::string>& m,
                                  std::string_view name) {
  auto v = Param(m, name);
  if (!v || v->empty()) return Missing(name);
  return std::move(*v);
}

Result<PasswordClaimAnswer> ReadPasswordClaim(const userpool::ClientFacts& client,
                                              const std::map<std::string, std::string>& r) {
  PasswordClaimAnswer out;
  auto username = RequiredParam(r, "USERNAME");
  if (!username) return username.error();
  out.username = std::move(*username);
  auto signature = RequiredParam(r, "PASSWORD_CLAIM_SIGNATURE");
  if (!signature) return signature.error();
  out.signature = std::move(*signature);
  auto secret_block = RequiredParam(r, "PASSWORD_CLAIM_SECRET_BLOCK");
  if (!secret_block) return secret_block.error();
  out.secret_block = std::move(*secret_block);
  auto timestamp = RequiredParam(r, "TIMESTAMP");
  if (!timestamp) return timestamp.error();
  auto canonical = crypto::CanonicalSrpTimestamp(*timestamp);
  if (!canonical) {
    return ApiError::InvalidParameter(
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.");
  }
  out.timestamp = std::move(*canonical);
  if (auto ok = CheckSecretHash(client, out.username, r); !ok) {
    return ok.error();
  }
  return out;
}

}  // namespace cognate::domain::auth
