#include "crypto/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "crypto/pwhash_memory.h"

namespace cognate::crypto {
namespace {

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};
void EnsureSodium() { static SodiumInit init; }

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Writes straight into the sized result (a JWT's parts are encoded on every token issued).
std::string B64Encode(std::string_view in, bool url) {
  const char* alphabet = url ? kB64Url.data() : kB64.data();
  const std::size_t full = in.size() / 3;
  const std::size_t rest = in.size() % 3;
  std::string out(full * 4 + (rest == 0 ? 0 : url ? rest + 1 : 4), '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (std::size_t i = 0; i < full; ++i, p += 3) {
    const unsigned v = static_cast<unsigned>(p[0]) << 16 | static_cast<unsigned>(p[1]) << 8 | p[2];
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (rest != 0) {
    const unsigned v = static_cast<unsigned>(p[0]) << 16 | (rest == 2 ? p[1] << 8 : 0u);
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    if (rest == 2) *o++ = alphabet[(v >> 6) & 63];
    if (!url) {
      if (rest == 1) *o++ = '=';
      *o++ = '=';
    }
  }
  return out;
}

// Decoding tables: the 6-bit value of each byte, or 64 for "not in the alphabet".
struct B64Table {
  std::array<std::uint8_t, 256> v{};
  constexpr explicit B64Table(bool url) {
    for (auto& x : v) x = 64;
    for (int i = 0; i < 64; ++i)
      v[static_cast<unsigned char>(kB64[static_cast<std::size_t>(i)])] =
          static_cast<std::uint8_t>(i);
    if (url) {
      v['+'] = 64, v['/'] = 64;
      v['-'] = 62, v['_'] = 63;
    }
  }
};
constexpr B64Table kStdTable(false);
constexpr B64Table kUrlTable(true);

std::optional<std::string> B64Decode(std::string_view in, bool url) {
  if (!url) {
    if (in.size() % 4 != 0) return std::nullopt;
    std::size_t pad = 0;
    while (pad < 2 && !in.empty() && in.back() == '=') in.remove_suffix(1), ++pad;
  }
  if (in.size() % 4 == 1) return std::nullopt;
  const auto& table = url ? kUrlTable.v : kStdTable.v;
  std::string out(in.size() / 4 * 3 + (in.size() % 4 ? in.size() % 4 - 1 : 0), '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t i = 0;
  for (; i + 4 <= in.size(); i += 4) {
    unsigned a = table[p[i]], b = table[p[i + 1]], c = table[p[i + 2]], d = table[p[i + 3]];
    if ((a | b | c | d) & 64) return std::nullopt;
    unsigned v = a << 18 | b << 12 | c << 6 | d;
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>(v >> 8);
    *o++ = static_cast<char>(v);
  }
  std::size_t rest = in.size() - i;
  if (rest >= 2) {
    unsigned a = table[p[i]], b = table[p[i + 1]];
    unsigned c = rest == 3 ? table[p[i + 2]] : 0;
    if ((a | b | c) & 64) return std::nullopt;
    unsigned v = a << 18 | b << 12 | c << 6;
    *o++ = static_cast<char>(v >> 16);
    if (rest == 3) *o++ = static_cast<char>(v >> 8);
    // Leftover bits must be zero (canonical encoding).
    if ((rest == 2 && (b & 0x0F)) || (rest == 3 && (c & 0x03))) return std::nullopt;
  }
  return out;
}

}  // namespace

namespace {

// Small draws (request ids, token ids, nonces, salts) come from a per-thread buffer that one call
// to the kernel's CSPRNG fills 256 bytes at a time: the same bytes, each handed out once and wiped
// as it goes, for one system call per several requests instead of one or two per request
// (docs/decisions.md, "Random bytes drawn in batches"). Larger draws go straight to the kernel.
// A forked child starts a fresh buffer, so parent and child never share bytes.
constexpr std::size_t kRandomBuffer = 256;
constexpr std::size_t kSmallDraw = 64;
std::atomic<unsigned> fork_generation{0};
void ForgetRandomBuffersAfterFork() { fork_generation.fetch_add(1); }

void FillRandom(void* out, std::size_t n) {
  EnsureSodium();
  if (n > kSmallDraw) {
    randombytes_buf(out, n);
    return;
  }
  static const bool registered = [] {
    return pthread_atfork(nullptr, nullptr, ForgetRandomBuffersAfterFork) == 0;
  }();
  struct Buffer {
    unsigned char bytes[kRandomBuffer];
    std::size_t used = kRandomBuffer;
    unsigned generation = 0;
    ~Buffer() { sodium_memzero(bytes, sizeof bytes); }
  };
  thread_local Buffer b;
  const unsigned generation = fork_generation.load(std::memory_order_relaxed);
  if (!registered || b.used + n > kRandomBuffer || b.generation != generation) {
    randombytes_buf(b.bytes, kRandomBuffer);
    b.used = 0;
    b.generation = generation;
  }
  std::memcpy(out, b.bytes + b.used, n);
  sodium_memzero(b.bytes + b.used, n);
  b.used += n;
}

}  // namespace

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  FillRandom(out.data(), n);
  return out;
}

std::string RandomString(std::size_t n, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > 256) {
    throw std::invalid_argument("RandomString needs 1 to 256 characters");
  }
  // Rejection sampling: bytes at or above the largest multiple of the alphabet's size are
  // drawn again, so every character is equally likely.
  const unsigned m = static_cast<unsigned>(alphabet.size());
  const unsigned limit = 256 - 256 % m;
  std::string out;
  out.reserve(n);
  unsigned char pool[64];
  std::size_t used = sizeof pool;
  while (out.size() < n) {
    if (used == sizeof pool) {
      FillRandom(pool, sizeof pool);
      used = 0;
    }
    const unsigned b = pool[used++];
    if (b < limit) out.push_back(alphabet[b % m]);
  }
  return out;
}

std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string Base64Encode(std::string_view bytes) { return B64Encode(bytes, false); }
std::optional<std::string> Base64Decode(std::string_view text) { return B64Decode(text, false); }
std::string Base64UrlEncode(std::string_view bytes) { return B64Encode(bytes, true); }
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.find('=') != std::string_view::npos) return std::nullopt;
  return B64Decode(text, true);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* o = out.data();
  for (unsigned char c : bytes) {
    *o++ = kHex[c >> 4];
    *o++ = kHex[c & 15];
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

namespace {
// The value of each hex digit (either case); 0xFF for every other byte.
constexpr std::array<std::uint8_t, 256> kNibble = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(0xFF);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<std::uint8_t>(c - 'A' + 10);
  return t;
}();
}  // namespace

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::uint8_t bad = 0;  // any 0xFF nibble sets the high bit
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint8_t hi = kNibble[in[2 * i]], lo = kNibble[in[2 * i + 1]];
    bad |= hi | lo;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  if (bad & 0x80) return std::nullopt;
  return out;
}

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 32;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HashPassword(std::string_view password, const PasswordHashParams& params) {
  EnsureSodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  pwhash_memory::Scope reuse_memory;
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params.ops_limit,
                            params.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view password, std::string_view phc) {
  EnsureSodium();
  if (phc.size() >= crypto_pwhash_STRBYTES || !phc.starts_with("$argon2id$")) return false;
  std::string z(phc);  // NUL-terminated copy
  pwhash_memory::Scope reuse_memory;
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  EnsureSodium();
  if (key_.size() != kKeySize) throw std::invalid_argument("SecretBox key must be 32 bytes");
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view aad) const {
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(1 + kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  out[0] = 1;  // format version
  FillRandom(out.data() + 1, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data() + 1 + kNonce), &clen,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr,
      reinterpret_cast<const unsigned char*>(out.data() + 1),
      reinterpret_cast<const unsigned char*>(key_.data()));
  out.resize(1 + kNonce + clen);
  return out;
}

std::optional<std::string> SecretBox::Open(std::string_view sealed, std::string_view aad) const {
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < 1 + kNonce + kTag || sealed[0] != 1) return std::nullopt;
  std::string out(sealed.size() - 1 - kNonce - kTag, '\0');
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr,
          reinterpret_cast<const unsigned char*>(sealed.data() + 1 + kNonce),
          sealed.size() - 1 - kNonce, reinterpret_cast<const unsigned char*>(aad.data()),
          aad.size(), reinterpret_cast<const unsigned char*>(sealed.data() + 1),
          reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
    return std::nullopt;
  }
  out.resize(mlen);
  return out;
}

}  // namespace cognate::crypto
