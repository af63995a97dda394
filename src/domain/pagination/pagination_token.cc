#include "domain/pagination/pagination_token.h"

#include "crypto/crypto.h"

namespace cognate::domain {
namespace {

constexpr std::size_t kMacBytes = 16;  // 128-bit tag: forging is as hard as guessing it
constexpr std::string_view kVersion = "1";

ApiError InvalidToken() { return ApiError::InvalidParameter("Invalid pagination token."); }

}  // namespace

Result<PaginationCodec> PaginationCodec::FromStore(store::SettingStore& settings) {
  const std::string name(kSettingName);
  auto existing = settings.GetSetting(name);
  std::string encoded;
  if (existing) {
    encoded = *existing;
  } else if (existing.error().IsNotFound()) {
    auto stored = settings.PutSettingIfAbsent(name, crypto::Base64Encode(crypto::RandomBytes(32)));
    if (!stored) return ApiError::Internal("pagination key: " + stored.error().detail());
    encoded = *stored;
  } else {
    return ApiError::Internal("pagination key: " + existing.error().detail());
  }
  auto key = crypto::Base64Decode(encoded);
  if (!key || key->empty()) return ApiError::Internal("pagination key is not valid base64");
  return PaginationCodec(std::move(*key));
}

std::string PaginationCodec::Mac(std::string_view scope, std::string_view cursor) const {
  std::string data(kVersion);
  data.push_back('\0');
  data.append(scope);
  data.push_back('\0');
  data.append(cursor);
  return crypto::HmacSha256(key_, data).substr(0, kMacBytes);
}

std::string PaginationCodec::Encode(std::string_view scope, std::string_view cursor) const {
  return crypto::Base64UrlEncode(cursor) + "." + crypto::Base64UrlEncode(Mac(scope, cursor));
}

Result<std::string> PaginationCodec::Decode(std::string_view scope, std::string_view token) const {
  if (token.size() > 4096) return InvalidToken();
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return InvalidToken();
  auto cursor = crypto::Base64UrlDecode(token.substr(0, dot));
  auto mac = crypto::Base64UrlDecode(token.substr(dot + 1));
  if (!cursor || !mac || mac->size() != kMacBytes) return InvalidToken();
  if (!crypto::ConstantTimeEquals(*mac, Mac(scope, *cursor))) return InvalidToken();
  return std::move(*cursor);
}

}  // namespace cognate::domain
