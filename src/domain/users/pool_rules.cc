#include "domain/users/pool_rules.h"

#include <algorithm>
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "common/derived_cache.h"
#include "common/json_parse.h"
#include "common/strings.h"
#include "crypto/crypto.h"
#include "domain/userpool/pool_defaults.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

constexpr std::string_view kSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

const json* Member(const json& j, std::string_view name) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(name);
  return it == j.end() ? nullptr : &*it;
}

std::optional<std::string> StringMember(const json& j, std::string_view name) {
  const json* m = Member(j, name);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->get<std::string>();
}

std::optional<bool> BoolMember(const json& j, std::string_view name) {
  const json* m = Member(j, name);
  if (m == nullptr || !m->is_boolean()) return std::nullopt;
  return m->get<bool>();
}

std::optional<std::int64_t> IntMember(const json& j, std::string_view name) {
  const json* m = Member(j, name);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_integer()) return m->get<std::int64_t>();
  if (m->is_string()) {  // constraints are strings carrying numbers
    const std::string s = m->get<std::string>();
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
  }
  return std::nullopt;
}

std::vector<std::string> StringList(const json& j, std::string_view name) {
  std::vector<std::string> out;
  const json* m = Member(j, name);
  if (m == nullptr || !m->is_array()) return out;
  for (const auto& v : *m) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

SchemaAttribute Standard(std::string name, std::string type, bool is_mutable, bool required,
                         std::optional<std::int64_t> min_len, std::optional<std::int64_t> max_len) {
  SchemaAttribute a;
  a.name = std::move(name);
  a.data_type = std::move(type);
  a.is_mutable = is_mutable;
  a.required = required;
  a.min_length = min_len;
  a.max_length = max_len;
  return a;
}

SchemaAttribute ParseSchemaAttribute(const json& j) {
  SchemaAttribute a;
  a.name = StringMember(j, "Name").value_or("");
  // A standard attribute keeps its defaults for whatever the document leaves out.
  for (const auto& s : StandardSchema()) {
    if (s.name == a.name) a = s;
  }
  if (auto v = StringMember(j, "AttributeDataType")) a.data_type = *v;
  if (auto v = BoolMember(j, "Mutable")) a.is_mutable = *v;
  if (auto v = BoolMember(j, "Required")) a.required = *v;
  if (auto v = BoolMember(j, "DeveloperOnlyAttribute")) a.developer_only = *v;
  if (const json* c = Member(j, "StringAttributeConstraints"); c != nullptr) {
    if (auto v = IntMember(*c, "MinLength")) a.min_length = *v;
    if (auto v = IntMember(*c, "MaxLength")) a.max_length = *v;
  }
  if (const json* c = Member(j, "NumberAttributeConstraints"); c != nullptr) {
    if (auto v = IntMember(*c, "MinValue")) a.min_value = *v;
    if (auto v = IntMember(*c, "MaxValue")) a.max_value = *v;
  }
  return a;
}

}  // namespace

const std::vector<SchemaAttribute>& StandardSchema() {
  static const std::vector<SchemaAttribute> kSchema = [] {
    std::vector<SchemaAttribute> s;
    s.push_back(Standard("sub", "String", false, true, 1, 2048));
    for (const char* n : {"name", "given_name", "family_name", "middle_name", "nickname",
                          "preferred_username", "profile", "picture", "website", "email"}) {
      s.push_back(Standard(n, "String", true, false, 0, 2048));
    }
    s.push_back(Standard("email_verified", "Boolean", true, false, std::nullopt, std::nullopt));
    s.push_back(Standard("gender", "String", true, false, 0, 2048));
    s.push_back(Standard("birthdate", "String", true, false, 10, 10));
    s.push_back(Standard("zoneinfo", "String", true, false, 0, 2048));
    s.push_back(Standard("locale", "String", true, false, 0, 2048));
    s.push_back(Standard("phone_number", "String", true, false, 0, 2048));
    s.push_back(
        Standard("phone_number_verified", "Boolean", true, false, std::nullopt, std::nullopt));
    s.push_back(Standard("address", "String", true, false, 0, 2048));
    SchemaAttribute updated_at =
        Standard("updated_at", "Number", true, false, std::nullopt, std::nullopt);
    updated_at.min_value = 0;
    s.push_back(updated_at);
    return s;
  }();
  return kSchema;
}

PoolRules PoolRules::FromRow(const store::PoolRow& row) {
  PoolRules r;
  r.pool_id_ = row.id;
  json doc = ParseJson(row.doc);
  if (doc.is_discarded() || !doc.is_object()) doc = json::object();

  if (const json* schema = Member(doc, "SchemaAttributes"); schema && schema->is_array()) {
    for (const auto& a : *schema) {
      if (!a.is_object()) continue;
      SchemaAttribute parsed = ParseSchemaAttribute(a);
      if (!parsed.name.empty()) r.schema_.push_back(std::move(parsed));
    }
  }
  for (const auto& s : StandardSchema()) {
    if (r.FindAttribute(s.name) == nullptr) r.schema_.push_back(s);
  }

  r.username_attributes_ = StringList(doc, "UsernameAttributes");
  r.alias_attributes_ = StringList(doc, "AliasAttributes");
  r.auto_verified_ = StringList(doc, "AutoVerifiedAttributes");
  if (auto it = doc.find("UserAttributeUpdateSettings"); it != doc.end() && it->is_object()) {
    r.verify_before_update_ = StringList(*it, "AttributesRequireVerificationBeforeUpdate");
  }
  if (const json* lc = Member(doc, "LambdaConfig"); lc && lc->is_object()) r.lambda_config_ = *lc;
  if (const json* dc = Member(doc, "DeviceConfiguration"); dc && dc->is_object()) {
    r.device_settings_.tracked = true;
    r.device_settings_.challenge_required_on_new_device =
        BoolMember(*dc, "ChallengeRequiredOnNewDevice").value_or(false);
    r.device_settings_.only_remembered_on_user_prompt =
        BoolMember(*dc, "DeviceOnlyRememberedOnUserPrompt").value_or(false);
  }
  if (const json* uc = Member(doc, "UsernameConfiguration")) {
    r.case_sensitive_ = BoolMember(*uc, "CaseSensitive").value_or(true);
  }

  const json* admin_cfg = Member(doc, "AdminCreateUserConfig");
  PasswordPolicy& p = r.password_policy_;
  auto apply_policy = [&p](const json& pp) {
    if (auto v = IntMember(pp, "MinimumLength")) p.minimum_length = static_cast<int>(*v);
    if (auto v = BoolMember(pp, "RequireUppercase")) p.require_uppercase = *v;
    if (auto v = BoolMember(pp, "RequireLowercase")) p.require_lowercase = *v;
    if (auto v = BoolMember(pp, "RequireNumbers")) p.require_numbers = *v;
    if (auto v = BoolMember(pp, "RequireSymbols")) p.require_symbols = *v;
    if (auto v = IntMember(pp, "TemporaryPasswordValidityDays")) {
      p.temporary_password_validity_days = static_cast<int>(*v);
    }
  };
  const json* given_policy = nullptr;
  if (const json* pol = Member(doc, "Policies")) given_policy = Member(*pol, "PasswordPolicy");
  if (given_policy == nullptr) {
    apply_policy(userpool::DefaultPasswordPolicy());
    // Older documents kept the validity in AdminCreateUserConfig.
    if (admin_cfg != nullptr) {
      if (auto v = IntMember(*admin_cfg, "UnusedAccountValidityDays")) {
        p.temporary_password_validity_days = static_cast<int>(*v);
      }
    }
  } else {
    apply_policy(*given_policy);
  }

  r.invite_template_ = messaging::InviteTemplateFromPool(doc);
  r.verification_template_ = messaging::VerificationTemplateFromPool(doc);

  const json default_recovery = userpool::DefaultAccountRecoverySetting();
  const json* ars = Member(doc, "AccountRecoverySetting");
  if (ars == nullptr) ars = &default_recovery;
  {
    std::vector<std::pair<std::int64_t, RecoveryChannel>> by_priority;
    if (const json* mechs = Member(*ars, "RecoveryMechanisms"); mechs && mechs->is_array()) {
      for (const auto& m : *mechs) {
        auto name = StringMember(m, "Name");
        if (!name) continue;
        std::int64_t prio = IntMember(m, "Priority").value_or(99);
        if (*name == "verified_email") {
          by_priority.emplace_back(prio, RecoveryChannel::kVerifiedEmail);
        } else if (*name == "verified_phone_number") {
          by_priority.emplace_back(prio, RecoveryChannel::kVerifiedPhone);
        } else if (*name == "admin_only") {
          by_priority.emplace_back(prio, RecoveryChannel::kAdminOnly);
        }
      }
    }
    std::stable_sort(by_priority.begin(), by_priority.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [prio, ch] : by_priority) r.recovery_channels_.push_back(ch);
  }
  return r;
}

const SchemaAttribute* PoolRules::FindAttribute(std::string_view name) const {
  for (const auto& a : schema_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool PoolRules::IsUsernameAttribute(std::string_view name) const {
  return Contains(username_attributes_, name);
}
bool PoolRules::IsAliasAttribute(std::string_view name) const {
  return Contains(alias_attributes_, name);
}
bool PoolRules::RequiresVerificationBeforeUpdate(std::string_view name) const {
  return Contains(verify_before_update_, name);
}

bool PoolRules::IsAutoVerified(std::string_view name) const {
  return Contains(auto_verified_, name);
}

std::string PoolRules::NormalizeUsername(std::string_view username) const {
  std::string out(username);
  if (!case_sensitive_) {
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::optional<std::string> PoolRules::PasswordViolation(std::string_view password) const {
  const PasswordPolicy& p = password_policy_;
  // Length counts characters, not bytes: skip UTF-8 continuation bytes.
  std::size_t chars = 0;
  bool upper = false, lower = false, digit = false, symbol = false;
  for (char ch : password) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++chars;
    if (c >= 'A' && c <= 'Z') upper = true;
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= '0' && c <= '9') digit = true;
    if (kSymbols.find(ch) != std::string_view::npos) symbol = true;
  }
  if (chars < static_cast<std::size_t>(std::max(p.minimum_length, 0))) {
    return "Password not long enough";
  }
  if (p.require_uppercase && !upper) return "Password must have uppercase characters";
  if (p.require_lowercase && !lower) return "Password must have lowercase characters";
  if (p.require_numbers && !digit) return "Password must have numeric characters";
  if (p.require_symbols && !symbol) return "Password must have symbol characters";
  return std::nullopt;
}

std::string PoolRules::GeneratePassword() const {
  constexpr std::string_view kUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  constexpr std::string_view kLower = "abcdefghijkmnopqrstuvwxyz";
  constexpr std::string_view kDigits = "23456789";
  constexpr std::string_view kSafeSymbols = "!#%&*+-=?@^_~";
  const std::size_t length =
      static_cast<std::size_t>(std::clamp(password_policy_.minimum_length, 12, 99));
  std::string out = crypto::RandomString(1, kUpper) + crypto::RandomString(1, kLower) +
                    crypto::RandomString(1, kDigits) + crypto::RandomString(1, kSafeSymbols);
  std::string all;
  all.append(kUpper).append(kLower).append(kDigits).append(kSafeSymbols);
  out += crypto::RandomString(length - out.size(), all);
  // Shuffle so the required classes are not always in front (Fisher-Yates on random bytes).
  const std::string rnd = crypto::RandomBytes(out.size() * 2);
  for (std::size_t i = out.size() - 1; i > 0; --i) {
    const auto r = static_cast<std::size_t>(static_cast<unsigned char>(rnd[2 * i]) << 8 |
                                            static_cast<unsigned char>(rnd[2 * i + 1]));
    std::swap(out[i], out[r % (i + 1)]);
  }
  return out;
}

namespace {

// Parsed rules of recently used pools, keyed by pool id and checked against the row's version
// and modification time on every use. The row itself is still read from the store each time, so
// an update made by any node is seen at once; only the JSON parse (most of AdminGetUser's CPU
// before this cache) is skipped.
DerivedCache<PoolRules>& RulesCache() {
  static DerivedCache<PoolRules> cache;
  return cache;
}

}  // namespace

Result<PoolRules> LoadPoolRules(ServiceContext& ctx, const std::string& pool_id) {
  auto row = userpool::LoadPool(ctx, pool_id);
  if (!row) return row.error();
  const std::string stamp = std::to_string(row->version) + ":" + std::to_string(row->modified_ms);
  if (auto hit = RulesCache().Find(row->id, stamp)) return *hit;
  return *RulesCache().Put(row->id, stamp, PoolRules::FromRow(*row));
}

}  // namespace cognate::domain::users
