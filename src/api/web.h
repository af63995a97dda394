#pragma once
// The browser-facing side of api/ (OAuth 2.0 endpoints and hosted pages): query strings and form
// bodies, cookies, redirects, HTML and OAuth JSON responses with the security headers every page
// carries. Pure functions over ApiRequest / ApiResponse; no Beast.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_types.h"
#include "common/html.h"
#include "crypto/crypto.h"

namespace cognate::api::web {

// The path of a request-target ("/oauth2/authorize?x=1" -> "/oauth2/authorize"; "" -> "/").
std::string_view PathOf(std::string_view target);
// The query of a request-target, without the '?' ("" when there is none).
std::string_view QueryOf(std::string_view target);

// application/x-www-form-urlencoded data (a query string or a form body).
struct Form {
  std::map<std::string, std::string, std::less<>> values;  // first occurrence of each name
  std::vector<std::string> repeated;  // names given more than once (OAuth refuses those)

  // The value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
};

// Decodes `text` ('+' is a space, %XX escapes). nullopt for a bad escape, a NUL byte, invalid
// UTF-8, more than `max_fields` fields, or a name or value longer than `max_value` bytes.
std::optional<Form> ParseForm(std::string_view text, std::size_t max_fields = 64,
                              std::size_t max_value = 8192);

// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
inline std::string UrlEncode(std::string_view text) { return crypto::PercentEncode(text); }
// "a=1&b=x%20y" from ordered pairs (empty values kept as "a=").
std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& fields);
// `url` with `fields` appended to its query ('?' or '&' as needed); a fragment in `url` stays
// last. With `as_fragment`, the fields go into the fragment instead (OAuth implicit flow).
std::string AppendQuery(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& fields,
                        bool as_fragment = false);

// The request's cookies (Cookie headers, "a=1; b=2"); the first of a repeated name wins.
std::map<std::string, std::string, std::less<>> Cookies(const ApiRequest& request);

struct CookieOptions {
  std::string path = "/";
  std::optional<std::int64_t> max_age_s;  // none: a session cookie; 0 deletes it
  bool http_only = true;
  bool secure = false;            // set when the server speaks TLS (see IsSecure)
  std::string same_site = "Lax";  // "Strict", "Lax" or "None" (None forces Secure)
};
// The value of a Set-Cookie header. `value` must be cookie-safe (base64url, hex, ...).
std::string SetCookie(std::string_view name, std::string_view value, const CookieOptions& options);

// True when the server's public URL is https:// (cookies then get Secure).
bool IsSecure(std::string_view public_url);

// The Host header, lowercased, without a port ("" when absent).
std::string RequestHost(const ApiRequest& request);

// 302 (or `status`) to `location`, no body, Cache-Control: no-store.
ApiResponse Redirect(std::string location, int status = 302);

// The Content-Security-Policy of every page: only our own scripts, styles, images and forms, never
// framed. `form_action` adds sources a form may post to or be redirected to (callback origins).
std::string ContentSecurityPolicy(const std::vector<std::string>& form_action = {});

// An HTML page (`text/html; charset=utf-8`) with the security headers: the CSP above (or `csp`
// when given), X-Frame-Options: DENY, X-Content-Type-Options: nosniff, Referrer-Policy:
// no-referrer, Cache-Control: no-store.
ApiResponse Html(int status, std::string body, std::string csp = {});

// Escapes & < > " ' for HTML text and attribute values (common/html.h).
using ::cognate::HtmlEscape;

// A JSON response (`application/json;charset=UTF-8`, Cache-Control: no-store, Pragma: no-cache),
// as the OAuth endpoints answer.
ApiResponse Json(int status, const nlohmann::json& body);
// An OAuth error body {"error": `error`} (plus "error_description" when not empty).
ApiResponse OAuthError(int status, std::string_view error, std::string_view description = {});

// HTTP Basic credentials (Authorization: Basic base64(id:secret)), each part percent-decoded as
// RFC 6749 2.3.1 asks. nullopt when the header is absent or not Basic; a malformed one gives
// {"", ""} so the caller can refuse it.
std::optional<std::pair<std::string, std::string>> BasicCredentials(const ApiRequest& request);

}  // namespace cognate::api::web
