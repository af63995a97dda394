#include "api/oauth2/oauth_handler.h"

#include <string>
#include <string_view>

#include "api/web.h"
#include "domain/userpool/domains.h"

namespace cognate::api::oauth2 {
namespace {

namespace oauth = domain::oauth;

// Form bodies larger than this are refused before parsing.
constexpr std::size_t kMaxBody = 64 * 1024;

ApiResponse Failure(const oauth::OAuthFailure& f, bool basic = false) {
  ApiResponse r = web::OAuthError(f.status, f.error, f.description);
  if (f.status == 401) {
    r.headers.emplace_back("WWW-Authenticate", basic || f.error != "invalid_token"
                                                   ? "Basic realm=\"cognito\""
                                                   : "Bearer error=\"invalid_token\"");
  }
  r.operation = "oauth2";
  return r;
}

ApiResponse MethodNotAllowed(std::string_view allow) {
  ApiResponse r = web::OAuthError(405, "invalid_request", "Method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// The error page of an authorize request that cannot be sent back to the client.
ApiResponse ErrorPage(const oauth::AuthorizeFailure& f) {
  std::string body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title></head>"
      "<body><main><h1>An error was encountered with the requested page.</h1><p role=\"alert\">" +
      web::HtmlEscape(f.error) + (f.description.empty() ? "" : ": ") +
      web::HtmlEscape(f.description) + "</p></main></body></html>";
  ApiResponse r = web::Html(400, std::move(body));
  r.error_type = f.error;
  return r;
}

ApiResponse RedirectFailure(const oauth::AuthorizeFailure& f) {
  if (!f.redirect) return ErrorPage(f);
  std::vector<std::pair<std::string, std::string>> fields;
  if (!f.description.empty()) fields.emplace_back("error_description", f.description);
  fields.emplace_back("error", f.error);
  if (!f.state.empty()) fields.emplace_back("state", f.state);
  ApiResponse r = web::Redirect(web::AppendQuery(f.redirect_uri, fields));
  r.error_type = f.error;
  return r;
}

bool IsFormContentType(std::string_view content_type) {
  std::string lower(content_type.substr(0, content_type.find(';')));
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/x-www-form-urlencoded";
}

// The request's form body (POST) as parameters; nullopt when it is not a valid form or repeats
// a parameter.
std::optional<oauth::Params> BodyParams(const ApiRequest& request) {
  if (request.body.size() > kMaxBody || !IsFormContentType(request.Header("Content-Type"))) {
    return std::nullopt;
  }
  auto form = web::ParseForm(request.body);
  if (!form || !form->repeated.empty()) return std::nullopt;
  return oauth::Params(form->values.begin(), form->values.end());
}

std::string BearerToken(const ApiRequest& request) {
  std::string_view h = request.Header("Authorization");
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.size() < 7) return {};
  std::string scheme(h.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  h.remove_prefix(7);
  while (!h.empty() && (h.front() == ' ' || h.back() == ' ')) {
    if (h.front() == ' ') h.remove_prefix(1);
    if (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  }
  return std::string(h);
}

}  // namespace

ApiResponse OAuthHandler::Handle(const ApiRequest& request) {
  const std::string_view path = web::PathOf(request.target);
  const std::string host_pool =
      domain::userpool::PoolIdForHost(ctx_, web::RequestHost(request)).value_or("");
  const bool get = request.method == "GET" || request.method == "HEAD";

  if (path == "/oauth2/authorize") {
    if (!get) return MethodNotAllowed("GET");
    auto form = web::ParseForm(web::QueryOf(request.target));
    if (!form || !form->repeated.empty()) {
      return ErrorPage({false, "", "", "invalid_request", "Malformed or repeated parameters"});
    }
    oauth::Params params(form->values.begin(), form->values.end());
    auto parsed = oauth_.ParseAuthorize(params, host_pool);
    if (auto* f = std::get_if<oauth::AuthorizeFailure>(&parsed)) return RedirectFailure(*f);
    const auto& req = std::get<oauth::AuthorizeRequest>(parsed);
    const bool force_login = req.prompt.find("login") != std::string::npos;
    const bool no_prompt = req.prompt.find("none") != std::string::npos;
    std::optional<domain::oauth::HostedUser> user;
    if (!force_login) {
      auto cookies = web::Cookies(request);
      if (auto it = cookies.find(oauth::kHostedSessionCookie); it != cookies.end()) {
        user = oauth_.sessions().Find(req.pool_id, it->second);
      }
    }
    if (user) {
      auto location = oauth_.CompleteAuthorize(req, *user);
      if (location) return web::Redirect(std::move(*location));
      // The person behind the session is gone or disabled: sign in again.
      user.reset();
    }
    if (no_prompt) {
      return RedirectFailure(
          {true, req.redirect_uri, req.state, "login_required", "The user is not signed in"});
    }
    return web::Redirect(web::AppendQuery("/login", req.ToParams()));
  }

  if (path == "/oauth2/token") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    auto params = BodyParams(request);
    if (!params) return Failure({400, "invalid_request", "Malformed request body"});
    const auto basic = web::BasicCredentials(request);
    auto result = oauth_.Token(*params, basic, host_pool);
    if (auto* f = std::get_if<oauth::OAuthFailure>(&result)) return Failure(*f, basic.has_value());
    ApiResponse r = web::Json(200, std::get<nlohmann::json>(result));
    r.operation = "oauth2/token";
    return r;
  }

  if (path == "/oauth2/userInfo" || path == "/oauth2/userinfo") {
    if (request.method != "GET" && request.method != "POST") return MethodNotAllowed("GET, POST");
    auto result = oauth_.UserInfo(BearerToken(request));
    if (auto* f = std::get_if<oauth::OAuthFailure>(&result)) {
      ApiResponse r = web::OAuthError(f->status, f->error, f->description);
      std::string challenge = "Bearer error=\"" + f->error + "\"";
      r.headers.emplace_back("WWW-Authenticate", challenge);
      return r;
    }
    return web::Json(200, std::get<nlohmann::json>(result));
  }

  if (path == "/oauth2/revoke") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    auto params = BodyParams(request);
    if (!params) return Failure({400, "invalid_request", "Malformed request body"});
    const auto basic = web::BasicCredentials(request);
    if (auto f = oauth_.Revoke(*params, basic, host_pool)) return Failure(*f, basic.has_value());
    ApiResponse r;
    r.status = 200;
    r.headers.emplace_back("Cache-Control", "no-store");
    r.operation = "oauth2/revoke";
    return r;
  }

  if (path == "/logout") {
    if (!get) return MethodNotAllowed("GET");
    auto form = web::ParseForm(web::QueryOf(request.target));
    if (!form || !form->repeated.empty()) {
      return ErrorPage({false, "", "", "invalid_request", "Malformed or repeated parameters"});
    }
    oauth::Params params(form->values.begin(), form->values.end());
    auto outcome = oauth_.Logout(params, host_pool);
    if (auto* f = std::get_if<oauth::AuthorizeFailure>(&outcome)) return ErrorPage(*f);
    const auto& out = std::get<oauth::LogoutOutcome>(outcome);
    ApiResponse r = web::Redirect(out.location);
    auto cookies = web::Cookies(request);
    if (auto it = cookies.find(oauth::kHostedSessionCookie); it != cookies.end()) {
      oauth_.sessions().End(it->second);
    }
    web::CookieOptions clear;
    clear.max_age_s = 0;
    clear.secure = web::IsSecure(ctx_.config.public_url);
    r.headers.emplace_back("Set-Cookie", web::SetCookie(oauth::kHostedSessionCookie, "", clear));
    return r;
  }

  ApiResponse r = web::OAuthError(404, "not_found", "No such endpoint");
  return r;
}

void RegisterRoutes(Router& router, OAuthHandler& handler) {
  router.AddPrefix("/oauth2/", handler);
  router.AddPrefix("/logout", handler);
}

}  // namespace cognate::api::oauth2
