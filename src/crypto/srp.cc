#include "crypto/srp.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <array>
#include <charconv>
#include <memory>
#include <vector>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

// RFC 5054 appendix A, 3072-bit group.
constexpr const char* kNHex =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404"
    "DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406"
    "B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD"
    "24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E46"
    "2E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D226"
    "1898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB397"
    "0F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A6452"
    "1F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CA"
    "FFFFFFFFFFFFFFFF";
constexpr std::size_t kMaxAHexDigits = 1024;
constexpr std::string_view kHkdfInfo = "Caldera Derived Key\x01";

struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
struct MontFree {
  void operator()(BN_MONT_CTX* p) const { BN_MONT_CTX_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;

Bn NewBn() { return Bn(BN_new()); }

Bn BnFromBytes(std::string_view bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

std::string BnToBytes(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// The clients' padHex for a non-negative integer, as bytes.
std::string PadBytes(const BIGNUM* bn) {
  std::string bytes = BnToBytes(bn);
  if (bytes.empty()) return std::string(1, '\0');
  if (static_cast<unsigned char>(bytes[0]) & 0x80) bytes.insert(bytes.begin(), '\0');
  return bytes;
}

// Fixed group state, built once; read-only afterwards, so safe to share between threads.
struct Group {
  Bn N;
  Bn g;
  Bn k;
  std::unique_ptr<BN_MONT_CTX, MontFree> mont;
  bool ok = false;

  Group() {
    BIGNUM* n = nullptr;
    if (BN_hex2bn(&n, kNHex) == 0) return;
    N.reset(n);
    g = NewBn();
    if (!g || !BN_set_word(g.get(), 2)) return;
    k = BnFromBytes(Sha256(PadBytes(N.get()) + PadBytes(g.get())));
    BnCtx ctx(BN_CTX_new());
    mont.reset(BN_MONT_CTX_new());
    if (!k || !ctx || !mont || !BN_MONT_CTX_set(mont.get(), N.get(), ctx.get())) return;
    ok = true;
  }
};

const Group& G() {
  static const Group group;
  return group;
}

// r = base^exp mod N, constant time in exp. base must be in [0, N).
bool ModExp(BIGNUM* r, const BIGNUM* base, const BIGNUM* exp, BN_CTX* ctx) {
  const Group& g = G();
  return BN_mod_exp_mont_consttime(r, base, exp, g.N.get(), ctx, g.mont.get()) == 1;
}

// H(pad(salt) | H(pool_name | user_id | ":" | password)) as an integer.
Bn ComputeX(std::string_view pool_name, std::string_view user_id, std::string_view password,
            std::string_view salt) {
  std::string inner;
  inner.reserve(pool_name.size() + user_id.size() + 1 + password.size());
  inner.append(pool_name).append(user_id).append(":").append(password);
  Bn salt_bn = BnFromBytes(salt);
  if (!salt_bn) return nullptr;
  std::string outer = PadBytes(salt_bn.get()) + Sha256(inner);
  OPENSSL_cleanse(inner.data(), inner.size());
  return BnFromBytes(Sha256(outer));
}

// u = H(pad(A) | pad(B)).
Bn ComputeU(const BIGNUM* A, const BIGNUM* B) {
  return BnFromBytes(Sha256(PadBytes(A) + PadBytes(B)));
}

// HKDF-SHA256 (RFC 5869) with one output block, truncated to 16 bytes.
std::string Hkdf16(const BIGNUM* S, const BIGNUM* u) {
  std::string prk = HmacSha256(PadBytes(u), PadBytes(S));
  std::string okm = HmacSha256(prk, kHkdfInfo);
  OPENSSL_cleanse(prk.data(), prk.size());
  okm.resize(16);
  return okm;
}

// A valid verifier: 0 < v < N.
Bn ParseVerifier(std::string_view verifier) {
  if (verifier.empty()) return nullptr;
  Bn v = BnFromBytes(verifier);
  if (!v || BN_is_zero(v.get()) || BN_cmp(v.get(), G().N.get()) >= 0) return nullptr;
  return v;
}

// x mod N == 0?
bool IsZeroModN(const BIGNUM* x, BN_CTX* ctx) {
  Bn r = NewBn();
  if (!r || !BN_nnmod(r.get(), x, G().N.get(), ctx)) return true;
  return BN_is_zero(r.get());
}

// ---- civil calendar (proleptic Gregorian, UTC) ---------------------------------------------
constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

unsigned Weekday(std::int64_t days) {  // 0 = Sunday; 1970-01-01 was a Thursday
  return static_cast<unsigned>(((days % 7) + 7 + 4) % 7);
}

std::string TwoDigits(unsigned v) {
  return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

bool ParseUnsigned(std::string_view s, std::size_t min_len, std::size_t max_len, unsigned& out) {
  if (s.size() < min_len || s.size() > max_len) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

SrpVerifier MakeSrpVerifier(std::string_view pool_name, std::string_view user_id,
                            std::string_view password) {
  return MakeSrpVerifierWithSalt(pool_name, user_id, password, RandomBytes(16));
}

SrpVerifier MakeSrpVerifierWithSalt(std::string_view pool_name, std::string_view user_id,
                                    std::string_view password, std::string_view salt) {
  SrpVerifier out;
  out.salt = std::string(salt);
  const Group& g = G();
  BnCtx ctx(BN_CTX_new());
  Bn x = ComputeX(pool_name, user_id, password, salt);
  Bn v = NewBn();
  if (!g.ok || !ctx || !x || !v || !ModExp(v.get(), g.g.get(), x.get(), ctx.get())) return out;
  out.verifier = BnToBytes(v.get());
  return out;
}

std::optional<SrpServerEphemeral> SrpServerBegin(std::string_view verifier) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string b = RandomBytes(32);
    auto eph = SrpServerBeginWithSecret(verifier, b);
    OPENSSL_cleanse(b.data(), b.size());
    if (eph) return eph;
    if (!ParseVerifier(verifier)) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SrpServerEphemeral> SrpServerBeginWithSecret(std::string_view verifier,
                                                           std::string_view b) {
  const Group& g = G();
  if (!g.ok || b.empty() || b.size() > 64) return std::nullopt;
  Bn v = ParseVerifier(verifier);
  Bn b_bn = BnFromBytes(b);
  BnCtx ctx(BN_CTX_new());
  Bn gb = NewBn(), kv = NewBn(), B = NewBn();
  if (!v || !b_bn || !ctx || !gb || !kv || !B || BN_is_zero(b_bn.get())) return std::nullopt;
  BN_set_flags(b_bn.get(), BN_FLG_CONSTTIME);
  if (!ModExp(gb.get(), g.g.get(), b_bn.get(), ctx.get()) ||
      !BN_mod_mul(kv.get(), g.k.get(), v.get(), g.N.get(), ctx.get()) ||
      !BN_mod_add(B.get(), kv.get(), gb.get(), g.N.get(), ctx.get())) {
    return std::nullopt;
  }
  if (BN_is_zero(B.get())) return std::nullopt;  // never sent: the client would reject it
  return SrpServerEphemeral{std::string(b), BnToBytes(B.get())};
}

std::optional<std::string> SrpParsePublicA(std::string_view a_hex) {
  if (a_hex.empty() || a_hex.size() > kMaxAHexDigits) return std::nullopt;
  std::string padded;
  if (a_hex.size() % 2) padded.push_back('0');
  padded.append(a_hex);
  auto bytes = HexDecode(padded);
  if (!bytes || !G().ok) return std::nullopt;
  Bn A = BnFromBytes(*bytes);
  BnCtx ctx(BN_CTX_new());
  if (!A || !ctx || IsZeroModN(A.get(), ctx.get())) return std::nullopt;
  return BnToBytes(A.get());
}

std::optional<std::string> SrpServerSessionKey(std::string_view A,
                                               const SrpServerEphemeral& ephemeral,
                                               std::string_view verifier) {
  const Group& g = G();
  if (!g.ok || A.empty() || A.size() > kMaxAHexDigits / 2 || ephemeral.b.empty() ||
      ephemeral.b.size() > 64 || ephemeral.B.empty()) {
    return std::nullopt;
  }
  Bn v = ParseVerifier(verifier);
  Bn A_bn = BnFromBytes(A);
  Bn B_bn = BnFromBytes(ephemeral.B);
  Bn b_bn = BnFromBytes(ephemeral.b);
  BnCtx ctx(BN_CTX_new());
  Bn a_red = NewBn(), vu = NewBn(), base = NewBn(), S = NewBn();
  if (!v || !A_bn || !B_bn || !b_bn || !ctx || !a_red || !vu || !base || !S) return std::nullopt;
  BN_set_flags(b_bn.get(), BN_FLG_CONSTTIME);
  if (!BN_nnmod(a_red.get(), A_bn.get(), g.N.get(), ctx.get()) || BN_is_zero(a_red.get())) {
    return std::nullopt;
  }
  Bn u = ComputeU(A_bn.get(), B_bn.get());
  if (!u || BN_is_zero(u.get())) return std::nullopt;
  if (!ModExp(vu.get(), v.get(), u.get(), ctx.get()) ||
      !BN_mod_mul(base.get(), a_red.get(), vu.get(), g.N.get(), ctx.get()) ||
      !ModExp(S.get(), base.get(), b_bn.get(), ctx.get())) {
    return std::nullopt;
  }
  return Hkdf16(S.get(), u.get());
}

std::string SrpClaimSignature(std::string_view key, std::string_view pool_name,
                              std::string_view user_id, std::string_view secret_block,
                              std::string_view timestamp) {
  std::string msg;
  msg.reserve(pool_name.size() + user_id.size() + secret_block.size() + timestamp.size());
  msg.append(pool_name).append(user_id).append(secret_block).append(timestamp);
  return HmacSha256(key, msg);
}

bool SrpVerifyPasswordClaim(std::string_view A, const SrpServerEphemeral& ephemeral,
                            std::string_view verifier, const SrpPasswordClaim& claim) {
  auto sent = Base64Decode(claim.signature);
  if (!sent || sent->size() != 32) return false;
  auto key = SrpServerSessionKey(A, ephemeral, verifier);
  if (!key) return false;
  std::string expected =
      SrpClaimSignature(*key, claim.pool_name, claim.user_id, claim.secret_block, claim.timestamp);
  OPENSSL_cleanse(key->data(), key->size());
  return ConstantTimeEquals(expected, *sent);
}

std::string FormatSrpTimestamp(std::int64_t epoch_s) {
  std::int64_t days = epoch_s >= 0 ? epoch_s / 86400 : -((-epoch_s + 86399) / 86400);
  auto secs = static_cast<unsigned>(epoch_s - days * 86400);
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  std::string out;
  out.append(kWeekdays[Weekday(days)]).append(" ").append(kMonths[m - 1]).append(" ");
  out.append(std::to_string(d)).append(" ");
  out.append(TwoDigits(secs / 3600)).append(":").append(TwoDigits(secs / 60 % 60)).append(":");
  out.append(TwoDigits(secs % 60)).append(" UTC ").append(std::to_string(y));
  return out;
}

std::optional<std::int64_t> ParseSrpTimestamp(std::string_view text) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    std::size_t sp = text.find(' ');
    parts.push_back(text.substr(0, sp));
    if (sp == std::string_view::npos) break;
    text.remove_prefix(sp + 1);
    if (text.empty()) return std::nullopt;  // trailing space
  }
  if (parts.size() != 6 || parts[4] != "UTC" || parts[3].size() != 8 || parts[3][2] != ':' ||
      parts[3][5] != ':') {
    return std::nullopt;
  }
  // A weekday name is required but, as in Java's lenient parse, not checked against the date.
  int wday = -1, mon = -1;
  for (int i = 0; i < 7; ++i) {
    if (parts[0] == kWeekdays[static_cast<std::size_t>(i)]) wday = i;
  }
  for (int i = 0; i < 12; ++i) {
    if (parts[1] == kMonths[static_cast<std::size_t>(i)]) mon = i + 1;
  }
  unsigned day = 0, hh = 0, mm = 0, ss = 0, year = 0;
  if (wday < 0 || mon < 0 || !ParseUnsigned(parts[2], 1, 2, day) ||
      !ParseUnsigned(parts[3].substr(0, 2), 2, 2, hh) ||
      !ParseUnsigned(parts[3].substr(3, 2), 2, 2, mm) ||
      !ParseUnsigned(parts[3].substr(6, 2), 2, 2, ss) || !ParseUnsigned(parts[5], 4, 4, year)) {
    return std::nullopt;
  }
  if (year < 1970 || day < 1 || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(mon), day);
  // Reject day overflow (e.g. Feb 30) by round-tripping.
  std::int64_t y2 = 0;
  unsigned m2 = 0, d2 = 0;
  CivilFromDays(days, y2, m2, d2);
  if (y2 != year || m2 != static_cast<unsigned>(mon) || d2 != day) return std::nullopt;
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

std::optional<std::string> CanonicalSrpTimestamp(std::string_view text) {
  auto t = ParseSrpTimestamp(text);
  if (!t) return std::nullopt;
  return FormatSrpTimestamp(*t);
}

std::string SrpIntegerHex(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && bytes[i] == '\0') ++i;
  std::string hex = HexEncode(bytes.substr(i));
  if (hex.empty()) return "0";
  if (hex[0] == '0') hex.erase(0, 1);
  return hex;
}

SrpClient::SrpClient(std::string pool_name, std::string user_id)
    : SrpClient(std::move(pool_name), std::move(user_id), RandomBytes(128)) {}

SrpClient::SrpClient(std::string pool_name, std::string user_id, std::string a)
    : pool_name_(std::move(pool_name)), user_id_(std::move(user_id)), a_(std::move(a)) {
  const Group& g = G();
  Bn a_bn = BnFromBytes(a_);
  BnCtx ctx(BN_CTX_new());
  Bn A = NewBn();
  if (g.ok && a_bn && ctx && A && ModExp(A.get(), g.g.get(), a_bn.get(), ctx.get())) {
    A_ = BnToBytes(A.get());
  }
}

std::string SrpClient::PublicAHex() const { return SrpIntegerHex(A_); }

std::optional<std::string> SrpClient::SignClaim(std::string_view password, std::string_view B,
                                                std::string_view salt,
                                                std::string_view secret_block,
                                                std::string_view timestamp) const {
  const Group& g = G();
  if (!g.ok || A_.empty() || B.empty()) return std::nullopt;
  BnCtx ctx(BN_CTX_new());
  Bn A = BnFromBytes(A_), B_bn = BnFromBytes(B), a = BnFromBytes(a_);
  Bn x = ComputeX(pool_name_, user_id_, password, salt);
  Bn gx = NewBn(), kgx = NewBn(), base = NewBn(), ux = NewBn(), e = NewBn(), S = NewBn();
  if (!ctx || !A || !B_bn || !a || !x || !gx || !kgx || !base || !ux || !e || !S ||
      IsZeroModN(B_bn.get(), ctx.get())) {
    return std::nullopt;
  }
  Bn u = ComputeU(A.get(), B_bn.get());
  if (!u || BN_is_zero(u.get())) return std::nullopt;
  if (!ModExp(gx.get(), g.g.get(), x.get(), ctx.get()) ||
      !BN_mod_mul(kgx.get(), g.k.get(), gx.get(), g.N.get(), ctx.get()) ||
      !BN_mod_sub(base.get(), B_bn.get(), kgx.get(), g.N.get(), ctx.get()) ||
      !BN_mul(ux.get(), u.get(), x.get(), ctx.get()) || !BN_add(e.get(), a.get(), ux.get()) ||
      !ModExp(S.get(), base.get(), e.get(), ctx.get())) {
    return std::nullopt;
  }
  std::string key = Hkdf16(S.get(), u.get());
  return Base64Encode(SrpClaimSignature(key, pool_name_, user_id_, secret_block, timestamp));
}

}  // namespace cognate::crypto
