#include "api/cognito_idp/user_json.h"

#include <algorithm>

namespace cognate::api::cognito_idp {
namespace {

using nlohmann::json;

// "UserPoolId" -> "userPoolId", as the model validation messages name members.
std::string WireName(std::string_view member) {
  std::string s(member);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

ApiError WrongType(std::string_view member) {
  return ApiError::InvalidParameter(
      "1 validation error detected: Value at '" + WireName(member) +
      "' failed to satisfy constraint: " + "Member must be of the declared type");
}

const json* Find(const json& input, std::string_view member) {
  if (!input.is_object()) return nullptr;
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

json EpochSeconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

json AttributesJson(const domain::users::UserRecord& user) {
  json out = json::array();
  out.push_back({{"Name", "sub"}, {"Value", user.sub}});
  for (const auto& [name, value] : user.attributes) {
    if (name == "sub") continue;
    out.push_back({{"Name", name}, {"Value", value}});
  }
  return out;
}

json UserTypeJson(const domain::users::UserRecord& user) {
  json out = json::object();
  out["Username"] = user.username;
  // ListUsers with AttributesToGet may have dropped sub; show only what is left.
  if (user.attributes.count("sub")) {
    out["Attributes"] = AttributesJson(user);
  } else {
    json attrs = json::array();
    for (const auto& [name, value] : user.attributes) {
      attrs.push_back({{"Name", name}, {"Value", value}});
    }
    out["Attributes"] = std::move(attrs);
  }
  out["UserCreateDate"] = EpochSeconds(user.created_ms);
  out["UserLastModifiedDate"] = EpochSeconds(user.modified_ms);
  out["Enabled"] = user.enabled;
  out["UserStatus"] = user.status;
  return out;
}

json UserJson(const domain::users::UserRecord& user, UserJsonView view) {
  json out = json::object();
  out["Username"] = user.username;
  out["UserAttributes"] = AttributesJson(user);
  if (view == UserJsonView::kAdmin) {
    out["UserCreateDate"] = EpochSeconds(user.created_ms);
    out["UserLastModifiedDate"] = EpochSeconds(user.modified_ms);
    out["Enabled"] = user.enabled;
    out["UserStatus"] = user.status;
  }
  // MFA state is owned by the MFA feature; shown only when the user has some.
  if (auto it = user.doc.find("mfa_settings");
      it != user.doc.end() && it->is_array() && !it->empty()) {
    out["UserMFASettingList"] = *it;
    // The legacy view of SMS MFA (SetUserSettings).
    if (std::find(it->begin(), it->end(), json("SMS_MFA")) != it->end()) {
      out["MFAOptions"] =
          json::array({{{"DeliveryMedium", "SMS"}, {"AttributeName", "phone_number"}}});
    }
  }
  if (auto it = user.doc.find("preferred_mfa"); it != user.doc.end() && it->is_string()) {
    out["PreferredMfaSetting"] = *it;
  }
  return out;
}

json AdminGetUserJson(const domain::users::UserRecord& user) {
  return UserJson(user, UserJsonView::kAdmin);
}

json GroupTypeJson(const domain::groups::GroupRecord& group) {
  json out = json::object();
  out["GroupName"] = group.name;
  out["UserPoolId"] = group.pool_id;
  if (group.description) out["Description"] = *group.description;
  if (group.role_arn) out["RoleArn"] = *group.role_arn;
  if (group.precedence) out["Precedence"] = *group.precedence;
  out["LastModifiedDate"] = EpochSeconds(group.modified_ms);
  out["CreationDate"] = EpochSeconds(group.created_ms);
  return out;
}

Result<std::string> RequiredString(const json& input, std::string_view member) {
  const json* v = Find(input, member);
  if (v == nullptr) {
    return ApiError::InvalidParameter("1 validation error detected: Value null at '" +
                                      WireName(member) +
                                      "' failed to satisfy constraint: Member must not be null");
  }
  if (!v->is_string()) return WrongType(member);
  return v->get<std::string>();
}

Result<std::optional<std::string>> OptionalString(const json& input, std::string_view member) {
  const json* v = Find(input, member);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(member);
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<std::int64_t>> OptionalInt(const json& input, std::string_view member) {
  const json* v = Find(input, member);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (!v->is_number_integer()) return WrongType(member);
  return std::optional<std::int64_t>(v->get<std::int64_t>());
}

Result<std::optional<bool>> OptionalBool(const json& input, std::string_view member) {
  const json* v = Find(input, member);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(member);
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::vector<std::string>>> OptionalStringList(const json& input,
                                                                   std::string_view member) {
  const json* v = Find(input, member);
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return WrongType(member);
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) return WrongType(member);
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::vector<domain::users::AttributeInput>> AttributeList(const json& input,
                                                                 std::string_view member) {
  std::vector<domain::users::AttributeInput> out;
  const json* v = Find(input, member);
  if (v == nullptr) return out;
  if (!v->is_array()) return WrongType(member);
  for (const auto& item : *v) {
    auto name = RequiredString(item, "Name");
    if (!name) return name.error();
    auto value = OptionalString(item, "Value");
    if (!value) return value.error();
    out.push_back({*name, value->value_or("")});
  }
  return out;
}

}  // namespace cognate::api::cognito_idp
