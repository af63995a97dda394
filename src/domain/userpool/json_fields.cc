#include "domain/userpool/json_fields.h"

#include <cmath>

namespace cognate::domain::userpool {
namespace {

const Json* Member(const Json& in, std::string_view key) {
  if (!in.is_object()) return nullptr;
  auto it = in.find(key);
  if (it == in.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

ApiError WrongType(std::string_view key, std::string_view expected) {
  return ApiError::InvalidParameter("Invalid type for parameter " + std::string(key) +
                                    ", expected " + std::string(expected) + ".");
}

ApiError ValidationError(std::string_view value, std::string_view path, std::string_view what) {
  return ApiError::InvalidParameter("1 validation error detected: Value " + std::string(value) +
                                    " at '" + std::string(path) +
                                    "' failed to satisfy constraint: " + std::string(what));
}

ApiError NotNull(std::string_view path) {
  return ValidationError("null", path, "Member must not be null");
}

Result<void> CheckEnum(const std::string& value, std::initializer_list<std::string_view> allowed,
                       std::string_view path) {
  for (auto a : allowed) {
    if (value == a) return {};
  }
  std::string set;
  for (auto a : allowed) set += (set.empty() ? "" : ", ") + std::string(a);
  return ValidationError("'" + value + "'", path,
                         "Member must satisfy enum value set: [" + set + "]");
}

Result<std::string> Required(const Json& in, std::string_view key, std::string_view path) {
  auto v = OptString(in, key);
  if (!v) return v.error();
  if (!*v) return NotNull(path);
  return std::move(**v);
}

Result<void> NameMember(const Json& in, std::string_view key, std::string_view path, Json& doc,
                        std::string_view doc_key, bool create) {
  auto name = OptString(in, key);
  if (!name) return name.error();
  if (!*name) {
    if (create) return NotNull(path);
    return {};
  }
  if ((*name)->empty() || (*name)->size() > 128) {
    return ValidationError("'" + **name + "'", path, "Member must have length between 1 and 128");
  }
  doc[std::string(doc_key)] = **name;
  return {};
}

Result<std::optional<std::string>> OptString(const Json& in, std::string_view key) {
  const Json* v = Member(in, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(key, "string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<bool>> OptBool(const Json& in, std::string_view key) {
  const Json* v = Member(in, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(key, "boolean");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::int64_t>> OptInt(const Json& in, std::string_view key) {
  const Json* v = Member(in, key);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (v->is_number_integer()) return std::optional<std::int64_t>(v->get<std::int64_t>());
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
      return std::optional<std::int64_t>(static_cast<std::int64_t>(d));
    }
  }
  return WrongType(key, "integer");
}

Result<const Json*> OptObject(const Json& in, std::string_view key) {
  const Json* v = Member(in, key);
  if (v == nullptr) return static_cast<const Json*>(nullptr);
  if (!v->is_object()) return WrongType(key, "structure");
  return v;
}

Result<const Json*> OptArray(const Json& in, std::string_view key) {
  const Json* v = Member(in, key);
  if (v == nullptr) return static_cast<const Json*>(nullptr);
  if (!v->is_array()) return WrongType(key, "list");
  return v;
}

Result<std::optional<std::vector<std::string>>> OptStringList(const Json& in,
                                                              std::string_view key) {
  const Json* v = Member(in, key);
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return WrongType(key, "list");
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const auto& e : *v) {
    if (!e.is_string()) return WrongType(key, "list of strings");
    out.push_back(e.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

}  // namespace cognate::domain::userpool
