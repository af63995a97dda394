#include "domain/users/user_record.h"

#include "common/derived_cache.h"
#include "common/json_dump.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"

namespace cognate::domain::users {
namespace {

using nlohmann::json;

std::string CodeHash(std::string_view sub, std::string_view purpose, std::string_view code) {
  std::string material;
  material.append(sub).append(":").append(purpose).append(":").append(code);
  return crypto::HexEncode(crypto::Sha256(material));
}

// Attributes ListUsers can filter on, by their own name.
constexpr std::string_view kIndexedAttributes[] = {
    "email", "phone_number", "name", "given_name", "family_name", "preferred_username"};

}  // namespace

std::optional<std::string> UserRecord::Attribute(std::string_view name) const {
  auto it = attributes.find(std::string(name));
  if (it == attributes.end()) return std::nullopt;
  return it->second;
}

bool UserRecord::IsTrue(std::string_view name) const {
  auto v = Attribute(name);
  return v && *v == "true";
}

std::string UserRecord::PasswordHash() const {
  auto it = doc.find("password_hash");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void UserRecord::SetPassword(std::string_view password) {
  SetPasswordHash(crypto::HashPassword(password));
}

void UserRecord::SetPasswordHash(std::string phc) { doc["password_hash"] = std::move(phc); }

std::int64_t UserRecord::TemporaryPasswordExpiresMs() const {
  auto it = doc.find("temporary_password_expires_ms");
  return it != doc.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

void UserRecord::SetTemporaryPasswordExpiresMs(std::int64_t ms) {
  if (ms == 0) {
    doc.erase("temporary_password_expires_ms");
  } else {
    doc["temporary_password_expires_ms"] = ms;
  }
}

void UserRecord::SetCode(std::string_view purpose, std::string_view code, std::int64_t expires_ms,
                         std::string_view destination) {
  if (!doc.contains("codes") || !doc["codes"].is_object()) doc["codes"] = json::object();
  json entry = {{"hash", CodeHash(sub, purpose, code)}, {"expires_ms", expires_ms}};
  if (!destination.empty()) entry["destination"] = std::string(destination);
  doc["codes"][std::string(purpose)] = std::move(entry);
}

bool UserRecord::CheckCode(std::string_view purpose, std::string_view code,
                           std::int64_t now_ms) const {
  auto codes = doc.find("codes");
  if (codes == doc.end() || !codes->is_object()) return false;
  auto entry = codes->find(std::string(purpose));
  if (entry == codes->end() || !entry->is_object()) return false;
  auto hash = entry->find("hash");
  auto expires = entry->find("expires_ms");
  if (hash == entry->end() || !hash->is_string()) return false;
  if (expires != entry->end() && expires->is_number_integer() &&
      expires->get<std::int64_t>() < now_ms) {
    return false;
  }
  return crypto::ConstantTimeEquals(hash->get<std::string>(), CodeHash(sub, purpose, code));
}

void UserRecord::ClearCode(std::string_view purpose) {
  auto codes = doc.find("codes");
  if (codes != doc.end() && codes->is_object()) codes->erase(std::string(purpose));
}

bool UserRecord::HasCode(std::string_view purpose) const {
  auto codes = doc.find("codes");
  return codes != doc.end() && codes->is_object() && codes->contains(std::string(purpose));
}

namespace {

// What a user's doc text decodes to.
struct ParsedDoc {
  json doc = json::object();
  std::map<std::string, std::string> attributes;
};

ParsedDoc ParseDoc(const store::UserRow& row) {
  ParsedDoc p;
  json doc = ParseJson(row.doc);
  if (!doc.is_discarded() && doc.is_object()) p.doc = std::move(doc);
  if (auto it = p.doc.find("attributes"); it != p.doc.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      if (value.is_string()) p.attributes[name] = value.get<std::string>();
    }
  }
  p.attributes["sub"] = row.sub;
  return p;
}

// Decoded docs of recently read users, stamped with the doc's text: a sign-in, refresh or
// GetUser reads the row every time, and parses it only when the text changed (copying the
// decoded value costs a small fraction of parsing it).
DerivedCache<ParsedDoc>& DocCache() {
  static DerivedCache<ParsedDoc> cache(4096);
  return cache;
}

}  // namespace

UserRecord FromRow(const store::UserRow& row) {
  UserRecord u;
  u.pool_id = row.pool_id;
  u.sub = row.sub;
  u.username = row.username;
  u.status = row.status;
  u.enabled = row.enabled;
  u.created_ms = row.created_ms;
  u.modified_ms = row.modified_ms;
  u.version = row.version;
  std::string key = row.pool_id;
  key += '/';
  key += row.sub;
  auto parsed = DocCache().Find(key, row.doc);
  if (!parsed) parsed = DocCache().Put(key, row.doc, ParseDoc(row));
  u.doc = parsed->doc;
  u.attributes = parsed->attributes;
  return u;
}

std::string UniqueKey(const PoolRules& rules, std::string_view attribute, std::string_view value) {
  std::string key(attribute);
  key += ':';
  key += attribute == "phone_number" ? std::string(value) : rules.NormalizeUsername(value);
  return key;
}

std::vector<std::string> UniqueKeys(const PoolRules& rules, const UserRecord& user) {
  std::vector<std::string> keys;
  for (std::string_view attr : {std::string_view("email"), std::string_view("phone_number")}) {
    auto value = user.Attribute(attr);
    if (!value || value->empty()) continue;
    const std::string verified = std::string(attr) + "_verified";
    if (rules.IsUsernameAttribute(attr) ||
        (rules.IsAliasAttribute(attr) && user.IsTrue(verified))) {
      keys.push_back(UniqueKey(rules, attr, *value));
    }
  }
  if (rules.IsAliasAttribute("preferred_username")) {
    if (auto value = user.Attribute("preferred_username"); value && !value->empty()) {
      keys.push_back(UniqueKey(rules, "preferred_username", *value));
    }
  }
  return keys;
}

store::UserRow ToRow(const PoolRules& rules, const UserRecord& user) {
  store::UserRow row;
  row.pool_id = user.pool_id;
  row.sub = user.sub;
  row.username = user.username;
  row.username_key = rules.NormalizeUsername(user.username);
  row.status = user.status;
  row.enabled = user.enabled;
  row.unique_keys = UniqueKeys(rules, user);

  row.indexed.push_back({std::string(kIndexUsername), row.username_key});
  row.indexed.push_back({"sub", user.sub});
  row.indexed.push_back({std::string(kIndexUserStatus), user.status});
  row.indexed.push_back({std::string(kIndexEnabled), user.enabled ? "Enabled" : "Disabled"});
  for (std::string_view name : kIndexedAttributes) {
    if (auto v = user.Attribute(name)) row.indexed.push_back({std::string(name), *v});
  }

  json doc = user.doc.is_object() ? user.doc : json::object();
  json attrs = json::object();
  for (const auto& [name, value] : user.attributes) attrs[name] = value;
  doc["attributes"] = std::move(attrs);
  row.doc = DumpJson(doc);
  row.created_ms = user.created_ms;
  row.modified_ms = user.modified_ms;
  row.version = user.version;
  return row;
}

Result<UserRecord> FindUser(store::UserStore& users, const PoolRules& rules,
                            const std::string& username) {
  auto found = [](store::StoreResult<store::UserRow>& r) -> std::optional<Result<UserRecord>> {
    if (r) return Result<UserRecord>(FromRow(*r));
    if (!r.error().IsNotFound()) {
      return Result<UserRecord>(ApiError::Internal("user lookup: " + r.error().detail()));
    }
    return std::nullopt;
  };
  if (username.empty()) return ApiError::UserNotFound();

  auto by_name = users.GetUserByUsernameKey(rules.pool_id(), rules.NormalizeUsername(username));
  if (auto r = found(by_name)) return std::move(*r);

  for (std::string_view attr : {std::string_view("email"), std::string_view("phone_number"),
                                std::string_view("preferred_username")}) {
    if (!rules.IsUsernameAttribute(attr) && !rules.IsAliasAttribute(attr)) continue;
    auto by_key = users.GetUserByUniqueKey(rules.pool_id(), UniqueKey(rules, attr, username));
    if (auto r = found(by_key)) return std::move(*r);
  }

  auto by_sub = users.GetUserBySub(rules.pool_id(), username);
  if (auto r = found(by_sub)) return std::move(*r);
  return ApiError::UserNotFound();
}

}  // namespace cognate::domain::users
