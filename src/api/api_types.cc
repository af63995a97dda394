#include "api/api_types.h"

#include "common/strings.h"

namespace cognate::api {

std::string_view ApiRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool ApiRequest::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return true;
  }
  return false;
}

}  // namespace cognate::api
