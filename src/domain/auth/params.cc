#include "domain/auth/params.h"

#include <utility>

namespace cognate::domain::auth {

std::optional<std::string> Param(const std::map<std::string, std::string>& m,
                                 std::string_view name) {
  const auto it = m.find(std::string(name));
  if (it == m.end()) return std::nullopt;
  return it->second;
}

ApiError Missing(std::string_view name) {
  return ApiError::InvalidParameter("Missing required parameter " + std::string(name));
}

Result<std::string> RequiredParam(const std::map<std::string, std::string>& m,
                                  std::string_view name) {
  auto v = Param(m, name);
  if (!v || v->empty()) return Missing(name);
  return std::move(*v);
}

}  // namespace cognate::domain::auth
