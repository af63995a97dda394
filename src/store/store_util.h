#pragma once
// Helpers shared by every Store backend so that the three behave identically: page limits,
// opaque cursors, key normalisation and prefix ranges. Internal to src/store; domain code never
// includes this file.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace cognate::store::internal {

// The largest page any list returns (Cognito's MaxResults ceiling everywhere).
inline constexpr int kMaxPageLimit = 60;

// `limit` clamped to 1..kMaxPageLimit (0 and negatives become 1).
int ClampLimit(int limit);

// Cursors: 'k', then each part hex-encoded, parts joined by '.'. Any byte string round-trips
// and a cursor is never empty (empty means "from the start").
std::string EncodeCursor(const std::vector<std::string_view>& parts);
// The `n` parts of `cursor`, or nullopt when it is malformed (wrong part count, bad hex).
std::optional<std::vector<std::string>> DecodeCursor(std::string_view cursor, std::size_t n);
// The error every list returns for a cursor it cannot decode.
StoreError BadCursorError();

// Sorts and de-duplicates `row.unique_keys`; keeps the first IndexedAttribute of each name and
// sorts them by name. Every backend stores and returns users in this normal form.
void NormalizeUser(UserRow& row);

// The smallest byte string greater than every string that starts with `prefix`, or nullopt when
// there is none (empty prefix or all bytes 0xFF).
std::optional<std::string> BytePrefixUpperBound(std::string_view prefix);
// The same in code points for valid UTF-8 (PostgreSQL text must stay valid UTF-8), or nullopt.
std::optional<std::string> Utf8PrefixUpperBound(std::string_view prefix);
bool IsValidUtf8(std::string_view s);

// Where a ListUsers equals/prefix filter starts reading the (value, sub) index, given the
// decoded cursor (value, sub) if any. kEmpty: the cursor lies past every match.
// kFromValue: from `value` (inclusive; equals uses value = v). kAfterSub (equals): value = v and
// sub > cursor sub. kAfterPair (prefix): (value, sub) > (cursor value, cursor sub).
enum class FilterStart { kEmpty, kFromValue, kAfterSub, kAfterPair };
FilterStart ResolveFilterStart(bool equals, const std::string& value,
                               const std::optional<std::vector<std::string>>& cursor);

// A list of strings as one text value: "<len>:<bytes>" repeated. Used for the denormalised
// copies of unique keys and indexed attributes kept on the user row.
std::string EncodeStringList(const std::vector<std::string>& items);
std::optional<std::vector<std::string>> DecodeStringList(std::string_view text);
std::string EncodeAttributes(const std::vector<IndexedAttribute>& attrs);
std::optional<std::vector<IndexedAttribute>> DecodeAttributes(std::string_view text);

}  // namespace cognate::store::internal
