#include "domain/userpool/branding.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "crypto/crypto.h"
#include "domain/userpool/domains.h"
#include "domain/userpool/json_fields.h"
#include "domain/userpool/pool_records.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::userpool {
namespace {

constexpr char kUiKind[] = "ui_customization";
constexpr char kStyleKind[] = "managed_login_branding";
constexpr char kStyleClientKind[] = "managed_login_client";
constexpr std::size_t kMaxLogoBytes = 100 * 1024;
constexpr char kAll[] = "ALL";

constexpr std::array<std::string_view, 18> kUiSelectors = {
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-notValid-customizable",
    ".passwordCheck-valid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
};

ApiError InvalidCss(std::string_view what) {
  return ApiError::InvalidParameter("The CSS is not valid: " + std::string(what));
}

std::string Trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

bool IsPropertyName(std::string_view p) {
  return !p.empty() && p.size() <= 64 && std::all_of(p.begin(), p.end(), [](unsigned char ch) {
    return std::islower(ch) || ch == '-';
  });
}

bool IsSafeValue(std::string_view v) {
  return !v.empty() && v.size() <= 512 && std::all_of(v.begin(), v.end(), [](unsigned char ch) {
    return std::isalnum(ch) || std::string_view(" #%.,()-+!\"'/_").find(static_cast<char>(ch)) !=
                                   std::string_view::npos;
  });
}

std::string RecordKey(const std::string& pool_id, const std::string& id) {
  return pool_id + "/" + id;
}

Result<Json> ParsedRecord(const store::EphemeralRow& row) { return ParseDoc(row.doc); }

std::optional<std::string> ImageType(std::string_view bytes) {
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) {
    return "image/png";
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  return std::nullopt;
}

std::string AssetContentType(const std::string& extension) {
  if (extension == "PNG") return "image/png";
  if (extension == "JPEG") return "image/jpeg";
  if (extension == "SVG") return "image/svg+xml";
  if (extension == "WEBP") return "image/webp";
  if (extension == "ICO") return "image/x-icon";
  return "application/octet-stream";
}

// The client must belong to the pool (the pool is loaded first for its error).
Result<void> CheckClient(ServiceContext& ctx, const std::string& pool_id,
                         const std::string& client_id) {
  auto client = LoadClient(ctx, pool_id, client_id);
  if (!client) return client.error();
  return {};
}

// UICustomizationType of a stored record.
Json UiJson(ServiceContext& ctx, const std::string& pool_id, const std::string& client_id,
            const Json& rec) {
  Json out = {{"UserPoolId", pool_id}, {"ClientId", client_id}};
  if (rec.contains("CSS")) out["CSS"] = rec["CSS"];
  out["CSSVersion"] = rec.value("CSSVersion", "");
  if (rec.contains("Image")) {
    out["ImageUrl"] =
        ctx.config.public_url + UiLogoPath(pool_id, client_id, rec.value("CSSVersion", ""));
  }
  out["CreationDate"] = EpochSeconds(rec.value("CreatedMs", std::int64_t{0}));
  out["LastModifiedDate"] = EpochSeconds(rec.value("ModifiedMs", std::int64_t{0}));
  return out;
}

// ---- managed login

struct StyleIds {
  std::string pool_id;
  std::string style_id;
};

Json StyleJson(const std::string& pool_id, const std::string& style_id, const Json& rec,
               bool merged) {
  Json out = {{"ManagedLoginBrandingId", style_id},
              {"UserPoolId", pool_id},
              {"UseCognitoProvidedValues", rec.value("UseCognitoProvidedValues", false)}};
  Json settings = rec.contains("Settings") ? rec["Settings"] : Json::object();
  if (merged) {
    Json base = DefaultManagedLoginSettings();
    base.merge_patch(settings);
    settings = std::move(base);
  }
  out["Settings"] = std::move(settings);
  out["Assets"] = rec.contains("Assets") ? rec["Assets"] : Json::array();
  out["CreationDate"] = EpochSeconds(rec.value("CreatedMs", std::int64_t{0}));
  out["LastModifiedDate"] = EpochSeconds(rec.value("ModifiedMs", std::int64_t{0}));
  return out;
}

// Checks Assets: a list of AssetType without two of the same Category and ColorMode. Returns
// them in the stored form.
Result<Json> ReadAssets(const Json& assets) {
  if (!assets.is_array()) return WrongType("Assets", "list");
  if (assets.size() > 40) {
    return ValidationError("'[...]'", "assets", "Member must have length less than or equal to 40");
  }
  Json out = Json::array();
  std::vector<std::string> seen;
  for (const auto& a : assets) {
    if (!a.is_object()) return WrongType("Assets.member", "structure");
    auto category = Required(a, "Category", "assets.member.category");
    if (!category) return category.error();
    auto mode = Required(a, "ColorMode", "assets.member.colorMode");
    if (!mode) return mode.error();
    auto extension = Required(a, "Extension", "assets.member.extension");
    if (!extension) return extension.error();
    const std::string key = *category + "/" + *mode;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return ApiError::InvalidParameter("Duplicate asset for category " + *category +
                                        " and color mode " + *mode + ".");
    }
    seen.push_back(key);
    Json stored = {{"Category", *category}, {"ColorMode", *mode}, {"Extension", *extension}};
    auto bytes = OptString(a, "Bytes");
    if (!bytes) return bytes.error();
    if (*bytes) {
      if (!crypto::Base64Decode(**bytes)) return WrongType("Assets.member.Bytes", "blob");
      stored["Bytes"] = **bytes;
    }
    auto resource = OptString(a, "ResourceId");
    if (!resource) return resource.error();
    if (*resource) stored["ResourceId"] = **resource;
    out.push_back(std::move(stored));
  }
  return out;
}

Result<std::pair<std::string, Json>> LoadStyle(ServiceContext& ctx, const std::string& pool_id,
                                               const std::string& style_id) {
  auto pool = LoadPool(ctx, pool_id);
  if (!pool) return pool.error();
  auto rec = GetRecord(ctx, kStyleKind, RecordKey(pool_id, style_id));
  if (!rec) return rec.error();
  if (!*rec) {
    return ApiError::ResourceNotFound("Managed login branding " + style_id + " does not exist.");
  }
  auto doc = ParsedRecord(**rec);
  if (!doc) return doc.error();
  return std::make_pair(style_id, std::move(*doc));
}

std::string HexColor(const Json& v) {
  if (!v.is_string()) return {};
  std::string s = v.get<std::string>();
  if (!s.empty() && s[0] == '#') s.erase(0, 1);
  if ((s.size() != 6 && s.size() != 8) ||
      !std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isxdigit(ch); })) {
    return {};
  }
  return "#" + s;
}

const Json* Path(const Json& j, std::initializer_list<const char*> keys) {
  const Json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

// The managed-login Settings as CSS custom properties and rules on the classic classes.
std::string SettingsCss(const Json& settings) {
  std::string vars;
  std::string rules;
  auto color = [&](std::initializer_list<const char*> keys) -> std::string {
    const Json* v = Path(settings, keys);
    return v == nullptr ? std::string() : HexColor(*v);
  };
  struct Mapping {
    std::initializer_list<const char*> keys;
    const char* var;
    const char* rule;
  };
  const std::array<Mapping, 7> mappings = {{
      {{"components", "pageBackground", "lightMode", "color"},
       "--cognate-page-bg",
       ".background-customizable{background-color:%}"},
      {{"components", "form", "lightMode", "backgroundColor"}, "--cognate-form-bg", ""},
      {{"components", "primaryButton", "lightMode", "defaults", "backgroundColor"},
       "--cognate-primary",
       ".submitButton-customizable{background-color:%}"},
      {{"components", "primaryButton", "lightMode", "defaults", "textColor"},
       "--cognate-primary-text",
       ".submitButton-customizable{color:%}"},
      {{"components", "primaryButton", "lightMode", "hover", "backgroundColor"},
       "--cognate-primary-hover",
       ".submitButton-customizable:hover{background-color:%}"},
      {{"components", "pageText", "lightMode", "bodyColor"},
       "--cognate-text",
       ".textDescription-customizable{color:%}"},
      {{"components", "pageText", "lightMode", "headingColor"}, "--cognate-heading", ""},
  }};
  for (const auto& m : mappings) {
    std::string c = color(m.keys);
    if (c.empty()) continue;
    vars += std::string(m.var) + ":" + c + ";";
    std::string rule = m.rule;
    if (auto pct = rule.find('%'); pct != std::string::npos) {
      rules += rule.replace(pct, 1, c) + "\n";
    }
  }
  if (const Json* mode = Path(settings, {"categories", "global", "colorSchemeMode"});
      mode != nullptr && mode->is_string()) {
    const std::string m = mode->get<std::string>();
    if (m == "DARK") vars += "color-scheme:dark;";
    if (m == "LIGHT") vars += "color-scheme:light;";
    if (m == "DYNAMIC") vars += "color-scheme:light dark;";
  }
  if (vars.empty() && rules.empty()) return {};
  return ":root{" + vars + "}\n" + rules;
}

}  // namespace

bool IsAllowedUiSelector(std::string_view selector) {
  return std::find(kUiSelectors.begin(), kUiSelectors.end(), selector) != kUiSelectors.end();
}

Result<std::string> SanitizeUiCss(std::string_view css) {
  // Comments out first.
  std::string text;
  for (std::size_t i = 0; i < css.size();) {
    if (css.compare(i, 2, "/*") == 0) {
      const std::size_t end = css.find("*/", i + 2);
      if (end == std::string_view::npos) return InvalidCss("unterminated comment");
      i = end + 2;
      continue;
    }
    text.push_back(css[i++]);
  }
  const std::string lower = Lower(text);
  for (std::string_view banned :
       {"<", ">", "@", "\\", "javascript", "expression", "url(", "behavior", "binding"}) {
    if (lower.find(banned) != std::string::npos) {
      return InvalidCss("'" + std::string(banned) + "' is not allowed");
    }
  }
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find('{', pos);
    if (open == std::string::npos) {
      if (!Trim(std::string_view(text).substr(pos)).empty()) {
        return InvalidCss("text outside a rule");
      }
      break;
    }
    const std::size_t close = text.find('}', open + 1);
    if (close == std::string::npos) return InvalidCss("unterminated rule");
    const std::string_view selectors = std::string_view(text).substr(pos, open - pos);
    const std::string_view body = std::string_view(text).substr(open + 1, close - open - 1);
    if (body.find('{') != std::string_view::npos) return InvalidCss("nested rule");
    std::vector<std::string> names;
    std::size_t s = 0;
    while (s <= selectors.size()) {
      const std::size_t comma = selectors.find(',', s);
      const std::string one = Trim(selectors.substr(
          s, comma == std::string_view::npos ? std::string_view::npos : comma - s));
      if (!IsAllowedUiSelector(one)) {
        return InvalidCss("class '" + one + "' is not one of the customizable classes");
      }
      names.push_back(one);
      if (comma == std::string_view::npos) break;
      s = comma + 1;
    }
    std::string decls;
    std::size_t d = 0;
    while (d < body.size()) {
      std::size_t semi = body.find(';', d);
      if (semi == std::string_view::npos) semi = body.size();
      const std::string decl = Trim(body.substr(d, semi - d));
      d = semi + 1;
      if (decl.empty()) continue;
      const std::size_t colon = decl.find(':');
      if (colon == std::string::npos) return InvalidCss("declaration without ':'");
      const std::string property = Lower(Trim(std::string_view(decl).substr(0, colon)));
      const std::string value = Trim(std::string_view(decl).substr(colon + 1));
      if (!IsPropertyName(property)) return InvalidCss("property '" + property + "'");
      if (!IsSafeValue(value)) return InvalidCss("value of '" + property + "'");
      decls += "  " + property + ": " + value + ";\n";
    }
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    out += " {\n" + decls + "}\n";
    pos = close + 1;
  }
  return out;
}

std::string UiLogoPath(const std::string& pool_id, const std::string& client_id,
                       const std::string& version) {
  std::string path = "/assets/logo?client_id=" + client_id;
  if (client_id == kAll) path += "&user_pool_id=" + pool_id;
  return path + "&v=" + version;
}

const Json& DefaultManagedLoginSettings() {
  static const Json kDefaults = {
      {"categories",
       {{"global", {{"colorSchemeMode", "LIGHT"}, {"pageHeader", {{"enabled", false}}}}},
        {"form", {{"displayGraphics", true}, {"location", {{"horizontal", "CENTER"}}}}}}},
      {"components",
       {{"pageBackground", {{"lightMode", {{"color", "ffffffff"}}}}},
        {"form", {{"lightMode", {{"backgroundColor", "ffffffff"}}}}},
        {"primaryButton",
         {{"lightMode",
           {{"defaults", {{"backgroundColor", "0972d3ff"}, {"textColor", "ffffffff"}}},
            {"hover", {{"backgroundColor", "033160ff"}}}}}}},
        {"pageText", {{"lightMode", {{"bodyColor", "414d5cff"}, {"headingColor", "000716ff"}}}}}}}};
  return kDefaults;
}

// ---- UI customization

Result<Json> BrandingService::GetUICustomization(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto client = OptString(input, "ClientId");
  if (!client) return client.error();
  auto pool = LoadPool(ctx_, *pool_id);
  if (!pool) return pool.error();
  std::string client_id = client->value_or(kAll);
  if (client_id != kAll) {
    if (auto ok = CheckClient(ctx_, *pool_id, client_id); !ok) return ok.error();
    auto rec = GetRecord(ctx_, kUiKind, RecordKey(*pool_id, client_id));
    if (!rec) return rec.error();
    if (*rec) {
      auto doc = ParsedRecord(**rec);
      if (!doc) return doc.error();
      return Json{{"UICustomization", UiJson(ctx_, *pool_id, client_id, *doc)}};
    }
  }
  auto rec = GetRecord(ctx_, kUiKind, RecordKey(*pool_id, kAll));
  if (!rec) return rec.error();
  if (!*rec) {
    return Json{{"UICustomization", {{"UserPoolId", *pool_id}, {"ClientId", client_id}}}};
  }
  auto doc = ParsedRecord(**rec);
  if (!doc) return doc.error();
  return Json{{"UICustomization", UiJson(ctx_, *pool_id, kAll, *doc)}};
}

Result<Json> BrandingService::SetUICustomization(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto client = OptString(input, "ClientId");
  if (!client) return client.error();
  auto css = OptString(input, "CSS");
  if (!css) return css.error();
  auto image = OptString(input, "ImageFile");
  if (!image) return image.error();

  auto pool = LoadPool(ctx_, *pool_id);
  if (!pool) return pool.error();
  auto pool_doc = ParseDoc(pool->doc);
  if (!pool_doc) return pool_doc.error();
  const std::string client_id = client->value_or(kAll);
  if (client_id != kAll) {
    if (auto ok = CheckClient(ctx_, *pool_id, client_id); !ok) return ok.error();
  }
  if (!PoolHasDomain(*pool_doc)) {
    return ApiError::InvalidParameter(
        "There has to be an existing domain associated with this user pool");
  }
  Json rec = Json::object();
  if (*css) {
    auto clean = SanitizeUiCss(**css);
    if (!clean) return clean.error();
    rec["CSS"] = **css;
    rec["CleanCSS"] = *clean;
  }
  if (*image) {
    auto bytes = crypto::Base64Decode(**image);
    if (!bytes) return WrongType("ImageFile", "blob");
    if (bytes->size() > kMaxLogoBytes) {
      return ApiError::InvalidParameter("The image file is larger than 100 KB.");
    }
    auto type = ImageType(*bytes);
    if (!type) return ApiError::InvalidParameter("The image file must be a PNG or JPEG image.");
    rec["Image"] = **image;
    rec["ImageType"] = *type;
  }
  const std::string key = RecordKey(*pool_id, client_id);
  auto existing = GetRecord(ctx_, kUiKind, key);
  if (!existing) return existing.error();
  const std::int64_t now = ctx_.clock.NowMillis();
  std::int64_t created = now;
  if (*existing) {
    if (auto old = ParsedRecord(**existing)) created = old->value("CreatedMs", now);
  }
  rec["CreatedMs"] = created;
  rec["ModifiedMs"] = now;
  rec["CSSVersion"] = std::to_string(now);
  if (auto ok = PutRecord(ctx_, kUiKind, key, *pool_id, rec.dump()); !ok) return ok.error();
  return Json{{"UICustomization", UiJson(ctx_, *pool_id, client_id, rec)}};
}

// ---- managed login branding

Result<Json> BrandingService::CreateManagedLoginBranding(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto client_id = Required(input, "ClientId", "clientId");
  if (!client_id) return client_id.error();
  auto use_defaults = OptBool(input, "UseCognitoProvidedValues");
  if (!use_defaults) return use_defaults.error();
  const bool defaults = use_defaults->value_or(false);
  Json rec = {{"ClientId", *client_id}, {"UseCognitoProvidedValues", defaults}};
  const bool has_settings = input.contains("Settings") && !input["Settings"].is_null();
  const bool has_assets = input.contains("Assets") && !input["Assets"].is_null();
  if (defaults && (has_settings || has_assets)) {
    return ApiError::InvalidParameter(
        "When UseCognitoProvidedValues is true, Settings and Assets must not be provided.");
  }
  if (has_settings) {
    if (!input["Settings"].is_object()) return WrongType("Settings", "document");
    rec["Settings"] = input["Settings"];
  }
  if (has_assets) {
    auto assets = ReadAssets(input["Assets"]);
    if (!assets) return assets.error();
    rec["Assets"] = std::move(*assets);
  }
  auto pool = LoadPool(ctx_, *pool_id);
  if (!pool) return pool.error();
  if (auto ok = CheckClient(ctx_, *pool_id, *client_id); !ok) return ok.error();

  const std::string style_id = crypto::NewUuid();
  const std::string index_key = RecordKey(*pool_id, *client_id);
  for (int attempt = 0;; ++attempt) {
    auto inserted =
        InsertRecord(ctx_, kStyleClientKind, index_key, *pool_id, Json{{"Id", style_id}}.dump());
    if (!inserted) return inserted.error();
    if (*inserted) break;
    // Taken: by a live style, or left behind by a crash between the two writes.
    auto index = GetRecord(ctx_, kStyleClientKind, index_key);
    if (!index) return index.error();
    if (*index) {
      auto idoc = ParsedRecord(**index);
      auto style = GetRecord(ctx_, kStyleKind,
                             RecordKey(*pool_id, idoc ? idoc->value("Id", "") : std::string()));
      if (!style) return style.error();
      if (*style || attempt >= 2) {
        return ApiError(
            ErrorCode::kManagedLoginBrandingExists,
            "A managed login branding style already exists for app client " + *client_id + ".");
      }
      if (auto gone = DeleteRecord(ctx_, kStyleClientKind, index_key); !gone) return gone.error();
    }
  }
  const std::int64_t now = ctx_.clock.NowMillis();
  rec["CreatedMs"] = now;
  rec["ModifiedMs"] = now;
  if (auto ok = PutRecord(ctx_, kStyleKind, RecordKey(*pool_id, style_id), *pool_id, rec.dump());
      !ok) {
    (void)DeleteRecord(ctx_, kStyleClientKind, index_key);
    return ok.error();
  }
  return Json{{"ManagedLoginBranding", StyleJson(*pool_id, style_id, rec, false)}};
}

Result<Json> BrandingService::DescribeManagedLoginBranding(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto style_id = Required(input, "ManagedLoginBrandingId", "managedLoginBrandingId");
  if (!style_id) return style_id.error();
  auto merged = OptBool(input, "ReturnMergedResources");
  if (!merged) return merged.error();
  auto style = LoadStyle(ctx_, *pool_id, *style_id);
  if (!style) return style.error();
  return Json{{"ManagedLoginBranding",
               StyleJson(*pool_id, *style_id, style->second, merged->value_or(false))}};
}

Result<Json> BrandingService::DescribeManagedLoginBrandingByClient(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto client_id = Required(input, "ClientId", "clientId");
  if (!client_id) return client_id.error();
  auto merged = OptBool(input, "ReturnMergedResources");
  if (!merged) return merged.error();
  auto pool = LoadPool(ctx_, *pool_id);
  if (!pool) return pool.error();
  if (auto ok = CheckClient(ctx_, *pool_id, *client_id); !ok) return ok.error();
  auto index = GetRecord(ctx_, kStyleClientKind, RecordKey(*pool_id, *client_id));
  if (!index) return index.error();
  std::string style_id;
  if (*index) {
    if (auto idoc = ParsedRecord(**index)) style_id = idoc->value("Id", "");
  }
  if (style_id.empty()) {
    return ApiError::ResourceNotFound("No managed login branding exists for app client " +
                                      *client_id + ".");
  }
  auto style = LoadStyle(ctx_, *pool_id, style_id);
  if (!style) return style.error();
  return Json{{"ManagedLoginBranding",
               StyleJson(*pool_id, style_id, style->second, merged->value_or(false))}};
}

Result<Json> BrandingService::UpdateManagedLoginBranding(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto style_id = Required(input, "ManagedLoginBrandingId", "managedLoginBrandingId");
  if (!style_id) return style_id.error();
  auto use_defaults = OptBool(input, "UseCognitoProvidedValues");
  if (!use_defaults) return use_defaults.error();
  const bool has_settings = input.contains("Settings") && !input["Settings"].is_null();
  const bool has_assets = input.contains("Assets") && !input["Assets"].is_null();
  if (use_defaults->value_or(false) && (has_settings || has_assets)) {
    return ApiError::InvalidParameter(
        "When UseCognitoProvidedValues is true, Settings and Assets must not be provided.");
  }
  if (has_settings && !input["Settings"].is_object()) return WrongType("Settings", "document");
  Json new_assets;
  if (has_assets) {
    auto assets = ReadAssets(input["Assets"]);
    if (!assets) return assets.error();
    new_assets = std::move(*assets);
  }
  auto style = LoadStyle(ctx_, *pool_id, *style_id);
  if (!style) return style.error();
  Json rec = std::move(style->second);
  if (use_defaults->value_or(false)) {
    rec["UseCognitoProvidedValues"] = true;
    rec.erase("Settings");
    rec.erase("Assets");
  } else {
    if (*use_defaults) rec["UseCognitoProvidedValues"] = false;
    if (has_settings) {
      Json settings = rec.contains("Settings") ? rec["Settings"] : Json::object();
      settings.merge_patch(input["Settings"]);
      rec["Settings"] = std::move(settings);
      rec["UseCognitoProvidedValues"] = false;
    }
    if (has_assets) {
      Json assets = rec.contains("Assets") ? rec["Assets"] : Json::array();
      for (const auto& a : new_assets) {
        auto same = [&](const Json& b) {
          return b.value("Category", "") == a.value("Category", "") &&
                 b.value("ColorMode", "") == a.value("ColorMode", "");
        };
        auto it = std::find_if(assets.begin(), assets.end(), same);
        if (it != assets.end()) {
          *it = a;
        } else {
          assets.push_back(a);
        }
      }
      if (assets.size() > 40) {
        return ApiError(ErrorCode::kLimitExceeded, "A style can hold at most 40 assets.");
      }
      rec["Assets"] = std::move(assets);
      rec["UseCognitoProvidedValues"] = false;
    }
  }
  rec["ModifiedMs"] = std::max(ctx_.clock.NowMillis(), rec.value("ModifiedMs", std::int64_t{0}));
  if (auto ok = PutRecord(ctx_, kStyleKind, RecordKey(*pool_id, *style_id), *pool_id, rec.dump());
      !ok) {
    return ok.error();
  }
  return Json{{"ManagedLoginBranding", StyleJson(*pool_id, *style_id, rec, false)}};
}

Result<Json> BrandingService::DeleteManagedLoginBranding(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto pool_id = Required(input, "UserPoolId", "userPoolId");
  if (!pool_id) return pool_id.error();
  auto style_id = Required(input, "ManagedLoginBrandingId", "managedLoginBrandingId");
  if (!style_id) return style_id.error();
  auto style = LoadStyle(ctx_, *pool_id, *style_id);
  if (!style) return style.error();
  if (auto ok = DeleteRecord(ctx_, kStyleKind, RecordKey(*pool_id, *style_id)); !ok) {
    return ok.error();
  }
  const std::string client_id = style->second.value("ClientId", "");
  if (!client_id.empty()) {
    if (auto ok = DeleteRecord(ctx_, kStyleClientKind, RecordKey(*pool_id, client_id)); !ok) {
      return ok.error();
    }
  }
  return Json::object();
}

// ---- what the pages show

Result<PageBranding> BrandingFor(ServiceContext& ctx, const std::string& pool_id,
                                 const std::string& client_id) {
  auto pool = LoadPool(ctx, pool_id);
  if (!pool) return pool.error();
  PageBranding out;
  out.settings = nullptr;
  std::string version;

  // Managed login: the client's style (its settings, then the classic CSS over it).
  if (auto index = GetRecord(ctx, kStyleClientKind, RecordKey(pool_id, client_id));
      index && *index) {
    if (auto idoc = ParsedRecord(**index)) {
      auto style = GetRecord(ctx, kStyleKind, RecordKey(pool_id, idoc->value("Id", "")));
      if (style && *style) {
        if (auto rec = ParsedRecord(**style)) {
          Json settings = DefaultManagedLoginSettings();
          if (rec->contains("Settings") && (*rec)["Settings"].is_object()) {
            settings.merge_patch((*rec)["Settings"]);
          }
          out.css += SettingsCss(settings);
          out.settings = std::move(settings);
          version += "m" + std::to_string(rec->value("ModifiedMs", std::int64_t{0}));
          if (auto assets = rec->find("Assets"); assets != rec->end() && assets->is_array()) {
            for (const char* category : {"FORM_LOGO", "PAGE_HEADER_LOGO"}) {
              if (out.logo_bytes) break;
              for (const auto& a : *assets) {
                if (a.value("Category", "") != category || a.value("ColorMode", "") == "DARK") {
                  continue;
                }
                auto bytes = crypto::Base64Decode(a.value("Bytes", ""));
                if (!bytes || bytes->empty()) continue;
                out.logo_bytes = std::move(*bytes);
                out.logo_content_type = AssetContentType(a.value("Extension", ""));
                break;
              }
            }
          }
        }
      }
    }
  }

  // Classic UI customization: the client's, else the pool's ALL.
  std::optional<Json> ui;
  for (const std::string& id : {client_id, std::string(kAll)}) {
    if (id.empty()) continue;
    auto rec = GetRecord(ctx, kUiKind, RecordKey(pool_id, id));
    if (!rec) return rec.error();
    if (*rec) {
      if (auto doc = ParsedRecord(**rec)) {
        ui = std::move(*doc);
        break;
      }
    }
  }
  if (ui) {
    out.css += ui->value("CleanCSS", "");
    version += "u" + ui->value("CSSVersion", "");
    if (ui->contains("Image")) {
      if (auto bytes = crypto::Base64Decode(ui->value("Image", ""))) {
        out.logo_bytes = std::move(*bytes);
        out.logo_content_type = ui->value("ImageType", "image/png");
      }
    }
  }
  out.version = version.empty() ? "0" : crypto::HexEncode(crypto::Sha256(version)).substr(0, 16);
  return out;
}

}  // namespace cognate::domain::userpool
