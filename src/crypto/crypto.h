#pragma once
// Cryptographic building blocks: OpenSSL 3 and libsodium behind small value-typed functions.
// Nothing here does I/O besides reading the kernel's random source.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cognate::crypto {

// ---- randomness and ids -------------------------------------------------------------------
// `n` random bytes from the OS CSPRNG (libsodium randombytes_buf).
std::string RandomBytes(std::size_t n);
// A random string of `n` characters drawn uniformly from `alphabet` (no modulo bias).
std::string RandomString(std::size_t n, std::string_view alphabet);
// RFC 4122 version-4 UUID, lower-case, e.g. "3f0c...-...".
std::string NewUuid();

// ---- encodings -----------------------------------------------------------------------------
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);  // strict, padding required
std::string Base64UrlEncode(std::string_view bytes);             // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string HexEncode(std::string_view bytes);  // lower-case
std::optional<std::string> HexDecode(std::string_view text);
// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) stay, every other byte
// becomes %XX with upper-case hex (SigV4 canonical requests, URLs, form bodies).
std::string PercentEncode(std::string_view text);

// ---- hashes and MACs -------------------------------------------------------------------------
std::string Sha256(std::string_view data);                            // 32 raw bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Constant-time equality (length is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// ---- passwords (argon2id via libsodium crypto_pwhash_str) -----------------------------------
struct PasswordHashParams {
  std::uint64_t ops_limit = 2;                  // t
  std::size_t mem_limit = 19u * 1024u * 1024u;  // 19 MiB (OWASP minimum for argon2id)
};
// A self-describing PHC string "$argon2id$v=19$m=...,t=...,p=1$salt$hash".
std::string HashPassword(std::string_view password, const PasswordHashParams& params = {});
// True when `password` matches `phc`. Unknown formats return false, never throw.
bool VerifyPassword(std::string_view password, std::string_view phc);

// ---- authenticated encryption (XChaCha20-Poly1305 IETF via libsodium) ----------------------
// Seals secrets at rest. The output is version byte || 24-byte nonce || ciphertext+tag.
class SecretBox {
 public:
  static constexpr std::size_t kKeySize = 32;
  // `key` must be kKeySize bytes.
  explicit SecretBox(std::string key);
  // Encrypts `plaintext`; `aad` (e.g. "client-secret:<clientId>") binds the ciphertext to where
  // it is stored so it cannot be moved to another row.
  std::string Seal(std::string_view plaintext, std::string_view aad) const;
  // The plaintext, or nullopt if the ciphertext or aad was tampered with.
  std::optional<std::string> Open(std::string_view sealed, std::string_view aad) const;

 private:
  std::string key_;
};

}  // namespace cognate::crypto
