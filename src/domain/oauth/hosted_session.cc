#include "domain/oauth/hosted_session.h"

#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "crypto/crypto.h"

namespace cognate::domain::oauth {
namespace {

std::string KeyOf(std::string_view handle) { return crypto::HexEncode(crypto::Sha256(handle)); }

// Stores `doc` for `seconds` under the hash of a new random handle and returns the handle (the
// cookie's value; only its hash is kept).
Result<std::string> PutHandleRow(ServiceContext& ctx, const char* kind, const std::string& pool_id,
                                 const nlohmann::json& doc, std::int64_t seconds,
                                 const char* what) {
  const std::string handle = crypto::Base64UrlEncode(crypto::RandomBytes(32));
  const std::int64_t now_ms = ctx.clock.NowMillis();
  store::EphemeralRow row;
  row.kind = kind;
  row.key = KeyOf(handle);
  row.pool_id = pool_id;
  row.doc = doc.dump();
  row.expires_ms = now_ms + seconds * 1000;
  if (!ctx.store.PutEphemeral(row, now_ms)) {
    return ApiError(ErrorCode::kInternalError, std::string("could not store the ") + what);
  }
  return handle;
}

}  // namespace

Result<std::string> HostedSessions::Create(const HostedUser& user) {
  return PutHandleRow(
      ctx_, kHostedSessionKind, user.pool_id,
      {{"sub", user.sub}, {"username", user.username}, {"auth_time", user.auth_time_s}},
      kHostedSessionSeconds, "hosted session");
}

std::optional<HostedUser> HostedSessions::Find(const std::string& pool_id,
                                               std::string_view handle) {
  if (handle.size() != 43) return std::nullopt;
  auto row = ctx_.store.GetEphemeral(kHostedSessionKind, KeyOf(handle), ctx_.clock.NowMillis());
  if (!row || row->pool_id != pool_id) return std::nullopt;
  auto doc = ParseJson(row->doc);
  if (!doc.is_object() || !doc.contains("sub") || !doc["sub"].is_string()) return std::nullopt;
  HostedUser user;
  user.pool_id = pool_id;
  user.sub = doc["sub"].get<std::string>();
  user.username = doc.value("username", "");
  user.auth_time_s = doc.value("auth_time", std::int64_t{0});
  return user;
}

void HostedSessions::End(std::string_view handle) {
  if (handle.size() != 43) return;
  (void)ctx_.store.TakeEphemeral(kHostedSessionKind, KeyOf(handle), ctx_.clock.NowMillis());
}

Result<std::string> HostedSessions::CreateSignUpProof(const SignUpProof& proof) {
  return PutHandleRow(
      ctx_, kSignUpProofKind, proof.pool_id,
      {{"client_id", proof.client_id}, {"sub", proof.sub}, {"username", proof.username}},
      kSignUpProofSeconds, "sign-up proof");
}

std::optional<std::string> HostedSessions::TakeSignUpProof(std::string_view handle,
                                                           const SignUpProof& expected) {
  if (handle.size() != 43) return std::nullopt;
  const std::string key = KeyOf(handle);
  auto matches = [&](const store::EphemeralRow& row) -> std::optional<std::string> {
    if (row.pool_id != expected.pool_id) return std::nullopt;
    auto doc = ParseJson(row.doc);
    if (!doc.is_object() || doc.value("client_id", "") != expected.client_id ||
        doc.value("username", "") != expected.username) {
      return std::nullopt;
    }
    const std::string sub = doc.value("sub", "");
    if (sub.empty()) return std::nullopt;
    return sub;
  };
  auto row = ctx_.store.GetEphemeral(kSignUpProofKind, key, ctx_.clock.NowMillis());
  if (!row || !matches(*row)) return std::nullopt;
  auto taken = ctx_.store.TakeEphemeral(kSignUpProofKind, key, ctx_.clock.NowMillis());
  if (!taken) return std::nullopt;
  return matches(*taken);
}

}  // namespace cognate::domain::oauth
