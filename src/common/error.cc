#include "common/error.h"

#include <array>

namespace cognate {
namespace {

struct ErrorInfo {
  ErrorCode code;
  std::string_view type;
  int http_status;
};

constexpr std::array kErrorTable = {
#define X(name, type, status) ErrorInfo{ErrorCode::name, type, status},
#include "common/error_codes.inc"
#undef X
};

}  // namespace

std::string_view ErrorTypeName(ErrorCode code) {
  return kErrorTable[static_cast<std::size_t>(code)].type;
}

int ErrorHttpStatus(ErrorCode code) {
  return kErrorTable[static_cast<std::size_t>(code)].http_status;
}

std::optional<ErrorCode> ErrorCodeFromTypeName(std::string_view type) {
  for (const auto& e : kErrorTable) {
    if (e.type == type) return e.code;
  }
  return std::nullopt;
}

}  // namespace cognate
