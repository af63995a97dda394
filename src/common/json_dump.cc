#include "common/json_dump.h"

#include <charconv>
#include <cstdint>
#include <string_view>

#include "common/json_plain.h"

namespace cognate {
namespace {

using json_detail::kPlain;

// True when `s` needs no escaping.
bool Plain(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  bool ok = true;
  for (; p != end; ++p) ok &= kPlain.ok[*p];  // no early exit: the common case is all plain
  return ok;
}

void AppendString(std::string& out, const std::string& s) {
  if (Plain(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <class Int>
void AppendNumber(std::string& out, Int n) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

void AppendJson(std::string& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        AppendString(out, key);
        out += ':';
        AppendJson(out, member);
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, element);
      }
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string:
      AppendString(out, value.get_ref<const std::string&>());
      return;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::null:
      out += "null";
      return;
    case nlohmann::json::value_t::number_integer:
      AppendNumber(out, value.get<std::int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned:
      AppendNumber(out, value.get<std::uint64_t>());
      return;
    default:  // floating-point numbers, binary, discarded: nlohmann's own formatting
      out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

}  // namespace

std::string DumpJson(const nlohmann::json& value) {
  std::string out;
  out.reserve(256);
  AppendJson(out, value);
  return out;
}

}  // namespace cognate
