#pragma once
// JSON text to a value, exactly as nlohmann::json::parse(text, nullptr, false) reads it (a
// discarded value when the text is not JSON), but faster on what requests, tokens and stored
// documents are made of: objects, arrays, strings of printable ASCII without escapes (tokens,
// ids, hex), small integers, true, false and null are read in one pass. The first byte of
// anything else (an escape, non-ASCII, a fraction, a long number, a syntax error) hands the whole
// text to nlohmann, so every value and every refusal is nlohmann's own.

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cognate {

nlohmann::json ParseJson(std::string_view text);

// Bracket nesting depth of a JSON text (brackets inside strings do not count), counting no
// further than the first level past `limit`. Valid or not, the text is only scanned.
std::size_t JsonDepth(std::string_view text, std::size_t limit);

// ParseJson for a text whose brackets may nest at most `depth_limit` deep: a deeper text sets
// `too_deep` and gives a discarded value, whether or not it is valid JSON. One pass for the
// common shapes; the brackets are counted before nlohmann reads anything else.
// ParseJson is ParseJsonWithin with kAnyDepth (no depth check, nothing counted).
inline constexpr std::size_t kAnyDepth = static_cast<std::size_t>(-1);
nlohmann::json ParseJsonWithin(std::string_view text, std::size_t depth_limit, bool& too_deep);

// The one-pass reader alone: true (and `out` set) when `text` is of the common shapes above,
// false when ParseJson hands it to nlohmann. Exposed for tests.
bool ReadCommonJson(std::string_view text, nlohmann::json& out);

// True when `a` and `b` are the same value with the same kinds throughout: unlike ==, which holds
// 5u == 5 and 5 == 5.0, a number must also be of the same kind (unsigned, signed or float). For
// tests that hold ParseJson to nlohmann's reading.
bool IdenticalJson(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace cognate
