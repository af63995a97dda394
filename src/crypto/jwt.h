#pragma once
// RS256 JSON Web Tokens (RFC 7519 / RFC 7515) as Cognito issues them, RSA keys, and JWK / JWKS
// (RFC 7517, RFC 7518 §6.3) for /.well-known/jwks.json. OpenSSL 3 EVP underneath.
//
// Objects here are immutable after construction and safe to share between threads: build one
// JwtSigner per signing key and one JwtVerifier per key set, then reuse them (the parsed EVP_PKEY
// and the fetched digest are kept, so no per-token key parsing happens).
// Nothing throws; failures are nullopt, empty strings or a JwtError.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;      // NOLINT: OpenSSL's own spelling (openssl/types.h)
typedef struct evp_md_ctx_st EVP_MD_CTX;  // NOLINT

namespace cognate::crypto {

// A public RSA key in JWK form (RFC 7517 §4, RFC 7518 §6.3.1).
struct Jwk {
  std::string kid;
  std::string kty = "RSA";
  std::string alg = "RS256";
  std::string use = "sig";
  std::string n;  // modulus, base64url (big-endian, no leading zero)
  std::string e;  // public exponent, base64url ("AQAB")
};

// {"alg","e","kid","kty","n","use"} (keys in Cognito's order, which is alphabetical).
nlohmann::json JwkToJson(const Jwk& jwk);
// {"keys":[...]}: the document Cognito serves at /<pool>/.well-known/jwks.json.
std::string JwksJson(const std::vector<Jwk>& keys);
// Parses a JWKS document; keys that are not RSA are skipped. nullopt when not a JWKS.
std::optional<std::vector<Jwk>> ParseJwks(std::string_view json);

// An RSA key pair, or a public key alone. Copies share the same immutable EVP_PKEY.
class RsaKey {
 public:
  // A fresh key pair with public exponent 65537; nullopt unless 2048 <= bits <= 8192.
  static std::optional<RsaKey> Generate(int bits = 2048);
  // A private key from PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"), unencrypted.
  // nullopt for other key types, keys under 2048 bits, or malformed input.
  static std::optional<RsaKey> FromPrivatePem(std::string_view pem);
  // A public key from PEM ("PUBLIC KEY", SubjectPublicKeyInfo).
  static std::optional<RsaKey> FromPublicPem(std::string_view pem);
  // A public key from a JWK's n and e (base64url).
  static std::optional<RsaKey> FromJwk(const Jwk& jwk);

  bool has_private() const { return has_private_; }
  int bits() const;
  // PKCS#8 PEM of the private key, for sealing at rest with SecretBox; empty if public only.
  std::string PrivatePem() const;
  // SubjectPublicKeyInfo PEM of the public key.
  std::string PublicPem() const;
  // The public key as a JWK with `kid`.
  Jwk ToJwk(std::string kid) const;
  // RFC 7638 JWK SHA-256 thumbprint, base64url: a stable kid for this key.
  std::string Thumbprint() const;

  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  RsaKey(std::shared_ptr<EVP_PKEY> pkey, bool has_private);
  std::shared_ptr<EVP_PKEY> pkey_;
  bool has_private_ = false;
};

// Signs RS256 JWTs with one key.
class JwtSigner {
 public:
  // nullopt when `key` has no private part.
  static std::optional<JwtSigner> Create(RsaKey key, std::string kid);

  const std::string& kid() const { return kid_; }
  const RsaKey& key() const { return key_; }
  // header.payload.signature with header {"kid":<kid>,"alg":"RS256"} (Cognito's header shape).
  // Empty only if OpenSSL fails (out of memory).
  std::string Sign(const nlohmann::json& claims) const;
  // The same with the payload JSON given as text (must be a JSON object; not checked).
  std::string SignPayload(std::string_view payload_json) const;

 private:
  JwtSigner(RsaKey key, std::string kid);
  RsaKey key_;
  std::string kid_;
  std::string header_b64_;  // base64url of the fixed header
  // A signing context initialised once (key, SHA-256); each Sign copies it, which skips the
  // provider lookups of EVP_DigestSignInit. Never mutated after construction.
  std::shared_ptr<EVP_MD_CTX> template_;
};

enum class JwtError : std::uint8_t {
  kMalformed,  // not three base64url parts, header or payload not a JSON object, bad claim type
  kUnsupportedAlg,  // alg is not RS256 (none, HS256, ES256, ...) or a crit header is present
  kUnknownKid,      // no kid, or a kid this verifier does not hold
  kBadSignature,    // signature does not verify
  kExpired,         // now - skew >= exp
  kNotYetValid,     // now + skew < nbf
  kIssuedInFuture,  // iat > now + skew
  kMissingExp,      // no exp and the options require one
};
std::string_view JwtErrorName(JwtError e);

struct VerifiedJwt {
  std::string kid;
  nlohmann::json header;  // a JSON object
  nlohmann::json claims;  // a JSON object; iss/aud/client_id/token_use are the caller's to judge
};

struct JwtVerifyOptions {
  std::int64_t now_s = 0;         // current time, seconds since the epoch
  std::int64_t clock_skew_s = 0;  // leeway applied to exp, nbf and iat
  bool require_exp = true;
};

struct JwtVerifyOutcome {
  std::optional<VerifiedJwt> ok;
  JwtError error = JwtError::kMalformed;  // meaningful only when !ok
};

// Verifies RS256 JWTs against a fixed set of keys, chosen by kid.
class JwtVerifier {
 public:
  static constexpr std::size_t kMaxTokenSize = 64 * 1024;

  JwtVerifier() = default;
  // remember_signatures = false checks every signature (benchmarks of the RSA cost).
  explicit JwtVerifier(bool remember_signatures) : remember_(remember_signatures) {}
  // Adds (or replaces) the public key for `kid`. Not to be called concurrently with Verify.
  void AddKey(std::string kid, const RsaKey& key);
  // Adds every RSA key of a JWKS; false (and nothing added) if any key is malformed.
  bool AddJwks(const std::vector<Jwk>& keys);
  bool HasKey(std::string_view kid) const;

  // Checks, in order: shape and size, header (alg must be exactly RS256, no crit), kid, signature,
  // then payload JSON and the time claims exp / nbf / iat (numbers) with `options.clock_skew_s`.
  // The payload is parsed only after the signature verified. A token whose signature verified
  // here before skips the RSA verification (see SignatureMemo); every other check is repeated.
  // Thread-safe.
  JwtVerifyOutcome Verify(std::string_view token, const JwtVerifyOptions& options) const;

  // The SHA-256 digests of tokens whose signature verified against these keys, so a client that
  // presents its access token on every call costs one RSA verification per token, not per call.
  // A digest names exactly one token (a collision would be a SHA-256 collision), and the keys
  // are fixed while it is kept: AddKey clears it. Two generations of at most kEntries each: when
  // the newer fills, the older is dropped (about 100 bytes an entry with the set's node).
  class SignatureMemo {
   public:
    static constexpr std::size_t kEntries = 16384;
    SignatureMemo() = default;
    SignatureMemo(const SignatureMemo&) {}  // a copy starts empty
    SignatureMemo& operator=(const SignatureMemo&) {
      Clear();
      return *this;
    }
    bool Contains(const std::string& digest) const;
    void Add(std::string digest);
    void Clear();

   private:
    mutable std::mutex mu_;
    std::unordered_set<std::string> newer_;
    std::unordered_set<std::string> older_;
  };

 private:
  struct Key {
    RsaKey key;
    std::size_t sig_size;
    std::shared_ptr<EVP_MD_CTX> template_;  // verify context initialised once, copied per token
  };
  std::map<std::string, Key, std::less<>> keys_;
  // base64url of the exact header JwtSigner writes for each kid, so our own tokens skip the
  // header's JSON parse.
  std::map<std::string, std::string, std::less<>> known_headers_;
  bool remember_ = true;
  mutable SignatureMemo verified_;
};

}  // namespace cognate::crypto
