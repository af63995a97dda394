#include "domain/users/attribute_rules.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

namespace cognate::domain::users {
namespace {

std::size_t Utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  }
  return n;
}

ApiError SchemaError(AttributeWriteMode mode, const std::vector<std::string>& problems) {
  std::string message;
  if (mode == AttributeWriteMode::kCreate) message = "Attributes did not conform to the schema: ";
  for (const auto& p : problems) {
    if (mode == AttributeWriteMode::kUpdate) message += "user.";
    message += p;
    message += '\n';
  }
  return ApiError::InvalidParameter(std::move(message));
}

// "true"/"false" for any capitalisation of them (clients send "True"), else nullopt.
std::optional<std::string> NormalizedBoolean(const std::string& value) {
  std::string lower = value;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "true" || lower == "false") return lower;
  return std::nullopt;
}

// The problem with `value` for attribute `a`, or "" when it fits the schema.
std::string ValueProblem(const SchemaAttribute& a, const std::string& value) {
  if (a.data_type == "Boolean") {
    if (!NormalizedBoolean(value)) return "Value must be either true or false.";
    return {};
  }
  if (a.data_type == "Number") {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size()) return "Value must be a number.";
    if (a.min_value && v < *a.min_value) {
      return "Number must be no less than " + std::to_string(*a.min_value) + ".";
    }
    if (a.max_value && v > *a.max_value) {
      return "Number must be no greater than " + std::to_string(*a.max_value) + ".";
    }
    return {};
  }
  if (a.data_type == "String") {
    const auto len = static_cast<std::int64_t>(Utf8Length(value));
    const std::int64_t max_len = a.max_length.value_or(2048);
    if (len > max_len) {
      return "String must be no longer than " + std::to_string(max_len) + " characters.";
    }
    if (a.min_length && len < *a.min_length) {
      return "String must be at least " + std::to_string(*a.min_length) + " characters.";
    }
  }
  return {};
}

// The name Cognito reports for a missing required attribute (OIDC's "name.formatted").
std::string RequiredName(const std::string& name) {
  return name == "name" ? "name.formatted" : name;
}

Result<void> CheckVerifiedPairs(const std::map<std::string, std::string>& attrs) {
  if (attrs.count("email_verified") && !attrs.count("email")) {
    return ApiError::InvalidParameter("Email is required to verify/un-verify an email");
  }
  if (attrs.count("phone_number_verified") && !attrs.count("phone_number")) {
    return ApiError::InvalidParameter(
        "Phone Number is required to verify/un-verify a phone number");
  }
  return {};
}

}  // namespace

bool IsValidEmail(std::string_view email) {
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) return false;
  if (email.find('@', at + 1) != std::string_view::npos) return false;
  return std::none_of(email.begin(), email.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';';
  });
}

bool IsValidPhoneNumber(std::string_view phone) {
  if (phone.size() < 2 || phone.size() > 16 || phone[0] != '+') return false;
  return std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<AttributeChanges> ApplyAttributes(const PoolRules& rules, UserRecord& user,
                                         const std::vector<AttributeInput>& attrs,
                                         AttributeWriteMode mode) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> next = user.attributes;
  std::set<std::string> given;
  AttributeChanges changes;

  for (const auto& in : attrs) {
    const SchemaAttribute* a = rules.FindAttribute(in.name);
    if (a == nullptr) {
      problems.push_back(in.name + ": Attribute does not exist in the schema.");
      continue;
    }
    if (in.name == "sub" || (mode == AttributeWriteMode::kUpdate && !a->is_mutable)) {
      problems.push_back(in.name + ": Attribute cannot be updated.");
      continue;
    }
    given.insert(in.name);
    if (in.value.empty()) {
      if (mode == AttributeWriteMode::kUpdate) {
        if (a->required) {
          problems.push_back(RequiredName(in.name) + ": The attribute is required");
        } else {
          next.erase(in.name);
          changes.changed.push_back(in.name);
        }
      }
      continue;
    }
    if (std::string p = ValueProblem(*a, in.value); !p.empty()) {
      problems.push_back(in.name + ": " + p);
      continue;
    }
    next[in.name] = a->data_type == "Boolean" ? *NormalizedBoolean(in.value) : in.value;
    changes.changed.push_back(in.name);
  }
  if (!problems.empty()) return SchemaError(mode, problems);

  if (auto it = next.find("email");
      it != next.end() && given.count("email") && !IsValidEmail(it->second)) {
    return ApiError::InvalidParameter("Invalid email address format.");
  }
  if (auto it = next.find("phone_number");
      it != next.end() && given.count("phone_number") && !IsValidPhoneNumber(it->second)) {
    return ApiError::InvalidParameter("Invalid phone number format.");
  }

  // An address that changed (or went away) is no longer verified unless this call says so.
  for (const std::string attr : {"email", "phone_number"}) {
    const std::string flag = attr + "_verified";
    if (!given.count(attr)) continue;
    auto before = user.Attribute(attr);
    auto after = next.find(attr);
    const bool removed = after == next.end();
    const bool changed = removed || !before || *before != after->second;
    if (!changed) continue;
    if (!removed) (attr == "email" ? changes.email_changed : changes.phone_changed) = true;
    if (removed) {
      next.erase(flag);
    } else if (!given.count(flag) && mode == AttributeWriteMode::kUpdate) {
      next[flag] = "false";
    }
  }
  if (given.count("email_verified") || given.count("phone_number_verified")) {
    if (auto ok = CheckVerifiedPairs(next); !ok) return ok.error();
  }

  user.attributes = std::move(next);
  return changes;
}

Result<void> CheckRequiredAttributes(const PoolRules& rules, const UserRecord& user) {
  std::vector<std::string> problems;
  for (const auto& a : rules.schema()) {
    if (!a.required || a.name == "sub") continue;
    auto v = user.Attribute(a.name);
    if (!v || v->empty()) problems.push_back(RequiredName(a.name) + ": The attribute is required");
  }
  if (!problems.empty()) return SchemaError(AttributeWriteMode::kCreate, problems);
  return {};
}

Result<AttributeChanges> DeleteAttributes(const PoolRules& rules, UserRecord& user,
                                          const std::vector<std::string>& names) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> next = user.attributes;
  AttributeChanges changes;
  for (const auto& name : names) {
    const SchemaAttribute* a = rules.FindAttribute(name);
    if (a == nullptr) {
      problems.push_back(name + ": Attribute does not exist in the schema.");
      continue;
    }
    if (name == "sub" || !a->is_mutable) {
      problems.push_back(name + ": Attribute cannot be updated.");
      continue;
    }
    if (a->required) {
      problems.push_back(RequiredName(name) + ": The attribute is required");
      continue;
    }
    next.erase(name);
    if (name == "email" || name == "phone_number") next.erase(name + "_verified");
    changes.changed.push_back(name);
  }
  if (!problems.empty()) return SchemaError(AttributeWriteMode::kUpdate, problems);
  user.attributes = std::move(next);
  return changes;
}

}  // namespace cognate::domain::users
