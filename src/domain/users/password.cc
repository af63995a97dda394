#include "domain/users/password.h"

#include "crypto/crypto.h"

namespace cognate::domain::users {
namespace {

std::string SrpAad(std::string_view pool_id, std::string_view sub) {
  std::string aad = "srp:";
  aad.append(pool_id).append(":").append(sub);
  return aad;
}

}  // namespace

std::string SrpPoolName(std::string_view pool_id) {
  const auto underscore = pool_id.find('_');
  return std::string(underscore == std::string_view::npos ? pool_id
                                                          : pool_id.substr(underscore + 1));
}

std::string SrpUserId(const UserRecord& user) { return user.username; }

PasswordSecrets DerivePasswordSecrets(const ServiceContext& ctx, std::string_view pool_id,
                                      std::string_view sub, std::string_view srp_user_id,
                                      std::string_view password) {
  PasswordSecrets out;
  out.phc = crypto::HashPassword(password);
  const crypto::SrpVerifier v =
      crypto::MakeSrpVerifier(SrpPoolName(pool_id), srp_user_id, password);
  out.sealed_srp = SealSrpVerifier(ctx, v, SrpAad(pool_id, sub));
  return out;
}

void ApplyPasswordSecrets(UserRecord& user, const PasswordSecrets& secrets) {
  user.SetPasswordHash(secrets.phc);
  user.doc["srp"] = nlohmann::json{{"sealed", secrets.sealed_srp}};
}

void SetUserPassword(const ServiceContext& ctx, UserRecord& user, std::string_view password) {
  ApplyPasswordSecrets(
      user, DerivePasswordSecrets(ctx, user.pool_id, user.sub, SrpUserId(user), password));
}

std::string SealSrpVerifier(const ServiceContext& ctx, const crypto::SrpVerifier& verifier,
                            std::string_view aad) {
  const std::string plain =
      crypto::HexEncode(verifier.salt) + ":" + crypto::HexEncode(verifier.verifier);
  return crypto::Base64Encode(ctx.secret_box.Seal(plain, aad));
}

std::optional<crypto::SrpVerifier> OpenSealedSrpVerifier(const ServiceContext& ctx,
                                                         std::string_view sealed_b64,
                                                         std::string_view aad) {
  const auto sealed = crypto::Base64Decode(sealed_b64);
  if (!sealed) return std::nullopt;
  const auto plain = ctx.secret_box.Open(*sealed, aad);
  if (!plain) return std::nullopt;
  const auto colon = plain->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto salt = crypto::HexDecode(std::string_view(*plain).substr(0, colon));
  auto verifier = crypto::HexDecode(std::string_view(*plain).substr(colon + 1));
  if (!salt || !verifier || verifier->empty()) return std::nullopt;
  return crypto::SrpVerifier{std::move(*salt), std::move(*verifier)};
}

std::optional<crypto::SrpVerifier> OpenSrpVerifier(const ServiceContext& ctx,
                                                   const UserRecord& user) {
  const auto it = user.doc.find("srp");
  if (it == user.doc.end() || !it->is_object()) return std::nullopt;
  const auto sealed_it = it->find("sealed");
  if (sealed_it == it->end() || !sealed_it->is_string()) return std::nullopt;
  return OpenSealedSrpVerifier(ctx, sealed_it->get<std::string>(), SrpAad(user.pool_id, user.sub));
}

}  // namespace cognate::domain::users
