#include "domain/tokens/token_service.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "common/json_dump.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"
#include "crypto/jwt.h"
#include "domain/groups/group_service.h"
#include "domain/tokens/claims.h"
#include "domain/tokens/key_ring.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::tokens {
namespace {

using nlohmann::json;

// Refresh tokens: base64url(SecretBox(family id || 0x00 || 32 random bytes)), sealed with a
// fixed associated data. Only their SHA-256 is stored.
constexpr std::string_view kRefreshAad = "refresh-token:v1";
constexpr std::size_t kRefreshRandomBytes = 32;
constexpr std::size_t kMaxRefreshTokenSize = 4096;
// Leeway for exp / iat between nodes whose clocks differ slightly.
constexpr std::int64_t kClockSkewS = 5;
constexpr int kMaxUpdateAttempts = 4;
// Every this many sign-ins, delete families that expired more than kPurgeAfterMs ago (until then
// an expired refresh token still reads "Refresh Token has expired").
constexpr std::uint32_t kPurgeEvery = 1024;
constexpr std::int64_t kPurgeAfterMs = 7LL * 86400 * 1000;

const char kInvalidRefresh[] = "Invalid Refresh Token";
const char kRefreshRevoked[] = "Refresh Token has been revoked";
const char kRefreshExpired[] = "Refresh Token has expired";
const char kInvalidAccess[] = "Invalid Access Token";
const char kAccessExpired[] = "Access Token has expired";
const char kAccessRevoked[] = "Access Token has been revoked";
const char kMissingScope[] = "Access Token does not have required scopes";

std::string EncodeRefreshToken(const crypto::SecretBox& box, const std::string& family_id) {
  std::string plain = family_id;
  plain.push_back('\0');
  plain += crypto::RandomBytes(kRefreshRandomBytes);
  return crypto::Base64UrlEncode(box.Seal(plain, kRefreshAad));
}

// The family id inside a refresh token, or nullopt when it is not one of ours.
std::optional<std::string> DecodeRefreshToken(const crypto::SecretBox& box,
                                              std::string_view token) {
  if (token.empty() || token.size() > kMaxRefreshTokenSize) return std::nullopt;
  auto sealed = crypto::Base64UrlDecode(token);
  if (!sealed) return std::nullopt;
  auto plain = box.Open(*sealed, kRefreshAad);
  if (!plain) return std::nullopt;
  auto sep = plain->find('\0');
  if (sep == std::string::npos || sep == 0 || plain->size() != sep + 1 + kRefreshRandomBytes) {
    return std::nullopt;
  }
  return plain->substr(0, sep);
}

std::string RefreshHash(std::string_view token) { return crypto::HexEncode(crypto::Sha256(token)); }

// What a family's doc keeps.
struct FamilyDoc {
  std::int64_t auth_time_s = 0;
  std::string device_key;
  std::vector<std::string> scopes;
  std::int64_t refresh_expires_ms = 0;
  bool oauth = false;  // an /oauth2/authorize sign-in (SignInGrant::oauth)

  std::string Dump() const {
    json j{{"auth_time", auth_time_s},
           {"device_key", device_key},
           {"scopes", scopes},
           {"refresh_expires_ms", refresh_expires_ms}};
    if (oauth) j["oauth"] = true;
    return DumpJson(j);
  }
  bool HasScope(std::string_view scope) const {
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
  }
  // OAuth families carry an ID token only with the openid scope.
  bool IssuesIdToken() const { return !oauth || HasScope("openid"); }
  static FamilyDoc Parse(const std::string& text) {
    FamilyDoc d;
    auto j = ParseJson(text);
    if (!j.is_object()) return d;
    if (auto it = j.find("auth_time"); it != j.end() && it->is_number_integer()) {
      d.auth_time_s = it->get<std::int64_t>();
    }
    if (auto it = j.find("device_key"); it != j.end() && it->is_string()) {
      d.device_key = it->get<std::string>();
    }
    if (auto it = j.find("scopes"); it != j.end() && it->is_array()) {
      for (const auto& s : *it) {
        if (s.is_string()) d.scopes.push_back(s.get<std::string>());
      }
    }
    if (auto it = j.find("refresh_expires_ms"); it != j.end() && it->is_number_integer()) {
      d.refresh_expires_ms = it->get<std::int64_t>();
    }
    if (auto it = j.find("oauth"); it != j.end() && it->is_boolean()) d.oauth = it->get<bool>();
    return d;
  }
};

bool IsPoolIdShape(std::string_view id) {
  if (id.empty() || id.size() > 55 || id.find('_') == std::string_view::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::vector<std::string> SplitScopes(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// OIDC at_hash: base64url of the left half of SHA-256 of the access token (RS256).
std::string AtHash(std::string_view access_token) {
  return crypto::Base64UrlEncode(crypto::Sha256(access_token).substr(0, 16));
}

// `claims` with at_hash first (where Cognito puts it) and nonce after cognito:username.
nlohmann::ordered_json WithOAuthClaims(const nlohmann::ordered_json& claims,
                                       const std::string& at_hash, const std::string& nonce) {
  nlohmann::ordered_json out;
  out["at_hash"] = at_hash;
  for (auto it = claims.begin(); it != claims.end(); ++it) {
    if (it.key() == "at_hash" || it.key() == "nonce") continue;
    out[it.key()] = it.value();
    if (it.key() == "cognito:username" && !nonce.empty()) out["nonce"] = nonce;
  }
  if (!nonce.empty() && !out.contains("nonce")) out["nonce"] = nonce;
  return out;
}

// Access tokens of the OAuth endpoints carry "version": 2 after iss, as Cognito's do.
nlohmann::ordered_json WithVersion(const nlohmann::ordered_json& claims) {
  nlohmann::ordered_json out;
  for (auto it = claims.begin(); it != claims.end(); ++it) {
    out[it.key()] = it.value();
    if (it.key() == "iss") out["version"] = 2;
  }
  return out;
}

const std::string* StringClaim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

}  // namespace

struct TokenService::Impl {
  explicit Impl(ServiceContext& c) : ctx(c), keys(c) {}

  ServiceContext& ctx;
  KeyRing keys;
  std::atomic<std::uint32_t> sign_ins{0};

  // Everything an issuance reads besides the keys.
  struct Subject {
    store::ClientRow client;
    std::shared_ptr<const json> client_doc_ptr;  // shared with the parse cache
    const json& client_doc() const { return *client_doc_ptr; }
    users::UserRecord user;
    std::vector<groups::GroupRecord> groups;
    std::vector<std::string> readable;
    std::optional<triggers::Target> pre_token;  // the pool's PreTokenGeneration function
  };

  // `known`: the client's pool's rules when the caller has them (else they are loaded).
  Result<Subject> LoadSubject(const store::ClientRow& client, const std::string& sub,
                              const users::PoolRules* known = nullptr) {
    Subject s;
    s.client = client;
    auto doc = userpool::ClientDoc(client);
    if (!doc) return doc.error();
    s.client_doc_ptr = std::move(*doc);
    std::optional<users::PoolRules> loaded;
    if (known == nullptr || known->pool_id() != client.pool_id) {
      auto rules = users::LoadPoolRules(ctx, client.pool_id);
      if (!rules) return rules.error();
      known = &loaded.emplace(std::move(*rules));
    }
    s.readable = ReadableAttributes(*known, s.client_doc());
    s.pre_token = PreTokenTarget(ctx, known->lambda_config());
    auto row = ctx.store.GetUserBySub(client.pool_id, sub);
    if (!row) {
      if (row.error().IsNotFound()) return ApiError::UserNotFound();
      return StoreInternal("get user", row.error());
    }
    s.user = users::FromRow(*row);
    std::string cursor;
    do {
      auto page = ctx.store.ListGroupsForUser(client.pool_id, sub, cursor, 60);
      if (!page) return StoreInternal("list groups for user", page.error());
      for (const auto& g : page->items) s.groups.push_back(groups::FromGroupRow(g));
      cursor = page->next_cursor;
    } while (!cursor.empty());
    return s;
  }

  // Signs ID and access tokens of `family_id` for the subject.
  Result<IssuedTokens> Mint(const Subject& s, const std::string& family_id, const FamilyDoc& family,
                            std::int64_t now_s, TokenSource source, const json& client_metadata,
                            const std::string& nonce = {}) {
    auto pool_keys = keys.ForSigning(s.client.pool_id);
    if (!pool_keys) return pool_keys.error();
    ClaimInputs in;
    in.issuer = (*pool_keys)->issuer;
    in.client_id = s.client.client_id;
    in.family_id = family_id;
    in.event_id = crypto::NewUuid();
    in.device_key = family.device_key;
    in.scopes = family.scopes;
    in.auth_time_s = family.auth_time_s;
    in.now_s = now_s;
    in.validity = ValidityFromClient(s.client_doc());
    in.readable = s.readable;
    const auto& signer = *(*pool_keys)->signer;
    nlohmann::ordered_json id_claims = IdClaims(in, s.user, s.groups, crypto::NewUuid());
    nlohmann::ordered_json access_claims = AccessClaims(in, s.user, s.groups, crypto::NewUuid());
    if (family.oauth) access_claims = WithVersion(access_claims);
    if (s.pre_token) {
      PreTokenSubject subject;
      subject.pool_id = s.client.pool_id;
      subject.client_id = s.client.client_id;
      subject.user = &s.user;
      subject.groups = &s.groups;
      subject.scopes = family.scopes;
      subject.client_metadata = client_metadata;
      if (auto ok =
              RunPreTokenGeneration(ctx, *s.pre_token, source, subject, &id_claims, access_claims);
          !ok) {
        return ok.error();
      }
    }
    IssuedTokens out;
    out.access_token = signer.SignPayload(DumpJson(access_claims));
    if (family.IssuesIdToken()) {
      out.id_token = family.oauth ? signer.SignPayload(DumpJson(WithOAuthClaims(
                                        id_claims, AtHash(out.access_token), nonce)))
                                  : signer.SignPayload(DumpJson(id_claims));
      if (out.id_token.empty()) return ApiError::Internal("JWT signing failed");
    }
    if (out.access_token.empty()) return ApiError::Internal("JWT signing failed");
    out.expires_in_s = in.validity.access_s;
    out.family_id = family_id;
    out.sub = s.user.sub;
    out.device_key = family.device_key;
    return out;
  }

  // The client named by a refresh call.
  Result<store::ClientRow> LoadRefreshClient(const RefreshInput& input) {
    if (input.pool_id.empty()) return userpool::LoadClientById(ctx, input.client_id);
    return userpool::LoadClient(ctx, input.pool_id, input.client_id);
  }
};

TokenService::TokenService(ServiceContext& ctx) : impl_(std::make_unique<Impl>(ctx)) {}
TokenService::~TokenService() = default;

Result<IssuedTokens> TokenService::IssueForSignIn(const SignInGrant& grant) {
  auto& ctx = impl_->ctx;
  auto client = userpool::LoadClient(ctx, grant.pool_id, grant.client_id);
  if (!client) return client.error();
  auto subject = impl_->LoadSubject(*client, grant.sub, grant.rules);
  if (!subject) return subject.error();

  const std::int64_t now_ms = ctx.clock.NowMillis();
  const TokenValidity validity = ValidityFromClient(subject->client_doc());
  FamilyDoc family;
  family.auth_time_s = grant.auth_time_s > 0 ? grant.auth_time_s : now_ms / 1000;
  family.device_key = grant.device_key;
  family.scopes =
      grant.scopes.empty() ? std::vector<std::string>{std::string(kAdminScope)} : grant.scopes;
  family.oauth = grant.oauth;

  store::TokenFamilyRow row;
  row.family_id = grant.family_id.empty() ? crypto::NewUuid() : grant.family_id;
  row.pool_id = grant.pool_id;
  row.client_id = grant.client_id;
  row.sub = grant.sub;
  row.created_ms = now_ms;
  std::string refresh_token;
  if (grant.issue_refresh_token) {
    refresh_token = EncodeRefreshToken(ctx.secret_box, row.family_id);
    row.refresh_hash = RefreshHash(refresh_token);
    family.refresh_expires_ms = now_ms + validity.refresh_s * 1000;
  }
  // The row lives as long as any of its tokens: access tokens check it too.
  row.expires_ms = std::max({family.refresh_expires_ms, now_ms + validity.access_s * 1000,
                             now_ms + validity.id_s * 1000});
  row.doc = family.Dump();

  // Sign first (this may create the pool's first key), then record the family.
  auto tokens = impl_->Mint(*subject, row.family_id, family, now_ms / 1000, grant.source,
                            grant.client_metadata, grant.nonce);
  if (!tokens) return tokens.error();
  if (auto created = ctx.store.CreateTokenFamily(row); !created) {
    if (created.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + grant.pool_id + " does not exist.");
    }
    if (created.error().IsConflict() && !grant.family_id.empty()) {
      return ApiError::NotAuthorized("Invalid session for the user.");
    }
    return StoreInternal("create token family", created.error());
  }
  tokens->refresh_token = std::move(refresh_token);
  if (impl_->sign_ins.fetch_add(1, std::memory_order_relaxed) % kPurgeEvery == kPurgeEvery - 1) {
    (void)ctx.store.PurgeTokenFamilies(now_ms - kPurgeAfterMs);  // best effort
  }
  return tokens;
}

Result<IssuedTokens> TokenService::IssueClientCredentials(const ClientCredentialsGrant& grant) {
  auto& ctx = impl_->ctx;
  Result<store::ClientRow> client = grant.client != nullptr &&
                                            grant.client->client_id == grant.client_id &&
                                            grant.client->pool_id == grant.pool_id
                                        ? Result<store::ClientRow>(*grant.client)
                                        : userpool::LoadClient(ctx, grant.pool_id, grant.client_id);
  if (!client) return client.error();
  auto client_doc = userpool::ClientDoc(*client);
  if (!client_doc) return client_doc.error();
  auto rules = users::LoadPoolRules(ctx, grant.pool_id);
  if (!rules) return rules.error();
  auto pool_keys = impl_->keys.ForSigning(grant.pool_id);
  if (!pool_keys) return pool_keys.error();

  const TokenValidity validity = ValidityFromClient(**client_doc);
  const std::int64_t now_s = ctx.clock.NowMillis() / 1000;
  std::string scope;
  for (const auto& s : grant.scopes) scope += (scope.empty() ? "" : " ") + s;
  nlohmann::ordered_json claims;
  claims["sub"] = grant.client_id;
  claims["token_use"] = "access";
  claims["scope"] = scope;
  claims["auth_time"] = now_s;
  claims["iss"] = (*pool_keys)->issuer;
  claims["exp"] = now_s + validity.access_s;
  claims["iat"] = now_s;
  claims["version"] = 2;
  claims["jti"] = crypto::NewUuid();
  claims["client_id"] = grant.client_id;
  if (auto target = PreTokenTarget(ctx, rules->lambda_config())) {
    PreTokenSubject subject;
    subject.pool_id = grant.pool_id;
    subject.client_id = grant.client_id;
    subject.scopes = grant.scopes;
    subject.client_metadata = grant.client_metadata;
    if (auto ok = RunPreTokenGeneration(ctx, *target, TokenSource::kClientCredentials, subject,
                                        nullptr, claims);
        !ok) {
      return ok.error();
    }
  }
  IssuedTokens out;
  out.access_token = (*pool_keys)->signer->SignPayload(DumpJson(claims));
  if (out.access_token.empty()) return ApiError::Internal("JWT signing failed");
  out.expires_in_s = validity.access_s;
  return out;
}

Result<std::vector<std::string>> TokenService::RefreshTokenScopes(const std::string& client_id,
                                                                  std::string_view refresh_token) {
  auto& ctx = impl_->ctx;
  auto family_id = DecodeRefreshToken(ctx.secret_box, refresh_token);
  if (!family_id) return ApiError::NotAuthorized(kInvalidRefresh);
  auto row = ctx.store.GetTokenFamily(*family_id);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::NotAuthorized(kInvalidRefresh);
    return StoreInternal("get token family", row.error());
  }
  if (row->client_id != client_id || row->revoked_ms != 0) {
    return ApiError::NotAuthorized(kInvalidRefresh);
  }
  return FamilyDoc::Parse(row->doc).scopes;
}

Result<IssuedTokens> TokenService::Refresh(const RefreshInput& input) {
  auto& ctx = impl_->ctx;
  auto client = impl_->LoadRefreshClient(input);
  if (!client) return client.error();
  auto family_id = DecodeRefreshToken(ctx.secret_box, input.refresh_token);
  if (!family_id) return ApiError::NotAuthorized(kInvalidRefresh);
  const std::string presented_hash = RefreshHash(input.refresh_token);

  // Minted once: a retry after a concurrent refresh judges the family again but does not call
  // PreTokenGeneration a second time for the same request.
  std::optional<IssuedTokens> minted;
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    auto row = ctx.store.GetTokenFamily(*family_id);
    if (!row) {
      if (row.error().IsNotFound()) return ApiError::NotAuthorized(kInvalidRefresh);
      return StoreInternal("get token family", row.error());
    }
    if (row->client_id != client->client_id || row->pool_id != client->pool_id) {
      return ApiError::NotAuthorized(kInvalidRefresh);
    }
    if (row->revoked_ms != 0) return ApiError::NotAuthorized(kRefreshRevoked);
    const std::int64_t now_ms = ctx.clock.NowMillis();
    const bool is_current = crypto::ConstantTimeEquals(presented_hash, row->refresh_hash);
    const bool in_grace = !is_current &&
                          crypto::ConstantTimeEquals(presented_hash, row->previous_refresh_hash) &&
                          now_ms < row->previous_valid_until_ms;
    if (!is_current && !in_grace) {
      // A token we sealed for this family that is no longer its current one: it was rotated out
      // (and its grace period is over). Reuse: revoke the whole family.
      auto revoked = ctx.store.RevokeTokenFamily(row->family_id, now_ms);
      if (!revoked && !revoked.error().IsNotFound()) {
        return StoreInternal("revoke token family", revoked.error());
      }
      return ApiError::NotAuthorized(kRefreshRevoked);
    }
    FamilyDoc family = FamilyDoc::Parse(row->doc);
    if (now_ms >= family.refresh_expires_ms) return ApiError::NotAuthorized(kRefreshExpired);

    auto subject = impl_->LoadSubject(*client, row->sub);
    if (!subject) return subject.error();
    if (!subject->user.enabled) return ApiError::NotAuthorized("User is disabled.");
    // Tokens bound to a device refresh only with that device's key (Cognito's device tracking);
    // a family without one adopts the key it is refreshed with.
    if (!family.device_key.empty() && input.device_key != family.device_key) {
      return ApiError::NotAuthorized(kInvalidRefresh);
    }
    if (family.device_key.empty()) family.device_key = input.device_key;

    // Mint (and run PreTokenGeneration) before rotating: a failed trigger leaves the refresh
    // token as it was.
    if (!minted) {
      auto tokens = impl_->Mint(*subject, row->family_id, family, now_ms / 1000,
                                TokenSource::kRefreshTokens, input.client_metadata);
      if (!tokens) return tokens.error();
      minted = std::move(*tokens);
    }
    const RotationSettings rotation = RotationFromClient(subject->client_doc());
    std::string new_refresh;
    if (input.allow_rotation && rotation.enabled) {
      const TokenValidity validity = ValidityFromClient(subject->client_doc());
      new_refresh = EncodeRefreshToken(ctx.secret_box, row->family_id);
      store::TokenFamilyRow next = *row;
      if (is_current) {
        next.previous_refresh_hash = row->refresh_hash;
        next.previous_valid_until_ms = now_ms + rotation.grace_s * 1000;
      }
      next.refresh_hash = RefreshHash(new_refresh);
      family.refresh_expires_ms = now_ms + validity.refresh_s * 1000;
      next.expires_ms =
          std::max({row->expires_ms, family.refresh_expires_ms, now_ms + validity.access_s * 1000,
                    now_ms + validity.id_s * 1000});
      next.doc = family.Dump();
      auto updated = ctx.store.UpdateTokenFamily(next, row->version);
      if (!updated) {
        if (updated.error().IsConflict()) continue;  // a concurrent refresh: judge again
        if (updated.error().IsNotFound()) return ApiError::NotAuthorized(kInvalidRefresh);
        return StoreInternal("update token family", updated.error());
      }
    }
    minted->refresh_token = std::move(new_refresh);
    return std::move(*minted);
  }
  return ApiError(ErrorCode::kTooManyRequests, "Too many requests");
}

Result<AccessTokenClaims> TokenService::VerifyAccessToken(std::string_view token,
                                                          std::string_view required_scope) {
  auto& ctx = impl_->ctx;
  if (token.empty() || token.size() > crypto::JwtVerifier::kMaxTokenSize) {
    return ApiError::NotAuthorized(kInvalidAccess);
  }
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return ApiError::NotAuthorized(kInvalidAccess);
  const std::string_view header_b64 = token.substr(0, dot1);

  // Find the pool's keys: by our exact header (no parse), else by the header's kid, else (an
  // unknown kid, maybe a key created or rotated on another node) re-read the pool the token
  // claims to come from.
  std::shared_ptr<const PoolKeys> pool_keys = impl_->keys.FindByHeader(header_b64);
  if (!pool_keys) {
    auto header_text = crypto::Base64UrlDecode(header_b64);
    if (!header_text || header_text->size() > 4096) return ApiError::NotAuthorized(kInvalidAccess);
    auto header = ParseJson(*header_text);
    if (!header.is_object()) return ApiError::NotAuthorized(kInvalidAccess);
    const std::string* alg = StringClaim(header, "alg");
    const std::string* kid = StringClaim(header, "kid");
    if (alg == nullptr || *alg != "RS256" || kid == nullptr) {
      return ApiError::NotAuthorized(kInvalidAccess);
    }
    pool_keys = impl_->keys.FindByKid(*kid);
    if (!pool_keys) {
      const std::size_t dot2 = token.find('.', dot1 + 1);
      if (dot2 == std::string_view::npos) return ApiError::NotAuthorized(kInvalidAccess);
      auto payload_text = crypto::Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
      if (!payload_text) return ApiError::NotAuthorized(kInvalidAccess);
      auto payload = ParseJson(*payload_text);
      const std::string* iss = payload.is_object() ? StringClaim(payload, "iss") : nullptr;
      const std::string prefix = ctx.config.public_url + "/";
      if (iss == nullptr || iss->size() <= prefix.size() ||
          iss->compare(0, prefix.size(), prefix) != 0) {
        return ApiError::NotAuthorized(kInvalidAccess);
      }
      std::string pool_id = iss->substr(prefix.size());
      if (!IsPoolIdShape(pool_id)) return ApiError::NotAuthorized(kInvalidAccess);
      auto reloaded = impl_->keys.ReloadForUnknownKid(pool_id);
      if (!reloaded || !reloaded->verifier.HasKey(*kid)) {
        return ApiError::NotAuthorized(kInvalidAccess);
      }
      pool_keys = std::move(reloaded);
    }
  }

  crypto::JwtVerifyOptions options;
  options.now_s = ctx.clock.NowSeconds();
  options.clock_skew_s = kClockSkewS;
  auto verified = pool_keys->verifier.Verify(token, options);
  if (!verified.ok) {
    if (verified.error == crypto::JwtError::kExpired)
      return ApiError::NotAuthorized(kAccessExpired);
    return ApiError::NotAuthorized(kInvalidAccess);
  }
  json& claims = verified.ok->claims;
  const std::string* iss = StringClaim(claims, "iss");
  const std::string* token_use = StringClaim(claims, "token_use");
  const std::string* client_id = StringClaim(claims, "client_id");
  const std::string* sub = StringClaim(claims, "sub");
  const std::string* username = StringClaim(claims, "username");
  const std::string* origin_jti = StringClaim(claims, "origin_jti");
  const std::string* jti = StringClaim(claims, "jti");
  const std::string* scope = StringClaim(claims, "scope");
  if (iss == nullptr || *iss != pool_keys->issuer || token_use == nullptr ||
      *token_use != "access" || client_id == nullptr || sub == nullptr || username == nullptr ||
      origin_jti == nullptr || jti == nullptr || scope == nullptr) {
    return ApiError::NotAuthorized(kInvalidAccess);
  }
  AccessTokenClaims out;
  out.scopes = SplitScopes(*scope);
  if (!required_scope.empty() &&
      std::find(out.scopes.begin(), out.scopes.end(), required_scope) == out.scopes.end()) {
    return ApiError::NotAuthorized(kMissingScope);
  }

  auto family = ctx.store.GetTokenFamily(*origin_jti);
  if (!family) {
    if (family.error().IsNotFound()) return ApiError::NotAuthorized(kAccessRevoked);
    return StoreInternal("get token family", family.error());
  }
  if (family->pool_id != pool_keys->pool_id || family->sub != *sub ||
      family->client_id != *client_id) {
    return ApiError::NotAuthorized(kInvalidAccess);
  }
  if (family->revoked_ms != 0) return ApiError::NotAuthorized(kAccessRevoked);

  out.pool_id = pool_keys->pool_id;
  out.client_id = *client_id;
  out.sub = *sub;
  out.username = *username;
  out.family_id = *origin_jti;
  out.jti = *jti;
  if (const std::string* dk = StringClaim(claims, "device_key")) out.device_key = *dk;
  if (auto it = claims.find("auth_time"); it != claims.end() && it->is_number_integer()) {
    out.auth_time_s = it->get<std::int64_t>();
  }
  if (auto it = claims.find("exp"); it != claims.end() && it->is_number()) {
    out.exp_s = it->get<std::int64_t>();
  }
  out.claims = std::move(claims);
  return out;
}

Result<void> TokenService::RevokeRefreshToken(const std::string& client_id,
                                              std::string_view refresh_token) {
  auto& ctx = impl_->ctx;
  auto family_id = DecodeRefreshToken(ctx.secret_box, refresh_token);
  if (!family_id) {
    // A JWT (ID or access token) is a token of the wrong type; anything else is not ours.
    if (std::count(refresh_token.begin(), refresh_token.end(), '.') == 2) {
      return ApiError(ErrorCode::kUnsupportedTokenType, "Unsupported token type");
    }
    return ApiError(ErrorCode::kUnauthorized, kInvalidRefresh);
  }
  auto row = ctx.store.GetTokenFamily(*family_id);
  if (!row) {
    if (row.error().IsNotFound()) return {};  // already gone (purged or the user deleted)
    return StoreInternal("get token family", row.error());
  }
  if (row->client_id != client_id) return ApiError(ErrorCode::kUnauthorized, kInvalidRefresh);
  auto revoked = ctx.store.RevokeTokenFamily(*family_id, ctx.clock.NowMillis());
  if (!revoked && !revoked.error().IsNotFound()) {
    return StoreInternal("revoke token family", revoked.error());
  }
  return {};
}

Result<void> TokenService::RevokeAllForUser(const std::string& pool_id, const std::string& sub) {
  auto& ctx = impl_->ctx;
  auto revoked = ctx.store.RevokeUserTokenFamilies(pool_id, sub, ctx.clock.NowMillis());
  if (!revoked) return StoreInternal("revoke user token families", revoked.error());
  return {};
}

Result<std::string> TokenService::JwksJson(const std::string& pool_id) {
  auto pool = userpool::LoadPool(impl_->ctx, pool_id);
  if (!pool) return pool.error();
  auto keys = impl_->keys.ForSigning(pool_id);
  if (!keys) return keys.error();
  return crypto::JwksJson((*keys)->jwks);
}

Result<nlohmann::json> TokenService::OpenIdConfiguration(const std::string& pool_id) {
  auto pool = userpool::LoadPool(impl_->ctx, pool_id);
  if (!pool) return pool.error();
  const std::string& base = impl_->ctx.config.public_url;
  const std::string issuer = base + "/" + pool_id;
  return json{
      {"authorization_endpoint", base + "/oauth2/authorize"},
      {"end_session_endpoint", base + "/logout"},
      {"id_token_signing_alg_values_supported", json::array({"RS256"})},
      {"issuer", issuer},
      {"jwks_uri", issuer + "/.well-known/jwks.json"},
      {"response_types_supported", json::array({"code", "token"})},
      {"code_challenge_methods_supported", json::array({"S256", "plain"})},
      {"grant_types_supported",
       json::array({"authorization_code", "refresh_token", "client_credentials"})},
      {"claims_supported",
       json::array({"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
                    "cognito:username", "cognito:groups", "email", "email_verified", "phone_number",
                    "phone_number_verified"})},
      {"revocation_endpoint", base + "/oauth2/revoke"},
      {"scopes_supported", json::array({"openid", "email", "phone", "profile"})},
      {"subject_types_supported", json::array({"public"})},
      {"token_endpoint", base + "/oauth2/token"},
      {"token_endpoint_auth_methods_supported",
       json::array({"client_secret_basic", "client_secret_post"})},
      {"userinfo_endpoint", base + "/oauth2/userInfo"},
  };
}

Result<std::string> TokenService::RotateSigningKey(const std::string& pool_id) {
  auto pool = userpool::LoadPool(impl_->ctx, pool_id);
  if (!pool) return pool.error();
  return impl_->keys.Rotate(pool_id);
}

Result<int> TokenService::DeleteRetiredKeys(const std::string& pool_id, std::int64_t older_than_s) {
  auto pool = userpool::LoadPool(impl_->ctx, pool_id);
  if (!pool) return pool.error();
  return impl_->keys.DeleteRetired(pool_id, older_than_s);
}

}  // namespace cognate::domain::tokens
