#include "domain/tokens/claims.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>

namespace cognate::domain::tokens {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::int64_t UnitSeconds(std::string_view unit) {
  if (unit == "seconds") return 1;
  if (unit == "minutes") return 60;
  if (unit == "hours") return 3600;
  if (unit == "days") return 86400;
  return 0;
}

// n * unit from the client doc, or `fallback_s` when the value is absent or unreadable.
std::int64_t Validity(const json& doc, const char* value_key, const char* unit_key,
                      const char* default_unit, std::int64_t fallback_s) {
  auto v = doc.find(value_key);
  if (v == doc.end() || !v->is_number_integer()) return fallback_s;
  std::int64_t n = v->get<std::int64_t>();
  if (n <= 0) return fallback_s;
  std::string unit = default_unit;
  if (auto units = doc.find("TokenValidityUnits"); units != doc.end() && units->is_object()) {
    if (auto u = units->find(unit_key); u != units->end() && u->is_string()) {
      unit = u->get<std::string>();
    }
  }
  std::int64_t per = UnitSeconds(unit);
  if (per == 0 || n > std::numeric_limits<std::int64_t>::max() / per) return fallback_s;
  return n * per;
}

bool IsVerifiedFlag(std::string_view name) {
  return name == "email_verified" || name == "phone_number_verified";
}

// An attribute's value as Cognito writes it into an ID token.
json AttributeClaim(std::string_view name, const std::string& value) {
  if (IsVerifiedFlag(name)) return value == "true";
  if (name == "updated_at" && !value.empty() && value.size() < 19 &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::stoll(value);
  }
  if (name == "address") return json{{"formatted", value}};
  return value;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

json GroupNames(const std::vector<groups::GroupRecord>& groups) {
  json names = json::array();
  for (const auto& g : groups) names.push_back(g.name);
  return names;
}

}  // namespace

TokenValidity ValidityFromClient(const json& doc) {
  TokenValidity v;
  if (!doc.is_object()) return v;
  v.access_s = Validity(doc, "AccessTokenValidity", "AccessToken", "hours", v.access_s);
  v.id_s = Validity(doc, "IdTokenValidity", "IdToken", "hours", v.id_s);
  v.refresh_s = Validity(doc, "RefreshTokenValidity", "RefreshToken", "days", v.refresh_s);
  return v;
}

RotationSettings RotationFromClient(const json& doc) {
  RotationSettings r;
  if (!doc.is_object()) return r;
  auto rot = doc.find("RefreshTokenRotation");
  if (rot == doc.end() || !rot->is_object()) return r;
  auto feature = rot->find("Feature");
  r.enabled = feature != rot->end() && feature->is_string() && *feature == "ENABLED";
  if (auto g = rot->find("RetryGracePeriodSeconds"); g != rot->end() && g->is_number_integer()) {
    r.grace_s = std::clamp<std::int64_t>(g->get<std::int64_t>(), 0, 60);
  }
  return r;
}

std::vector<std::string> ReadableAttributes(const users::PoolRules& rules, const json& doc) {
  std::vector<std::string> out{"sub"};
  auto add = [&out](const std::string& name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  if (doc.is_object()) {
    if (auto ra = doc.find("ReadAttributes"); ra != doc.end() && ra->is_array() && !ra->empty()) {
      for (const auto& a : *ra) {
        if (!a.is_string()) continue;
        const auto* attr = rules.FindAttribute(a.get_ref<const std::string&>());
        if (attr != nullptr && attr->developer_only) continue;
        add(a.get<std::string>());
      }
      return out;
    }
  }
  for (const auto& attr : rules.schema()) {
    if (!attr.developer_only) add(attr.name);
  }
  return out;
}

GroupRoles RolesOf(const std::vector<groups::GroupRecord>& groups) {
  GroupRoles out;
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::int64_t best = kNone;
  int best_count = 0;
  for (const auto& g : groups) {
    if (!g.role_arn || g.role_arn->empty()) continue;
    if (std::find(out.roles.begin(), out.roles.end(), *g.role_arn) == out.roles.end()) {
      out.roles.push_back(*g.role_arn);
    }
    std::int64_t p = g.precedence.value_or(kNone);
    if (p < best || best_count == 0) {
      best = p;
      best_count = 1;
      out.preferred = *g.role_arn;
    } else if (p == best && *g.role_arn != out.preferred) {
      ++best_count;
    }
  }
  if (best_count != 1) out.preferred.clear();
  return out;
}

ordered_json IdClaims(const ClaimInputs& in, const users::UserRecord& user,
                      const std::vector<groups::GroupRecord>& groups, const std::string& jti) {
  auto readable = [&in](std::string_view name) {
    return std::find(in.readable.begin(), in.readable.end(), name) != in.readable.end();
  };
  ordered_json c;
  c["sub"] = user.sub;
  if (!groups.empty()) c["cognito:groups"] = GroupNames(groups);
  for (std::string_view flag : {"email_verified", "phone_number_verified"}) {
    if (!readable(flag)) continue;
    if (auto v = user.Attribute(flag)) c[std::string(flag)] = AttributeClaim(flag, *v);
  }
  GroupRoles roles = RolesOf(groups);
  if (!roles.preferred.empty()) c["cognito:preferred_role"] = roles.preferred;
  c["iss"] = in.issuer;
  c["cognito:username"] = user.username;
  c["origin_jti"] = in.family_id;
  if (!roles.roles.empty()) c["cognito:roles"] = roles.roles;
  c["aud"] = in.client_id;
  c["event_id"] = in.event_id;
  c["token_use"] = "id";
  c["auth_time"] = in.auth_time_s;
  c["exp"] = in.now_s + in.validity.id_s;
  c["iat"] = in.now_s;
  c["jti"] = jti;
  for (const auto& [name, value] : user.attributes) {
    if (name == "sub" || IsVerifiedFlag(name) || !readable(name)) continue;
    c[name] = AttributeClaim(name, value);
  }
  return c;
}

ordered_json AccessClaims(const ClaimInputs& in, const users::UserRecord& user,
                          const std::vector<groups::GroupRecord>& groups, const std::string& jti) {
  ordered_json c;
  c["sub"] = user.sub;
  if (!groups.empty()) c["cognito:groups"] = GroupNames(groups);
  if (!in.device_key.empty()) c["device_key"] = in.device_key;
  c["iss"] = in.issuer;
  c["client_id"] = in.client_id;
  c["origin_jti"] = in.family_id;
  c["event_id"] = in.event_id;
  c["token_use"] = "access";
  c["scope"] = JoinScopes(in.scopes);
  c["auth_time"] = in.auth_time_s;
  c["exp"] = in.now_s + in.validity.access_s;
  c["iat"] = in.now_s;
  c["jti"] = jti;
  c["username"] = user.username;
  return c;
}

}  // namespace cognate::domain::tokens
