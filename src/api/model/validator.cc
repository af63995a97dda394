#include "api/model/validator.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace cognate::api::model {
namespace {

using json = nlohmann::json;

// A JSON value of the wrong type: AWS's (Coral's) deserializer rejects the whole request.
struct TypeMismatch {
  std::string message;
};

std::string_view TypeLabel(ShapeType t) {
  switch (t) {
    case ShapeType::kString:
      return "String";
    case ShapeType::kInteger:
      return "Integer";
    case ShapeType::kLong:
      return "Long";
    case ShapeType::kDouble:
      return "Double";
    case ShapeType::kBoolean:
      return "Boolean";
    case ShapeType::kTimestamp:
      return "Date";
    case ShapeType::kBlob:
      return "ByteBuffer";
    case ShapeType::kList:
      return "List";
    case ShapeType::kMap:
      return "Map";
    case ShapeType::kStructure:
      return "Structure";
  }
  return "Value";
}

std::string MismatchMessage(const json& v, ShapeType want) {
  if (v.is_object()) return "Start of structure or map found where not expected.";
  if (v.is_array()) return "Start of list found where not expected.";
  std::string_view token = v.is_string()    ? "STRING_VALUE"
                           : v.is_boolean() ? (v.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE")
                                            : "NUMBER_VALUE";
  return fmt::format("{} cannot be converted to {}", token, TypeLabel(want));
}

// Renders a value the way Java's toString() shows it in Coral messages.
std::string Render(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      out += Render(v[i]);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, e] : v.items()) {
      if (!first) out += ", ";
      first = false;
      out += k + "=" + Render(e);
    }
    return out + "}";
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  }
  return v.dump();
}

bool ContainsSensitive(const Shape* s) {
  if (s == nullptr) return false;
  if (s->sensitive) return true;
  if (s->type == ShapeType::kList) return ContainsSensitive(s->member);
  if (s->type == ShapeType::kMap) return ContainsSensitive(s->key) || ContainsSensitive(s->value);
  return false;
}

class Checker {
 public:
  std::vector<std::string> errors;

  // Checks `v` (non-null) against `shape` at `path`; throws TypeMismatch.
  void Check(const json& v, const Shape& shape, const std::string& path) {
    switch (shape.type) {
      case ShapeType::kStructure:
        CheckStructure(v, shape, path);
        return;
      case ShapeType::kList:
        CheckList(v, shape, path);
        return;
      case ShapeType::kMap:
        CheckMap(v, shape, path);
        return;
      default: {
        std::vector<std::string> failed = ScalarViolations(v, shape);
        for (auto& f : failed) Add(v, shape.sensitive, path, f);
      }
    }
  }

 private:
  void Add(const json& v, bool sensitive, const std::string& path, const std::string& constraint) {
    if (sensitive) {
      errors.push_back(
          fmt::format("Value at '{}' failed to satisfy constraint: {}", path, constraint));
    } else {
      errors.push_back(fmt::format("Value '{}' at '{}' failed to satisfy constraint: {}", Render(v),
                                   path, constraint));
    }
  }

  static std::string LengthMin(std::int64_t n) {
    return fmt::format("Member must have length greater than or equal to {}", n);
  }
  static std::string LengthMax(std::int64_t n) {
    return fmt::format("Member must have length less than or equal to {}", n);
  }

  // Violations of a scalar (string, number, boolean, ...) in AWS's order: length, pattern, enum.
  std::vector<std::string> ScalarViolations(const json& v, const Shape& shape) {
    std::vector<std::string> out;
    switch (shape.type) {
      case ShapeType::kString: {
        if (!v.is_string()) throw TypeMismatch{MismatchMessage(v, shape.type)};
        const auto& s = v.get_ref<const std::string&>();
        auto len = static_cast<std::int64_t>(CodePointCount(s));
        if (shape.min && len < *shape.min) out.push_back(LengthMin(*shape.min));
        if (shape.max && len > *shape.max) out.push_back(LengthMax(*shape.max));
        const bool url =
            shape.allows_url && (s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0);
        if (shape.pattern && !url && !shape.pattern->FullMatch(s)) {
          out.push_back("Member must satisfy regular expression pattern: " +
                        shape.pattern->source());
        }
        if (!shape.enum_values.empty()) {
          bool found = false;
          for (const auto& e : shape.enum_values) found |= e == s;
          if (!found) {
            out.push_back(fmt::format("Member must satisfy enum value set: [{}]",
                                      fmt::join(shape.enum_values, ", ")));
          }
        }
        return out;
      }
      case ShapeType::kInteger:
      case ShapeType::kLong: {
        if (!v.is_number()) throw TypeMismatch{MismatchMessage(v, shape.type)};
        // Coral truncates a fractional number to the integer type.
        double d = v.is_number_float() ? std::trunc(v.get<double>()) : 0;
        bool is_int = shape.type == ShapeType::kInteger;
        double lo = is_int ? std::numeric_limits<std::int32_t>::min()
                           : static_cast<double>(std::numeric_limits<std::int64_t>::min());
        double hi = is_int ? std::numeric_limits<std::int32_t>::max()
                           : static_cast<double>(std::numeric_limits<std::int64_t>::max());
        std::int64_t n = 0;
        if (v.is_number_float()) {
          if (!(d >= lo && d <= hi)) throw TypeMismatch{MismatchMessage(v, shape.type)};
          n = static_cast<std::int64_t>(d);
        } else if (v.is_number_unsigned()) {
          auto u = v.get<std::uint64_t>();
          if (u > static_cast<std::uint64_t>(hi))
            throw TypeMismatch{MismatchMessage(v, shape.type)};
          n = static_cast<std::int64_t>(u);
        } else {
          n = v.get<std::int64_t>();
          if (n < lo || n > hi) throw TypeMismatch{MismatchMessage(v, shape.type)};
        }
        if (shape.min && n < *shape.min) {
          out.push_back(
              fmt::format("Member must have value greater than or equal to {}", *shape.min));
        }
        if (shape.max && n > *shape.max) {
          out.push_back(fmt::format("Member must have value less than or equal to {}", *shape.max));
        }
        return out;
      }
      case ShapeType::kDouble:
      case ShapeType::kTimestamp:
        if (!v.is_number()) throw TypeMismatch{MismatchMessage(v, shape.type)};
        return out;
      case ShapeType::kBoolean:
        if (!v.is_boolean()) throw TypeMismatch{MismatchMessage(v, shape.type)};
        return out;
      case ShapeType::kBlob: {
        if (!v.is_string()) throw TypeMismatch{MismatchMessage(v, shape.type)};
        // base64 text: the constraint is on the decoded bytes.
        const auto& s = v.get_ref<const std::string&>();
        std::int64_t pad = 0;
        for (auto it = s.rbegin(); it != s.rend() && *it == '=' && pad < 2; ++it) ++pad;
        auto bytes = static_cast<std::int64_t>(s.size() / 4 * 3) - pad;
        if (shape.min && bytes < *shape.min) out.push_back(LengthMin(*shape.min));
        if (shape.max && bytes > *shape.max) out.push_back(LengthMax(*shape.max));
        return out;
      }
      default:
        return out;
    }
  }

  void CheckStructure(const json& v, const Shape& shape, const std::string& path) {
    if (!v.is_object()) throw TypeMismatch{MismatchMessage(v, shape.type)};
    for (const Member& m : shape.members) {
      std::string p = path.empty() ? m.path_name : path + "." + m.path_name;
      auto it = v.find(m.name);
      if (it == v.end() || it->is_null()) {
        if (m.required) {
          errors.push_back(fmt::format(
              "Value null at '{}' failed to satisfy constraint: Member must not be null", p));
        }
        continue;
      }
      Check(*it, *m.shape, p);
    }
  }

  void CheckList(const json& v, const Shape& shape, const std::string& path) {
    if (!v.is_array()) throw TypeMismatch{MismatchMessage(v, shape.type)};
    bool sensitive = ContainsSensitive(&shape);
    auto n = static_cast<std::int64_t>(v.size());
    if (shape.min && n < *shape.min) Add(v, sensitive, path, LengthMin(*shape.min));
    if (shape.max && n > *shape.max) Add(v, sensitive, path, LengthMax(*shape.max));
    const Shape& elem = *shape.member;
    bool aggregate = elem.type != ShapeType::kStructure && elem.type != ShapeType::kList &&
                     elem.type != ShapeType::kMap;
    if (aggregate) {
      // Coral reports element violations of a scalar list once, at the list.
      std::vector<std::string> inner;
      for (const auto& e : v) {
        if (e.is_null()) continue;
        for (auto& f : ScalarViolations(e, elem)) {
          bool seen = false;
          for (const auto& x : inner) seen |= x == f;
          if (!seen) inner.push_back(std::move(f));
        }
      }
      if (!inner.empty()) {
        Add(v, sensitive, path,
            fmt::format("Member must satisfy constraint: [{}]", fmt::join(inner, ", ")));
      }
      return;
    }
    std::size_t i = 0;
    for (const auto& e : v) {
      ++i;
      if (e.is_null()) continue;
      Check(e, elem, fmt::format("{}.{}.member", path, i));
    }
  }

  void CheckMap(const json& v, const Shape& shape, const std::string& path) {
    if (!v.is_object()) throw TypeMismatch{MismatchMessage(v, shape.type)};
    bool sensitive = ContainsSensitive(&shape);
    auto n = static_cast<std::int64_t>(v.size());
    if (shape.min && n < *shape.min) Add(v, sensitive, path, LengthMin(*shape.min));
    if (shape.max && n > *shape.max) Add(v, sensitive, path, LengthMax(*shape.max));
    std::vector<std::string> key_failures, value_failures;
    auto merge = [](std::vector<std::string>& into, std::vector<std::string> more) {
      for (auto& f : more) {
        bool seen = false;
        for (const auto& x : into) seen |= x == f;
        if (!seen) into.push_back(std::move(f));
      }
    };
    const Shape& val = *shape.value;
    bool scalar_values = val.type != ShapeType::kStructure && val.type != ShapeType::kList &&
                         val.type != ShapeType::kMap;
    for (const auto& [k, e] : v.items()) {
      merge(key_failures, ScalarViolations(json(k), *shape.key));
      if (e.is_null()) continue;
      if (scalar_values) {
        merge(value_failures, ScalarViolations(e, val));
      } else {
        Check(e, val, fmt::format("{}.{}.member", path, k));
      }
    }
    if (!key_failures.empty()) {
      Add(v, sensitive, path,
          fmt::format("Map keys must satisfy constraint: [{}]", fmt::join(key_failures, ", ")));
    }
    if (!value_failures.empty()) {
      Add(v, sensitive, path,
          fmt::format("Map value must satisfy constraint: [{}]", fmt::join(value_failures, ", ")));
    }
  }
};

}  // namespace

std::size_t CodePointCount(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::optional<ApiError> Validate(const Operation& operation, const json& input) {
  if (!input.is_object()) {
    return ApiError(ErrorCode::kSerialization, MismatchMessage(input, ShapeType::kStructure));
  }
  if (operation.input == nullptr) return std::nullopt;
  Checker checker;
  try {
    checker.Check(input, *operation.input, "");
  } catch (const TypeMismatch& m) {
    return ApiError(ErrorCode::kSerialization, m.message);
  }
  if (checker.errors.empty()) return std::nullopt;
  std::size_t n = checker.errors.size();
  return ApiError::InvalidParameter(fmt::format(
      "{} validation error{} detected: {}", n, n == 1 ? "" : "s", fmt::join(checker.errors, "; ")));
}

std::optional<ApiError> Validate(const ServiceModel& model, std::string_view operation,
                                 const json& input) {
  const Operation* op = model.FindOperation(operation);
  if (op == nullptr) return ApiError(ErrorCode::kUnknownOperation, "");
  return Validate(*op, input);
}

}  // namespace cognate::api::model
