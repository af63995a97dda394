#include "domain/userpool/schema.h"

#include <charconv>
#include <set>
#include <string>

namespace cognate::domain::userpool {
namespace {

constexpr std::string_view kDataTypes[] = {"String", "Number", "DateTime", "Boolean"};
constexpr std::size_t kMaxCustomNameLength = 20;
constexpr std::int64_t kMaxStringLength = 2048;

Json StringAttr(std::string_view name, bool mutable_attr, bool required, std::string_view min,
                std::string_view max) {
  return Json{{"Name", name},
              {"AttributeDataType", "String"},
              {"DeveloperOnlyAttribute", false},
              {"Mutable", mutable_attr},
              {"Required", required},
              {"StringAttributeConstraints", {{"MinLength", min}, {"MaxLength", max}}}};
}

Json BoolAttr(std::string_view name) {
  return Json{{"Name", name},
              {"AttributeDataType", "Boolean"},
              {"DeveloperOnlyAttribute", false},
              {"Mutable", true},
              {"Required", false}};
}

Json BuildStandard() {
  Json list = Json::array();
  list.push_back(StringAttr("sub", false, true, "1", "2048"));
  for (std::string_view n : {"name", "given_name", "family_name", "middle_name", "nickname",
                             "preferred_username", "profile", "picture", "website", "email"}) {
    list.push_back(StringAttr(n, true, false, "0", "2048"));
  }
  list.push_back(BoolAttr("email_verified"));
  list.push_back(StringAttr("gender", true, false, "0", "2048"));
  list.push_back(StringAttr("birthdate", true, false, "10", "10"));
  for (std::string_view n : {"zoneinfo", "locale", "phone_number"}) {
    list.push_back(StringAttr(n, true, false, "0", "2048"));
  }
  list.push_back(BoolAttr("phone_number_verified"));
  list.push_back(StringAttr("address", true, false, "0", "2048"));
  list.push_back(Json{{"Name", "updated_at"},
                      {"AttributeDataType", "Number"},
                      {"DeveloperOnlyAttribute", false},
                      {"Mutable", true},
                      {"Required", false},
                      {"NumberAttributeConstraints", {{"MinValue", "0"}}}});
  return list;
}

std::optional<std::int64_t> ParseLimit(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// Validates one constraints object (`kind` is "StringAttributeConstraints" or
// "NumberAttributeConstraints") and returns the members to keep.
Result<Json> Constraints(const Json& c, std::string_view kind, const std::string& attr) {
  const bool is_string = kind == "StringAttributeConstraints";
  const char* min_key = is_string ? "MinLength" : "MinValue";
  const char* max_key = is_string ? "MaxLength" : "MaxValue";
  Json out = Json::object();
  std::optional<std::int64_t> lo, hi;
  for (const char* key : {min_key, max_key}) {
    auto v = OptString(c, key);
    if (!v) return v.error();
    if (!*v || (*v)->empty()) continue;
    auto parsed = ParseLimit(**v);
    if (!parsed) {
      return ApiError::InvalidParameter("Invalid " + std::string(kind) + " for schema attribute " +
                                        attr);
    }
    (key == min_key ? lo : hi) = parsed;
    out[key] = **v;
  }
  if (is_string) {
    if ((lo && *lo > kMaxStringLength) || (hi && *hi > kMaxStringLength)) {
      return ApiError::InvalidParameter("user." + attr +
                                        ": String attributes cannot have a length of more than "
                                        "2048");
    }
    if (lo && hi && *lo > *hi) {
      return ApiError::InvalidParameter("user." + attr +
                                        ": Max length cannot be less than min length.");
    }
  } else if (lo && hi && *lo > *hi) {
    return ApiError::InvalidParameter("user." + attr +
                                      ": Max value cannot be less than min value.");
  }
  return out;
}

Result<std::optional<std::string>> DataType(const Json& entry) {
  auto type = OptString(entry, "AttributeDataType");
  if (!type) return type.error();
  if (*type) {
    bool known = false;
    for (auto t : kDataTypes) known = known || **type == t;
    if (!known) {
      return ApiError::InvalidParameter(
          "Validation error detected: Value '" + **type +
          "' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, "
          "String, DateTime]");
    }
  }
  return *type;
}

// A custom attribute entry, normalised: "custom:"/"dev:custom:" name, defaults filled in.
Result<Json> CustomAttribute(const Json& entry, std::string base) {
  if (base.rfind("custom:", 0) == 0) base = base.substr(7);
  if (base.empty() || base.size() > kMaxCustomNameLength) {
    return ValidationError("'" + base + "'", "schema.member.name",
                           "Member must have length less than or equal to 20");
  }
  auto type = DataType(entry);
  if (!type) return type.error();
  if (!*type) {
    return ApiError::InvalidParameter(
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.");
  }
  auto dev = OptBool(entry, "DeveloperOnlyAttribute");
  auto mut = OptBool(entry, "Mutable");
  auto req = OptBool(entry, "Required");
  if (!dev) return dev.error();
  if (!mut) return mut.error();
  if (!req) return req.error();
  if (req->value_or(false)) {
    return ApiError::InvalidParameter("Required custom attributes are not supported currently.");
  }
  const bool developer_only = dev->value_or(false);
  std::string name = (developer_only ? "dev:custom:" : "custom:") + base;
  Json out{{"Name", name},
           {"AttributeDataType", **type},
           {"DeveloperOnlyAttribute", developer_only},
           {"Mutable", mut->value_or(true)},
           {"Required", false}};
  if (**type == "String" || **type == "Number") {
    std::string kind =
        **type == "String" ? "StringAttributeConstraints" : "NumberAttributeConstraints";
    auto given = OptObject(entry, kind);
    if (!given) return given.error();
    if (*given != nullptr) {
      auto c = Constraints(**given, kind, name);
      if (!c) return c.error();
      out[kind] = std::move(*c);
    } else if (**type == "String") {
      out[kind] = Json::object();
    }
  }
  return out;
}

// A standard attribute entry applied over its default.
Result<void> OverrideStandard(Json& attr, const Json& entry) {
  const std::string name = attr["Name"].get<std::string>();
  auto type = DataType(entry);
  if (!type) return type.error();
  auto dev = OptBool(entry, "DeveloperOnlyAttribute");
  if (!dev) return dev.error();
  if ((*type && **type != attr["AttributeDataType"].get<std::string>()) || dev->value_or(false)) {
    return ApiError::InvalidParameter(
        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema "
        "attribute " +
        name);
  }
  auto mut = OptBool(entry, "Mutable");
  auto req = OptBool(entry, "Required");
  if (!mut) return mut.error();
  if (!req) return req.error();
  if (*mut) attr["Mutable"] = **mut;
  if (*req) attr["Required"] = **req;
  for (std::string kind : {"StringAttributeConstraints", "NumberAttributeConstraints"}) {
    if (!attr.contains(kind)) continue;
    auto given = OptObject(entry, kind);
    if (!given) return given.error();
    if (*given == nullptr) continue;
    auto c = Constraints(**given, kind, name);
    if (!c) return c.error();
    for (auto& [k, v] : c->items()) attr[kind][k] = v;
  }
  return {};
}

int CountCustom(const Json& schema_attributes) {
  int n = 0;
  for (const auto& a : schema_attributes) {
    if (!IsStandardAttribute(a.value("Name", ""))) ++n;
  }
  return n;
}

ApiError TooManyCustom() {
  return ApiError::InvalidParameter("A user pool can have at most " +
                                    std::to_string(kMaxCustomAttributes) + " custom attributes.");
}

Result<Json> EntryName(const Json& entry) {
  if (!entry.is_object()) return WrongType("Schema", "list of SchemaAttributeType");
  auto name = OptString(entry, "Name");
  if (!name) return name.error();
  if (!*name) {
    return ValidationError("null", "schema.member.name", "Member must not be null");
  }
  return Json(**name);
}

}  // namespace

const Json& StandardSchema() {
  static const Json kSchema = BuildStandard();
  return kSchema;
}

bool IsStandardAttribute(std::string_view name) {
  for (const auto& a : StandardSchema()) {
    if (a["Name"].get_ref<const std::string&>() == name) return true;
  }
  return false;
}

Result<Json> BuildSchemaAttributes(const Json* schema) {
  Json standard = StandardSchema();
  Json custom = Json::array();
  if (schema == nullptr) return standard;
  if (!schema->is_array()) return WrongType("Schema", "list");
  std::set<std::string> seen;
  for (const auto& entry : *schema) {
    auto name_json = EntryName(entry);
    if (!name_json) return name_json.error();
    std::string name = name_json->get<std::string>();
    if (IsStandardAttribute(name)) {
      if (!seen.insert(name).second) {
        return ApiError::InvalidParameter("Duplicate attribute name in schema: " + name);
      }
      for (auto& attr : standard) {
        if (attr["Name"] == name) {
          auto r = OverrideStandard(attr, entry);
          if (!r) return r.error();
        }
      }
      continue;
    }
    auto attr = CustomAttribute(entry, name);
    if (!attr) return attr.error();
    std::string full = (*attr)["Name"].get<std::string>();
    if (!seen.insert(full).second) {
      return ApiError::InvalidParameter(full + ": Existing attribute already has name " + full +
                                        ".");
    }
    custom.push_back(std::move(*attr));
  }
  if (static_cast<int>(custom.size()) > kMaxCustomAttributes) return TooManyCustom();
  for (auto& c : custom) standard.push_back(std::move(c));
  return standard;
}

Result<void> AppendCustomAttributes(Json& schema_attributes, const Json& custom_attributes) {
  if (!custom_attributes.is_array()) return WrongType("CustomAttributes", "list");
  if (custom_attributes.empty() || custom_attributes.size() > 25) {
    return ValidationError("'" + custom_attributes.dump() + "'", "customAttributes",
                           custom_attributes.empty()
                               ? "Member must have length greater than or equal to 1"
                               : "Member must have length less than or equal to 25");
  }
  std::set<std::string> existing;
  for (const auto& a : schema_attributes) existing.insert(a.value("Name", ""));
  Json added = Json::array();
  for (const auto& entry : custom_attributes) {
    auto name_json = EntryName(entry);
    if (!name_json) return name_json.error();
    std::string base = name_json->get<std::string>();
    if (base.rfind("custom:", 0) == 0) base = base.substr(7);
    auto attr = CustomAttribute(entry, base);
    if (!attr) return attr.error();
    std::string full = (*attr)["Name"].get<std::string>();
    // A custom and a developer-only attribute of one base name clash as well.
    for (const std::string& candidate : {"custom:" + base, "dev:custom:" + base}) {
      if (existing.count(candidate) != 0) {
        return ApiError::InvalidParameter(
            "custom:" + base + ": Existing attribute already has name " + candidate + ".");
      }
    }
    existing.insert(full);
    added.push_back(std::move(*attr));
  }
  if (CountCustom(schema_attributes) + static_cast<int>(added.size()) > kMaxCustomAttributes) {
    return TooManyCustom();
  }
  for (auto& a : added) schema_attributes.push_back(std::move(a));
  return {};
}

}  // namespace cognate::domain::userpool
