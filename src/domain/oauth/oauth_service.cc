// Placeholder bodies for the contract; the oauth work replaces them.
#include "domain/oauth/oauth_service.h"

namespace cognate::domain::oauth {

OAuthService::OAuthService(ServiceContext& ctx, std::shared_ptr<tokens::TokenService> tokens)
    : ctx_(ctx), tokens_(std::move(tokens)), sessions_(ctx) {}

OAuthService::~OAuthService() = default;

std::vector<std::pair<std::string, std::string>> AuthorizeRequest::ToParams() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&out](const char* name, const std::string& value) {
    if (!value.empty()) out.emplace_back(name, value);
  };
  add("client_id", client_id);
  add("response_type", response_type);
  std::string scope;
  for (const auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  add("scope", scope);
  add("redirect_uri", redirect_uri);
  add("state", state);
  add("nonce", nonce);
  add("code_challenge", code_challenge);
  add("code_challenge_method", code_challenge_method);
  add("identity_provider", identity_provider);
  add("idp_identifier", idp_identifier);
  add("prompt", prompt);
  add("login_hint", login_hint);
  add("lang", lang);
  return out;
}

std::variant<AuthorizeRequest, AuthorizeFailure> OAuthService::ParseAuthorize(
    const Params& /*params*/, std::string_view /*host_pool_id*/) {
  AuthorizeFailure f;
  f.error = "invalid_request";
  f.description = "The authorization endpoint is not implemented yet.";
  return f;
}

Result<std::string> OAuthService::CompleteAuthorize(const AuthorizeRequest& /*request*/,
                                                    const HostedUser& /*user*/) {
  return ApiError(ErrorCode::kInternalError, "The authorization endpoint is not implemented yet.");
}

}  // namespace cognate::domain::oauth
