#include "domain/userpool/pool_service.h"

#include <algorithm>
#include <set>
#include <vector>

#include "domain/triggers/hooks.h"
#include "domain/userpool/domains.h"
#include "domain/userpool/pool_defaults.h"
#include "domain/userpool/pool_repository.h"
#include "domain/userpool/schema.h"

namespace cognate::domain::userpool {
namespace {

constexpr int kMaxPoolListResults = 60;

Result<void> CheckRange(std::int64_t v, std::int64_t lo, std::int64_t hi, std::string_view path) {
  if (v < lo) {
    return ValidationError("'" + std::to_string(v) + "'", path,
                           "Member must have value greater than or equal to " + std::to_string(lo));
  }
  if (v > hi) {
    return ValidationError("'" + std::to_string(v) + "'", path,
                           "Member must have value less than or equal to " + std::to_string(hi));
  }
  return {};
}

// Reads an enum-valued list, dropping repeats.
Result<std::optional<std::vector<std::string>>> EnumList(
    const Json& in, std::string_view key, std::initializer_list<std::string_view> allowed,
    std::string_view path) {
  auto list = OptStringList(in, key);
  if (!list) return list.error();
  if (!*list) return list;
  std::vector<std::string> out;
  for (const auto& v : **list) {
    auto ok = CheckEnum(v, allowed, path);
    if (!ok) return ok.error();
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

// ---- member builders: each returns the stored value for a request member ------------------

Result<Json> PasswordPolicy(const Json* given) {
  if (given == nullptr) return DefaultPasswordPolicy();
  // A given policy is taken as a whole: unset booleans are false, as in Cognito.
  Json p = Json::object();
  auto min = OptInt(*given, "MinimumLength");
  if (!min) return min.error();
  std::int64_t min_len = min->value_or(8);
  auto r = CheckRange(min_len, 6, 99, "policies.passwordPolicy.minimumLength");
  if (!r) return r.error();
  p["MinimumLength"] = min_len;
  for (const char* k :
       {"RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"}) {
    auto b = OptBool(*given, k);
    if (!b) return b.error();
    p[k] = b->value_or(false);
  }
  auto history = OptInt(*given, "PasswordHistorySize");
  if (!history) return history.error();
  if (*history) {
    auto hr = CheckRange(**history, 0, 24, "policies.passwordPolicy.passwordHistorySize");
    if (!hr) return hr.error();
    p["PasswordHistorySize"] = **history;
  }
  auto days = OptInt(*given, "TemporaryPasswordValidityDays");
  if (!days) return days.error();
  std::int64_t d = days->value_or(0);
  auto dr = CheckRange(d, 0, 365, "policies.passwordPolicy.temporaryPasswordValidityDays");
  if (!dr) return dr.error();
  // 0 means "not set": Cognito stores its default.
  p["TemporaryPasswordValidityDays"] = d == 0 ? kDefaultTemporaryPasswordValidityDays : d;
  return p;
}

Result<Json> Policies(const Json& in) {
  auto given = OptObject(in, "Policies");
  if (!given) return given.error();
  const Json* pp = nullptr;
  const Json* sip = nullptr;
  if (*given != nullptr) {
    auto a = OptObject(**given, "PasswordPolicy");
    if (!a) return a.error();
    pp = *a;
    auto b = OptObject(**given, "SignInPolicy");
    if (!b) return b.error();
    sip = *b;
  }
  auto password = PasswordPolicy(pp);
  if (!password) return password.error();
  Json sign_in = Json{{"AllowedFirstAuthFactors", Json::array({"PASSWORD"})}};
  if (sip != nullptr) {
    auto factors =
        EnumList(*sip, "AllowedFirstAuthFactors", {"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"},
                 "policies.signInPolicy.allowedFirstAuthFactors.member");
    if (!factors) return factors.error();
    if (*factors) {
      if (std::find((*factors)->begin(), (*factors)->end(), "PASSWORD") == (*factors)->end()) {
        return ApiError::InvalidParameter("AllowedFirstAuthFactors must include PASSWORD.");
      }
      sign_in["AllowedFirstAuthFactors"] = **factors;
    }
  }
  return Json{{"PasswordPolicy", std::move(*password)}, {"SignInPolicy", std::move(sign_in)}};
}

Result<Json> AdminCreateUserConfig(const Json& in, const Json& policies, bool temp_days_given) {
  Json cfg{{"AllowAdminCreateUserOnly", false}};
  std::int64_t temp_days = policies["PasswordPolicy"]["TemporaryPasswordValidityDays"];
  cfg["UnusedAccountValidityDays"] = temp_days;
  auto given = OptObject(in, "AdminCreateUserConfig");
  if (!given) return given.error();
  if (*given == nullptr) return cfg;
  auto only = OptBool(**given, "AllowAdminCreateUserOnly");
  if (!only) return only.error();
  cfg["AllowAdminCreateUserOnly"] = only->value_or(false);
  auto unused = OptInt(**given, "UnusedAccountValidityDays");
  if (!unused) return unused.error();
  if (*unused) {
    auto r = CheckRange(**unused, 0, 365, "adminCreateUserConfig.unusedAccountValidityDays");
    if (!r) return r.error();
    if (temp_days_given) {
      return ApiError::InvalidParameter(
          "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of "
          "UnusedAccountValidityDays");
    }
  }
  auto tmpl = OptObject(**given, "InviteMessageTemplate");
  if (!tmpl) return tmpl.error();
  if (*tmpl != nullptr) cfg["InviteMessageTemplate"] = **tmpl;
  return cfg;
}

bool TemporaryDaysGiven(const Json& in) {
  const Json* p = in.is_object() && in.contains("Policies") ? &in["Policies"] : nullptr;
  if (p == nullptr || !p->is_object() || !p->contains("PasswordPolicy")) return false;
  const Json& pp = (*p)["PasswordPolicy"];
  return pp.is_object() && pp.contains("TemporaryPasswordValidityDays") &&
         pp["TemporaryPasswordValidityDays"].is_number() &&
         pp["TemporaryPasswordValidityDays"] != 0;
}

// The legacy UnusedAccountValidityDays moves into the password policy when it is the only one.
void ApplyLegacyValidity(const Json& in, Json& policies, Json& admin_cfg) {
  if (TemporaryDaysGiven(in)) return;
  const Json* a = in.is_object() && in.contains("AdminCreateUserConfig")
                      ? &in["AdminCreateUserConfig"]
                      : nullptr;
  if (a == nullptr || !a->is_object() || !a->contains("UnusedAccountValidityDays")) return;
  const Json& v = (*a)["UnusedAccountValidityDays"];
  if (!v.is_number_integer() || v.get<std::int64_t>() == 0) return;
  policies["PasswordPolicy"]["TemporaryPasswordValidityDays"] = v;
  admin_cfg["UnusedAccountValidityDays"] = v;
}

// VerificationMessageTemplate plus the legacy top-level message members, kept in step: the
// template wins when both are given.
Result<void> VerificationMessages(const Json& in, Json& doc) {
  Json tmpl{{"DefaultEmailOption", "CONFIRM_WITH_CODE"}};
  auto given = OptObject(in, "VerificationMessageTemplate");
  if (!given) return given.error();
  if (*given != nullptr) {
    for (const char* k : {"SmsMessage", "EmailMessage", "EmailSubject", "EmailMessageByLink",
                          "EmailSubjectByLink", "DefaultEmailOption"}) {
      auto v = OptString(**given, k);
      if (!v) return v.error();
      if (*v) tmpl[k] = **v;
    }
    auto ok = CheckEnum(tmpl["DefaultEmailOption"].get<std::string>(),
                        {"CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE"},
                        "verificationMessageTemplate.defaultEmailOption");
    if (!ok) return ok.error();
  }
  struct Pair {
    const char* legacy;
    const char* in_template;
  };
  for (Pair p : {Pair{"SmsVerificationMessage", "SmsMessage"},
                 Pair{"EmailVerificationMessage", "EmailMessage"},
                 Pair{"EmailVerificationSubject", "EmailSubject"}}) {
    auto legacy = OptString(in, p.legacy);
    if (!legacy) return legacy.error();
    doc.erase(p.legacy);
    if (tmpl.contains(p.in_template)) {
      doc[p.legacy] = tmpl[p.in_template];
    } else if (*legacy) {
      doc[p.legacy] = **legacy;
      tmpl[p.in_template] = **legacy;
    }
  }
  for (const char* k : {"SmsVerificationMessage", "EmailVerificationMessage"}) {
    if (doc.contains(k) && doc[k].get<std::string>().find("{####}") == std::string::npos) {
      return ApiError::InvalidParameter(std::string(k) + " must contain the {####} placeholder.");
    }
  }
  doc["VerificationMessageTemplate"] = std::move(tmpl);
  return {};
}

Result<void> AccountRecovery(const Json& in, Json& doc) {
  auto given = OptObject(in, "AccountRecoverySetting");
  if (!given) return given.error();
  if (*given == nullptr) {
    doc["AccountRecoverySetting"] = DefaultAccountRecoverySetting();
    return {};
  }
  auto mechanisms = OptArray(**given, "RecoveryMechanisms");
  if (!mechanisms) return mechanisms.error();
  if (*mechanisms == nullptr || (*mechanisms)->empty() || (*mechanisms)->size() > 2) {
    return ValidationError(*mechanisms == nullptr ? "null" : "'" + (*mechanisms)->dump() + "'",
                           "accountRecoverySetting.recoveryMechanisms",
                           "Member must have length between 1 and 2");
  }
  std::set<std::string> names;
  std::set<std::int64_t> priorities;
  Json out = Json::array();
  for (const auto& m : **mechanisms) {
    if (!m.is_object()) return WrongType("RecoveryMechanisms", "list of RecoveryOptionType");
    auto name = OptString(m, "Name");
    auto prio = OptInt(m, "Priority");
    if (!name) return name.error();
    if (!prio) return prio.error();
    if (!*name) return NotNull("accountRecoverySetting.recoveryMechanisms.member.name");
    if (!*prio) return NotNull("accountRecoverySetting.recoveryMechanisms.member.priority");
    auto e = CheckEnum(**name, {"verified_email", "verified_phone_number", "admin_only"},
                       "accountRecoverySetting.recoveryMechanisms.member.name");
    if (!e) return e.error();
    auto r = CheckRange(**prio, 1, 2, "accountRecoverySetting.recoveryMechanisms.member.priority");
    if (!r) return r.error();
    if (!names.insert(**name).second) {
      return ApiError::InvalidParameter("Duplicate recovery mechanism name: " + **name);
    }
    if (!priorities.insert(**prio).second) {
      return ApiError::InvalidParameter("Recovery mechanisms must have distinct priorities.");
    }
    out.push_back(Json{{"Priority", **prio}, {"Name", **name}});
  }
  if (names.count("admin_only") != 0 && names.size() > 1) {
    return ApiError::InvalidParameter(
        "admin_only cannot be combined with other recovery mechanisms.");
  }
  std::sort(out.begin(), out.end(),
            [](const Json& a, const Json& b) { return a["Priority"] < b["Priority"]; });
  doc["AccountRecoverySetting"] = Json{{"RecoveryMechanisms", std::move(out)}};
  return {};
}

// Copies an optional structure member as given (erasing it when absent).
Result<void> CopyStruct(const Json& in, Json& doc, const char* key) {
  auto v = OptObject(in, key);
  if (!v) return v.error();
  if (*v == nullptr) {
    doc.erase(key);
  } else {
    doc[key] = **v;
  }
  return {};
}

Result<void> MfaAndSms(const Json& in, Json& doc) {
  auto sms = OptObject(in, "SmsConfiguration");
  if (!sms) return sms.error();
  if (*sms == nullptr) {
    doc.erase("SmsConfiguration");
  } else {
    auto arn = OptString(**sms, "SnsCallerArn");
    if (!arn) return arn.error();
    if (!*arn) return NotNull("smsConfiguration.snsCallerArn");
    doc["SmsConfiguration"] = **sms;
  }
  auto auth_msg = OptString(in, "SmsAuthenticationMessage");
  if (!auth_msg) return auth_msg.error();
  doc.erase("SmsAuthenticationMessage");
  if (*auth_msg) {
    if ((*auth_msg)->find("{####}") == std::string::npos) {
      return ValidationError("'" + **auth_msg + "'", "smsAuthenticationMessage",
                             "Member must satisfy regular expression pattern: .*\\{####\\}.*");
    }
    doc["SmsAuthenticationMessage"] = **auth_msg;
  }
  auto mfa = OptString(in, "MfaConfiguration");
  if (!mfa) return mfa.error();
  std::string mode = mfa->value_or("OFF");
  auto e = CheckEnum(mode, {"OFF", "ON", "OPTIONAL"}, "mfaConfiguration");
  if (!e) return e.error();
  if (mode != "OFF") {
    auto enabled = [&doc](const char* key) {
      return doc.contains(key) && doc[key].is_object() && doc[key].value("Enabled", false);
    };
    bool other_factor =
        enabled("SoftwareTokenMfaConfiguration") || enabled("_SoftwareTokenMfaConfiguration") ||
        doc.contains("EmailMfaConfiguration") || doc.contains("_EmailMfaConfiguration");
    if (!doc.contains("SmsConfiguration") && !other_factor) {
      return ApiError::InvalidParameter(
          "SMS configuration and Auto verification for phone_number are required when MFA is "
          "required/optional");
    }
  }
  doc["MfaConfiguration"] = mode;
  return {};
}

Result<void> EmailConfiguration(const Json& in, Json& doc) {
  Json cfg{{"EmailSendingAccount", "COGNITO_DEFAULT"}};
  auto given = OptObject(in, "EmailConfiguration");
  if (!given) return given.error();
  if (*given != nullptr) {
    for (auto& [k, v] : (*given)->items()) {
      if (!v.is_null()) cfg[k] = v;
    }
    if (!cfg["EmailSendingAccount"].is_string()) return WrongType("EmailSendingAccount", "string");
    auto e = CheckEnum(cfg["EmailSendingAccount"].get<std::string>(),
                       {"COGNITO_DEFAULT", "DEVELOPER"}, "emailConfiguration.emailSendingAccount");
    if (!e) return e.error();
  }
  doc["EmailConfiguration"] = std::move(cfg);
  return {};
}

Result<void> AddOns(const Json& in, Json& doc) {
  auto given = OptObject(in, "UserPoolAddOns");
  if (!given) return given.error();
  if (*given == nullptr) {
    doc.erase("UserPoolAddOns");
    return {};
  }
  auto mode = OptString(**given, "AdvancedSecurityMode");
  if (!mode) return mode.error();
  if (!*mode) return NotNull("userPoolAddOns.advancedSecurityMode");
  auto e = CheckEnum(**mode, {"OFF", "AUDIT", "ENFORCED"}, "userPoolAddOns.advancedSecurityMode");
  if (!e) return e.error();
  doc["UserPoolAddOns"] = **given;
  return {};
}

Result<void> AutoVerified(const Json& in, Json& doc) {
  auto list = EnumList(in, "AutoVerifiedAttributes", {"phone_number", "email"},
                       "autoVerifiedAttributes.member");
  if (!list) return list.error();
  doc.erase("AutoVerifiedAttributes");
  if (*list && !(*list)->empty()) doc["AutoVerifiedAttributes"] = **list;
  return {};
}

Result<void> AttributeUpdateSettings(const Json& in, Json& doc, bool create) {
  auto given = OptObject(in, "UserAttributeUpdateSettings");
  if (!given) return given.error();
  if (*given != nullptr) {
    auto list =
        EnumList(**given, "AttributesRequireVerificationBeforeUpdate", {"phone_number", "email"},
                 "userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdate."
                 "member");
    if (!list) return list.error();
    doc["UserAttributeUpdateSettings"] =
        Json{{"AttributesRequireVerificationBeforeUpdate", *list ? Json(**list) : Json::array()}};
  } else if (create || !doc.contains("UserAttributeUpdateSettings")) {
    doc["UserAttributeUpdateSettings"] =
        Json{{"AttributesRequireVerificationBeforeUpdate", Json::array()}};
  }
  const Json& auto_verified =
      doc.contains("AutoVerifiedAttributes") ? doc["AutoVerifiedAttributes"] : Json::array();
  for (const auto& a :
       doc["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"]) {
    if (std::find(auto_verified.begin(), auto_verified.end(), a) == auto_verified.end()) {
      return ApiError::InvalidParameter(
          "All attributes in AttributesRequireVerificationBeforeUpdate must exist in "
          "AutoVerifiedAttributes");
    }
  }
  return {};
}

Result<void> SimpleEnumMember(const Json& in, Json& doc, const char* key,
                              std::initializer_list<std::string_view> allowed,
                              std::string_view path, const char* create_default, bool create) {
  auto v = OptString(in, key);
  if (!v) return v.error();
  if (*v) {
    auto e = CheckEnum(**v, allowed, path);
    if (!e) return e.error();
    doc[key] = **v;
  } else if (create) {
    doc[key] = create_default;
  }
  return {};
}

// Everything UpdateUserPool controls (and CreateUserPool sets the same way).
Result<void> ApplyConfiguration(const Json& in, Json& doc, bool create) {
  auto name = NameMember(in, "PoolName", "poolName", doc, "Name", create);
  if (!name) return name;
  auto policies = Policies(in);
  if (!policies) return policies.error();
  auto admin = AdminCreateUserConfig(in, *policies, TemporaryDaysGiven(in));
  if (!admin) return admin.error();
  ApplyLegacyValidity(in, *policies, *admin);
  doc["Policies"] = std::move(*policies);
  doc["AdminCreateUserConfig"] = std::move(*admin);

  auto lambda = OptObject(in, "LambdaConfig");
  if (!lambda) return lambda.error();

  for (auto step : {AutoVerified, VerificationMessages, MfaAndSms, EmailConfiguration, AddOns,
                    AccountRecovery}) {
    auto r = step(in, doc);
    if (!r) return r;
  }
  auto device = CopyStruct(in, doc, "DeviceConfiguration");
  if (!device) return device;
  auto settings = AttributeUpdateSettings(in, doc, create);
  if (!settings) return settings;
  auto dp = SimpleEnumMember(in, doc, "DeletionProtection", {"ACTIVE", "INACTIVE"},
                             "deletionProtection", "INACTIVE", create);
  if (!dp) return dp;
  auto tier = SimpleEnumMember(in, doc, "UserPoolTier", {"LITE", "ESSENTIALS", "PLUS"},
                               "userPoolTier", "ESSENTIALS", create);
  if (!tier) return tier;
  // Passwordless first factors are an Essentials / Plus feature.
  if (doc.value("UserPoolTier", "ESSENTIALS") == "LITE") {
    for (const auto& f : doc["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"]) {
      if (f != "PASSWORD") {
        return ApiError(ErrorCode::kFeatureUnavailableInTier,
                        "AllowedFirstAuthFactors other than PASSWORD require the Essentials or "
                        "Plus feature plan.");
      }
    }
  }

  // Checked once the tier is known (pre-token V2_0 / V3_0 need Essentials or Plus).
  if (*lambda == nullptr) {
    doc["LambdaConfig"] = Json::object();
  } else {
    auto checked =
        triggers::ValidateLambdaConfig(**lambda, doc.value("UserPoolTier", "ESSENTIALS"));
    if (!checked) return checked.error();
    doc["LambdaConfig"] = std::move(*checked);
  }

  auto tags = OptObject(in, "UserPoolTags");
  if (!tags) return tags.error();
  if (*tags != nullptr) {
    auto ok = ValidateTags(**tags);
    if (!ok) return ok;
    doc["UserPoolTags"] = **tags;
  } else if (create) {
    doc["UserPoolTags"] = Json::object();
  }
  return {};
}

// Members only CreateUserPool sets.
Result<void> ApplyCreateOnly(const Json& in, Json& doc) {
  auto schema = OptArray(in, "Schema");
  if (!schema) return schema.error();
  auto attrs = BuildSchemaAttributes(*schema);
  if (!attrs) return attrs.error();
  doc["SchemaAttributes"] = std::move(*attrs);

  auto alias = EnumList(in, "AliasAttributes", {"phone_number", "email", "preferred_username"},
                        "aliasAttributes.member");
  if (!alias) return alias.error();
  auto username =
      EnumList(in, "UsernameAttributes", {"phone_number", "email"}, "usernameAttributes.member");
  if (!username) return username.error();
  if (*alias && !(*alias)->empty() && *username && !(*username)->empty()) {
    return ApiError::InvalidParameter(
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.");
  }
  if (*alias && !(*alias)->empty()) doc["AliasAttributes"] = **alias;
  if (*username && !(*username)->empty()) doc["UsernameAttributes"] = **username;

  auto ucfg = OptObject(in, "UsernameConfiguration");
  if (!ucfg) return ucfg.error();
  bool case_sensitive = true;
  if (*ucfg != nullptr) {
    auto cs = OptBool(**ucfg, "CaseSensitive");
    if (!cs) return cs.error();
    if (!*cs) return NotNull("usernameConfiguration.caseSensitive");
    case_sensitive = **cs;
  }
  doc["UsernameConfiguration"] = Json{{"CaseSensitive", case_sensitive}};
  return {};
}

}  // namespace

Result<void> ValidateTags(const Json& tags) {
  if (!tags.is_object()) return WrongType("Tags", "map");
  if (tags.size() > kMaxTags) {
    return ApiError::InvalidParameter("A user pool can have at most 50 tags.");
  }
  for (auto& [k, v] : tags.items()) {
    if (k.empty() || k.size() > 128) {
      return ValidationError("'" + k + "'", "tags.key",
                             "Member must have length between 1 and 128");
    }
    if (k.rfind("aws:", 0) == 0) {
      return ApiError::InvalidParameter("Tag keys starting with 'aws:' are reserved for AWS use.");
    }
    if (!v.is_string()) return WrongType("Tags", "map of strings");
    if (v.get_ref<const std::string&>().size() > 256) {
      return ValidationError("'" + v.get<std::string>() + "'", "tags.value",
                             "Member must have length less than or equal to 256");
    }
  }
  return {};
}

Result<Json> PoolService::CreateUserPool(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  const std::int64_t now = ctx_.clock.NowMillis();
  Json doc = Json::object();
  auto created = ApplyCreateOnly(input, doc);
  if (!created) return created.error();
  auto configured = ApplyConfiguration(input, doc, /*create=*/true);
  if (!configured) return configured.error();

  for (int attempt = 0; attempt < 3; ++attempt) {
    store::PoolRow row;
    row.id = NewPoolId(ctx_.config.region);
    doc["Id"] = row.id;
    doc["Arn"] = PoolArn(ctx_.config, row.id);
    doc["CreationDate"] = EpochSeconds(now);
    doc["LastModifiedDate"] = EpochSeconds(now);
    row.name = doc["Name"].get<std::string>();
    row.doc = doc.dump();
    row.created_ms = now;
    row.modified_ms = now;
    auto stored = ctx_.store.CreatePool(row);
    if (stored) {
      doc["EstimatedNumberOfUsers"] = 0;
      return doc;
    }
    if (!stored.error().IsConflict()) return StoreFailure(stored.error());
    // An id collision (1 in 62^9): draw another.
  }
  return ApiError::Internal("could not allocate a pool id");
}

Result<Json> PoolService::DescribeUserPool(const std::string& pool_id) {
  auto row = LoadPool(ctx_, pool_id);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  auto count = ctx_.store.CountUsers(pool_id);
  if (!count) return StoreFailure(count.error());
  (*doc)["EstimatedNumberOfUsers"] = *count;
  // Members outside the model (leading '_') stay inside.
  for (auto it = doc->begin(); it != doc->end();) {
    it = (!it.key().empty() && it.key()[0] == '_') ? doc->erase(it) : std::next(it);
  }
  return std::move(*doc);
}

Result<void> PoolService::Modify(const std::string& pool_id,
                                 const std::function<Result<void>(Json&)>& mutate) {
  for (int attempt = 0;; ++attempt) {
    auto row = LoadPool(ctx_, pool_id);
    if (!row) return row.error();
    auto doc = ParseDoc(row->doc);
    if (!doc) return doc.error();
    auto changed = mutate(*doc);
    if (!changed) return changed;
    const std::int64_t now = std::max(ctx_.clock.NowMillis(), row->modified_ms);
    (*doc)["LastModifiedDate"] = EpochSeconds(now);
    store::PoolRow next = *row;
    next.name = doc->value("Name", row->name);
    next.doc = doc->dump();
    next.modified_ms = now;
    auto stored = ctx_.store.UpdatePool(next, row->version);
    if (stored) return {};
    if (stored.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
    }
    if (!stored.error().IsConflict() || attempt >= 1) return StoreFailure(stored.error());
  }
}

Result<void> PoolService::UpdateUserPool(const Json& input) {
  if (!input.is_object()) return WrongType("input", "structure");
  auto id = OptString(input, "UserPoolId");
  if (!id) return id.error();
  if (!*id) return NotNull("userPoolId");
  return Modify(**id, [&input](Json& doc) { return ApplyConfiguration(input, doc, false); });
}

Result<void> PoolService::DeleteUserPool(const std::string& pool_id) {
  auto row = LoadPool(ctx_, pool_id);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  if (doc->value("DeletionProtection", "INACTIVE") == "ACTIVE") {
    return ApiError::InvalidParameter(
        "The user pool cannot be deleted because deletion protection is activated. Deletion "
        "protection must be inactivated first.");
  }
  if (PoolHasDomain(*doc)) {
    return ApiError::InvalidParameter(
        "User pool cannot be deleted. It has a domain configured that should be deleted first.");
  }
  auto deleted = ctx_.store.DeletePool(pool_id);
  if (deleted) return {};
  if (deleted.error().IsNotFound()) {
    return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
  }
  return StoreFailure(deleted.error());
}

Result<const PaginationCodec*> PoolService::Codec() {
  std::lock_guard lock(codec_mu_);
  if (!codec_) {
    auto codec = PaginationCodec::FromStore(ctx_.store);
    if (!codec) return codec.error();
    codec_.emplace(std::move(*codec));
  }
  return &*codec_;
}

Result<Json> PoolService::ListUserPools(const Json& input) {
  auto max = OptInt(input, "MaxResults");
  if (!max) return max.error();
  if (!*max) return NotNull("maxResults");
  auto range = CheckRange(**max, 1, kMaxPoolListResults, "maxResults");
  if (!range) return range.error();
  auto token = OptString(input, "NextToken");
  if (!token) return token.error();
  std::string cursor;
  if (*token) {
    auto codec = Codec();
    if (!codec) return codec.error();
    auto decoded = (*codec)->Decode("ListUserPools", **token);
    if (!decoded) return decoded.error();
    cursor = std::move(*decoded);
  }
  auto page = ctx_.store.ListPools(cursor, static_cast<int>(**max));
  if (!page) return StoreFailure(page.error());
  Json pools = Json::array();
  for (const auto& row : page->items) {
    auto doc = ParseDoc(row.doc);
    if (!doc) return doc.error();
    Json d{{"Id", row.id}, {"Name", row.name}};
    for (const char* k : {"LambdaConfig", "LastModifiedDate", "CreationDate"}) {
      if (doc->contains(k)) d[k] = (*doc)[k];
    }
    pools.push_back(std::move(d));
  }
  Json out{{"UserPools", std::move(pools)}};
  if (!page->next_cursor.empty()) {
    auto codec = Codec();
    if (!codec) return codec.error();
    out["NextToken"] = (*codec)->Encode("ListUserPools", page->next_cursor);
  }
  return out;
}

Result<void> PoolService::AddCustomAttributes(const std::string& pool_id,
                                              const Json& custom_attributes) {
  return Modify(pool_id, [&custom_attributes](Json& doc) -> Result<void> {
    if (!doc.contains("SchemaAttributes") || !doc["SchemaAttributes"].is_array()) {
      doc["SchemaAttributes"] = StandardSchema();
    }
    return AppendCustomAttributes(doc["SchemaAttributes"], custom_attributes);
  });
}

Result<std::string> PoolService::PoolIdFromArn(const std::string& arn) {
  // arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    auto colon = arn.find(':', start);
    if (colon == std::string::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts.size() != 5 || parts[0] != "arn" || parts[2] != "cognito-idp") {
    return ApiError::InvalidParameter("Invalid ARN: " + arn);
  }
  std::string resource = arn.substr(start);
  constexpr std::string_view kPrefix = "userpool/";
  if (resource.rfind(kPrefix, 0) != 0 || resource.size() == kPrefix.size()) {
    return ApiError::InvalidParameter("Invalid ARN: " + arn);
  }
  std::string pool_id = resource.substr(kPrefix.size());
  if (parts[3] != ctx_.config.region || parts[4] != ctx_.config.account_id) {
    return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
  }
  return pool_id;
}

Result<void> PoolService::TagResource(const std::string& arn, const Json& tags) {
  auto id = PoolIdFromArn(arn);
  if (!id) return id.error();
  auto ok = ValidateTags(tags);
  if (!ok) return ok;
  return Modify(*id, [&tags](Json& doc) -> Result<void> {
    Json merged = doc.contains("UserPoolTags") && doc["UserPoolTags"].is_object()
                      ? doc["UserPoolTags"]
                      : Json::object();
    for (auto& [k, v] : tags.items()) merged[k] = v;
    auto r = ValidateTags(merged);
    if (!r) return r;
    doc["UserPoolTags"] = std::move(merged);
    return {};
  });
}

Result<void> PoolService::UntagResource(const std::string& arn, const Json& tag_keys) {
  auto id = PoolIdFromArn(arn);
  if (!id) return id.error();
  if (!tag_keys.is_array()) return WrongType("TagKeys", "list");
  for (const auto& k : tag_keys) {
    if (!k.is_string()) return WrongType("TagKeys", "list of strings");
  }
  return Modify(*id, [&tag_keys](Json& doc) -> Result<void> {
    if (!doc.contains("UserPoolTags") || !doc["UserPoolTags"].is_object()) {
      doc["UserPoolTags"] = Json::object();
    }
    for (const auto& k : tag_keys) doc["UserPoolTags"].erase(k.get<std::string>());
    return {};
  });
}

Result<Json> PoolService::ListTagsForResource(const std::string& arn) {
  auto id = PoolIdFromArn(arn);
  if (!id) return id.error();
  auto row = LoadPool(ctx_, *id);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  Json tags = doc->contains("UserPoolTags") && (*doc)["UserPoolTags"].is_object()
                  ? (*doc)["UserPoolTags"]
                  : Json::object();
  return Json{{"Tags", std::move(tags)}};
}

}  // namespace cognate::domain::userpool
