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

// Column lists of the SQL backends, in the order the readers below take them.
inline constexpr const char* kTokenFamilyColumns =
    "family_id, pool_id, client_id, sub, refresh_hash, previous_refresh_hash, "
    "previous_valid_until_ms, doc, created_ms, expires_ms, revoked_ms, version";
inline constexpr const char* kEphemeralColumns = "kind, key, pool_id, doc, expires_ms, version";
// For signing keys the backend names the columns itself (the key is bytes: BLOB in SQLite, hex
// of bytea in PostgreSQL): pool_id, kid, sealed_private_key, created_ms, retired_ms.

// Row readers shared by the SQL backends. `Row` is a backend's view of the current result row:
// Text(col), Int(col) and Bytes(col) (a binary column's bytes).
template <class Row>
SigningKeyRow ReadSigningKeyRow(const Row& row) {
  SigningKeyRow k;
  k.pool_id = row.Text(0);
  k.kid = row.Text(1);
  k.sealed_private_key = row.Bytes(2);
  k.created_ms = row.Int(3);
  k.retired_ms = row.Int(4);
  return k;
}

template <class Row>
TokenFamilyRow ReadTokenFamilyRow(const Row& row) {
  TokenFamilyRow f;
  f.family_id = row.Text(0);
  f.pool_id = row.Text(1);
  f.client_id = row.Text(2);
  f.sub = row.Text(3);
  f.refresh_hash = row.Text(4);
  f.previous_refresh_hash = row.Text(5);
  f.previous_valid_until_ms = row.Int(6);
  f.doc = row.Text(7);
  f.created_ms = row.Int(8);
  f.expires_ms = row.Int(9);
  f.revoked_ms = row.Int(10);
  f.version = row.Int(11);
  return f;
}

template <class Row>
EphemeralRow ReadEphemeralRow(const Row& row) {
  EphemeralRow e;
  e.kind = row.Text(0);
  e.key = row.Text(1);
  e.pool_id = row.Text(2);
  e.doc = row.Text(3);
  e.expires_ms = row.Int(4);
  e.version = row.Int(5);
  return e;
}

}  // namespace cognate::store::internal
