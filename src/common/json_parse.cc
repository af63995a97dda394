#include "common/json_parse.h"

#include <algorithm>

#include <cstdint>
#include <string>
#include <utility>

#include "common/json_plain.h"

namespace cognate {
namespace {

using json = nlohmann::json;

using json_detail::kPlain;

// One pass over the common shapes; false as soon as the text leaves them (or is not JSON), and
// the caller then asks nlohmann. Never accepts what nlohmann refuses, never reads a value
// differently: strings only when every byte is plain, integers only of up to 18 digits (so they
// fit either kind) without a fraction or exponent, non-negative ones unsigned as nlohmann keeps
// them, a repeated key keeping its last value.
class FastReader {
 public:
  explicit FastReader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Read(json& out) {
    max_depth_ = 0;
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  // Deeper documents are nlohmann's (it keeps its own stack, not the call stack).
  static constexpr int kMaxDepth = 64;

  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Value(json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(out, depth + 1);
      case '[':
        return Array(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        return Literal("true", json(true), out);
      case 'f':
        return Literal("false", json(false), out);
      case 'n':
        return Literal("null", json(nullptr), out);
      default:
        return Integer(out);
    }
  }

  bool Literal(std::string_view word, json value, json& out) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    out = std::move(value);
    return true;
  }

  // At the opening quote.
  bool String(std::string& s) {
    const auto* q = reinterpret_cast<const unsigned char*>(p_ + 1);
    const auto* end = reinterpret_cast<const unsigned char*>(end_);
    while (q != end && kPlain.ok[*q]) ++q;
    if (q == end || *q != '"') return false;  // an escape, a control byte, non-ASCII, no end
    const char* close = reinterpret_cast<const char*>(q);
    s.assign(p_ + 1, close);
    p_ = close + 1;
    return true;
  }

  bool Integer(json& out) {
    const bool negative = *p_ == '-';
    const char* digits = negative ? p_ + 1 : p_;
    const char* q = digits;
    std::uint64_t v = 0;
    while (q != end_ && *q >= '0' && *q <= '9') v = v * 10 + static_cast<unsigned>(*q++ - '0');
    const auto n = q - digits;
    if (n == 0 || n > 18) return false;
    if (*digits == '0' && n > 1) return false;  // a leading zero: not JSON
    if (q != end_ && (*q == '.' || *q == 'e' || *q == 'E')) return false;  // a float
    if (negative) {
      out = -static_cast<std::int64_t>(v);  // "-0" too: nlohmann keeps it as a signed 0
    } else {
      out = v;
    }
    p_ = q;
    return true;
  }

  bool Object(json& out, int depth) {
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    return Sequence('}', depth, [&] {
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      if (!String(key)) return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      json value;
      if (!Value(value, depth)) return false;
      members[std::move(key)] = std::move(value);
      return true;
    });
  }

  bool Array(json& out, int depth) {
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    return Sequence(']', depth, [&] {
      json value;
      if (!Value(value, depth)) return false;
      items.push_back(std::move(value));
      return true;
    });
  }

  // From an opening bracket to its `close`: `item` reads one member or item at a time, and the
  // commas between them are checked here.
  template <class Item>
  bool Sequence(char close, int depth, Item item) {
    if (depth > kMaxDepth) return false;
    max_depth_ = std::max(max_depth_, depth);
    ++p_;
    SkipSpace();
    if (p_ != end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (!item()) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == close) {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      SkipSpace();
    }
  }

  const char* p_;
  const char* end_;
  int max_depth_ = 0;

 public:
  // The deepest bracket nesting the last Read saw.
  int max_depth() const { return max_depth_; }
};

}  // namespace

std::size_t JsonDepth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, max_depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    const char c = *p++;
    if (c == '"') {
      // A string: on to the first quote no backslash escapes.
      while (p != end && *p != '"') {
        if (*p == '\\' && ++p == end) break;
        ++p;
      }
      if (p != end) ++p;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

json ParseJsonWithin(std::string_view text, std::size_t depth_limit, bool& too_deep) {
  json out;
  FastReader reader(text);
  if (reader.Read(out)) {
    too_deep = static_cast<std::size_t>(reader.max_depth()) > depth_limit;
    if (too_deep) return json(json::value_t::discarded);
    return out;  // moved, not copied (a conditional expression here copied the whole value)
  }
  // Not of the common shapes (or not JSON): count the brackets before nlohmann reads it.
  too_deep = depth_limit != kAnyDepth && JsonDepth(text, depth_limit) > depth_limit;
  if (too_deep) return json(json::value_t::discarded);
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

bool ReadCommonJson(std::string_view text, json& out) { return FastReader(text).Read(out); }

json ParseJson(std::string_view text) {
  bool too_deep = false;
  return ParseJsonWithin(text, kAnyDepth, too_deep);
}

bool IdenticalJson(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      const auto& x = a.get_ref<const json::object_t&>();
      const auto& y = b.get_ref<const json::object_t&>();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !IdenticalJson(i->second, j->second)) return false;
      }
      return true;
    }
    case json::value_t::array: {
      const auto& x = a.get_ref<const json::array_t&>();
      const auto& y = b.get_ref<const json::array_t&>();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!IdenticalJson(x[i], y[i])) return false;
      }
      return true;
    }
    case json::value_t::discarded:
      return true;
    default:
      return a == b;
  }
}

}  // namespace cognate
