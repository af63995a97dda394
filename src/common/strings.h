#pragma once
// Small string helpers shared across layers (ASCII only, no locale).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cognate {

// Whether a and b are equal ignoring ASCII case (header names, media types).
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Whether `s` is one of `v`.
inline bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace cognate
