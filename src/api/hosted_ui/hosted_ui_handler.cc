#include "api/hosted_ui/hosted_ui_handler.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api/hosted_ui/pages.h"
#include "api/hosted_ui/web_assets.h"
#include "api/web.h"
#include "common/json_parse.h"
#include "crypto/crypto.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/secret_hash.h"
#include "domain/auth/user_auth.h"
#include "domain/mfa/mfa_service.h"
#include "domain/userpool/branding.h"
#include "domain/userpool/client_facts.h"
#include "domain/userpool/domains.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"
#include "domain/users/self_service.h"

namespace cognate::api::hosted_ui {
namespace {

using domain::oauth::AuthorizeFailure;
using domain::oauth::AuthorizeRequest;
using nlohmann::json;

constexpr std::string_view kCsrfCookie = "XSRF-TOKEN";
constexpr std::string_view kCsrfField = "_csrf";
constexpr std::size_t kCsrfTokenChars = 43;  // 32 bytes, base64url
// Page-only challenge parameters: SELECT_CHALLENGE's AvailableChallenges, and the mark of a
// one-time code that is the first factor (not MFA).
constexpr const char* kAvailableParam = "AVAILABLE_CHALLENGES";
constexpr const char* kSignInCode = "SIGN_IN_CODE";

bool ValidCsrfShape(std::string_view token) {
  if (token.size() != kCsrfTokenChars) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The origin of a redirect URI for the CSP's form-action ("https://app.example:8443",
// "myapp:" for a custom scheme); "" when it has none.
std::string OriginOf(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  const std::string_view scheme = uri.substr(0, colon);
  for (char c : scheme) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '-' || c == '.';
    if (!ok) return {};
  }
  if (uri.substr(colon, 3) != "://") return std::string(scheme) + ":";
  const auto end = uri.find_first_of("/?#", colon + 3);
  std::string origin(uri.substr(0, end));
  for (char c : origin) {
    if (c == ' ' || c == ';' || c == ',' || c == '\'' || c == '"') return {};  // not a source
  }
  return origin;
}

std::string Hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + web::HtmlEscape(name) + "\" value=\"" +
         web::HtmlEscape(value) + "\">";
}

std::string ErrorBox(std::string_view text) {
  return "<div class=\"errorMessage-customizable\" role=\"alert\" aria-live=\"assertive\" "
         "id=\"error\">" +
         web::HtmlEscape(text) + "</div>";
}

std::string NoticeBox(std::string_view text) {
  return "<div class=\"notice\" role=\"status\" aria-live=\"polite\">" + web::HtmlEscape(text) +
         "</div>";
}

// A JSON array of strings from a challenge parameter ("[\"SMS_MFA\",...]").
std::vector<std::string> StringArray(std::string_view text) {
  std::vector<std::string> out;
  auto parsed = ParseJson(text);
  if (!parsed.is_array()) return out;
  for (const auto& v : parsed) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

// Outside the anonymous namespace: HostedUiHandler::Impl (external linkage) derives from it.
namespace hosted_ui_detail {

// The services the pages call.
struct Services {
  Services(domain::ServiceContext& c, std::shared_ptr<domain::tokens::TokenService> tokens,
           domain::oauth::OAuthService& o)
      : ctx(c),
        oauth(o),
        auth(c, domain::auth::MakeTokenIssuer(tokens)),
        self(c, Gate(tokens)),
        mfa(c, Gate(tokens)) {}

  static domain::users::AccessTokenGate Gate(
      const std::shared_ptr<domain::tokens::TokenService>& tokens) {
    domain::users::AccessTokenGate gate;
    gate.verify = [tokens](std::string_view token) { return tokens->VerifyAccessToken(token); };
    gate.revoke_all = [tokens](const std::string& pool_id, const std::string& sub) {
      return tokens->RevokeAllForUser(pool_id, sub);
    };
    return gate;
  }

  domain::ServiceContext& ctx;
  domain::oauth::OAuthService& oauth;
  domain::auth::AuthService auth;
  domain::users::SelfService self;
  domain::mfa::MfaService mfa;
};

}  // namespace hosted_ui_detail

namespace {

using hosted_ui_detail::Services;

// One request to a page: its parsed query and form, language, CSRF token and authorize request.
struct Call {
  const ApiRequest& request;
  std::string path;
  web::Form query;
  web::Form form;  // POST body
  std::string lang;
  std::string csrf;        // the browser's token (from the cookie, or new)
  bool new_csrf = false;   // the response sets the cookie
  AuthorizeRequest authz;  // valid once Authorize() succeeded
  std::vector<std::string> headers_set_cookie;

  bool post() const { return request.method == "POST"; }
};

class Pages {
 public:
  Pages(Services& impl, Call& call) : impl_(impl), c_(call) {}

  // --- responses ---------------------------------------------------------------------------

  ApiResponse Page(int status, std::string_view title_key, std::string body,
                   std::string messages = {}) {
    Slots slots;
    slots["lang"] = web::HtmlEscape(c_.lang);
    slots["title"] = web::HtmlEscape(Translate(c_.lang, title_key));
    slots["messages"] = std::move(messages);
    slots["body"] = std::move(body);
    slots["languages"] = LanguageLinks();
    if (!c_.authz.client_id.empty()) {
      auto branding =
          domain::userpool::BrandingFor(impl_.ctx, c_.authz.pool_id, c_.authz.client_id);
      if (branding) {
        const std::string asset_query =
            web::EncodeForm({{"client_id", c_.authz.client_id}, {"v", branding->version}});
        if (!branding->css.empty()) {
          slots["branding_css"] = "<link rel=\"stylesheet\" href=\"/assets/branding.css?" +
                                  web::HtmlEscape(asset_query) + "\">";
        }
        if (branding->logo_bytes) {
          slots["logo"] = "<img class=\"logo-customizable\" src=\"/logo?" +
                          web::HtmlEscape(asset_query) + "\" alt=\"\">";
        }
      }
    }
    std::vector<std::string> form_action;
    if (auto origin = OriginOf(c_.authz.redirect_uri); !origin.empty()) {
      form_action.push_back(origin);
    }
    ApiResponse r = web::Html(status, RenderTemplate("layout", c_.lang, slots),
                              web::ContentSecurityPolicy(form_action));
    Finish(r);
    return r;
  }

  ApiResponse ErrorPage(int status, std::string_view text) {
    Slots slots;
    slots["text"] = web::HtmlEscape(text);
    return Page(status, "title_error", RenderTemplate("message", c_.lang, slots));
  }

  void Finish(ApiResponse& r) {
    if (c_.new_csrf) {
      web::CookieOptions o;
      o.secure = web::IsSecure(impl_.ctx.config.public_url);
      r.headers.emplace_back("Set-Cookie", web::SetCookie(kCsrfCookie, c_.csrf, o));
    }
    for (auto& cookie : c_.headers_set_cookie) r.headers.emplace_back("Set-Cookie", cookie);
    r.operation = "hosted_ui" + c_.path;
  }

  // --- shared pieces -----------------------------------------------------------------------

  std::string LanguageLinks() {
    std::string out;
    for (auto lang : kLanguages) {
      auto params = PageParams(std::string(lang));
      const std::string href = c_.path + "?" + web::EncodeForm(params);
      out += "<a href=\"" +
             web::HtmlEscape(c_.post() ? "/login?" + web::EncodeForm(params) : href) +
             "\" hreflang=\"" + std::string(lang) + "\" lang=\"" + std::string(lang) + "\"" +
             (lang == c_.lang ? " aria-current=\"true\"" : "") + ">" +
             web::HtmlEscape(Translate(lang, "language_name_" + std::string(lang))) + "</a>";
    }
    return out;
  }

  // The authorize request's parameters, with `lang` set to `lang` ("" keeps the request's).
  std::vector<std::pair<std::string, std::string>> PageParams(const std::string& lang = {}) {
    auto params = c_.authz.ToParams();
    if (!lang.empty()) {
      std::erase_if(params, [](const auto& p) { return p.first == "lang"; });
      params.emplace_back("lang", lang);
    }
    return params;
  }

  std::string Href(std::string_view path,
                   std::vector<std::pair<std::string, std::string>> extra = {}) {
    auto params = PageParams();
    for (auto& e : extra) params.push_back(std::move(e));
    return web::HtmlEscape(std::string(path) + "?" + web::EncodeForm(params));
  }

  std::string CsrfField() { return Hidden(kCsrfField, c_.csrf); }

  // Validates the authorize request the page carries. nullopt when it is fine; else the answer.
  std::optional<ApiResponse> Authorize() {
    if (!c_.query.repeated.empty()) {
      return ErrorPage(400, Translate(c_.lang, "err_bad_request"));
    }
    std::string host_pool;
    if (auto pool = domain::userpool::PoolIdForHost(impl_.ctx, web::RequestHost(c_.request))) {
      host_pool = *pool;
    }
    auto parsed = impl_.oauth.ParseAuthorize(c_.query.values, host_pool);
    if (auto* failure = std::get_if<AuthorizeFailure>(&parsed)) {
      if (failure->redirect) {
        std::vector<std::pair<std::string, std::string>> fields = {{"error", failure->error}};
        if (!failure->description.empty()) {
          fields.emplace_back("error_description", failure->description);
        }
        if (!failure->state.empty()) fields.emplace_back("state", failure->state);
        ApiResponse r = web::Redirect(web::AppendQuery(failure->redirect_uri, fields));
        Finish(r);
        return r;
      }
      std::string text = failure->error;
      if (!failure->description.empty()) text += ": " + failure->description;
      return ErrorPage(400, text);
    }
    c_.authz = std::get<AuthorizeRequest>(std::move(parsed));
    if (c_.lang.empty() || c_.query.Has("lang")) {
      c_.lang = ChooseLanguage(c_.query.Get("lang"), c_.request.Header("Accept-Language"));
    }
    return std::nullopt;
  }

  // True when the POST carries the browser's CSRF token.
  bool CsrfOk() const {
    if (c_.new_csrf) return false;  // no cookie came with the request
    const std::string_view given = c_.form.Get(kCsrfField);
    return ValidCsrfShape(given) && crypto::ConstantTimeEquals(given, c_.csrf);
  }

  // The message shown for a domain error, in the page language.
  std::string ErrorText(const ApiError& e) {
    const std::string& msg = e.message();
    if (e.is(ErrorCode::kNotAuthorized)) {
      if (msg == "Incorrect username or password.") return Translate(c_.lang, "err_credentials");
      if (msg == "User is disabled.") return Translate(c_.lang, "err_disabled");
      if (msg == "Password attempts exceeded") return Translate(c_.lang, "err_attempts");
      if (msg.rfind("Invalid session for the user", 0) == 0) {
        return Translate(c_.lang, "err_session");
      }
    }
    // UserNotFoundException only reaches here when the client allows it (LEGACY).
    if (e.is(ErrorCode::kCodeMismatch)) return Translate(c_.lang, "err_code");
    if (e.is(ErrorCode::kExpiredCode)) return Translate(c_.lang, "err_expired_code");
    if (e.is(ErrorCode::kUserNotConfirmed)) return Translate(c_.lang, "err_not_confirmed");
    if (e.is(ErrorCode::kLimitExceeded)) return Translate(c_.lang, "err_limit");
    if (e.is(ErrorCode::kUsernameExists)) {
      return c_.lang == "en" ? msg : Translate(c_.lang, "err_user_exists");
    }
    if (e.is(ErrorCode::kInternalError)) {
      spdlog::warn("hosted pages: {}: {} ({})", c_.path, e.message(), e.internal());
      return Translate(c_.lang, "err_generic");
    }
    if (c_.lang == "en") return msg;
    if (e.is(ErrorCode::kInvalidPassword)) {
      const auto colon = msg.find(": ");
      return Translate(c_.lang, "err_password_policy",
                       {{"detail", colon == std::string::npos ? msg : msg.substr(colon + 2)}});
    }
    return msg;
  }

  Result<domain::userpool::ClientFacts> Client() {
    return domain::userpool::LoadClientFacts(impl_.ctx, c_.authz.pool_id, c_.authz.client_id);
  }

  std::optional<std::string> SecretHash(const domain::userpool::ClientFacts& client,
                                        std::string_view username) {
    if (!client.secret) return std::nullopt;
    return domain::auth::ComputeSecretHash(*client.secret, username, client.client_id);
  }

  std::string PasswordRules() {
    int min = 8;
    if (auto rules = domain::users::LoadPoolRules(impl_.ctx, c_.authz.pool_id)) {
      min = rules->password_policy().minimum_length;
    }
    return web::HtmlEscape(Translate(c_.lang, "password_rules", {{"min", std::to_string(min)}}));
  }

  std::string FieldLabel(std::string_view attribute) {
    std::string key(attribute);
    if (key.rfind("custom:", 0) == 0) return key.substr(7);
    const std::string text = Translate(c_.lang, key);
    return text == key ? key : text;
  }

  // An input for a user attribute named `name`, posted as attr_<name>.
  std::string AttributeField(const std::string& name, std::string_view value = {}) {
    const std::string id = "attr_" + name;
    std::string type = "text";
    std::string autocomplete = "off";
    if (name == "email") type = autocomplete = "email";
    if (name == "phone_number") type = autocomplete = "tel";
    if (name == "given_name") autocomplete = "given-name";
    if (name == "family_name") autocomplete = "family-name";
    if (name == "name") autocomplete = "name";
    return "<div class=\"field\"><label class=\"label-customizable\" for=\"" + web::HtmlEscape(id) +
           "\">" + web::HtmlEscape(FieldLabel(name)) + "</label><input id=\"" +
           web::HtmlEscape(id) + "\" name=\"" + web::HtmlEscape(id) + "\" type=\"" + type +
           "\" class=\"inputField-customizable\" autocomplete=\"" + autocomplete +
           "\" required value=\"" + web::HtmlEscape(value) + "\"></div>";
  }

  // --- sign-in -------------------------------------------------------------------------------

  // A client whose SupportedIdentityProviders lack COGNITO: no password form, no sign-up, no
  // reset; Cognito's message, then the client's other providers (federation: a later issue).
  ApiResponse NoLoginOption() {
    return Page(400, "title_sign_in",
                "<div class=\"idp-buttons\" aria-label=\"identity providers\"></div>",
                ErrorBox(Translate(c_.lang, "err_login_option")));
  }

  // Choice-based sign-in (managed login): the domain's ManagedLoginVersion is 2, the client
  // allows USER_AUTH, the pool's feature plan offers it and its AllowedFirstAuthFactors name a
  // one-time-code factor (PASSWORD alone, or with WEB_AUTHN only, leaves the password form).
  bool ChoiceSignIn() {
    if (choice_) return *choice_;
    choice_ = false;
    auto client = Client();
    if (!client || !domain::auth::FlowAllowed(client->explicit_auth_flows, "USER_AUTH")) {
      return false;
    }
    auto row = domain::userpool::LoadPool(impl_.ctx, c_.authz.pool_id);
    if (!row) return false;
    auto doc = domain::userpool::ParseDoc(row->doc);
    if (!doc || !domain::auth::TierAllowsUserAuth(*doc)) return false;
    const auto allowed = domain::auth::AllowedFirstAuthFactors(*doc);
    const bool otp =
        std::find(allowed.begin(), allowed.end(), domain::auth::kEmailOtp) != allowed.end() ||
        std::find(allowed.begin(), allowed.end(), domain::auth::kSmsOtp) != allowed.end();
    choice_ = otp && domain::userpool::ManagedLoginVersionFor(impl_.ctx, *doc,
                                                              web::RequestHost(c_.request)) == 2;
    return *choice_;
  }

  std::string Focus(bool error) {
    return std::string(" autofocus") +
           (error ? " aria-invalid=\"true\" aria-describedby=\"error\"" : "");
  }

  ApiResponse LoginForm(int status, std::string messages = {}, std::string_view username = {},
                        bool error = false) {
    Slots s;
    s["action"] = Href("/login");
    s["csrf"] = CsrfField();
    const std::string name(username.empty() ? c_.authz.login_hint : std::string(username));
    s["username"] = web::HtmlEscape(name);
    s["signup_href"] = Href("/signup");
    // Federation buttons: none until identity providers exist (the next issue).
    s["federation"] = "<div class=\"idp-buttons\" aria-label=\"identity providers\"></div>";
    if (ChoiceSignIn()) {  // the username first, then the factors (ChallengePage)
      s["focus_username"] = Focus(error);
      s["username_label"] = web::HtmlEscape(UsernameLabel());
      return Page(status, "title_sign_in", RenderTemplate("login_username", c_.lang, s),
                  std::move(messages));
    }
    const bool focus_password = error && !name.empty();
    s[focus_password ? "focus_password" : "focus_username"] = Focus(error);
    s["forgot_href"] = Href("/forgotPassword");
    return Page(status, "title_sign_in", RenderTemplate("login", c_.lang, s), std::move(messages));
  }

  // The username's label: the attribute people sign in with when there is exactly one.
  std::string UsernameLabel() {
    if (auto rules = domain::users::LoadPoolRules(impl_.ctx, c_.authz.pool_id);
        rules && rules->username_attributes().size() == 1) {
      return FieldLabel(rules->username_attributes()[0]);
    }
    return Translate(c_.lang, "username");
  }

  // The password step of choice-based sign-in: posts the username and password to /login.
  ApiResponse PasswordForm(int status, const std::string& username, std::string messages = {}) {
    Slots s;
    s["action"] = Href("/login");
    s["csrf"] = CsrfField();
    s["username"] = web::HtmlEscape(username);
    s["signing_in_as"] =
        web::HtmlEscape(Translate(c_.lang, "signing_in_as", {{"username", username}}));
    s["focus_password"] = Focus(!messages.empty());
    s["forgot_href"] = Href("/forgotPassword");
    s["other_href"] = Href("/login");
    return Page(status, "title_password", RenderTemplate("login_password", c_.lang, s),
                std::move(messages));
  }

  // Choice-based sign-in's first two steps: the username alone starts USER_AUTH and lists the
  // factors (SELECT_CHALLENGE); the username with a password (the password step) signs in with
  // PREFERRED_CHALLENGE=PASSWORD.
  ApiResponse ChoiceLogin(const std::string& username) {
    const bool with_password = c_.form.Has("password");
    if (username.empty()) {
      return LoginForm(400, ErrorBox(Translate(c_.lang, "err_required")), username, true);
    }
    if (with_password && c_.form.Get("password").empty()) {
      return PasswordForm(400, username, ErrorBox(Translate(c_.lang, "err_required")));
    }
    auto outcome = with_password ? PasswordSignIn(username, std::string(c_.form.Get("password")))
                                 : ListFactors(username);
    if (!outcome) {
      const ApiError& e = outcome.error();
      if (e.is(ErrorCode::kUserNotConfirmed)) {
        if (with_password) RememberSignUp(username);  // the password was right
        return ConfirmForm(200, username, {}, {});
      }
      if (e.is(ErrorCode::kPasswordResetRequired)) return ForgotSubmit(username);
      if (with_password) return PasswordForm(400, username, ErrorBox(ErrorText(e)));
      return LoginForm(400, ErrorBox(ErrorText(e)), username, true);
    }
    return AfterStep(*outcome, username);
  }

  ApiResponse Login() {
    if (!c_.post()) {
      if (auto done = ResumeHostedSession()) return std::move(*done);
      return LoginForm(200);
    }
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    const std::string username(c_.form.Get("username"));
    if (ChoiceSignIn()) return ChoiceLogin(username);
    const std::string password(c_.form.Get("password"));
    if (username.empty() || password.empty()) {
      return LoginForm(400, ErrorBox(Translate(c_.lang, "err_required")), username, true);
    }
    auto outcome = PasswordSignIn(username, password);
    if (!outcome) {
      if (outcome.error().is(ErrorCode::kUserNotConfirmed)) {
        // Cognito's hosted UI sends the person to confirm the account (the password was right).
        RememberSignUp(username);
        return ConfirmForm(200, username, {}, {});
      }
      if (outcome.error().is(ErrorCode::kPasswordResetRequired)) {
        return ForgotSubmit(username);
      }
      return LoginForm(400, ErrorBox(ErrorText(outcome.error())), username, true);
    }
    return AfterStep(*outcome, username);
  }

  // A password sign-in: USER_AUTH with PREFERRED_CHALLENGE=PASSWORD on choice-based pages, else
  // USER_PASSWORD_AUTH.
  Result<domain::auth::AuthOutcome> PasswordSignIn(const std::string& username,
                                                   const std::string& password) {
    domain::auth::InitiateAuthInput in;
    in.hosted = true;
    in.client_id = c_.authz.client_id;
    if (ChoiceSignIn()) {
      in.auth_flow = "USER_AUTH";
      in.parameters = {{"USERNAME", username},
                       {"PREFERRED_CHALLENGE", domain::auth::kPasswordChallenge},
                       {"PASSWORD", password}};
    } else {
      in.auth_flow = "USER_PASSWORD_AUTH";
      in.parameters = {{"USERNAME", username}, {"PASSWORD", password}};
    }
    return impl_.auth.InitiateAuth(in);
  }

  // Choice-based sign-in's first step: USER_AUTH with the username alone (SELECT_CHALLENGE).
  Result<domain::auth::AuthOutcome> ListFactors(const std::string& username) {
    domain::auth::InitiateAuthInput in;
    in.hosted = true;
    in.client_id = c_.authz.client_id;
    in.auth_flow = "USER_AUTH";
    in.parameters = {{"USERNAME", username}};
    return impl_.auth.InitiateAuth(in);
  }

  // After a password was set (an auto-confirmed sign-up, a reset): sign in with it, or the sign-in
  // form with `notice` when anything stands in the way.
  ApiResponse SignInAfter(const std::string& username, const std::string& password,
                          std::string_view notice) {
    auto outcome = PasswordSignIn(username, password);
    if (!outcome) return LoginForm(200, NoticeBox(Translate(c_.lang, notice)), username);
    return AfterStep(*outcome, username);
  }

  web::CookieOptions CookieOpts(std::optional<std::int64_t> max_age = std::nullopt) {
    web::CookieOptions o;
    o.secure = web::IsSecure(impl_.ctx.config.public_url);
    o.max_age_s = max_age;
    return o;
  }

  // Remembers (cookie `cognito-signup`) that this browser proved to be `username`'s owner (it
  // signed up, or gave the right password): confirming the account then signs the user in.
  void RememberSignUp(const std::string& username, std::string sub = {}) {
    if (sub.empty()) {
      auto rules = domain::users::LoadPoolRules(impl_.ctx, c_.authz.pool_id);
      if (!rules) return;
      auto user = domain::users::FindUser(impl_.ctx.store, *rules, username);
      if (!user) return;
      sub = user->sub;
    }
    auto handle = impl_.oauth.sessions().CreateSignUpProof(
        {c_.authz.pool_id, c_.authz.client_id, sub, username});
    if (!handle) return;
    c_.headers_set_cookie.push_back(web::SetCookie(domain::oauth::kSignUpProofCookie, *handle,
                                                   CookieOpts(domain::oauth::kSignUpProofSeconds)));
  }

  // The user this browser signed up as `username` (RememberSignUp), used up; nullopt when none.
  std::optional<std::string> TakeSignUpProof(const std::string& username) {
    const auto cookies = web::Cookies(c_.request);
    const auto it = cookies.find(domain::oauth::kSignUpProofCookie);
    if (it == cookies.end()) return std::nullopt;
    auto sub = impl_.oauth.sessions().TakeSignUpProof(
        it->second, {c_.authz.pool_id, c_.authz.client_id, "", username});
    if (sub) {
      c_.headers_set_cookie.push_back(
          web::SetCookie(domain::oauth::kSignUpProofCookie, "", CookieOpts(0)));
    }
    return sub;
  }

  // A live hosted session (cookie `cognito`) of this pool goes straight to the callback, as
  // /oauth2/authorize does, unless the request asks for prompt=login. nullopt: show the form.
  std::optional<ApiResponse> ResumeHostedSession() {
    if (c_.authz.prompt.find("login") != std::string::npos) return std::nullopt;
    const auto cookies = web::Cookies(c_.request);
    const auto it = cookies.find(domain::oauth::kHostedSessionCookie);
    if (it == cookies.end()) return std::nullopt;
    auto user = impl_.oauth.sessions().Find(c_.authz.pool_id, it->second);
    if (!user) return std::nullopt;
    auto location = impl_.oauth.CompleteAuthorize(c_.authz, *user);
    if (!location) return std::nullopt;  // the user is gone or disabled: sign in again
    ApiResponse r = web::Redirect(*location);
    Finish(r);
    return r;
  }

  // Where a sign-in step leads: the hosted session and the redirect, or the next challenge.
  ApiResponse AfterStep(const domain::auth::AuthOutcome& outcome, const std::string& username) {
    if (outcome.signed_in) {
      domain::oauth::HostedUser user{outcome.signed_in->pool_id, outcome.signed_in->sub,
                                     outcome.signed_in->username, outcome.signed_in->auth_time_s};
      auto handle = impl_.oauth.sessions().Create(user);
      if (!handle) return ErrorPage(500, Translate(c_.lang, "err_generic"));
      auto location = impl_.oauth.CompleteAuthorize(c_.authz, user);
      if (!location) return ErrorPage(500, ErrorText(location.error()));
      web::CookieOptions o;
      o.secure = web::IsSecure(impl_.ctx.config.public_url);
      c_.headers_set_cookie.push_back(
          web::SetCookie(domain::oauth::kHostedSessionCookie, *handle, o));
      ApiResponse r = web::Redirect(*location);
      Finish(r);
      return r;
    }
    if (outcome.tokens) return ErrorPage(500, Translate(c_.lang, "err_generic"));
    domain::auth::StringMap parameters = outcome.challenge_parameters;
    if (outcome.challenge_name == domain::auth::kSelectChallenge) {
      parameters[kAvailableParam] = json(outcome.available_challenges).dump();
    }
    return ChallengePage(200, outcome.challenge_name, outcome.session, username, parameters, {});
  }

  // --- challenges ----------------------------------------------------------------------------

  ApiResponse ChallengePage(int status, const std::string& challenge, const std::string& session,
                            const std::string& username, const domain::auth::StringMap& parameters,
                            std::string messages, std::string secret = {}) {
    json cp = json::object();
    for (const auto& [k, v] : parameters) {
      if (k == "CODE_DELIVERY_DESTINATION" || k == "MFAS_CAN_CHOOSE" || k == "MFAS_CAN_SETUP" ||
          k == "requiredAttributes" || k == kAvailableParam || k == kSignInCode) {
        cp[k] = v;
      }
    }
    Slots s;
    s["action"] = Href("/challenge");
    s["csrf"] = CsrfField();
    std::string state =
        Hidden("challenge", challenge) + Hidden("username", username) + Hidden("cp", cp.dump());
    const auto param = [&](const char* name) -> std::string {
      const auto it = parameters.find(name);
      return it == parameters.end() ? std::string() : it->second;
    };
    if (challenge == "NEW_PASSWORD_REQUIRED") {
      s["challenge_fields"] = state + Hidden("session", session);
      std::string fields;
      for (const auto& attr : StringArray(param("requiredAttributes"))) {
        constexpr std::string_view kPrefix = "userAttributes.";
        if (attr.rfind(kPrefix, 0) != 0) continue;
        const std::string name = attr.substr(kPrefix.size());
        fields += AttributeField(name, c_.form.Get("attr_" + name));
      }
      s["attribute_fields"] = fields;
      s["password_rules"] = PasswordRules();
      return Page(status, "title_new_password", RenderTemplate("new_password", c_.lang, s),
                  std::move(messages));
    }
    if (challenge == domain::auth::kSelectChallenge) {  // choice-based sign-in's factors
      s["challenge_fields"] = state + Hidden("session", session);
      std::string options;
      const auto available = StringArray(param(kAvailableParam));
      for (const char* factor :
           {domain::auth::kPasswordChallenge, domain::auth::kEmailOtp, domain::auth::kSmsOtp}) {
        // PASSWORD_SRP and WEB_AUTHN are not offered on the pages.
        if (std::find(available.begin(), available.end(), factor) == available.end()) continue;
        const std::string_view f(factor);
        const char* key = f == domain::auth::kPasswordChallenge ? "factor_password"
                          : f == domain::auth::kEmailOtp        ? "factor_email"
                                                                : "factor_sms";
        options += "<button type=\"submit\" name=\"factor\" value=\"" + std::string(f) +
                   "\" class=\"btn submitButton-customizable\"" +
                   (options.empty() ? " autofocus" : "") + ">" +
                   web::HtmlEscape(Translate(c_.lang, key)) + "</button>";
      }
      if (options.empty()) return LoginForm(400, ErrorBox(Translate(c_.lang, "err_credentials")));
      s["options"] = options;
      s["signing_in_as"] =
          web::HtmlEscape(Translate(c_.lang, "signing_in_as", {{"username", username}}));
      s["other_href"] = Href("/login");
      return Page(status, "title_select_factor", RenderTemplate("select_factor", c_.lang, s),
                  std::move(messages));
    }
    if (challenge == "SMS_MFA" || challenge == "EMAIL_OTP" || challenge == "SOFTWARE_TOKEN_MFA" ||
        challenge == domain::auth::kSmsOtp) {
      s["challenge_fields"] = state + Hidden("session", session);
      const std::string destination = param("CODE_DELIVERY_DESTINATION");
      std::string description;
      if (challenge == "SOFTWARE_TOKEN_MFA") {
        description = Translate(c_.lang, "totp_prompt");
      } else if (!destination.empty()) {
        description = Translate(c_.lang, "code_sent_to", {{"destination", destination}});
      } else {
        description = Translate(c_.lang, "code_sent");
      }
      s["description"] = web::HtmlEscape(description);
      const bool first_factor =
          challenge == domain::auth::kSmsOtp || parameters.contains(kSignInCode);
      if (first_factor) {
        s["links"] = "<p class=\"links\"><a class=\"redirect-customizable\" href=\"" +
                     Href("/login") + "\">" + web::HtmlEscape(Translate(c_.lang, "other_account")) +
                     "</a></p>";
      }
      return Page(status, first_factor ? "title_code" : "title_mfa",
                  RenderTemplate("mfa_code", c_.lang, s), std::move(messages));
    }
    if (challenge == "SELECT_MFA_TYPE") {
      s["challenge_fields"] = state + Hidden("session", session);
      std::string options;
      bool first = true;
      for (const auto& mfa : StringArray(param("MFAS_CAN_CHOOSE"))) {
        const char* key = mfa == "SMS_MFA"              ? "mfa_sms"
                          : mfa == "EMAIL_OTP"          ? "mfa_email"
                          : mfa == "SOFTWARE_TOKEN_MFA" ? "mfa_totp"
                                                        : nullptr;
        if (key == nullptr) continue;
        const std::string id = "mfa_" + mfa;
        options += "<div class=\"option\"><input type=\"radio\" name=\"mfa\" id=\"" + id +
                   "\" value=\"" + mfa + "\"" + (first ? " checked autofocus" : "") +
                   "><label class=\"label-customizable\" for=\"" + id + "\">" +
                   web::HtmlEscape(Translate(c_.lang, key)) + "</label></div>";
        first = false;
      }
      s["options"] = options;
      return Page(status, "title_select_mfa", RenderTemplate("select_mfa", c_.lang, s),
                  std::move(messages));
    }
    if (challenge == "MFA_SETUP") {
      const auto can_setup = StringArray(param("MFAS_CAN_SETUP"));
      const bool totp = can_setup.empty() || std::find(can_setup.begin(), can_setup.end(),
                                                       "SOFTWARE_TOKEN_MFA") != can_setup.end();
      if (!totp) {  // e-mail MFA: the address the codes go to, then an EMAIL_OTP challenge
        s["challenge_fields"] = state + Hidden("session", session);
        s["email"] = web::HtmlEscape(c_.form.Get("email"));
        return Page(status, "title_mfa", RenderTemplate("mfa_email_setup", c_.lang, s),
                    std::move(messages));
      }
      std::string setup_session = session;
      if (secret.empty()) {
        auto associated = impl_.mfa.AssociateSoftwareToken(std::nullopt, session);
        if (!associated) return LoginForm(400, ErrorBox(ErrorText(associated.error())), username);
        secret = associated->secret_code;
        setup_session = associated->session;
      }
      s["challenge_fields"] = state + Hidden("session", setup_session) + Hidden("secret", secret);
      std::string issuer = "Cognate";
      const std::string uri = "otpauth://totp/" + web::UrlEncode(issuer + ":" + username) +
                              "?secret=" + secret + "&issuer=" + web::UrlEncode(issuer);
      s["qr"] = QrSvg(uri, Translate(c_.lang, "qr_label"));
      s["secret"] = web::HtmlEscape(secret);
      return Page(status, "title_mfa_setup", RenderTemplate("mfa_setup", c_.lang, s),
                  std::move(messages));
    }
    // A challenge the hosted pages do not offer (custom challenges, device steps).
    return UnsupportedStep(challenge);
  }

  // The page for a sign-in step the hosted pages cannot take (CUSTOM_CHALLENGE, the device and
  // SRP steps; Cognito's hosted UI has no custom authentication either): says so, and links back
  // to the sign-in form.
  ApiResponse UnsupportedStep(std::string_view challenge) {
    spdlog::info("hosted pages: the sign-in step {} is not offered on the hosted pages",
                 challenge.substr(0, 64));
    Slots slots;
    slots["text"] = web::HtmlEscape(Translate(c_.lang, "err_unsupported_challenge"));
    slots["link"] = "<p class=\"links\"><a class=\"redirect-customizable\" href=\"" +
                    Href("/login") + "\">" +
                    web::HtmlEscape(Translate(c_.lang, "back_to_sign_in")) + "</a></p>";
    return Page(400, "title_unsupported", RenderTemplate("message", c_.lang, slots));
  }

  ApiResponse Challenge() {
    if (!c_.post()) return LoginForm(200);
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    const std::string challenge(c_.form.Get("challenge"));
    const std::string session(c_.form.Get("session"));
    const std::string username(c_.form.Get("username"));
    domain::auth::StringMap cp;
    if (auto parsed = ParseJson(c_.form.Get("cp")); parsed.is_object()) {
      for (const auto& [k, v] : parsed.items()) {
        if (v.is_string()) cp[k] = v.get<std::string>();
      }
    }
    if (session.empty() || username.empty()) {
      return LoginForm(400, ErrorBox(Translate(c_.lang, "err_session")));
    }
    domain::auth::RespondInput in;
    in.hosted = true;
    in.client_id = c_.authz.client_id;
    in.challenge_name = challenge;
    in.session = session;
    in.responses["USERNAME"] = username;
    const std::string code(c_.form.Get("code"));
    if (challenge == "NEW_PASSWORD_REQUIRED") {
      in.responses["NEW_PASSWORD"] = std::string(c_.form.Get("password"));
      for (const auto& [name, value] : c_.form.values) {
        if (name.rfind("attr_", 0) == 0) in.responses["userAttributes." + name.substr(5)] = value;
      }
    } else if (challenge == domain::auth::kSelectChallenge) {
      const std::string factor(c_.form.Get("factor"));
      if (factor == domain::auth::kPasswordChallenge) return PasswordForm(200, username);
      if (factor != domain::auth::kEmailOtp && factor != domain::auth::kSmsOtp) {
        return ChallengePage(400, challenge, session, username, cp,
                             ErrorBox(Translate(c_.lang, "err_required")));
      }
      in.responses["ANSWER"] = factor;
    } else if (challenge == domain::auth::kSmsOtp) {
      in.responses["SMS_OTP_CODE"] = code;
    } else if (challenge == "SMS_MFA") {
      in.responses["SMS_MFA_CODE"] = code;
    } else if (challenge == "EMAIL_OTP") {
      in.responses["EMAIL_OTP_CODE"] = code;
    } else if (challenge == "SOFTWARE_TOKEN_MFA") {
      in.responses["SOFTWARE_TOKEN_MFA_CODE"] = code;
    } else if (challenge == "SELECT_MFA_TYPE") {
      in.responses["ANSWER"] = std::string(c_.form.Get("mfa"));
    } else if (challenge == "MFA_SETUP" && c_.form.Has("email")) {
      in.responses["EMAIL"] = std::string(c_.form.Get("email"));
    } else if (challenge == "MFA_SETUP") {
      const std::string secret(c_.form.Get("secret"));
      std::optional<std::string> device;
      if (!c_.form.Get("device_name").empty()) device = std::string(c_.form.Get("device_name"));
      auto verified = impl_.mfa.VerifySoftwareToken(std::nullopt, session, code, device);
      if (!verified) {
        if (verified.error().is(ErrorCode::kNotAuthorized)) {
          return LoginForm(400, ErrorBox(ErrorText(verified.error())), username);
        }
        return ChallengePage(400, challenge, session, username, cp,
                             ErrorBox(Translate(c_.lang, "err_code")), secret);
      }
      in.session = verified->session;
    } else if (challenge == "CUSTOM_CHALLENGE" || challenge == "DEVICE_SRP_AUTH" ||
               challenge == "DEVICE_PASSWORD_VERIFIER" || challenge == "PASSWORD_VERIFIER") {
      return UnsupportedStep(challenge);
    } else {
      return LoginForm(400, ErrorBox(Translate(c_.lang, "err_session")));
    }
    auto outcome = impl_.auth.RespondToAuthChallenge(in);
    if (!outcome) {
      const ApiError& e = outcome.error();
      const bool retry = (challenge != "MFA_SETUP" || c_.form.Has("email")) &&
                         (e.is(ErrorCode::kCodeMismatch) || e.is(ErrorCode::kInvalidPassword) ||
                          e.is(ErrorCode::kInvalidParameter));
      if (retry) {
        return ChallengePage(400, challenge, session, username, cp, ErrorBox(ErrorText(e)));
      }
      return LoginForm(400, ErrorBox(ErrorText(e)), username, true);
    }
    if (challenge == domain::auth::kSelectChallenge)
      outcome->challenge_parameters[kSignInCode] = "1";
    return AfterStep(*outcome, username);
  }

  // --- sign-up and confirmation --------------------------------------------------------------

  ApiResponse SignUpForm(int status, std::string messages = {}, bool error = false) {
    auto rules = domain::users::LoadPoolRules(impl_.ctx, c_.authz.pool_id);
    Slots s;
    s["action"] = Href("/signup");
    s["csrf"] = CsrfField();
    s["username"] = web::HtmlEscape(c_.form.Get("username"));
    s[error ? "focus_password" : "focus_username"] = " autofocus";
    std::string label = Translate(c_.lang, "username");
    std::string fields;
    if (rules) {
      const auto& by = rules->username_attributes();
      if (by.size() == 1) label = FieldLabel(by[0]);
      for (const auto& attr : rules->schema()) {
        if (!attr.required || attr.name == "sub") continue;
        if (by.size() == 1 && attr.name == by[0]) continue;  // the username is that attribute
        fields += AttributeField(attr.name, c_.form.Get("attr_" + attr.name));
      }
    }
    s["username_label"] = web::HtmlEscape(label);
    s["attribute_fields"] = fields;
    s["password_rules"] = PasswordRules();
    s["login_href"] = Href("/login");
    return Page(status, "title_sign_up", RenderTemplate("signup", c_.lang, s), std::move(messages));
  }

  ApiResponse SignUp() {
    if (!c_.post()) return SignUpForm(200);
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    auto client = Client();
    if (!client) return ErrorPage(400, ErrorText(client.error()));
    const std::string username(c_.form.Get("username"));
    if (username.empty() || c_.form.Get("password").empty()) {
      return SignUpForm(400, ErrorBox(Translate(c_.lang, "err_required")), true);
    }
    domain::users::SignUpInput in;
    in.client_id = client->client_id;
    in.secret_hash = SecretHash(*client, username);
    in.username = username;
    in.password = std::string(c_.form.Get("password"));
    for (const auto& [name, value] : c_.form.values) {
      if (name.rfind("attr_", 0) == 0 && !value.empty()) {
        in.attributes.push_back({name.substr(5), value});
      }
    }
    if (auto rules = domain::users::LoadPoolRules(impl_.ctx, c_.authz.pool_id);
        rules && rules->username_attributes().size() == 1) {
      // The username is the e-mail / phone number: it is also that attribute.
      in.attributes.push_back({rules->username_attributes()[0], username});
    }
    auto done = impl_.self.SignUp(in);
    if (!done) return SignUpForm(400, ErrorBox(ErrorText(done.error())), true);
    if (done->user_confirmed)
      return SignInAfter(username, in.password.value_or(""), "account_confirmed");
    RememberSignUp(username, done->user_sub);
    return ConfirmForm(200, username, done->delivery ? done->delivery->destination : "", {});
  }

  ApiResponse ConfirmForm(int status, const std::string& username, const std::string& destination,
                          std::string messages) {
    Slots s;
    s["action"] = Href("/confirm");
    s["resend_action"] = Href("/resendCode");
    s["csrf"] = CsrfField();
    s["username"] = web::HtmlEscape(username);
    s["description"] = web::HtmlEscape(
        destination.empty() ? Translate(c_.lang, "code_sent")
                            : Translate(c_.lang, "code_sent_to", {{"destination", destination}}));
    return Page(status, "title_confirm", RenderTemplate("confirm", c_.lang, s),
                std::move(messages));
  }

  ApiResponse Confirm() {
    if (!c_.post()) return ConfirmForm(200, std::string(c_.query.Get("username")), {}, {});
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    auto client = Client();
    if (!client) return ErrorPage(400, ErrorText(client.error()));
    const std::string username(c_.form.Get("username"));
    domain::users::ConfirmSignUpInput in;
    in.client_id = client->client_id;
    in.secret_hash = SecretHash(*client, username);
    in.username = username;
    in.code = std::string(c_.form.Get("code"));
    auto done = impl_.self.ConfirmSignUp(in);
    if (!done) return ConfirmForm(400, username, {}, ErrorBox(ErrorText(done.error())));
    // Signed up (or proved the password) in this browser: signed in now.
    if (auto sub = TakeSignUpProof(username)) {
      auto outcome = impl_.auth.SignInAfterSignUp(client->client_id, *sub);
      if (outcome) return AfterStep(*outcome, username);
    }
    return LoginForm(200, NoticeBox(Translate(c_.lang, "account_confirmed")), username);
  }

  ApiResponse Resend() {
    if (!c_.post()) return LoginForm(200);
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    auto client = Client();
    if (!client) return ErrorPage(400, ErrorText(client.error()));
    const std::string username(c_.form.Get("username"));
    domain::users::ClientUserInput in;
    in.client_id = client->client_id;
    in.secret_hash = SecretHash(*client, username);
    in.username = username;
    auto sent = impl_.self.ResendConfirmationCode(in);
    if (!sent) return ConfirmForm(400, username, {}, ErrorBox(ErrorText(sent.error())));
    return ConfirmForm(200, username, sent->destination,
                       NoticeBox(Translate(c_.lang, "new_code_sent")));
  }

  // --- forgotten password --------------------------------------------------------------------

  ApiResponse ForgotForm(int status, std::string messages = {}) {
    Slots s;
    s["action"] = Href("/forgotPassword");
    s["csrf"] = CsrfField();
    s["username"] = web::HtmlEscape(c_.form.Get("username"));
    s["login_href"] = Href("/login");
    return Page(status, "title_forgot", RenderTemplate("forgot", c_.lang, s), std::move(messages));
  }

  ApiResponse ForgotSubmit(const std::string& username) {
    auto client = Client();
    if (!client) return ErrorPage(400, ErrorText(client.error()));
    domain::users::ClientUserInput in;
    in.client_id = client->client_id;
    in.secret_hash = SecretHash(*client, username);
    in.username = username;
    auto sent = impl_.self.ForgotPassword(in);
    if (!sent) return ForgotForm(400, ErrorBox(ErrorText(sent.error())));
    return ResetForm(200, username, sent->destination, {}, false);
  }

  ApiResponse Forgot() {
    if (!c_.post()) return ForgotForm(200);
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    const std::string username(c_.form.Get("username"));
    if (username.empty()) return ForgotForm(400, ErrorBox(Translate(c_.lang, "err_required")));
    return ForgotSubmit(username);
  }

  ApiResponse ResetForm(int status, const std::string& username, const std::string& destination,
                        std::string messages, bool password_error) {
    Slots s;
    s["action"] = Href("/confirmForgotPassword");
    s["csrf"] = CsrfField();
    s["username"] = web::HtmlEscape(username);
    s["description"] = web::HtmlEscape(
        destination.empty() ? Translate(c_.lang, "code_sent")
                            : Translate(c_.lang, "code_sent_to", {{"destination", destination}}));
    s[password_error ? "focus_password" : "focus_code"] = " autofocus";
    s["password_rules"] = PasswordRules();
    return Page(status, "title_reset", RenderTemplate("confirm_forgot", c_.lang, s),
                std::move(messages));
  }

  ApiResponse ConfirmForgot() {
    if (!c_.post()) return ResetForm(200, std::string(c_.query.Get("username")), {}, {}, false);
    if (!CsrfOk()) return ErrorPage(403, Translate(c_.lang, "err_csrf"));
    auto client = Client();
    if (!client) return ErrorPage(400, ErrorText(client.error()));
    const std::string username(c_.form.Get("username"));
    domain::users::ConfirmForgotPasswordInput in;
    in.client_id = client->client_id;
    in.secret_hash = SecretHash(*client, username);
    in.username = username;
    in.code = std::string(c_.form.Get("code"));
    in.password = std::string(c_.form.Get("password"));
    auto done = impl_.self.ConfirmForgotPassword(in);
    if (!done) {
      return ResetForm(400, username, {}, ErrorBox(ErrorText(done.error())),
                       done.error().is(ErrorCode::kInvalidPassword));
    }
    return SignInAfter(username, in.password, "password_changed");
  }

 private:
  Services& impl_;
  Call& c_;
  std::optional<bool> choice_;  // ChoiceSignIn(), once known
};

ApiResponse Plain(int status, std::string content_type, std::string body, bool cache = true) {
  ApiResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", cache ? "public, max-age=300" : "no-store");
  r.body = std::move(body);
  r.operation = "hosted_ui_asset";
  return r;
}

}  // namespace

struct HostedUiHandler::Impl : Services {
  using Services::Services;
};

HostedUiHandler::HostedUiHandler(domain::ServiceContext& ctx,
                                 std::shared_ptr<domain::tokens::TokenService> tokens,
                                 domain::oauth::OAuthService& oauth)
    : impl_(std::make_unique<Impl>(ctx, std::move(tokens), oauth)) {}

HostedUiHandler::~HostedUiHandler() = default;

ApiResponse HostedUiHandler::Handle(const ApiRequest& request) {
  const std::string path(web::PathOf(request.target));
  auto query = web::ParseForm(web::QueryOf(request.target));
  const std::string lang = ChooseLanguage(query ? query->Get("lang") : std::string_view(),
                                          request.Header("Accept-Language"));

  // Static assets.
  if (path == "/assets/hosted.css" && (request.method == "GET" || request.method == "HEAD")) {
    return Plain(200, "text/css; charset=utf-8", std::string(WebAsset("static/hosted.css")));
  }
  // The branding of a client (or of the pool, client_id=ALL&user_pool_id=...): its CSS and logo.
  // "/logo" is the path GetUICustomization's ImageUrl names.
  if ((path == "/assets/branding.css" || path == "/assets/logo" || path == "/logo") &&
      (request.method == "GET" || request.method == "HEAD")) {
    const std::string client_id(query ? query->Get("client_id") : std::string_view());
    std::string pool_id;
    if (client_id == "ALL") {
      pool_id = std::string(query->Get("user_pool_id"));
    } else if (auto client = domain::userpool::LoadClientFacts(impl_->ctx, "", client_id);
               !client_id.empty() && client) {
      pool_id = client->pool_id;
    }
    if (pool_id.empty()) return Plain(404, "text/plain", "Not found", false);
    auto branding = domain::userpool::BrandingFor(impl_->ctx, pool_id, client_id);
    if (!branding) return Plain(404, "text/plain", "Not found", false);
    if (path == "/assets/branding.css") {
      return Plain(200, "text/css; charset=utf-8", branding->css);
    }
    if (!branding->logo_bytes) return Plain(404, "text/plain", "Not found", false);
    return Plain(200, branding->logo_content_type, *branding->logo_bytes);
  }

  Call call{request, path, {}, {}, lang, {}, false, {}, {}};
  Pages pages(*impl_, call);
  using Route = ApiResponse (Pages::*)();
  static const std::pair<std::string_view, Route> kRoutes[] = {
      {"/login", &Pages::Login},
      {"/challenge", &Pages::Challenge},
      {"/signup", &Pages::SignUp},
      {"/confirm", &Pages::Confirm},
      {"/resendCode", &Pages::Resend},
      {"/forgotPassword", &Pages::Forgot},
      {"/confirmForgotPassword", &Pages::ConfirmForgot},
  };
  Route route = nullptr;
  for (const auto& [p, r] : kRoutes) {
    if (path == p) route = r;
  }
  if (route == nullptr) return pages.ErrorPage(404, "Not found");
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    ApiResponse r = pages.ErrorPage(405, Translate(lang, "err_bad_request"));
    r.headers.emplace_back("Allow", "GET, POST");
    return r;
  }

  // The CSRF token: the browser's cookie, or a new one this response sets.
  const auto cookies = web::Cookies(request);
  if (auto it = cookies.find(kCsrfCookie); it != cookies.end() && ValidCsrfShape(it->second)) {
    call.csrf = it->second;
  } else {
    call.csrf = crypto::Base64UrlEncode(crypto::RandomBytes(32));
    call.new_csrf = true;
  }
  if (!query) return pages.ErrorPage(400, Translate(lang, "err_bad_request"));
  call.query = std::move(*query);
  if (call.post()) {
    auto form = web::ParseForm(request.body);
    if (!form || !form->repeated.empty()) {
      return pages.ErrorPage(400, Translate(lang, "err_bad_request"));
    }
    call.form = std::move(*form);
  }
  if (auto refused = pages.Authorize()) return std::move(*refused);
  if (!call.authz.cognito_allowed) return pages.NoLoginOption();
  return (pages.*route)();
}

void RegisterRoutes(Router& router, HostedUiHandler& handler) {
  for (const char* path : {"/login", "/challenge", "/signup", "/confirm", "/resendCode",
                           "/forgotPassword", "/assets/", "/logo"}) {
    router.AddPrefix(path, handler);
  }
}

}  // namespace cognate::api::hosted_ui
