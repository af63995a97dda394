#include "domain/auth/session.h"

#include "common/json_dump.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"
#include "domain/users/pool_rules.h"

namespace cognate::domain::auth {
namespace {

constexpr std::size_t kHandleBytes = 96;

std::string Aad(std::string_view key) { return "auth_session:" + std::string(key); }

}  // namespace

ApiError InvalidSession() { return ApiError::NotAuthorized("Invalid session for the user."); }
ApiError ExpiredSession() {
  return ApiError::NotAuthorized("Invalid session for the user, session is expired.");
}

nlohmann::json AuthSession::ToJson() const {
  return {{"pool_id", pool_id},
          {"client_id", client_id},
          {"sub", sub},
          {"username", username},
          {"given_username", given_username},
          {"flow", flow},
          {"challenge", challenge},
          {"admin", admin},
          {"expires_ms", expires_ms},
          {"auth_time_s", auth_time_s},
          {"passed", passed},
          {"data", data}};
}

std::optional<AuthSession> AuthSession::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    AuthSession s;
    s.pool_id = j.at("pool_id").get<std::string>();
    s.client_id = j.at("client_id").get<std::string>();
    s.sub = j.at("sub").get<std::string>();
    s.username = j.at("username").get<std::string>();
    s.given_username = j.at("given_username").get<std::string>();
    s.flow = j.at("flow").get<std::string>();
    s.challenge = j.at("challenge").get<std::string>();
    s.admin = j.at("admin").get<bool>();
    s.expires_ms = j.at("expires_ms").get<std::int64_t>();
    s.auth_time_s = j.at("auth_time_s").get<std::int64_t>();
    s.passed = j.at("passed").get<std::vector<std::string>>();
    s.data = j.at("data");
    if (!s.data.is_object()) return std::nullopt;
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string SessionStore::NewHandle() {
  return crypto::Base64UrlEncode(crypto::RandomBytes(kHandleBytes));
}

std::string SessionStore::KeyOf(std::string_view handle) {
  return crypto::HexEncode(crypto::Sha256(handle));
}

Result<void> SessionStore::Put(std::string_view handle, const AuthSession& session) {
  store::EphemeralRow row;
  row.kind = kSessionKind;
  row.key = KeyOf(handle);
  row.pool_id = session.pool_id;
  row.doc = DumpJson(session.ToJson());
  row.expires_ms = session.expires_ms + kExpiredSessionGraceMs;
  auto st = ctx_.store.PutEphemeral(row, ctx_.clock.NowMillis());
  if (!st) return ApiError::Internal("PutEphemeral auth_session: " + st.error().detail());
  return {};
}

Result<AuthSession> SessionStore::Decode(const std::string& doc) {
  auto parsed = ParseJson(doc);
  auto session = AuthSession::FromJson(parsed);
  if (!session) return InvalidSession();
  if (ctx_.clock.NowMillis() >= session->expires_ms) return ExpiredSession();
  return std::move(*session);
}

Result<AuthSession> SessionStore::Peek(std::string_view handle) {
  if (handle.empty()) return InvalidSession();
  auto row = ctx_.store.GetEphemeral(kSessionKind, KeyOf(handle), ctx_.clock.NowMillis());
  if (!row) {
    if (row.error().IsNotFound()) return InvalidSession();
    return ApiError::Internal("GetEphemeral auth_session: " + row.error().detail());
  }
  return Decode(row->doc);
}

Result<AuthSession> SessionStore::Take(std::string_view handle) {
  if (handle.empty()) return InvalidSession();
  auto row = ctx_.store.TakeEphemeral(kSessionKind, KeyOf(handle), ctx_.clock.NowMillis());
  if (!row) {
    if (row.error().IsNotFound()) return InvalidSession();
    return ApiError::Internal("TakeEphemeral auth_session: " + row.error().detail());
  }
  return Decode(row->doc);
}

std::string SessionStore::Seal(std::string_view handle, std::string_view plain) const {
  return crypto::Base64Encode(ctx_.secret_box.Seal(plain, Aad(KeyOf(handle))));
}

std::optional<std::string> SessionStore::Open(std::string_view handle,
                                              std::string_view sealed_b64) const {
  auto sealed = crypto::Base64Decode(sealed_b64);
  if (!sealed) return std::nullopt;
  return ctx_.secret_box.Open(*sealed, Aad(KeyOf(handle)));
}

bool SameUser(const users::PoolRules& rules, const AuthSession& s, const std::string& given) {
  const std::string n = rules.NormalizeUsername(given);
  return n == rules.NormalizeUsername(s.username) || n == rules.NormalizeUsername(s.given_username);
}

}  // namespace cognate::domain::auth
