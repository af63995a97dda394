#include "domain/users/page_token.h"

#include "crypto/crypto.h"

namespace cognate::domain::users {
namespace {

// Tokens carry a short digest of the scope rather than the scope itself.
std::string ScopeTag(std::string_view scope) {
  return crypto::HexEncode(crypto::Sha256(scope)).substr(0, 16);
}

}  // namespace

std::string EncodePageToken(std::string_view scope, std::string_view cursor) {
  if (cursor.empty()) return {};
  std::string plain = ScopeTag(scope);
  plain += '.';
  plain.append(cursor);
  return crypto::Base64UrlEncode(plain);
}

Result<std::string> DecodePageToken(std::string_view scope, std::string_view token) {
  if (token.empty()) return std::string();
  auto plain = crypto::Base64UrlDecode(token);
  const std::string tag = ScopeTag(scope);
  if (!plain || plain->size() <= tag.size() + 1 || plain->compare(0, tag.size(), tag) != 0 ||
      (*plain)[tag.size()] != '.') {
    return ApiError::InvalidParameter("Invalid pagination token.");
  }
  return plain->substr(tag.size() + 1);
}

}  // namespace cognate::domain::users
