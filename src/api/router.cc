#include "api/router.h"

#include <algorithm>

#include "api/wire.h"
#include "crypto/crypto.h"

namespace cognate::api {

Router::Router(RequestHandler& aws_json) : aws_json_(aws_json) {}

void Router::AddPrefix(std::string prefix, RequestHandler& handler) {
  prefixes_.emplace_back(std::move(prefix), &handler);
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void Router::AddSuffix(std::string suffix, RequestHandler& handler) {
  suffixes_.emplace_back(std::move(suffix), &handler);
}

ApiResponse Router::Handle(const ApiRequest& request) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (path.empty()) path = "/";
  if (path == "/" && (request.method == "POST" || request.HasHeader("X-Amz-Target"))) {
    return aws_json_.Handle(request);
  }
  if (path == "/health" && (request.method == "GET" || request.method == "HEAD")) {
    ApiResponse r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = R"({"status":"ok"})";
    r.operation = "health";
    return r;
  }
  for (const auto& [prefix, handler] : prefixes_) {
    if (path.substr(0, prefix.size()) == prefix) return handler->Handle(request);
  }
  for (const auto& [suffix, handler] : suffixes_) {
    if (path.ends_with(suffix)) return handler->Handle(request);
  }
  std::string id = request.request_id.empty() ? crypto::NewUuid() : request.request_id;
  ApiResponse r = JsonError(ApiError(ErrorCode::kUnknownOperation, ""), id);
  r.status = 404;
  return r;
}

namespace {

// The operation named by X-Amz-Target ("" when there is none).
std::string_view TargetOperation(const ApiRequest& request) {
  std::string_view target = request.Header("X-Amz-Target");
  const auto dot = target.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : target.substr(dot + 1);
}

}  // namespace

bool Router::IsInlineSafe(const ApiRequest& request) const {
  const std::string_view target = request.Header("X-Amz-Target");
  return target == "AWSCognitoIdentityProviderService.GetUser" ||
         target == "AWSCognitoIdentityProviderService.AdminGetUser";
}

bool Router::IsCpuHeavy(const ApiRequest& request) const {
  // Operations that hash a password or run SRP modexps (argon2id ~15 ms, SRP ~1.5 ms).
  static constexpr std::string_view kHeavy[] = {
      "InitiateAuth",
      "AdminInitiateAuth",
      "RespondToAuthChallenge",
      "AdminRespondToAuthChallenge",
      "SignUp",
      "ConfirmForgotPassword",
      "ChangePassword",
      "AdminCreateUser",
      "AdminSetUserPassword",
      "ConfirmDevice",
      "AdminResetUserPassword",
  };
  std::string_view target = request.Header("X-Amz-Target");
  if (target.empty()) {
    std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
    // The hosted pages' posts that hash a password (sign-in, new password, sign-up, reset).
    return path == "/oauth2/token" || path == "/login" ||
           (request.method == "POST" &&
            (path == "/challenge" || path == "/signup" || path == "/confirmForgotPassword"));
  }
  const std::string_view op = TargetOperation(request);
  return std::find(std::begin(kHeavy), std::end(kHeavy), op) != std::end(kHeavy);
}

}  // namespace cognate::api
