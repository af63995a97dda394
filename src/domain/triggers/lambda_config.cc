// LambdaConfig as CreateUserPool / UpdateUserPool accept it (see hooks.h, ValidateLambdaConfig).

#include <array>
#include <cctype>

#include "domain/triggers/hooks.h"

namespace cognate::domain::triggers {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 10> kFunctionMembers = {
    "PreSignUp",           "CustomMessage",
    "PostConfirmation",    "PreAuthentication",
    "PostAuthentication",  "DefineAuthChallenge",
    "CreateAuthChallenge", "VerifyAuthChallengeResponse",
    "PreTokenGeneration",  "UserMigration"};
constexpr std::array<std::string_view, 4> kVersionedMembers = {
    "PreTokenGenerationConfig", "CustomSMSSender", "CustomEmailSender", "InboundFederation"};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "arn:<partition>:<service>:<region>:<account>:<resource...>" split on its first five colons.
struct ArnParts {
  std::string_view partition, service, region, account, resource;
};

std::optional<ArnParts> SplitArn(std::string_view arn) {
  std::array<std::string_view, 5> head;
  std::size_t start = 0;
  for (auto& part : head) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    part = arn.substr(start, colon - start);
    start = colon + 1;
  }
  if (head[0] != "arn") return std::nullopt;
  return ArnParts{head[1], head[2], head[3], head[4], arn.substr(start)};
}

// arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>]
bool IsLambdaArn(std::string_view value) {
  auto arn = SplitArn(value);
  if (!arn || arn->service != "lambda" || arn->region.empty() || arn->account.empty()) {
    return false;
  }
  if (!StartsWith(arn->resource, "function:")) return false;
  const std::string_view name = arn->resource.substr(9);
  if (name.empty() || name.front() == ':' || name.back() == ':') return false;
  return name.find(':') == name.rfind(':');  // at most one qualifier
}

// arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>
bool IsKmsArn(std::string_view value) {
  auto arn = SplitArn(value);
  if (!arn || arn->service != "kms" || arn->region.empty() || arn->account.empty()) return false;
  return (StartsWith(arn->resource, "key/") && arn->resource.size() > 4) ||
         (StartsWith(arn->resource, "alias/") && arn->resource.size() > 6);
}

ApiError NotAFunction(std::string_view member, std::string_view value) {
  return ApiError::InvalidParameter(std::string(member) + " is not a valid Lambda function ARN or" +
                                    " URL: " + std::string(value));
}

Result<void> CheckFunction(std::string_view member, const Json& value) {
  if (!value.is_string()) {
    return ApiError::InvalidParameter(std::string(member) + " must be a string.");
  }
  const auto& s = value.get_ref<const std::string&>();
  if (IsTriggerUrl(s) || IsLambdaArn(s)) return {};
  return NotAFunction(member, s);
}

}  // namespace

bool IsTriggerUrl(std::string_view value) {
  std::string_view rest;
  if (StartsWith(value, "http://")) {
    rest = value.substr(7);
  } else if (StartsWith(value, "https://")) {
    rest = value.substr(8);
  } else {
    return false;
  }
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') return false;
  for (unsigned char c : value) {
    if (std::isspace(c) || std::iscntrl(c)) return false;
  }
  return value.size() <= 2048;
}

Result<Json> ValidateLambdaConfig(const Json& lambda_config, std::string_view tier) {
  if (!lambda_config.is_object()) {
    return ApiError::InvalidParameter("LambdaConfig must be a structure.");
  }
  Json out = Json::object();
  for (auto member : kFunctionMembers) {
    auto it = lambda_config.find(member);
    if (it == lambda_config.end() || it->is_null()) continue;
    if (auto ok = CheckFunction(member, *it); !ok) return ok.error();
    out[std::string(member)] = *it;
  }
  for (auto member : kVersionedMembers) {
    auto it = lambda_config.find(member);
    if (it == lambda_config.end() || it->is_null()) continue;
    if (!it->is_object()) {
      return ApiError::InvalidParameter(std::string(member) + " must be a structure.");
    }
    const std::string path = std::string(member) + ".LambdaArn";
    auto arn = it->find("LambdaArn");
    if (arn == it->end() || arn->is_null()) {
      return ApiError::InvalidParameter(path + " must not be null.");
    }
    if (auto ok = CheckFunction(path, *arn); !ok) return ok.error();
    auto version = it->find("LambdaVersion");
    if (version == it->end() || !version->is_string()) {
      return ApiError::InvalidParameter(std::string(member) + ".LambdaVersion must not be null.");
    }
    const std::string v = version->get<std::string>();
    const bool pre_token = member == "PreTokenGenerationConfig";
    if (v != "V1_0" && !(pre_token && (v == "V2_0" || v == "V3_0"))) {
      return ApiError::InvalidParameter("Invalid LambdaVersion " + v + " for " +
                                        std::string(member) + ".");
    }
    if (pre_token && v != "V1_0" && tier == "LITE") {
      return ApiError(ErrorCode::kFeatureUnavailableInTier,
                      "Pre token generation trigger versions V2_0 and V3_0 require the "
                      "Essentials or Plus feature plan.");
    }
    out[std::string(member)] = Json{{"LambdaVersion", v}, {"LambdaArn", *arn}};
  }
  if (out.contains("PreTokenGeneration") && out.contains("PreTokenGenerationConfig") &&
      out["PreTokenGeneration"] != out["PreTokenGenerationConfig"]["LambdaArn"]) {
    return ApiError::InvalidParameter(
        "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function.");
  }
  if (auto kms = lambda_config.find("KMSKeyID"); kms != lambda_config.end() && !kms->is_null()) {
    if (!kms->is_string() || !IsKmsArn(kms->get<std::string>())) {
      return ApiError::InvalidParameter("KMSKeyID is not a valid KMS key ARN: " +
                                        (kms->is_string() ? kms->get<std::string>() : kms->dump()));
    }
    out["KMSKeyID"] = *kms;
  }
  if ((out.contains("CustomSMSSender") || out.contains("CustomEmailSender")) &&
      !out.contains("KMSKeyID")) {
    return ApiError::InvalidParameter(
        "KMSKeyID must be provided when CustomSMSSender or CustomEmailSender is configured.");
  }
  return out;
}

}  // namespace cognate::domain::triggers
