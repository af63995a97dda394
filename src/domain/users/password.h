#pragma once
// What a password leaves in a user record: its argon2id hash (USER_PASSWORD_AUTH and friends)
// and its SRP verifier (USER_SRP_AUTH), the latter sealed with the master key's SecretBox.
// Every code path that sets a password goes through here so both always match.
//
// Doc members: "password_hash" (PHC string) and "srp" {"sealed": base64(Seal(salt_hex:v_hex))}.

#include <optional>
#include <string>
#include <string_view>

#include "crypto/srp.h"
#include "domain/service_context.h"
#include "domain/users/user_record.h"

namespace cognate::domain::users {

// The expensive part (argon2id and a modexp), computed once outside any retry loop.
struct PasswordSecrets {
  std::string phc;         // argon2id PHC string
  std::string sealed_srp;  // SecretBox output, base64
};

// SRP's pool name: the pool id without its "<region>_" prefix.
std::string SrpPoolName(std::string_view pool_id);
// USER_ID_FOR_SRP of a user: its username as stored (the sub in username-attribute pools).
std::string SrpUserId(const UserRecord& user);

// Hashes `password` and derives the SRP verifier of (`pool_id`, `srp_user_id`, password).
PasswordSecrets DerivePasswordSecrets(const ServiceContext& ctx, std::string_view pool_id,
                                      std::string_view sub, std::string_view srp_user_id,
                                      std::string_view password);
// Stores both in `user` (replacing the previous password).
void ApplyPasswordSecrets(UserRecord& user, const PasswordSecrets& secrets);
// Shorthand for Derive + Apply for `user` as it is.
void SetUserPassword(const ServiceContext& ctx, UserRecord& user, std::string_view password);

// An SRP verifier sealed with the master key for `aad` (base64), and back (nullopt when it does
// not open or is malformed). The user's verifier and remembered devices' verifiers use these.
std::string SealSrpVerifier(const ServiceContext& ctx, const crypto::SrpVerifier& verifier,
                            std::string_view aad);
std::optional<crypto::SrpVerifier> OpenSealedSrpVerifier(const ServiceContext& ctx,
                                                         std::string_view sealed_b64,
                                                         std::string_view aad);

// The user's SRP verifier, or nullopt when it has none (no password, or a password set before
// verifiers were kept) or the sealed value does not open.
std::optional<crypto::SrpVerifier> OpenSrpVerifier(const ServiceContext& ctx,
                                                   const UserRecord& user);

}  // namespace cognate::domain::users
