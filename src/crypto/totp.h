#pragma once
// One-time passwords for software-token MFA: HOTP (RFC 4226), TOTP (RFC 6238) and the base32
// encoding (RFC 4648 §6) authenticator apps use for the shared secret (Cognito's SecretCode).
// Nothing throws; bad input yields nullopt / false.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cognate::crypto {

// RFC 4648 §6 base32 (A-Z, 2-7). `pad` appends '=' to a multiple of 8 characters.
std::string Base32Encode(std::string_view bytes, bool pad = false);
// Decodes base32, case-insensitively, with or without '=' padding. Rejects other characters,
// impossible lengths and non-zero trailing bits.
std::optional<std::string> Base32Decode(std::string_view text);

enum class OtpHash : std::uint8_t { kSha1, kSha256, kSha512 };

struct TotpParams {
  int digits = 6;  // 6..10
  std::int64_t period_s = 30;
  std::int64_t t0 = 0;  // Unix time of step 0
  OtpHash hash = OtpHash::kSha1;
};

// RFC 4226 §5.3: the `digits`-digit code (zero-padded) for `counter`; empty if digits is not in
// 6..10.
std::string Hotp(std::string_view key, std::uint64_t counter, int digits = 6,
                 OtpHash hash = OtpHash::kSha1);

// The RFC 6238 time step T = floor((unix_s - t0) / period), or nullopt before t0 or for a bad
// period.
std::optional<std::uint64_t> TotpStep(std::int64_t unix_s, const TotpParams& params = {});

// The TOTP code at `unix_s`; empty on bad parameters.
std::string Totp(std::string_view key, std::int64_t unix_s, const TotpParams& params = {});

// Checks `code` against the steps T-window..T+window (RFC 6238 §5.2; window 1 = ±30 s) in
// constant time per step. Returns the matching step so the caller can refuse a step it has
// already accepted (replay); nullopt when no step matches or `code` is not `digits` digits.
std::optional<std::uint64_t> VerifyTotp(std::string_view key, std::string_view code,
                                        std::int64_t unix_s, int window = 1,
                                        const TotpParams& params = {});

}  // namespace cognate::crypto
