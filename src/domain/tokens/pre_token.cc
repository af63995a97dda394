#include "domain/tokens/pre_token.h"

#include <algorithm>
#include <array>
#include <utility>

#include "domain/tokens/claims.h"

namespace cognate::domain::tokens {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using triggers::Trigger;

ApiError Unrecognizable(std::string_view why) {
  return ApiError(ErrorCode::kInvalidLambdaResponse, "Unrecognizable lambda output",
                  "PreTokenGeneration: " + std::string(why));
}

// Claims no reply may add, override or suppress (besides every cognito:* and dev:* name).
constexpr std::array<std::string_view, 21> kProtected{
    "acr",        "amr",      "aud",        "at_hash", "auth_time",  "azp",       "client_id",
    "device_key", "event_id", "exp",        "iat",     "identities", "iss",       "jti",
    "nbf",        "nonce",    "origin_jti", "scope",   "sub",        "token_use", "username"};

// The group claims groupOverrideDetails owns: a reply may suppress them, not set them.
bool IsGroupClaim(std::string_view name) {
  return name == "cognito:groups" || name == "cognito:roles" || name == "cognito:preferred_role";
}

bool IsProtected(std::string_view name) {
  if (name.empty()) return true;
  if (name.rfind("cognito:", 0) == 0 || name.rfind("dev:", 0) == 0) return true;
  return std::find(kProtected.begin(), kProtected.end(), name) != kProtected.end();
}

bool IsV1(std::string_view version) { return version != "V2_0" && version != "V3_0"; }

// `object[key]` when present and not null, else nullptr; an error when present with another type
// than `want_object` / array says.
Result<const json*> Member(const json& object, std::string_view key, json::value_t want) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (it->type() != want) return Unrecognizable(std::string(key) + " has the wrong type");
  return &*it;
}

// A list of strings (null or absent: empty).
Result<std::vector<std::string>> StringList(const json& object, std::string_view key) {
  auto member = Member(object, key, json::value_t::array);
  if (!member) return member.error();
  std::vector<std::string> out;
  if (*member == nullptr) return out;
  for (const auto& v : **member) {
    if (!v.is_string()) return Unrecognizable(std::string(key) + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// One token's claimsToAddOrOverride / claimsToSuppress. V1_0 values must be strings.
Result<void> ApplyClaimChanges(const json& generation, bool strings_only, ordered_json& claims) {
  auto add = Member(generation, "claimsToAddOrOverride", json::value_t::object);
  if (!add) return add.error();
  auto suppress = StringList(generation, "claimsToSuppress");
  if (!suppress) return suppress.error();
  if (*add != nullptr) {
    for (const auto& [name, value] : (*add)->items()) {
      if (strings_only && !value.is_string()) {
        return Unrecognizable("claimsToAddOrOverride." + name + " is not a string");
      }
    }
    for (const auto& [name, value] : (*add)->items()) {
      if (IsProtected(name) || value.is_null()) continue;
      claims[name] = value;
    }
  }
  for (const auto& name : *suppress) {
    if (IsGroupClaim(name) || !IsProtected(name)) claims.erase(name);
  }
  return {};
}

struct GroupOverride {
  std::optional<std::vector<std::string>> groups;
  std::optional<std::vector<std::string>> roles;
  std::optional<std::string> preferred;  // "" = none
};

Result<std::optional<GroupOverride>> ReadGroupOverride(const json& details) {
  auto g = Member(details, "groupOverrideDetails", json::value_t::object);
  if (!g) return g.error();
  if (*g == nullptr) return std::optional<GroupOverride>();
  const json& o = **g;
  GroupOverride out;
  if (o.contains("groupsToOverride") && !o["groupsToOverride"].is_null()) {
    auto groups = StringList(o, "groupsToOverride");
    if (!groups) return groups.error();
    out.groups = std::move(*groups);
  }
  if (o.contains("iamRolesToOverride") && !o["iamRolesToOverride"].is_null()) {
    auto roles = StringList(o, "iamRolesToOverride");
    if (!roles) return roles.error();
    out.roles = std::move(*roles);
  }
  if (auto it = o.find("preferredRole"); it != o.end() && !it->is_null()) {
    if (!it->is_string()) return Unrecognizable("preferredRole is not a string");
    out.preferred = it->get<std::string>();
  }
  return std::optional<GroupOverride>(std::move(out));
}

// Sets (or, for an empty list / value, removes) a claim, keeping its place when it exists.
void SetOrErase(ordered_json& claims, const std::string& name, json value, bool empty) {
  if (empty) {
    claims.erase(name);
  } else {
    claims[name] = std::move(value);
  }
}

void ApplyGroupOverride(const GroupOverride& g, bool access_too, ordered_json* id_claims,
                        ordered_json& access_claims) {
  if (g.groups) {
    if (id_claims != nullptr)
      SetOrErase(*id_claims, "cognito:groups", *g.groups, g.groups->empty());
    if (access_too) SetOrErase(access_claims, "cognito:groups", *g.groups, g.groups->empty());
  }
  if (id_claims == nullptr) return;
  if (g.roles) SetOrErase(*id_claims, "cognito:roles", *g.roles, g.roles->empty());
  if (g.preferred) {
    SetOrErase(*id_claims, "cognito:preferred_role", *g.preferred, g.preferred->empty());
  }
}

std::vector<std::string> SplitScope(const ordered_json& access_claims) {
  std::vector<std::string> out;
  auto it = access_claims.find("scope");
  if (it == access_claims.end() || !it->is_string()) return out;
  const std::string& s = it->get_ref<const std::string&>();
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

Result<void> ApplyScopeChanges(const json& generation, ordered_json& access_claims) {
  auto add = StringList(generation, "scopesToAdd");
  if (!add) return add.error();
  auto suppress = StringList(generation, "scopesToSuppress");
  if (!suppress) return suppress.error();
  if (add->empty() && suppress->empty()) return {};
  std::vector<std::string> scopes = SplitScope(access_claims);
  for (const auto& s : *add) {
    // A scope is one space-free token.
    if (s.empty() || s.find_first_of(" \t\r\n") != std::string::npos) continue;
    if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
  }
  std::erase_if(scopes, [&](const std::string& s) {
    return std::find(suppress->begin(), suppress->end(), s) != suppress->end();
  });
  std::string joined;
  for (const auto& s : scopes) {
    if (!joined.empty()) joined += ' ';
    joined += s;
  }
  access_claims["scope"] = joined;
  return {};
}

}  // namespace

std::string_view TriggerSourceName(TokenSource source) {
  switch (source) {
    case TokenSource::kAuthentication:
      return "TokenGeneration_Authentication";
    case TokenSource::kNewPasswordChallenge:
      return "TokenGeneration_NewPasswordChallenge";
    case TokenSource::kAuthenticateDevice:
      return "TokenGeneration_AuthenticateDevice";
    case TokenSource::kRefreshTokens:
      return "TokenGeneration_RefreshTokens";
    case TokenSource::kHostedAuth:
      return "TokenGeneration_HostedAuth";
    case TokenSource::kClientCredentials:
      return "TokenGeneration_ClientCredentials";
  }
  return "TokenGeneration_Authentication";
}

std::optional<triggers::Target> PreTokenTarget(const ServiceContext& ctx,
                                               const json& lambda_config) {
  if (ctx.triggers == nullptr || !lambda_config.is_object() || lambda_config.empty()) {
    return std::nullopt;
  }
  return triggers::TargetFor(lambda_config, Trigger::kPreTokenGeneration);
}

triggers::Event PreTokenEvent(const triggers::Target& target, TokenSource source,
                              const PreTokenSubject& subject) {
  const bool v1 = IsV1(target.lambda_version);
  triggers::Event event;
  event.trigger_source = std::string(TriggerSourceName(source));
  event.user_pool_id = subject.pool_id;
  event.client_id = subject.client_id;
  event.version = v1 ? "1" : (target.lambda_version == "V3_0" ? "3" : "2");

  json group_names = json::array();
  GroupRoles roles;
  if (subject.groups != nullptr) {
    for (const auto& g : *subject.groups) group_names.push_back(g.name);
    roles = RolesOf(*subject.groups);
  }
  json user_attributes = json::object();
  if (subject.user != nullptr) {
    event.username = subject.user->username;
    user_attributes = triggers::EventUserAttributes(subject.user->attributes, subject.user->status);
  }
  json request = json::object();
  request["userAttributes"] = std::move(user_attributes);
  if (!v1) request["scopes"] = subject.scopes;
  request["groupConfiguration"] = {
      {"groupsToOverride", std::move(group_names)},
      {"iamRolesToOverride", roles.roles},
      {"preferredRole", roles.preferred.empty() ? json(nullptr) : json(roles.preferred)}};
  request["clientMetadata"] =
      subject.client_metadata.is_object() ? subject.client_metadata : json::object();
  event.request = std::move(request);
  event.response = json{{v1 ? "claimsOverrideDetails" : "claimsAndScopeOverrideDetails", nullptr}};
  return event;
}

Result<void> ApplyPreTokenResponse(std::string_view lambda_version, const json& response,
                                   ordered_json* id_claims, ordered_json& access_claims) {
  if (!response.is_object()) return Unrecognizable("response is not an object");
  if (IsV1(lambda_version)) {
    auto details = Member(response, "claimsOverrideDetails", json::value_t::object);
    if (!details) return details.error();
    if (*details == nullptr) return {};
    auto groups = ReadGroupOverride(**details);
    if (!groups) return groups.error();
    if (id_claims != nullptr) {
      if (auto ok = ApplyClaimChanges(**details, /*strings_only=*/true, *id_claims); !ok) {
        return ok.error();
      }
    }
    if (*groups) ApplyGroupOverride(**groups, /*access_too=*/false, id_claims, access_claims);
    return {};
  }
  auto details = Member(response, "claimsAndScopeOverrideDetails", json::value_t::object);
  if (!details) return details.error();
  if (*details == nullptr) return {};
  auto id_gen = Member(**details, "idTokenGeneration", json::value_t::object);
  if (!id_gen) return id_gen.error();
  auto access_gen = Member(**details, "accessTokenGeneration", json::value_t::object);
  if (!access_gen) return access_gen.error();
  auto groups = ReadGroupOverride(**details);
  if (!groups) return groups.error();
  // Validate everything before changing anything.
  ordered_json id_copy = id_claims != nullptr ? *id_claims : ordered_json::object();
  ordered_json access_copy = access_claims;
  if (*id_gen != nullptr) {
    if (auto ok = ApplyClaimChanges(**id_gen, /*strings_only=*/false, id_copy); !ok) {
      return ok.error();
    }
  }
  if (*access_gen != nullptr) {
    if (auto ok = ApplyClaimChanges(**access_gen, /*strings_only=*/false, access_copy); !ok) {
      return ok.error();
    }
    if (auto ok = ApplyScopeChanges(**access_gen, access_copy); !ok) return ok.error();
  }
  if (*groups) {
    ApplyGroupOverride(**groups, /*access_too=*/true, id_claims != nullptr ? &id_copy : nullptr,
                       access_copy);
  }
  if (id_claims != nullptr) *id_claims = std::move(id_copy);
  access_claims = std::move(access_copy);
  return {};
}

Result<void> RunPreTokenGeneration(const ServiceContext& ctx, const triggers::Target& target,
                                   TokenSource source, const PreTokenSubject& subject,
                                   ordered_json* id_claims, ordered_json& access_claims) {
  if (source == TokenSource::kClientCredentials && target.lambda_version != "V3_0") return {};
  auto response = triggers::Call(ctx, target, Trigger::kPreTokenGeneration,
                                 PreTokenEvent(target, source, subject));
  if (!response) return response.error();
  return ApplyPreTokenResponse(target.lambda_version, *response, id_claims, access_claims);
}

}  // namespace cognate::domain::tokens
