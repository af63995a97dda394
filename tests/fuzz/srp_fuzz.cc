// Fuzzes the SRP values a client sends in USER_SRP_AUTH / PASSWORD_VERIFIER (crypto/srp.h):
// SRP_A, TIMESTAMP and the PASSWORD_CLAIM_SIGNATURE over a PASSWORD_CLAIM_SECRET_BLOCK.
// Input format: byte 0 is the mode (mod 4), the rest its operand:
//   0 SRP_A hex -> SrpParsePublicA: accepted values round-trip through SrpIntegerHex.
//   1 TIMESTAMP -> ParseSrpTimestamp / CanonicalSrpTimestamp: accepted values are canonical after
//     one pass and parse back to the same instant.
//   2 A-hex \0 signature \0 secret block \0 timestamp -> SrpVerifyPasswordClaim against a fixed
//     verifier and server ephemeral: only the real client's signature may be accepted.
//   3 secret block \0 timestamp: the real client signs them; the claim must verify, and any
//     signature other than the client's must not.
// Nothing may crash, leak, or accept a claim the password holder did not sign.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/crypto.h"
#include "crypto/srp.h"

namespace {

namespace crypto = cognate::crypto;

constexpr char kPoolName[] = "FuzzPool";
constexpr char kUserId[] = "fuzz-user";
constexpr char kPassword[] = "Passw0rd!";

struct Fixture {
  crypto::SrpVerifier verifier;
  crypto::SrpServerEphemeral ephemeral;
  crypto::SrpClient client{kPoolName, kUserId, std::string(128, '\x5a')};
  std::string a_hex;
  std::string A;  // parsed client A

  Fixture() {
    verifier =
        crypto::MakeSrpVerifierWithSalt(kPoolName, kUserId, kPassword, std::string(16, '\x11'));
    auto e = crypto::SrpServerBeginWithSecret(verifier.verifier, std::string(32, '\x22'));
    if (!e) std::abort();
    ephemeral = *e;
    a_hex = client.PublicAHex();
    auto parsed = crypto::SrpParsePublicA(a_hex);
    if (!parsed) std::abort();
    A = *parsed;
  }

  // PASSWORD_CLAIM_SIGNATURE (base64) as the client computes it.
  std::optional<std::string> ClientSignature(std::string_view secret_block,
                                             std::string_view timestamp) const {
    return client.SignClaim(kPassword, ephemeral.B, verifier.salt, secret_block, timestamp);
  }
};

// Splits off the text before the next '\0' (all of it when there is none).
std::string_view NextField(std::string_view& in) {
  std::size_t nul = in.find('\0');
  std::string_view field = in.substr(0, nul);
  in = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  return field;
}

std::string LowerHexWithoutLeadingZeros(std::string_view hex) {
  std::string out;
  for (char c : hex) {
    if (out.empty() && c == '0') continue;
    out.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out.empty() ? "0" : out;
}

void CheckPublicA(std::string_view hex) {
  auto A = crypto::SrpParsePublicA(hex);
  if (!A) return;
  if (A->empty() || (*A)[0] == '\0' || A->size() > 512) std::abort();
  if (crypto::SrpIntegerHex(*A) != LowerHexWithoutLeadingZeros(hex)) std::abort();
}

void CheckTimestamp(std::string_view text) {
  auto t = crypto::ParseSrpTimestamp(text);
  auto canonical = crypto::CanonicalSrpTimestamp(text);
  if (t.has_value() != canonical.has_value()) std::abort();
  if (!t) return;
  if (*canonical != crypto::FormatSrpTimestamp(*t)) std::abort();
  auto again = crypto::ParseSrpTimestamp(*canonical);
  if (!again || *again != *t) std::abort();
  if (crypto::CanonicalSrpTimestamp(*canonical) != canonical) std::abort();
}

void CheckClaim(const Fixture& fx, std::string_view in) {
  std::string_view a_hex = NextField(in);
  std::string_view signature = NextField(in);
  std::string_view secret_block = NextField(in);
  std::string_view timestamp = in;
  auto A = crypto::SrpParsePublicA(a_hex.empty() ? std::string_view(fx.a_hex) : a_hex);
  // The raw (unparsed) bytes too: the verifier must cope with anything it is handed.
  std::string raw_a(a_hex);
  for (const std::string* candidate : {A ? &*A : nullptr, &raw_a}) {
    if (candidate == nullptr) continue;
    crypto::SrpPasswordClaim claim{kPoolName, kUserId, secret_block, timestamp, signature};
    if (!crypto::SrpVerifyPasswordClaim(*candidate, fx.ephemeral, fx.verifier.verifier, claim)) {
      continue;
    }
    // Accepted: must be exactly the real client's claim.
    if (*candidate != fx.A) std::abort();
    auto expected = fx.ClientSignature(secret_block, timestamp);
    if (!expected) std::abort();
    auto sent = crypto::Base64Decode(signature);
    if (!sent || crypto::Base64Encode(*sent) != *expected) std::abort();
  }
}

void CheckSignedClaim(const Fixture& fx, std::string_view in) {
  std::string_view secret_block = NextField(in);
  std::string_view timestamp = in;
  auto canonical = crypto::CanonicalSrpTimestamp(timestamp);
  std::string_view ts = canonical ? std::string_view(*canonical) : timestamp;
  auto sig = fx.ClientSignature(secret_block, ts);
  if (!sig) std::abort();
  crypto::SrpPasswordClaim claim{kPoolName, kUserId, secret_block, ts, *sig};
  if (!crypto::SrpVerifyPasswordClaim(fx.A, fx.ephemeral, fx.verifier.verifier, claim)) {
    std::abort();
  }
  // The same signature over another block or timestamp must fail.
  std::string other_block = std::string(secret_block) + "x";
  crypto::SrpPasswordClaim tampered{kPoolName, kUserId, other_block, ts, *sig};
  if (crypto::SrpVerifyPasswordClaim(fx.A, fx.ephemeral, fx.verifier.verifier, tampered)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture fx;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      CheckPublicA(in);
      break;
    case 1:
      CheckTimestamp(in);
      break;
    case 2:
      CheckClaim(fx, in);
      break;
    default:
      CheckSignedClaim(fx, in);
      break;
  }
  return 0;
}
