#include "domain/userpool/client_service.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "common/strings.h"
#include "domain/userpool/pool_repository.h"
#include "domain/userpool/resource_servers.h"
#include "domain/userpool/schema.h"

namespace cognate::domain::userpool {
namespace {

constexpr int kMaxClientListResults = 60;

ApiError OAuthFlowError(std::string message) {
  return ApiError(ErrorCode::kInvalidOAuthFlow, std::move(message));
}

std::int64_t UnitSeconds(const std::string& unit) {
  if (unit == "seconds") return 1;
  if (unit == "minutes") return 60;
  if (unit == "hours") return 3600;
  return 86400;
}

struct ValidityRule {
  const char* value_key;
  const char* unit_key;
  std::int64_t default_value;
  const char* unit_when_value_given;  // the API's default unit
  const char* unit_when_unset;        // how Cognito reports its own default
  std::int64_t min_seconds;
  std::int64_t max_seconds;
};

constexpr ValidityRule kValidity[] = {
    {"AccessTokenValidity", "AccessToken", 60, "hours", "minutes", 5 * 60, 86400},
    {"IdTokenValidity", "IdToken", 60, "hours", "minutes", 5 * 60, 86400},
    {"RefreshTokenValidity", "RefreshToken", 30, "days", "days", 60 * 60, 3650LL * 86400},
};

Result<void> TokenValidity(const Json& in, Json& doc) {
  auto units_in = OptObject(in, "TokenValidityUnits");
  if (!units_in) return units_in.error();
  Json units = Json::object();
  for (const auto& rule : kValidity) {
    std::optional<std::string> unit;
    if (*units_in != nullptr) {
      auto u = OptString(**units_in, rule.unit_key);
      if (!u) return u.error();
      unit = *u;
      if (unit) {
        std::string path = "tokenValidityUnits." + std::string(rule.unit_key);
        path[19] = static_cast<char>(std::tolower(static_cast<unsigned char>(path[19])));
        auto e = CheckEnum(*unit, {"seconds", "minutes", "hours", "days"}, path);
        if (!e) return e.error();
      }
    }
    auto v = OptInt(in, rule.value_key);
    if (!v) return v.error();
    std::optional<std::int64_t> value = *v;
    if (value && *value == 0) value.reset();  // 0 means the default, as Cognito documents
    if (value && *value < 0) return ApiError::InvalidParameter("Invalid range for token validity.");
    if (!unit) unit = value ? rule.unit_when_value_given : rule.unit_when_unset;
    std::int64_t n = value.value_or(rule.default_value);
    // Compare without overflow: n * unit within [min, max].
    std::int64_t per = UnitSeconds(*unit);
    if (n > rule.max_seconds / per || n * per < rule.min_seconds || n * per > rule.max_seconds) {
      return ApiError::InvalidParameter("Invalid range for token validity.");
    }
    doc[rule.value_key] = n;
    units[rule.unit_key] = *unit;
  }
  doc["TokenValidityUnits"] = std::move(units);
  return {};
}

constexpr std::string_view kLegacyFlows[] = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY",
                                             "USER_PASSWORD_AUTH"};

Result<void> AuthFlows(const Json& in, Json& doc, const Json& pool) {
  auto flows = OptStringList(in, "ExplicitAuthFlows");
  if (!flows) return flows.error();
  std::vector<std::string> out;
  bool legacy = false;
  bool modern = false;
  if (*flows) {
    for (const auto& f : **flows) {
      auto e = CheckEnum(
          f,
          {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
           "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
           "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"},
          "explicitAuthFlows.member");
      if (!e) return e.error();
      bool is_legacy =
          std::find(std::begin(kLegacyFlows), std::end(kLegacyFlows), f) != std::end(kLegacyFlows);
      (is_legacy ? legacy : modern) = true;
      if (!Contains(out, f)) out.push_back(f);
    }
  }
  if (legacy && modern) {
    return ApiError::InvalidParameter(
        "ExplicitAuthFlows cannot combine legacy values (ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, "
        "USER_PASSWORD_AUTH) with values that begin with ALLOW_.");
  }
  if (out.empty()) out = {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"};
  if (Contains(out, "ALLOW_USER_AUTH") && pool.value("UserPoolTier", "ESSENTIALS") == "LITE") {
    return ApiError(ErrorCode::kFeatureUnavailableInTier,
                    "ALLOW_USER_AUTH requires the Essentials or Plus feature plan.");
  }
  doc["ExplicitAuthFlows"] = out;
  return {};
}

std::set<std::string> PoolAttributeNames(const Json& pool) {
  std::set<std::string> names;
  if (pool.contains("SchemaAttributes") && pool["SchemaAttributes"].is_array()) {
    for (const auto& a : pool["SchemaAttributes"]) names.insert(a.value("Name", ""));
  }
  if (names.empty()) {
    for (const auto& a : StandardSchema()) names.insert(a.value("Name", ""));
  }
  return names;
}

Result<void> Permissions(const Json& in, Json& doc, const Json& pool, bool create) {
  const auto names = PoolAttributeNames(pool);
  const char* verb = create ? "creating" : "updating";
  for (const char* key : {"ReadAttributes", "WriteAttributes"}) {
    auto list = OptStringList(in, key);
    if (!list) return list.error();
    doc.erase(key);
    if (!*list || (*list)->empty()) continue;
    const bool write = std::string_view(key) == "WriteAttributes";
    std::vector<std::string> out;
    for (const auto& a : **list) {
      if (names.count(a) == 0 || (write && a == "sub")) {
        return ApiError::InvalidParameter(std::string("Invalid ") + (write ? "write" : "read") +
                                          " attributes specified while " + verb + " a client");
      }
      if (!Contains(out, a)) out.push_back(a);
    }
    doc[key] = out;
  }
  return {};
}

bool IsLoopbackHost(std::string_view authority) {
  // authority = host[:port][/...]
  auto end = authority.find_first_of("/?");
  std::string_view hostport = authority.substr(0, end);
  std::string_view host = hostport;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

Result<std::vector<std::string>> UrlList(const Json& in, const char* key) {
  auto list = OptStringList(in, key);
  if (!list) return list.error();
  std::vector<std::string> out;
  if (!*list) return out;
  if ((*list)->size() > 100) {
    return ValidationError("'[...]'",
                           std::string(key) == "CallbackURLs" ? "callbackURLs" : "logoutURLs",
                           "Member must have length less than or equal to 100");
  }
  for (const auto& url : **list) {
    if (!IsAllowedRedirectUrl(url)) {
      return ApiError::InvalidParameter(std::string(key == std::string("CallbackURLs")
                                                        ? "Invalid CallbackURL: "
                                                        : "Invalid LogoutURL: ") +
                                        url);
    }
    if (!Contains(out, url)) out.push_back(url);
  }
  return out;
}

Result<void> OAuth(const Json& in, Json& doc, const Json& pool, bool has_secret) {
  auto enabled = OptBool(in, "AllowedOAuthFlowsUserPoolClient");
  if (!enabled) return enabled.error();
  auto flows_r = OptStringList(in, "AllowedOAuthFlows");
  if (!flows_r) return flows_r.error();
  auto scopes_r = OptStringList(in, "AllowedOAuthScopes");
  if (!scopes_r) return scopes_r.error();
  auto callbacks = UrlList(in, "CallbackURLs");
  if (!callbacks) return callbacks.error();
  auto logouts = UrlList(in, "LogoutURLs");
  if (!logouts) return logouts.error();
  auto default_redirect = OptString(in, "DefaultRedirectURI");
  if (!default_redirect) return default_redirect.error();
  auto providers = OptStringList(in, "SupportedIdentityProviders");
  if (!providers) return providers.error();

  std::vector<std::string> flows;
  for (const auto& f : flows_r->value_or(std::vector<std::string>{})) {
    auto e = CheckEnum(f, {"code", "implicit", "client_credentials"}, "allowedOAuthFlows.member");
    if (!e) return e.error();
    if (!Contains(flows, f)) flows.push_back(f);
  }
  std::vector<std::string> scopes;
  for (const auto& s : scopes_r->value_or(std::vector<std::string>{})) {
    bool ok = !s.empty() && s.size() <= 256;
    for (unsigned char c : s) ok = ok && c >= 0x21 && c <= 0x7e && c != '"' && c != '\\';
    if (!ok) {
      return ValidationError("'" + s + "'", "allowedOAuthScopes.member",
                             "Member must satisfy regular expression pattern: "
                             "[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    }
    if (!Contains(scopes, s)) scopes.push_back(s);
  }
  if (scopes.size() > 50) {
    return ValidationError("'[...]'", "allowedOAuthScopes",
                           "Member must have length less than or equal to 50");
  }

  const bool oauth = enabled->value_or(false);
  if (!oauth && (!flows.empty() || !scopes.empty())) {
    return ApiError::InvalidParameter(
        "AllowedOAuthFlowsUserPoolClient must be true to set AllowedOAuthFlows or "
        "AllowedOAuthScopes.");
  }
  if (oauth) {
    if (flows.empty() || scopes.empty()) {
      return ApiError::InvalidParameter(
          "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed "
          "to use OAuth flows.");
    }
    const bool cc = Contains(flows, "client_credentials");
    if (cc && flows.size() > 1) {
      return OAuthFlowError(
          "client_credentials flow can not be selected along with code flow or implicit flow.");
    }
    if (cc && !has_secret) {
      return OAuthFlowError(
          "client_credentials flow can not be selected if client does not have a client "
          "secret.");
    }
    if (!cc && callbacks->empty()) {
      return OAuthFlowError(
          "CallbackUrls can not be empty when code flow or implicit flow is selected");
    }
  }
  if (*default_redirect) {
    if (!IsAllowedRedirectUrl(**default_redirect) || !Contains(*callbacks, **default_redirect)) {
      return ApiError::InvalidParameter("Invalid DefaultRedirectURI: " + **default_redirect +
                                        ". It must be one of the CallbackURLs.");
    }
  }
  std::vector<std::string> idps;
  for (const auto& p : providers->value_or(std::vector<std::string>{})) {
    if (p != "COGNITO") {
      bool known = false;
      if (pool.contains("_IdentityProviders") && pool["_IdentityProviders"].is_array()) {
        for (const auto& n : pool["_IdentityProviders"]) known = known || n == p;
      }
      if (!known) {
        return ApiError::InvalidParameter("The provider " + p + " does not exist for User Pool " +
                                          pool.value("Id", "") + ".");
      }
    }
    if (!Contains(idps, p)) idps.push_back(p);
  }

  // Scopes: Cognito's own, or "<resource server>/<scope>" of this pool (resource_servers.h).
  for (const auto& s : scopes) {
    if (s == "openid" || s == "email" || s == "phone" || s == "profile" ||
        s == "aws.cognito.signin.user.admin" || IsCustomScope(pool, s)) {
      continue;
    }
    return ApiError(ErrorCode::kScopeDoesNotExist, "Invalid scope requested: " + s);
  }

  for (const char* k : {"AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs", "LogoutURLs",
                        "DefaultRedirectURI", "SupportedIdentityProviders"}) {
    doc.erase(k);
  }
  if (!flows.empty()) doc["AllowedOAuthFlows"] = flows;
  if (!scopes.empty()) doc["AllowedOAuthScopes"] = scopes;
  if (!callbacks->empty()) doc["CallbackURLs"] = *callbacks;
  if (!logouts->empty()) doc["LogoutURLs"] = *logouts;
  if (*default_redirect) doc["DefaultRedirectURI"] = **default_redirect;
  if (!idps.empty()) doc["SupportedIdentityProviders"] = idps;
  doc["AllowedOAuthFlowsUserPoolClient"] = oauth;
  return {};
}

Result<void> Misc(const Json& in, Json& doc, bool create) {
  auto prevent = OptString(in, "PreventUserExistenceErrors");
  if (!prevent) return prevent.error();
  std::string p = prevent->value_or(create ? "ENABLED" : "LEGACY");
  auto e = CheckEnum(p, {"LEGACY", "ENABLED"}, "preventUserExistenceErrors");
  if (!e) return e.error();
  doc["PreventUserExistenceErrors"] = p;

  auto revocation = OptBool(in, "EnableTokenRevocation");
  if (!revocation) return revocation.error();
  doc["EnableTokenRevocation"] = revocation->value_or(true);

  auto propagate = OptBool(in, "EnablePropagateAdditionalUserContextData");
  if (!propagate) return propagate.error();
  doc["EnablePropagateAdditionalUserContextData"] = propagate->value_or(false);

  auto session = OptInt(in, "AuthSessionValidity");
  if (!session) return session.error();
  std::int64_t minutes = session->value_or(3);
  if (minutes < 3 || minutes > 15) {
    return ValidationError("'" + std::to_string(minutes) + "'", "authSessionValidity",
                           minutes < 3 ? "Member must have value greater than or equal to 3"
                                       : "Member must have value less than or equal to 15");
  }
  doc["AuthSessionValidity"] = minutes;

  auto rotation = OptObject(in, "RefreshTokenRotation");
  if (!rotation) return rotation.error();
  doc.erase("RefreshTokenRotation");
  if (*rotation != nullptr) {
    auto feature = OptString(**rotation, "Feature");
    if (!feature) return feature.error();
    if (!*feature) return NotNull("refreshTokenRotation.feature");
    auto fe = CheckEnum(**feature, {"ENABLED", "DISABLED"}, "refreshTokenRotation.feature");
    if (!fe) return fe.error();
    auto grace = OptInt(**rotation, "RetryGracePeriodSeconds");
    if (!grace) return grace.error();
    Json r{{"Feature", **feature}};
    if (*grace) {
      if (**grace < 0 || **grace > 60) {
        return ValidationError("'" + std::to_string(**grace) + "'",
                               "refreshTokenRotation.retryGracePeriodSeconds",
                               "Member must have value between 0 and 60");
      }
      r["RetryGracePeriodSeconds"] = **grace;
    }
    doc["RefreshTokenRotation"] = std::move(r);
  }

  auto analytics = OptObject(in, "AnalyticsConfiguration");
  if (!analytics) return analytics.error();
  doc.erase("AnalyticsConfiguration");
  if (*analytics != nullptr) doc["AnalyticsConfiguration"] = **analytics;
  return {};
}

// Every member Create and Update set (Update resets the ones left out).
Result<void> ApplyClientConfiguration(const Json& in, Json& doc, const Json& pool, bool has_secret,
                                      bool create) {
  auto name = NameMember(in, "ClientName", "clientName", doc, "ClientName", create);
  if (!name) return name;
  auto validity = TokenValidity(in, doc);
  if (!validity) return validity;
  auto flows = AuthFlows(in, doc, pool);
  if (!flows) return flows;
  auto perms = Permissions(in, doc, pool, create);
  if (!perms) return perms;
  auto oauth = OAuth(in, doc, pool, has_secret);
  if (!oauth) return oauth;
  return Misc(in, doc, create);
}

Result<std::string> RequiredString(const Json& in, const char* key, std::string_view path) {
  auto v = OptString(in, key);
  if (!v) return v.error();
  if (!*v) return NotNull(path);
  return std::move(**v);
}

}  // namespace

bool IsAllowedRedirectUrl(const std::string& url) {
  if (url.empty() || url.size() > 1024) return false;
  if (url.find('#') != std::string::npos) return false;
  for (unsigned char c : url) {
    if (std::isspace(c) || c < 0x20) return false;
  }
  auto sep = url.find("://");
  if (sep == std::string::npos || sep == 0) return false;
  std::string scheme = url.substr(0, sep);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return false;
  for (unsigned char c : scheme) {
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  std::string_view rest = std::string_view(url).substr(sep + 3);
  if (scheme == "https") return !rest.empty() && rest.front() != '/';
  if (scheme == "http") return IsLoopbackHost(rest);
  return true;  // app schemes (myapp://callback)
}

Result<const PaginationCodec*> ClientService::Codec() {
  std::lock_guard lock(codec_mu_);
  if (!codec_) {
    auto codec = PaginationCodec::FromStore(ctx_.store);
    if (!codec) return codec.error();
    codec_.emplace(std::move(*codec));
  }
  return &*codec_;
}

Result<Json> ClientService::Present(const std::string& client_id, Json doc,
                                    const std::optional<std::string>& secret) {
  doc.erase(std::string(kSealedSecretMember));
  for (auto it = doc.begin(); it != doc.end();) {
    it = (!it.key().empty() && it.key()[0] == '_') ? doc.erase(it) : std::next(it);
  }
  if (secret) doc["ClientSecret"] = *secret;
  (void)client_id;
  return doc;
}

Result<Json> ClientService::CreateUserPoolClient(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = RequiredString(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto client_name = RequiredString(input, "ClientName", "clientName");
  if (!client_name) return client_name.error();
  auto pool_row = LoadPool(ctx_, *pool_id);
  if (!pool_row) return pool_row.error();
  auto pool = ParseDoc(pool_row->doc);
  if (!pool) return pool.error();

  auto generate = OptBool(input, "GenerateSecret");
  if (!generate) return generate.error();
  auto given_secret = OptString(input, "ClientSecret");
  if (!given_secret) return given_secret.error();
  std::optional<std::string> secret;
  if (*given_secret) {
    if (generate->value_or(false)) {
      return ApiError::InvalidParameter(
          "You cannot specify both GenerateSecret as true and provide a ClientSecret value.");
    }
    const std::string& s = **given_secret;
    bool ok = s.size() >= 24 && s.size() <= 64;
    for (unsigned char c : s) ok = ok && (std::isalnum(c) || c == '_' || c == '+');
    if (!ok) {
      return ValidationError("'***'", "clientSecret",
                             "Member must satisfy regular expression pattern: [\\w+]+ and have "
                             "length between 24 and 64");
    }
    secret = s;
  } else if (generate->value_or(false)) {
    secret = NewClientSecret();
  }

  const std::int64_t now = ctx_.clock.NowMillis();
  Json doc{{"UserPoolId", *pool_id}};
  auto applied = ApplyClientConfiguration(input, doc, *pool, secret.has_value(), true);
  if (!applied) return applied.error();

  for (int attempt = 0; attempt < 3; ++attempt) {
    store::ClientRow row;
    row.pool_id = *pool_id;
    row.client_id = NewClientId();
    row.name = doc["ClientName"].get<std::string>();
    row.created_ms = now;
    row.modified_ms = now;
    doc["ClientId"] = row.client_id;
    doc["CreationDate"] = EpochSeconds(now);
    doc["LastModifiedDate"] = EpochSeconds(now);
    doc.erase(std::string(kSealedSecretMember));
    if (secret)
      doc[std::string(kSealedSecretMember)] = SealClientSecret(ctx_, row.client_id, *secret);
    row.doc = doc.dump();
    auto stored = ctx_.store.CreateClient(row);
    if (stored) return Present(row.client_id, doc, secret);
    if (stored.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + *pool_id + " does not exist.");
    }
    if (!stored.error().IsConflict()) return StoreFailure(stored.error());
  }
  return ApiError::Internal("could not allocate a client id");
}

Result<Json> ClientService::DescribeUserPoolClient(const std::string& pool_id,
                                                   const std::string& client_id) {
  auto row = LoadClient(ctx_, pool_id, client_id);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  auto secret = OpenClientSecret(ctx_, *row);
  if (!secret) return secret.error();
  return Present(client_id, std::move(*doc), *secret);
}

Result<Json> ClientService::UpdateUserPoolClient(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = RequiredString(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto client_id = RequiredString(input, "ClientId", "clientId");
  if (!client_id) return client_id.error();
  for (int attempt = 0;; ++attempt) {
    auto row = LoadClient(ctx_, *pool_id, *client_id);
    if (!row) return row.error();
    auto pool_row = LoadPool(ctx_, *pool_id);
    if (!pool_row) return pool_row.error();
    auto pool = ParseDoc(pool_row->doc);
    if (!pool) return pool.error();
    auto doc = ParseDoc(row->doc);
    if (!doc) return doc.error();
    auto secret = OpenClientSecret(ctx_, *row);
    if (!secret) return secret.error();
    auto applied = ApplyClientConfiguration(input, *doc, *pool, secret->has_value(), false);
    if (!applied) return applied.error();
    const std::int64_t now = std::max(ctx_.clock.NowMillis(), row->modified_ms);
    (*doc)["LastModifiedDate"] = EpochSeconds(now);
    store::ClientRow next = *row;
    next.name = (*doc)["ClientName"].get<std::string>();
    next.doc = doc->dump();
    next.modified_ms = now;
    auto stored = ctx_.store.UpdateClient(next, row->version);
    if (stored) return Present(*client_id, std::move(*doc), *secret);
    if (stored.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool client " + *client_id + " does not exist.");
    }
    if (!stored.error().IsConflict() || attempt >= 1) return StoreFailure(stored.error());
  }
}

Result<void> ClientService::DeleteUserPoolClient(const std::string& pool_id,
                                                 const std::string& client_id) {
  auto row = LoadClient(ctx_, pool_id, client_id);
  if (!row) return row.error();
  auto deleted = ctx_.store.DeleteClient(pool_id, client_id);
  if (deleted) return {};
  if (deleted.error().IsNotFound()) {
    return ApiError::ResourceNotFound("User pool client " + client_id + " does not exist.");
  }
  return StoreFailure(deleted.error());
}

Result<Json> ClientService::ListUserPoolClients(const Json& input) {
  auto pool_id = RequiredString(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto max = OptInt(input, "MaxResults");
  if (!max) return max.error();
  std::int64_t limit = max->value_or(kMaxClientListResults);
  if (limit < 1 || limit > kMaxClientListResults) {
    return ValidationError("'" + std::to_string(limit) + "'", "maxResults",
                           limit < 1 ? "Member must have value greater than or equal to 1"
                                     : "Member must have value less than or equal to 60");
  }
  auto pool = LoadPool(ctx_, *pool_id);
  if (!pool) return pool.error();
  const std::string scope = "ListUserPoolClients:" + *pool_id;
  auto token = OptString(input, "NextToken");
  if (!token) return token.error();
  std::string cursor;
  if (*token) {
    auto codec = Codec();
    if (!codec) return codec.error();
    auto decoded = (*codec)->Decode(scope, **token);
    if (!decoded) return decoded.error();
    cursor = std::move(*decoded);
  }
  auto page = ctx_.store.ListClients(*pool_id, cursor, static_cast<int>(limit));
  if (!page) return StoreFailure(page.error());
  Json clients = Json::array();
  for (const auto& row : page->items) {
    clients.push_back(
        Json{{"ClientId", row.client_id}, {"UserPoolId", row.pool_id}, {"ClientName", row.name}});
  }
  Json out{{"UserPoolClients", std::move(clients)}};
  if (!page->next_cursor.empty()) {
    auto codec = Codec();
    if (!codec) return codec.error();
    out["NextToken"] = (*codec)->Encode(scope, page->next_cursor);
  }
  return out;
}

}  // namespace cognate::domain::userpool
