#include "crypto/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cmath>
#include <limits>

#include "common/json_dump.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

constexpr std::size_t kMaxHeaderSize = 4096;  // decoded header bytes

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct PublicBnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using PublicBn = std::unique_ptr<BIGNUM, PublicBnFree>;

// SHA-256 fetched once from the default provider (saves a method-store lookup per token).
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* p) { return std::shared_ptr<EVP_PKEY>(p, PkeyFree{}); }

bool IsUsableRsa(EVP_PKEY* p) {
  return p != nullptr && EVP_PKEY_is_a(p, "RSA") && EVP_PKEY_get_bits(p) >= 2048 &&
         EVP_PKEY_get_bits(p) <= 16384;
}

int NoPassphrase(char*, int, int, void*) { return 0; }

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::string BnParam(EVP_PKEY* p, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(p, name, &raw) != 1) return {};
  PublicBn bn(raw);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// A NumericDate (RFC 7519 §2): integer or fractional seconds, floored; nullopt if not a number.
std::optional<std::int64_t> NumericDate(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = std::floor(v.get<double>());
    if (d >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
    if (d <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

JwtVerifyOutcome Fail(JwtError e) { return JwtVerifyOutcome{std::nullopt, e}; }

std::string HeaderJson(const std::string& kid) {
  nlohmann::json kid_json = kid;
  return R"({"kid":)" + DumpJson(kid_json) + R"(,"alg":"RS256"})";
}

// A DigestSign/DigestVerify context bound to `pkey` and SHA-256, or null.
std::shared_ptr<EVP_MD_CTX> MakeTemplate(EVP_PKEY* pkey, bool sign) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return nullptr;
  int rc = sign ? EVP_DigestSignInit(ctx.get(), nullptr, Sha256Md(), nullptr, pkey)
                : EVP_DigestVerifyInit(ctx.get(), nullptr, Sha256Md(), nullptr, pkey);
  if (rc != 1) return nullptr;
  return std::shared_ptr<EVP_MD_CTX>(ctx.release(), MdCtxFree{});
}

// A fresh context for one operation: a copy of `tmpl` when possible, else a new init.
MdCtx StartOp(const std::shared_ptr<EVP_MD_CTX>& tmpl, EVP_PKEY* pkey, bool sign) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return nullptr;
  if (tmpl && EVP_MD_CTX_copy_ex(ctx.get(), tmpl.get()) == 1) return ctx;
  EVP_MD_CTX_reset(ctx.get());
  int rc = sign ? EVP_DigestSignInit(ctx.get(), nullptr, Sha256Md(), nullptr, pkey)
                : EVP_DigestVerifyInit(ctx.get(), nullptr, Sha256Md(), nullptr, pkey);
  return rc == 1 ? std::move(ctx) : nullptr;
}

}  // namespace

// ---- JWK --------------------------------------------------------------------------------------

nlohmann::json JwkToJson(const Jwk& jwk) {
  return nlohmann::json{{"alg", jwk.alg}, {"e", jwk.e}, {"kid", jwk.kid},
                        {"kty", jwk.kty}, {"n", jwk.n}, {"use", jwk.use}};
}

std::string JwksJson(const std::vector<Jwk>& keys) {
  nlohmann::json arr = nlohmann::json::array();
  for (const Jwk& k : keys) arr.push_back(JwkToJson(k));
  return DumpJson(nlohmann::json{{"keys", std::move(arr)}});
}

std::optional<std::vector<Jwk>> ParseJwks(std::string_view json) {
  auto doc = ParseJson(json);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) return std::nullopt;
  std::vector<Jwk> out;
  for (const auto& k : doc["keys"]) {
    if (!k.is_object()) return std::nullopt;
    auto str = [&](const char* name) -> std::string {
      auto it = k.find(name);
      return it != k.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (str("kty") != "RSA") continue;
    Jwk jwk;
    jwk.kid = str("kid");
    jwk.alg = str("alg");
    jwk.use = str("use");
    jwk.n = str("n");
    jwk.e = str("e");
    out.push_back(std::move(jwk));
  }
  return out;
}

// ---- RsaKey -----------------------------------------------------------------------------------

RsaKey::RsaKey(std::shared_ptr<EVP_PKEY> pkey, bool has_private)
    : pkey_(std::move(pkey)), has_private_(has_private) {}

std::optional<RsaKey> RsaKey::Generate(int bits) {
  if (bits < 2048 || bits > 8192) return std::nullopt;
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return std::nullopt;
  }
  return RsaKey(Share(raw), true);
}

std::optional<RsaKey> RsaKey::FromPrivatePem(std::string_view pem) {
  if (pem.empty() || pem.size() > 64 * 1024) return std::nullopt;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  auto key = Share(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!IsUsableRsa(key.get())) return std::nullopt;
  return RsaKey(std::move(key), true);
}

std::optional<RsaKey> RsaKey::FromPublicPem(std::string_view pem) {
  if (pem.empty() || pem.size() > 64 * 1024) return std::nullopt;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  auto key = Share(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!IsUsableRsa(key.get())) return std::nullopt;
  return RsaKey(std::move(key), false);
}

std::optional<RsaKey> RsaKey::FromJwk(const Jwk& jwk) {
  if (jwk.kty != "RSA" || (!jwk.alg.empty() && jwk.alg != "RS256")) return std::nullopt;
  auto n = Base64UrlDecode(jwk.n);
  auto e = Base64UrlDecode(jwk.e);
  if (!n || !e || n->empty() || e->empty() || n->size() > 2048 || e->size() > 8) {
    return std::nullopt;
  }
  PublicBn n_bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                          static_cast<int>(n->size()), nullptr));
  PublicBn e_bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                          static_cast<int>(e->size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!n_bn || !e_bn || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) != 1) {
    return std::nullopt;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return std::nullopt;
  }
  auto key = Share(raw);
  if (!IsUsableRsa(key.get())) return std::nullopt;
  return RsaKey(std::move(key), false);
}

int RsaKey::bits() const { return pkey_ ? EVP_PKEY_get_bits(pkey_.get()) : 0; }

std::string RsaKey::PrivatePem() const {
  if (!has_private_) return {};
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return {};
  }
  return BioToString(bio.get());
}

std::string RsaKey::PublicPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) return {};
  return BioToString(bio.get());
}

Jwk RsaKey::ToJwk(std::string kid) const {
  Jwk jwk;
  jwk.kid = std::move(kid);
  jwk.n = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_N));
  jwk.e = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_E));
  return jwk;
}

std::string RsaKey::Thumbprint() const {
  Jwk jwk = ToJwk("");
  // RFC 7638 §3.2: required members only, lexicographic order, no whitespace.
  std::string canonical = R"({"e":")" + jwk.e + R"(","kty":"RSA","n":")" + jwk.n + R"("})";
  return Base64UrlEncode(Sha256(canonical));
}

// ---- JwtSigner --------------------------------------------------------------------------------

JwtSigner::JwtSigner(RsaKey key, std::string kid)
    : key_(std::move(key)),
      kid_(std::move(kid)),
      header_b64_(Base64UrlEncode(HeaderJson(kid_))),
      template_(MakeTemplate(key_.pkey(), /*sign=*/true)) {}

std::optional<JwtSigner> JwtSigner::Create(RsaKey key, std::string kid) {
  if (!key.has_private() || key.pkey() == nullptr) return std::nullopt;
  return JwtSigner(std::move(key), std::move(kid));
}

std::string JwtSigner::Sign(const nlohmann::json& claims) const {
  return SignPayload(DumpJson(claims));
}

std::string JwtSigner::SignPayload(std::string_view payload_json) const {
  std::string token = header_b64_;
  token.push_back('.');
  token += Base64UrlEncode(payload_json);
  MdCtx ctx = StartOp(template_, key_.pkey(), /*sign=*/true);
  std::size_t sig_len = 0;
  if (!ctx ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len,
                     reinterpret_cast<const unsigned char*>(token.data()), token.size()) != 1) {
    return {};
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(token.data()), token.size()) != 1) {
    return {};
  }
  sig.resize(sig_len);
  token.push_back('.');
  token += Base64UrlEncode(sig);
  return token;
}

// ---- JwtVerifier ------------------------------------------------------------------------------

std::string_view JwtErrorName(JwtError e) {
  switch (e) {
    case JwtError::kMalformed:
      return "malformed";
    case JwtError::kUnsupportedAlg:
      return "unsupported alg";
    case JwtError::kUnknownKid:
      return "unknown kid";
    case JwtError::kBadSignature:
      return "bad signature";
    case JwtError::kExpired:
      return "expired";
    case JwtError::kNotYetValid:
      return "not yet valid";
    case JwtError::kIssuedInFuture:
      return "issued in the future";
    case JwtError::kMissingExp:
      return "missing exp";
  }
  return "unknown";
}

bool JwtVerifier::SignatureMemo::Contains(const std::string& digest) const {
  std::lock_guard lock(mu_);
  return newer_.count(digest) != 0 || older_.count(digest) != 0;
}

void JwtVerifier::SignatureMemo::Add(std::string digest) {
  std::lock_guard lock(mu_);
  if (newer_.size() >= kEntries) {
    older_.clear();
    older_.swap(newer_);
  }
  newer_.insert(std::move(digest));
}

void JwtVerifier::SignatureMemo::Clear() {
  std::lock_guard lock(mu_);
  newer_.clear();
  older_.clear();
}

void JwtVerifier::AddKey(std::string kid, const RsaKey& key) {
  verified_.Clear();  // a replaced key must not vouch for what the old one signed
  auto size = static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()));
  known_headers_.insert_or_assign(Base64UrlEncode(HeaderJson(kid)), kid);
  keys_.insert_or_assign(std::move(kid), Key{key, size, MakeTemplate(key.pkey(), /*sign=*/false)});
}

bool JwtVerifier::AddJwks(const std::vector<Jwk>& keys) {
  std::vector<std::pair<std::string, RsaKey>> parsed;
  for (const Jwk& jwk : keys) {
    auto key = RsaKey::FromJwk(jwk);
    if (!key || jwk.kid.empty()) return false;
    parsed.emplace_back(jwk.kid, *key);
  }
  for (auto& [kid, key] : parsed) AddKey(std::move(kid), key);
  return true;
}

bool JwtVerifier::HasKey(std::string_view kid) const { return keys_.find(kid) != keys_.end(); }

JwtVerifyOutcome JwtVerifier::Verify(std::string_view token,
                                     const JwtVerifyOptions& options) const {
  if (token.empty() || token.size() > kMaxTokenSize) return Fail(JwtError::kMalformed);
  std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Fail(JwtError::kMalformed);
  std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Fail(JwtError::kMalformed);
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view sig_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || header_b64.size() > kMaxHeaderSize * 4 / 3 + 4) {
    return Fail(JwtError::kMalformed);
  }

  // Header: our own exact header bytes (the common case), else parsed and checked.
  nlohmann::json header;
  std::string kid;
  if (auto known = known_headers_.find(header_b64); known != known_headers_.end()) {
    kid = known->second;
    header = nlohmann::json{{"kid", kid}, {"alg", "RS256"}};
  } else {
    auto header_text = Base64UrlDecode(header_b64);
    if (!header_text) return Fail(JwtError::kMalformed);
    header = ParseJson(*header_text);
    if (!header.is_object()) return Fail(JwtError::kMalformed);
    auto alg = header.find("alg");
    if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "RS256" ||
        header.contains("crit")) {
      return Fail(JwtError::kUnsupportedAlg);
    }
    auto kid_it = header.find("kid");
    if (kid_it == header.end() || !kid_it->is_string()) return Fail(JwtError::kUnknownKid);
    kid = kid_it->get<std::string>();
  }
  auto key_it = keys_.find(kid);
  if (key_it == keys_.end()) return Fail(JwtError::kUnknownKid);

  // Signature over the first two parts exactly as received (or this very token's before).
  std::string digest = remember_ ? Sha256(token) : std::string();
  if (!remember_ || !verified_.Contains(digest)) {
    auto sig = Base64UrlDecode(sig_b64);
    if (!sig) return Fail(JwtError::kMalformed);
    if (sig->size() != key_it->second.sig_size) return Fail(JwtError::kBadSignature);
    MdCtx ctx = StartOp(key_it->second.template_, key_it->second.key.pkey(), /*sign=*/false);
    std::string_view signed_part = token.substr(0, dot2);
    if (!ctx ||
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                         sig->size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                         signed_part.size()) != 1) {
      return Fail(JwtError::kBadSignature);
    }
    if (remember_) verified_.Add(std::move(digest));
  }

  // Payload (authenticated from here on).
  auto payload_text = Base64UrlDecode(payload_b64);
  if (!payload_text) return Fail(JwtError::kMalformed);
  auto claims = ParseJson(*payload_text);
  if (!claims.is_object()) return Fail(JwtError::kMalformed);

  const std::int64_t now = options.now_s;
  const std::int64_t skew = options.clock_skew_s < 0 ? 0 : options.clock_skew_s;
  if (auto it = claims.find("exp"); it != claims.end()) {
    auto exp = NumericDate(*it);
    if (!exp) return Fail(JwtError::kMalformed);
    if (now - skew >= *exp) return Fail(JwtError::kExpired);
  } else if (options.require_exp) {
    return Fail(JwtError::kMissingExp);
  }
  if (auto it = claims.find("nbf"); it != claims.end()) {
    auto nbf = NumericDate(*it);
    if (!nbf) return Fail(JwtError::kMalformed);
    if (now + skew < *nbf) return Fail(JwtError::kNotYetValid);
  }
  if (auto it = claims.find("iat"); it != claims.end()) {
    auto iat = NumericDate(*it);
    if (!iat) return Fail(JwtError::kMalformed);
    if (*iat > now + skew) return Fail(JwtError::kIssuedInFuture);
  }
  return JwtVerifyOutcome{VerifiedJwt{std::move(kid), std::move(header), std::move(claims)},
                          JwtError::kMalformed};
}

}  // namespace cognate::crypto
