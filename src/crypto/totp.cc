#include "crypto/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

const EVP_MD* Md(OtpHash hash) {
  switch (hash) {
    case OtpHash::kSha1:
      return EVP_sha1();
    case OtpHash::kSha256:
      return EVP_sha256();
    case OtpHash::kSha512:
      return EVP_sha512();
  }
  return nullptr;
}

constexpr std::array<std::uint64_t, 11> kPow10 = {
    1ull,       10ull,       100ull,       1000ull,       10000ull,      100000ull,
    1000000ull, 10000000ull, 100000000ull, 1000000000ull, 10000000000ull};

}  // namespace

std::string Base32Encode(std::string_view bytes, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  std::uint64_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(acc >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (5 - bits)) & 31]);
  if (pad) {
    while (out.size() % 8 != 0) out.push_back('=');
  }
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  if (text.find('=') != std::string_view::npos) {
    if (text.size() % 8 != 0) return std::nullopt;
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  }
  // Valid unpadded lengths mod 8: 0, 2, 4, 5, 7.
  switch (text.size() % 8) {
    case 1:
    case 3:
    case 6:
      return std::nullopt;
    default:
      break;
  }
  std::string out;
  out.reserve(text.size() * 5 / 8);
  std::uint64_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base32Value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 5) | static_cast<std::uint64_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string Hotp(std::string_view key, std::uint64_t counter, int digits, OtpHash hash) {
  if (digits < 6 || digits > 10) return {};
  std::array<unsigned char, 8> msg{};
  for (int i = 7; i >= 0; --i) {
    msg[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  if (HMAC(Md(hash), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), mac.data(),
           &len) == nullptr ||
      len < 20) {
    return {};
  }
  // RFC 4226 §5.3 dynamic truncation.
  unsigned offset = mac[len - 1] & 0x0F;
  std::uint64_t bin = (static_cast<std::uint64_t>(mac[offset] & 0x7F) << 24) |
                      (static_cast<std::uint64_t>(mac[offset + 1]) << 16) |
                      (static_cast<std::uint64_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint64_t code = bin % kPow10[static_cast<std::size_t>(digits)];
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0 && code > 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + code % 10);
    code /= 10;
  }
  return out;
}

std::optional<std::uint64_t> TotpStep(std::int64_t unix_s, const TotpParams& params) {
  if (params.period_s <= 0 || unix_s < params.t0) return std::nullopt;
  return static_cast<std::uint64_t>(unix_s - params.t0) /
         static_cast<std::uint64_t>(params.period_s);
}

std::string Totp(std::string_view key, std::int64_t unix_s, const TotpParams& params) {
  auto step = TotpStep(unix_s, params);
  if (!step) return {};
  return Hotp(key, *step, params.digits, params.hash);
}

std::optional<std::uint64_t> VerifyTotp(std::string_view key, std::string_view code,
                                        std::int64_t unix_s, int window, const TotpParams& params) {
  if (code.size() != static_cast<std::size_t>(params.digits) || window < 0 || window > 10) {
    return std::nullopt;
  }
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  auto step = TotpStep(unix_s, params);
  if (!step) return std::nullopt;
  std::optional<std::uint64_t> match;
  // Every candidate is computed and compared, so timing does not reveal which one matched.
  for (int d = -window; d <= window; ++d) {
    if (d < 0 && *step < static_cast<std::uint64_t>(-d)) continue;
    std::uint64_t s = *step + static_cast<std::uint64_t>(static_cast<std::int64_t>(d));
    std::string expected = Hotp(key, s, params.digits, params.hash);
    if (!expected.empty() && ConstantTimeEquals(expected, code) && !match) match = s;
  }
  return match;
}

}  // namespace cognate::crypto
