#pragma once
// Opaque pagination tokens for user and group listings: a store cursor bound to the listing it
// came from (pool, operation, filter), so a token cannot be replayed against another listing.
// Local to users/groups until the shared codec in domain/pagination/ lands.

#include <string>
#include <string_view>

#include "common/error.h"

namespace cognate::domain::users {

// The token for `cursor` in `scope`; "" when `cursor` is "" (no more pages).
std::string EncodePageToken(std::string_view scope, std::string_view cursor);
// The cursor inside `token`; "" for an empty token. InvalidParameterException
// "Invalid pagination token." when it is malformed or belongs to another scope.
Result<std::string> DecodePageToken(std::string_view scope, std::string_view token);

}  // namespace cognate::domain::users
