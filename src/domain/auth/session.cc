#include "domain/auth/session.h"

#include "common/json_dump.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"
#include "domain/users/pool_rules.h"

namespace cognate::domain::auth {
namespace {

constexpr std::size_t kHandleBytes = 96;

std::string Aad(std::string_view key) { return "auth_session:" + std::string(key); }

constexpr std::string_view kBlockAad = "srp_secret_block:v1";

nlohmann::json Bytes(std::string_view s) {
  return nlohmann::json::binary(std::vector<std::uint8_t>(s.begin(), s.end()));
}

// The bytes of a CBOR byte string member, or nullopt.
std::optional<std::string> BytesOf(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_binary()) return std::nullopt;
  const auto& bin = it->get_binary();
  return std::string(bin.begin(), bin.end());
}

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
          {"data", data},
          {"family_id", family_id}};
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
    s.family_id = j.value("family_id", "");  // absent in rows written before it existed
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

std::string SessionStore::SealPasswordVerifier(AuthSession& session,
                                               const SrpStepState& srp) const {
  if (session.family_id.empty()) session.family_id = crypto::NewUuid();
  nlohmann::json state = session.ToJson();
  // The name as typed is usually the stored one: kept once, to leave room under 2,048.
  if (session.given_username == session.username) state["given_username"] = "";
  nlohmann::json doc = {
      {"session", std::move(state)}, {"A", Bytes(srp.A)}, {"B", Bytes(srp.B)}, {"b", Bytes(srp.b)}};
  const std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(doc);
  const std::string_view plain(reinterpret_cast<const char*>(cbor.data()), cbor.size());
  return crypto::Base64Encode(ctx_.secret_box.Seal(plain, kBlockAad));
}

Result<OpenedBlock> SessionStore::OpenPasswordVerifier(std::string_view block) {
  auto sealed = crypto::Base64Decode(block);
  if (!sealed) return InvalidSession();
  auto plain = ctx_.secret_box.Open(*sealed, kBlockAad);
  if (!plain) return InvalidSession();
  const nlohmann::json doc = nlohmann::json::from_cbor(*plain, /*strict=*/true,
                                                       /*allow_exceptions=*/false);
  if (!doc.is_object()) return InvalidSession();
  auto session = AuthSession::FromJson(doc.value("session", nlohmann::json()));
  auto A = BytesOf(doc, "A");
  auto B = BytesOf(doc, "B");
  auto b = BytesOf(doc, "b");
  if (!session || session->family_id.empty() || !A || !B || !b) return InvalidSession();
  if (session->given_username.empty()) session->given_username = session->username;
  const std::int64_t now = ctx_.clock.NowMillis();
  if (now >= session->expires_ms) return ExpiredSession();
  // Spent: answered before, by a sign-in that started its family or by any other outcome.
  auto family = ctx_.store.GetTokenFamily(session->family_id);
  if (family) return InvalidSession();
  if (!family.error().IsNotFound()) {
    return ApiError::Internal("GetTokenFamily: " + family.error().detail());
  }
  auto spent = ctx_.store.GetEphemeral(kSpentBlockKind, session->family_id, now);
  if (spent) return InvalidSession();
  if (!spent.error().IsNotFound()) {
    return ApiError::Internal("GetEphemeral srp_block_spent: " + spent.error().detail());
  }
  return OpenedBlock{std::move(*session),
                     SrpStepState{std::move(*A), std::move(*B), std::move(*b)}};
}

Result<void> SessionStore::SpendPasswordVerifier(const AuthSession& session) {
  store::EphemeralRow row;
  row.kind = kSpentBlockKind;
  row.key = session.family_id;
  row.pool_id = session.pool_id;
  row.doc = "{}";
  row.expires_ms = session.expires_ms;  // the block answers "expired" after that anyway
  auto st = ctx_.store.PutEphemeral(row, ctx_.clock.NowMillis());
  if (st) return {};
  if (st.error().IsConflict()) return InvalidSession();
  return ApiError::Internal("PutEphemeral srp_block_spent: " + st.error().detail());
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
