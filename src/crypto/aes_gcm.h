#pragma once
// AES-256-GCM sealing of short secrets for a third party that holds the key (the codes handed to
// CustomSMSSender / CustomEmailSender triggers). Wire form: base64(iv[12] || ciphertext ||
// tag[16]); no associated data. Node's crypto opens it with createDecipheriv('aes-256-gcm', key,
// iv) + setAuthTag(tag) (see docs/operating.md).

#include <optional>
#include <string>
#include <string_view>

namespace cognate::crypto {

inline constexpr std::size_t kAesGcmKeySize = 32;
inline constexpr std::size_t kAesGcmIvSize = 12;
inline constexpr std::size_t kAesGcmTagSize = 16;

// Seals `plain` under the 32-byte `key` with a fresh random IV; nullopt when the key size is
// wrong.
std::optional<std::string> AesGcmSealBase64(std::string_view key, std::string_view plain);

// Opens what AesGcmSealBase64 produced; nullopt when the key, the encoding or the tag is wrong.
std::optional<std::string> AesGcmOpenBase64(std::string_view key, std::string_view sealed);

}  // namespace cognate::crypto
