#pragma once
// Compact JSON text of a value, as nlohmann::json::dump(-1, ' ', false, replace) writes it, but
// faster on what every answer and token is made of: strings of printable ASCII (tokens, ids,
// attribute values) are copied as they are instead of going through the serializer's
// byte-by-byte UTF-8 check. Anything else (escapes, non-ASCII, numbers) is written by nlohmann,
// so the output is the same byte for byte; invalid UTF-8 is replaced with U+FFFD, never thrown.

#include <string>

#include <nlohmann/json.hpp>

namespace cognate {

std::string DumpJson(const nlohmann::json& value);

}  // namespace cognate
