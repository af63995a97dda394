#include "domain/mfa/mfa_config.h"

#include <algorithm>

#include "common/derived_cache.h"
#include "domain/userpool/json_fields.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::mfa {
namespace {

using Json = nlohmann::json;
using userpool::OptBool;
using userpool::OptObject;
using userpool::OptString;

constexpr const char* kSmsEnabledMember = "_SmsMfaEnabled";
constexpr const char* kPoolSoftwareTokenMember = "_SoftwareTokenMfaConfiguration";
constexpr const char* kEmailMember = "_EmailMfaConfiguration";
constexpr const char* kWebAuthnMember = "_WebAuthnConfiguration";

std::string StringMember(const Json& doc, const char* key, const char* fallback) {
  const auto it = doc.find(key);
  if (it != doc.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
    return it->get<std::string>();
  }
  return fallback;
}

}  // namespace

PoolMfa ReadPoolMfa(const Json& doc) {
  PoolMfa out;
  if (!doc.is_object()) return out;
  out.mode = StringMember(doc, "MfaConfiguration", "OFF");
  out.sms_message = StringMember(doc, "SmsAuthenticationMessage", kDefaultMfaMessage);
  out.email_message = kDefaultMfaMessage;
  out.email_subject = kDefaultEmailMfaSubject;
  if (out.mode != "ON" && out.mode != "OPTIONAL") {
    out.mode = "OFF";
    return out;
  }
  const bool has_sms_config =
      doc.contains("SmsConfiguration") && doc["SmsConfiguration"].is_object();
  if (const auto it = doc.find(kSmsEnabledMember); it != doc.end() && it->is_boolean()) {
    out.sms = it->get<bool>() && has_sms_config;
  } else {
    out.sms = has_sms_config;
  }
  if (const auto it = doc.find(kPoolSoftwareTokenMember); it != doc.end() && it->is_object()) {
    out.software_token = it->value("Enabled", false);
  }
  if (const auto it = doc.find(kEmailMember); it != doc.end() && it->is_object()) {
    out.email = true;
    out.email_message = StringMember(*it, "Message", kDefaultMfaMessage);
    out.email_subject = StringMember(*it, "Subject", kDefaultEmailMfaSubject);
  }
  return out;
}

Json MfaConfigJson(const Json& doc) {
  const PoolMfa mfa = ReadPoolMfa(doc);
  Json out = {{"MfaConfiguration", mfa.mode}};
  if (mfa.sms) {
    Json sms = {{"SmsConfiguration", doc["SmsConfiguration"]}};
    if (doc.contains("SmsAuthenticationMessage")) {
      sms["SmsAuthenticationMessage"] = doc["SmsAuthenticationMessage"];
    }
    out["SmsMfaConfiguration"] = std::move(sms);
  }
  if (mfa.software_token) out["SoftwareTokenMfaConfiguration"] = {{"Enabled", true}};
  if (mfa.email) out["EmailMfaConfiguration"] = doc[kEmailMember];
  if (const auto it = doc.find(kWebAuthnMember); it != doc.end() && it->is_object()) {
    out["WebAuthnConfiguration"] = *it;
  }
  return out;
}

Result<void> ApplyMfaConfig(const Json& in, Json& doc) {
  auto mode_in = OptString(in, "MfaConfiguration");
  if (!mode_in) return mode_in.error();
  const std::string mode = mode_in->value_or(StringMember(doc, "MfaConfiguration", "OFF"));
  if (mode != "OFF" && mode != "ON" && mode != "OPTIONAL") {
    return userpool::ValidationError("'" + mode + "'", "mfaConfiguration",
                                     "Member must satisfy enum value set: [OFF, ON, OPTIONAL]");
  }
  auto sms = OptObject(in, "SmsMfaConfiguration");
  if (!sms) return sms.error();
  auto totp = OptObject(in, "SoftwareTokenMfaConfiguration");
  if (!totp) return totp.error();
  auto email = OptObject(in, "EmailMfaConfiguration");
  if (!email) return email.error();
  auto webauthn = OptObject(in, "WebAuthnConfiguration");
  if (!webauthn) return webauthn.error();

  if (mode == "OFF" && (*sms != nullptr || *totp != nullptr || *email != nullptr)) {
    return ApiError::InvalidParameter(
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.");
  }

  // SMS: the block names the message and (optionally) the SNS configuration.
  bool sms_on = false;
  Json sms_config = doc.contains("SmsConfiguration") ? doc["SmsConfiguration"] : Json();
  std::optional<std::string> sms_message;
  if (*sms != nullptr) {
    sms_on = true;
    auto cfg = OptObject(**sms, "SmsConfiguration");
    if (!cfg) return cfg.error();
    if (*cfg != nullptr) {
      auto arn = OptString(**cfg, "SnsCallerArn");
      if (!arn) return arn.error();
      if (!*arn) return userpool::NotNull("smsMfaConfiguration.smsConfiguration.snsCallerArn");
      sms_config = **cfg;
    }
    if (!sms_config.is_object()) {
      return ApiError::InvalidParameter(
          "SMS configuration and Auto verification for phone_number are required when MFA is "
          "required/optional");
    }
    auto msg = OptString(**sms, "SmsAuthenticationMessage");
    if (!msg) return msg.error();
    if (*msg && (*msg)->find("{####}") == std::string::npos) {
      return userpool::ValidationError(
          "'" + **msg + "'", "smsMfaConfiguration.smsAuthenticationMessage",
          "Member must satisfy regular expression pattern: .*\\{####\\}.*");
    }
    sms_message = *msg;
  }

  bool totp_on = false;
  if (*totp != nullptr) {
    auto enabled = OptBool(**totp, "Enabled");
    if (!enabled) return enabled.error();
    totp_on = enabled->value_or(false);
  }

  Json email_config;
  if (*email != nullptr) {
    email_config = Json::object();
    for (const char* k : {"Message", "Subject"}) {
      auto v = OptString(**email, k);
      if (!v) return v.error();
      if (*v) email_config[k] = **v;
    }
    if (email_config.contains("Message") &&
        email_config["Message"].get_ref<const std::string&>().find("{####}") == std::string::npos) {
      return userpool::ValidationError(
          "'" + email_config["Message"].get<std::string>() + "'", "emailMfaConfiguration.message",
          "Member must satisfy regular expression pattern: .*\\{####\\}.*");
    }
    if (doc.value("UserPoolTier", "ESSENTIALS") == "LITE") {
      return ApiError(ErrorCode::kFeatureUnavailableInTier,
                      "Email MFA requires the Essentials or Plus feature plan.");
    }
    const Json ec = doc.contains("EmailConfiguration") && doc["EmailConfiguration"].is_object()
                        ? doc["EmailConfiguration"]
                        : Json::object();
    if (ec.value("EmailSendingAccount", "COGNITO_DEFAULT") != "DEVELOPER") {
      return ApiError::InvalidParameter(
          "Email MFA requires an email configuration with EmailSendingAccount DEVELOPER and a "
          "verified SourceArn.");
    }
  }

  if (mode != "OFF" && !sms_on && !totp_on && email_config.is_null()) {
    return ApiError::InvalidParameter(
        "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be "
        "enabled.");
  }

  doc["MfaConfiguration"] = mode;
  doc[kSmsEnabledMember] = sms_on;
  if (sms_on) {
    doc["SmsConfiguration"] = sms_config;
    if (sms_message) doc["SmsAuthenticationMessage"] = *sms_message;
  }
  doc[kPoolSoftwareTokenMember] = Json{{"Enabled", totp_on}};
  if (email_config.is_null()) {
    doc.erase(kEmailMember);
  } else {
    doc[kEmailMember] = std::move(email_config);
  }
  if (*webauthn != nullptr) doc[kWebAuthnMember] = **webauthn;
  return {};
}

Result<PoolMfa> LoadPoolMfa(ServiceContext& ctx, const std::string& pool_id) {
  // Every sign-in asks; the pool document is parsed again only when the row changed.
  static DerivedCache<PoolMfa> cache;
  auto row = userpool::LoadPool(ctx, pool_id);
  if (!row) return row.error();
  if (auto hit = cache.Find(row->id, row->doc)) return *hit;
  auto doc = userpool::ParseDoc(row->doc);
  if (!doc) return doc.error();
  return *cache.Put(row->id, row->doc, ReadPoolMfa(*doc));
}

Result<Json> MfaConfigService::Get(const std::string& pool_id) {
  auto row = userpool::LoadPool(ctx_, pool_id);
  if (!row) return row.error();
  auto doc = userpool::ParseDoc(row->doc);
  if (!doc) return doc.error();
  return MfaConfigJson(*doc);
}

Result<Json> MfaConfigService::Set(const Json& input) {
  if (!input.is_object()) return userpool::WrongType("input", "structure");
  auto id = OptString(input, "UserPoolId");
  if (!id) return id.error();
  if (!*id) return userpool::NotNull("userPoolId");
  for (int attempt = 0;; ++attempt) {
    auto row = userpool::LoadPool(ctx_, **id);
    if (!row) return row.error();
    auto doc = userpool::ParseDoc(row->doc);
    if (!doc) return doc.error();
    if (auto ok = ApplyMfaConfig(input, *doc); !ok) return ok.error();
    const std::int64_t now = std::max(ctx_.clock.NowMillis(), row->modified_ms);
    (*doc)["LastModifiedDate"] = userpool::EpochSeconds(now);
    store::PoolRow next = *row;
    next.doc = doc->dump();
    next.modified_ms = now;
    auto stored = ctx_.store.UpdatePool(next, row->version);
    if (stored) return MfaConfigJson(*doc);
    if (stored.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + **id + " does not exist.");
    }
    if (!stored.error().IsConflict() || attempt >= 1) {
      return userpool::StoreFailure(stored.error());
    }
  }
}

}  // namespace cognate::domain::mfa
