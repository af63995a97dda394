#pragma once
// Opaque, authenticated pagination tokens (ListUserPools.NextToken, ListUserPoolClients.NextToken,
// ListUsers.PaginationToken, ...). A token wraps a store cursor and binds it to the listing it
// came from (its `scope`) with an HMAC-SHA256 keyed by a secret shared by every node through the
// SettingStore, so a token from another listing, a truncated token or a forged one is rejected
// with InvalidParameterException instead of reaching the store.

#include <string>
#include <string_view>

#include "common/error.h"
#include "store/store.h"

namespace cognate::domain {

class PaginationCodec {
 public:
  // The SettingStore name under which the (base64) HMAC key is kept.
  static constexpr std::string_view kSettingName = "pagination_token_key";

  // Loads the shared key from `settings`, creating it (32 random bytes) on first use; concurrent
  // first uses on many nodes agree because the store keeps the first value written.
  // InternalErrorException when the store fails.
  static Result<PaginationCodec> FromStore(store::SettingStore& settings);

  // `key` is the raw HMAC key (any length; 32 bytes in production).
  explicit PaginationCodec(std::string key) : key_(std::move(key)) {}

  // An opaque token for `cursor` within `scope` (e.g. "ListUserPoolClients:<poolId>"). Contains
  // only the URL-safe base64 alphabet and '.', never whitespace.
  std::string Encode(std::string_view scope, std::string_view cursor) const;

  // The cursor `token` was made from, or InvalidParameterException when the token was not made
  // by Encode with the same key and scope.
  Result<std::string> Decode(std::string_view scope, std::string_view token) const;

 private:
  std::string Mac(std::string_view scope, std::string_view cursor) const;
  std::string key_;
};

}  // namespace cognate::domain
