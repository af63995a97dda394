#pragma once
// Test-only helpers shared by the api tests.

#include <string>
#include <string_view>

#include "api/api_types.h"

namespace cognate::api::testing {

// The value of the response header `name` (exact case), or "<absent>".
inline std::string HeaderOf(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace cognate::api::testing
