// Fuzzes the token checks an attacker reaches with a bearer or refresh token:
// crypto::JwtVerifier::Verify, TokenService::VerifyAccessToken, Refresh and RevokeRefreshToken (on
// a MemoryStore-backed ServiceContext with one pool, client and user). Input format:
//   byte 0: mode (mod 6)
//     0 raw bytes -> JwtVerifier::Verify        1 a mutated signed token -> JwtVerifier::Verify
//     2 raw bytes -> VerifyAccessToken          3 a mutated issued token -> VerifyAccessToken
//     4 raw bytes -> Refresh / RevokeRefreshToken
//     5 a mutated refresh token -> Refresh / RevokeRefreshToken
//     (by input size mod 4: Refresh, Refresh with a device key, revoke by the token's client,
//     revoke by another client of the pool)
//   raw modes: the rest is the token.
//   mutated modes: byte 1 picks the base token, byte 2 the part (0 header, 1 payload,
//   2 signature; the refresh token is one part), byte 3 the operation, byte 4 a position; the rest
//   is the operand (see Mutate).
// Nothing may crash, leak or throw, and nothing may be accepted that we did not sign: an accepted
// JWT or refresh token must be exactly one we issued (base64url decoding is canonical, RS256
// deterministic and unforgeable, refresh tokens sealed).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "crypto/jwt.h"
#include "domain/tokens/token_service.h"
#include "domain/users/pool_rules.h"
#include "domain/users/test_support.h"
#include "domain/users/user_record.h"

namespace {

using cognate::crypto::Base64UrlDecode;
using cognate::crypto::Base64UrlEncode;
using nlohmann::json;
namespace crypto = cognate::crypto;
namespace domain = cognate::domain;

constexpr char kPool[] = "us-east-1_FuzzPool";
constexpr char kClient[] = "fuzzclient0000000000000000";
constexpr char kOtherClient[] = "fuzzclient000000000000000b";
constexpr std::int64_t kNow = 1'700'000'000;

struct Fixture {
  // JwtVerifier side: one real key, tokens signed with it.
  std::optional<crypto::JwtSigner> signer;
  crypto::JwtVerifier verifier;
  std::vector<std::string> jwts;
  std::set<std::string, std::less<>> jwt_valid;  // the tokens our key signed

  // TokenService side.
  domain::users::testing::TestEnv env;
  domain::tokens::TokenService tokens{env.ctx};
  std::string sub;
  domain::tokens::IssuedTokens issued;
  cognate::store::TokenFamilyRow family;  // its row as issued

  Fixture() {
    spdlog::set_level(spdlog::level::off);
    auto key = crypto::RsaKey::Generate(2048);
    if (!key) std::abort();
    signer = crypto::JwtSigner::Create(*key, "fuzz-kid");
    verifier.AddKey("fuzz-kid", *key);
    // A second key the verifier does not hold: its tokens must all be refused.
    auto other = crypto::RsaKey::Generate(2048);
    if (!other) std::abort();
    auto stranger = crypto::JwtSigner::Create(*other, "fuzz-kid");
    jwts.push_back(signer->Sign(json{{"sub", "a"}, {"exp", kNow + 3600}, {"iat", kNow}}));
    jwts.push_back(signer->Sign(json{{"sub", "b"},
                                     {"token_use", "access"},
                                     {"exp", kNow + 3600},
                                     {"nbf", kNow - 10},
                                     {"iat", kNow - 10},
                                     {"scope", "aws.cognito.signin.user.admin"}}));
    jwts.push_back(signer->Sign(json{{"sub", "expired"}, {"exp", kNow - 1}}));
    jwt_valid.insert(jwts.begin(), jwts.end());
    jwts.push_back(stranger->Sign(json{{"sub", "stranger"}, {"exp", kNow + 3600}}));

    env.clock.SetMillis(kNow * 1000);
    env.MakePool(kPool, json{{"SchemaAttributes", json::array()}});
    json client{{"ClientId", kClient}, {"UserPoolId", kPool}, {"ClientName", "app"}};
    cognate::store::ClientRow row{kPool, kClient, "app", client.dump(), 1, 1, 0};
    if (!env.store.CreateClient(row)) std::abort();
    client["ClientId"] = kOtherClient;
    cognate::store::ClientRow other_row{kPool, kOtherClient, "app", client.dump(), 1, 1, 0};
    if (!env.store.CreateClient(other_row)) std::abort();
    auto rules = domain::users::LoadPoolRules(env.ctx, kPool);
    if (!rules) std::abort();
    domain::users::UserRecord u;
    u.pool_id = kPool;
    u.sub = crypto::NewUuid();
    u.username = "fuzzuser";
    u.status = "CONFIRMED";
    u.attributes["sub"] = u.sub;
    if (!env.store.CreateUser(domain::users::ToRow(*rules, u))) std::abort();
    sub = u.sub;
    SignIn();
  }

  void SignIn() {
    domain::tokens::SignInGrant g;
    g.pool_id = kPool;
    g.client_id = kClient;
    g.sub = sub;
    g.auth_time_s = kNow;
    auto t = tokens.IssueForSignIn(g);
    if (!t) std::abort();
    issued = *t;
    if (issued.refresh_token.empty() || issued.access_token.empty()) std::abort();
    auto row = env.store.GetTokenFamily(issued.family_id);
    if (!row) std::abort();
    family = *row;
  }

  // A reused (or device-key-carrying) refresh token changes or revokes its family: put the row
  // back as it was issued, so the store stays the same size and inputs stay reproducible.
  void RestoreFamily() {
    auto row = env.store.GetTokenFamily(issued.family_id);
    if (!row) std::abort();
    if (row->revoked_ms == 0 && row->refresh_hash == family.refresh_hash &&
        row->previous_refresh_hash == family.previous_refresh_hash && row->doc == family.doc &&
        row->expires_ms == family.expires_ms) {
      return;
    }
    if (!env.store.UpdateTokenFamily(family, row->version)) std::abort();
    auto again = env.store.GetTokenFamily(issued.family_id);
    if (!again || again->revoked_ms != 0) std::abort();
  }
};

// Applies operation `op` to `part` with operand `arg` at relative position `pos` (0..255).
std::string MutatePart(std::string part, std::uint8_t op, std::uint8_t pos, std::string_view arg) {
  std::size_t at = part.size() * pos / 256;
  switch (op % 8) {
    case 0:  // replace with raw bytes
      return std::string(arg);
    case 1:  // replace with base64url of the bytes (e.g. a JSON header or payload of our choosing)
      return Base64UrlEncode(arg);
    case 2:  // insert
      part.insert(at, arg);
      return part;
    case 3:  // overwrite
      for (std::size_t i = 0; i < arg.size() && at + i < part.size(); ++i) part[at + i] = arg[i];
      return part;
    case 4:  // truncate
      part.resize(at);
      return part;
    case 5: {  // merge a JSON object into the decoded part and re-encode
      auto text = Base64UrlDecode(part);
      json doc = json::parse(text.value_or(""), nullptr, false);
      json patch = json::parse(arg, nullptr, false);
      if (doc.is_discarded() || patch.is_discarded()) return part;
      doc.merge_patch(patch);
      return Base64UrlEncode(doc.dump());
    }
    case 6: {  // flip one bit of the decoded bytes, re-encode
      auto bytes = Base64UrlDecode(part);
      if (!bytes || bytes->empty()) return part;
      std::size_t i = bytes->size() * pos / 256;
      (*bytes)[i] = static_cast<char>((*bytes)[i] ^ (1 << (arg.empty() ? 0 : arg[0] & 7)));
      return Base64UrlEncode(*bytes);
    }
    default:  // append raw bytes to the decoded part, re-encode
      return Base64UrlEncode(Base64UrlDecode(part).value_or("") + std::string(arg));
  }
}

// Mutates one dot-separated part of a JWT.
std::string MutateJwt(const std::string& token, std::uint8_t which, std::uint8_t op,
                      std::uint8_t pos, std::string_view arg) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::size_t i = which % parts.size();
  parts[i] = MutatePart(parts[i], op, pos, arg);
  std::string out = parts[0];
  for (std::size_t j = 1; j < parts.size(); ++j) out.append(".").append(parts[j]);
  return out;
}

void CheckJwtVerifier(Fixture& fx, std::string_view token) {
  crypto::JwtVerifyOptions options;
  options.now_s = kNow;
  options.clock_skew_s = static_cast<std::int64_t>(token.size() % 3) * 60;
  auto out = fx.verifier.Verify(token, options);
  if (!out.ok) {
    (void)crypto::JwtErrorName(out.error);
    return;
  }
  // Base64url decoding is canonical and RS256 deterministic, so only our exact tokens may pass.
  if (fx.jwt_valid.find(token) == fx.jwt_valid.end()) std::abort();
  if (!out.ok->claims.is_object() || !out.ok->header.is_object() || out.ok->kid != "fuzz-kid") {
    std::abort();
  }
}

void CheckAccessToken(Fixture& fx, std::string_view token) {
  auto r = fx.tokens.VerifyAccessToken(token);
  if (!r) {
    if (r.error().type_name() != "NotAuthorizedException") std::abort();
    return;
  }
  if (token != fx.issued.access_token) std::abort();  // not the token we issued
  if (r->sub != fx.sub || r->client_id != kClient || r->pool_id != kPool) std::abort();
}

void CheckRefresh(Fixture& fx, std::string_view token, bool device) {
  domain::tokens::RefreshInput in;
  in.client_id = kClient;
  in.refresh_token = std::string(token);
  if (device) in.device_key = "us-east-1_device";
  auto r = fx.tokens.Refresh(in);
  if (r) {
    if (token != fx.issued.refresh_token) std::abort();  // not the token we issued
    if (r->access_token.empty() || r->id_token.empty()) std::abort();
  } else if (r.error().type_name() != "NotAuthorizedException") {
    std::abort();
  }
  fx.RestoreFamily();
}

// RevokeToken: only our token, presented by its own client, revokes anything.
void CheckRevoke(Fixture& fx, std::string_view token, bool own_client) {
  auto r = fx.tokens.RevokeRefreshToken(own_client ? kClient : kOtherClient, token);
  if (r) {
    if (!own_client || token != fx.issued.refresh_token) std::abort();
  } else if (r.error().type_name() != "UnauthorizedException" &&
             r.error().type_name() != "UnsupportedTokenTypeException") {
    std::abort();
  }
  auto row = fx.env.store.GetTokenFamily(fx.issued.family_id);
  if (!row || (row->revoked_ms != 0 && !r)) std::abort();  // revoked although refused
  fx.RestoreFamily();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fx;
  if (size == 0) return 0;
  const std::uint8_t mode = data[0] % 6;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string mutated;
  if (mode % 2 == 1) {
    if (size < 5) return 0;
    const std::uint8_t base = data[1], part = data[2], op = data[3], pos = data[4];
    std::string_view arg = rest.substr(4);
    if (mode == 1) {
      mutated = MutateJwt(fx.jwts[base % fx.jwts.size()], part, op, pos, arg);
    } else if (mode == 3) {
      const std::string* bases[] = {&fx.issued.access_token, &fx.issued.id_token, &fx.jwts[1]};
      mutated = MutateJwt(*bases[base % 3], part, op, pos, arg);
    } else {
      mutated = MutatePart(fx.issued.refresh_token, op, pos, arg);
    }
    rest = mutated;
  }
  switch (mode) {
    case 0:
    case 1:
      CheckJwtVerifier(fx, rest);
      break;
    case 2:
    case 3:
      CheckAccessToken(fx, rest);
      break;
    default:
      switch (size % 4) {
        case 0:
        case 1:
          CheckRefresh(fx, rest, size % 4 == 1);
          break;
        default:
          CheckRevoke(fx, rest, size % 4 == 2);
          break;
      }
      break;
  }
  return 0;
}
