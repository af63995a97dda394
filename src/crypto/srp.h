#pragma once
// The server side of Cognito's SRP-6a variant (USER_SRP_AUTH, DEVICE_SRP_AUTH), interoperable
// with amazon-cognito-identity-js (AuthenticationHelper), Amplify, boto3-based pycognito and the
// AWS SDKs' SRP helpers.
//
// Group: RFC 5054 appendix A, 3072-bit N, g = 2. H = SHA-256.
// Integers enter hashes in the clients' "padHex" form: the minimal big-endian bytes of the
// (positive) integer, with a 0x00 byte prepended when the high bit of the first byte is set, and
// a single 0x00 for zero (Java BigInteger.toByteArray). This differs from RFC 5054's PAD().
//   k = H(pad(N) | pad(g))
//   x = H(pad(salt) | H(pool_name | user_id | ":" | password))
//   v = g^x mod N
//   u = H(pad(A) | pad(B))
//   B = (k*v + g^b) mod N            (server, b: 256-bit random)
//   S = (A * v^u)^b mod N            (server)  ==  (B - k*g^x)^(a + u*x) mod N  (client)
//   K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key"), 16 bytes
//   PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(K, pool_name | user_id | secret_block | ts))
// `pool_name` is the user pool id without its "<region>_" prefix for USER_SRP_AUTH and the device
// group key for DEVICE_SRP_AUTH; `user_id` is USER_ID_FOR_SRP (resp. the device key).
//
// Secret exponents go through BN_mod_exp_mont_consttime. Nothing here throws or does I/O beyond
// the CSPRNG; invalid input yields nullopt / false.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cognate::crypto {

// What the server stores per user (or per remembered device); never the password.
struct SrpVerifier {
  std::string salt;      // raw bytes (16 when we make it); sent to the client as SALT (hex)
  std::string verifier;  // v = g^x mod N, minimal big-endian bytes
};

// Makes a fresh 16-byte random salt and the verifier for `password`.
SrpVerifier MakeSrpVerifier(std::string_view pool_name, std::string_view user_id,
                            std::string_view password);
// Same with a given salt (raw bytes). Leading zero bytes of the salt are insignificant, as the
// clients read SALT as an integer.
SrpVerifier MakeSrpVerifierWithSalt(std::string_view pool_name, std::string_view user_id,
                                    std::string_view password, std::string_view salt);

// The server's ephemeral state for one sign-in attempt (keep `b` secret; it goes into the
// sealed SECRET_BLOCK / session, B into SRP_B).
struct SrpServerEphemeral {
  std::string b;  // 32 random bytes
  std::string B;  // B = (k*v + g^b) mod N, minimal big-endian bytes
};

// Draws b and computes B for `verifier` (minimal big-endian bytes of v). nullopt when the
// verifier is empty, zero or not below N.
std::optional<SrpServerEphemeral> SrpServerBegin(std::string_view verifier);
// The same with a chosen `b` (any length up to 64 bytes; used to rebuild B from a stored b and by
// tests). nullopt when b is empty or zero or the verifier is invalid.
std::optional<SrpServerEphemeral> SrpServerBeginWithSecret(std::string_view verifier,
                                                           std::string_view b);

// Parses the client's SRP_A (hex, any case, no sign, up to 1024 digits) to minimal big-endian
// bytes. nullopt when malformed or A mod N == 0 (RFC 5054 §2.5.4).
std::optional<std::string> SrpParsePublicA(std::string_view a_hex);

// The 16-byte session key K, or nullopt when A mod N == 0, u == 0 or the inputs are invalid.
// `A` is the parsed client value (SrpParsePublicA).
std::optional<std::string> SrpServerSessionKey(std::string_view A,
                                               const SrpServerEphemeral& ephemeral,
                                               std::string_view verifier);

// HMAC-SHA256(key, pool_name | user_id | secret_block | timestamp): 32 raw bytes.
std::string SrpClaimSignature(std::string_view key, std::string_view pool_name,
                              std::string_view user_id, std::string_view secret_block,
                              std::string_view timestamp);

// The PASSWORD_VERIFIER challenge response as the client sends it.
struct SrpPasswordClaim {
  std::string_view pool_name;     // pool id without region prefix, or device group key
  std::string_view user_id;       // USER_ID_FOR_SRP, or device key
  std::string_view secret_block;  // raw bytes (base64-decoded PASSWORD_CLAIM_SECRET_BLOCK)
  std::string_view timestamp;     // TIMESTAMP exactly as sent
  std::string_view signature;     // PASSWORD_CLAIM_SIGNATURE (base64) exactly as sent
};

// True when `claim.signature` proves knowledge of the password behind `verifier` for the
// exchange (A, ephemeral). Constant-time comparison. Does not judge the timestamp's age
// (see ParseSrpTimestamp).
bool SrpVerifyPasswordClaim(std::string_view A, const SrpServerEphemeral& ephemeral,
                            std::string_view verifier, const SrpPasswordClaim& claim);

// ---- TIMESTAMP --------------------------------------------------------------------------------
// Formats `epoch_s` the way amazon-cognito-identity-js' DateHelper does:
// "ddd MMM D HH:mm:ss UTC YYYY" in UTC, day of month not zero-padded, e.g.
// "Tue Nov 3 08:07:00 UTC 2026".
std::string FormatSrpTimestamp(std::int64_t epoch_s);
// Parses that format back to epoch seconds, leniently as a Java date parser would: the day may be
// zero-padded ("Nov 03") and the weekday, though it must be a weekday name, is not checked
// against the date. Only "UTC" is accepted as the zone. nullopt when unparseable (Cognito answers
// InvalidParameterException "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.").
// Cognito checks the signature over the canonical form, so the domain should verify the claim over
// FormatSrpTimestamp(*ParseSrpTimestamp(ts)): a padded day or a wrong weekday then fails as
// NotAuthorizedException, as measured against AWS.
std::optional<std::int64_t> ParseSrpTimestamp(std::string_view text);
// FormatSrpTimestamp(ParseSrpTimestamp(text)): the string to verify the claim over.
std::optional<std::string> CanonicalSrpTimestamp(std::string_view text);

// ---- hex as the clients write it ------------------------------------------------------------
// Lower-case hex of the minimal big-endian bytes `bytes` without leading zeros ("0" for zero),
// as SRP_B and SALT are sent.
std::string SrpIntegerHex(std::string_view bytes);

// ---- client side (tests, benchmarks, load generation) ---------------------------------------
// The client computation of amazon-cognito-identity-js, for round-trip tests and load tools.
class SrpClient {
 public:
  // Draws a 128-byte random `a` as the npm client does.
  SrpClient(std::string pool_name, std::string user_id);
  // A chosen `a` (raw bytes, non-zero).
  SrpClient(std::string pool_name, std::string user_id, std::string a);

  // SRP_A as hex (the client sends BigInteger.toString(16)).
  std::string PublicAHex() const;
  // The signature (base64) for the server's B (bytes), salt (bytes) and secret block, or nullopt
  // when B mod N == 0 or u == 0.
  std::optional<std::string> SignClaim(std::string_view password, std::string_view B,
                                       std::string_view salt, std::string_view secret_block,
                                       std::string_view timestamp) const;

 private:
  std::string pool_name_;
  std::string user_id_;
  std::string a_;
  std::string A_;
};

}  // namespace cognate::crypto
