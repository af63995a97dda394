#include "store/store_util.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace cognate::store::internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Appends the UTF-8 encoding of `cp`.
void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes valid UTF-8 into code points; false when invalid.
bool DecodeUtf8(std::string_view s, std::vector<char32_t>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    char32_t cp;
    std::size_t len;
    if (b < 0x80) {
      cp = b;
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      cp = b & 0x1F;
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      cp = b & 0x0F;
      len = 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      cp = b & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    out.push_back(cp);
    i += len;
  }
  return true;
}

}  // namespace

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxPageLimit); }

std::string EncodeCursor(const std::vector<std::string_view>& parts) {
  std::string out = "k";  // never empty, even for an empty key
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back('.');
    for (char c : parts[i]) {
      auto b = static_cast<unsigned char>(c);
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0F]);
    }
  }
  return out;
}

std::optional<std::vector<std::string>> DecodeCursor(std::string_view cursor, std::size_t n) {
  if (cursor.empty() || cursor[0] != 'k') return std::nullopt;
  cursor.remove_prefix(1);
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < cursor.size(); ++i) {
    if (cursor[i] == '.') {
      parts.emplace_back();
      continue;
    }
    if (i + 1 >= cursor.size() || cursor[i + 1] == '.') return std::nullopt;
    int hi = HexValue(cursor[i]);
    int lo = HexValue(cursor[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    parts.back().push_back(static_cast<char>((hi << 4) | lo));
    ++i;
  }
  if (parts.size() != n) return std::nullopt;
  return parts;
}

StoreError BadCursorError() { return StoreError(StoreErrorCode::kInternal, "cursor"); }

void NormalizeUser(UserRow& row) {
  std::sort(row.unique_keys.begin(), row.unique_keys.end());
  row.unique_keys.erase(std::unique(row.unique_keys.begin(), row.unique_keys.end()),
                        row.unique_keys.end());
  std::vector<IndexedAttribute> kept;
  std::set<std::string> seen;
  for (auto& a : row.indexed) {
    if (seen.insert(a.name).second) kept.push_back(std::move(a));
  }
  std::sort(kept.begin(), kept.end(),
            [](const IndexedAttribute& a, const IndexedAttribute& b) { return a.name < b.name; });
  row.indexed = std::move(kept);
}

std::optional<std::string> BytePrefixUpperBound(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

bool IsValidUtf8(std::string_view s) {
  std::vector<char32_t> cps;
  return DecodeUtf8(s, cps);
}

std::optional<std::string> Utf8PrefixUpperBound(std::string_view prefix) {
  std::vector<char32_t> cps;
  if (!DecodeUtf8(prefix, cps)) return std::nullopt;
  while (!cps.empty() && cps.back() == 0x10FFFF) cps.pop_back();
  if (cps.empty()) return std::nullopt;
  char32_t& last = cps.back();
  last = (last == 0xD7FF) ? 0xE000 : last + 1;
  std::string out;
  for (char32_t cp : cps) AppendUtf8(out, cp);
  return out;
}

FilterStart ResolveFilterStart(bool equals, const std::string& value,
                               const std::optional<std::vector<std::string>>& cursor) {
  if (!cursor) return FilterStart::kFromValue;
  const std::string& cursor_value = (*cursor)[0];
  if (cursor_value < value) return FilterStart::kFromValue;
  if (!equals) return FilterStart::kAfterPair;
  return cursor_value == value ? FilterStart::kAfterSub : FilterStart::kEmpty;
}

std::string EncodeStringList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    out += std::to_string(s.size());
    out.push_back(':');
    out += s;
  }
  return out;
}

std::optional<std::vector<std::string>> DecodeStringList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t colon = text.find(':', i);
    if (colon == std::string_view::npos) return std::nullopt;
    std::size_t len = 0;
    auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + colon, len);
    if (ec != std::errc() || ptr != text.data() + colon) return std::nullopt;
    if (len > text.size() - colon - 1) return std::nullopt;
    out.emplace_back(text.substr(colon + 1, len));
    i = colon + 1 + len;
  }
  return out;
}

std::string EncodeAttributes(const std::vector<IndexedAttribute>& attrs) {
  std::vector<std::string> flat;
  flat.reserve(attrs.size() * 2);
  for (const auto& a : attrs) {
    flat.push_back(a.name);
    flat.push_back(a.value);
  }
  return EncodeStringList(flat);
}

std::optional<std::vector<IndexedAttribute>> DecodeAttributes(std::string_view text) {
  auto flat = DecodeStringList(text);
  if (!flat || flat->size() % 2 != 0) return std::nullopt;
  std::vector<IndexedAttribute> out;
  for (std::size_t i = 0; i < flat->size(); i += 2) {
    out.push_back({std::move((*flat)[i]), std::move((*flat)[i + 1])});
  }
  return out;
}

}  // namespace cognate::store::internal
