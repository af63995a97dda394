#pragma once
// JSON text to a value, exactly as nlohmann::json::parse(text, nullptr, false) reads it (a
// discarded value when the text is not JSON), but faster on what requests, tokens and stored
// documents are made of: objects, arrays, strings of printable ASCII without escapes (tokens,
// ids, hex), small integers, true, false and null are read in one pass. The first byte of
// anything else (an escape, non-ASCII, a fraction, a long number, a syntax error) hands the whole
// text to nlohmann, so every value and every refusal is nlohmann's own.

#include <string_view>

#include <nlohmann/json.hpp>

namespace cognate {

nlohmann::json ParseJson(std::string_view text);

// The one-pass reader alone: true (and `out` set) when `text` is of the common shapes above,
// false when ParseJson hands it to nlohmann. Exposed for tests.
bool ReadCommonJson(std::string_view text, nlohmann::json& out);

// True when `a` and `b` are the same value with the same kinds throughout: unlike ==, which holds
// 5u == 5 and 5 == 5.0, a number must also be of the same kind (unsigned, signed or float). For
// tests that hold ParseJson to nlohmann's reading.
bool IdenticalJson(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace cognate
