#include "api/web.h"

#include <algorithm>
#include <cctype>

#include "common/json_dump.h"
#include "crypto/crypto.h"

namespace cognate::api::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` ('+' as a space when `plus_is_space`). nullopt on a bad escape or NUL.
std::optional<std::string> Decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
    if (out.back() == '\0') return std::nullopt;
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view PathOf(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  return path.empty() ? std::string_view("/") : path;
}

std::string_view QueryOf(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::string_view Form::Get(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? std::string_view() : std::string_view(it->second);
}

bool Form::Has(std::string_view name) const { return values.find(name) != values.end(); }

std::optional<Form> ParseForm(std::string_view text, std::size_t max_fields,
                              std::size_t max_value) {
  Form form;
  std::size_t fields = 0;
  while (!text.empty()) {
    const auto amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    if (++fields > max_fields) return std::nullopt;
    const auto eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq), true);
    auto value =
        Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value || name->size() > max_value || value->size() > max_value ||
        !ValidUtf8(*name) || !ValidUtf8(*value)) {
      return std::nullopt;
    }
    if (form.values.contains(*name)) {
      if (std::find(form.repeated.begin(), form.repeated.end(), *name) == form.repeated.end()) {
        form.repeated.push_back(*name);
      }
      continue;
    }
    form.values.emplace(std::move(*name), std::move(*value));
  }
  return form;
}

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += UrlEncode(name);
    out.push_back('=');
    out += UrlEncode(value);
  }
  return out;
}

std::string AppendQuery(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& fields,
                        bool as_fragment) {
  const std::string encoded = EncodeForm(fields);
  const auto hash = url.find('#');
  std::string_view base = url.substr(0, hash);
  std::string_view fragment =
      hash == std::string_view::npos ? std::string_view() : url.substr(hash);
  if (as_fragment) {
    // The implicit flow's parameters replace any fragment the URL had.
    if (encoded.empty()) return std::string(url);
    return std::string(base) + "#" + encoded;
  }
  if (encoded.empty()) return std::string(url);
  std::string out(base);
  if (out.find('?') == std::string::npos) {
    out.push_back('?');
  } else if (out.back() != '?' && out.back() != '&') {
    out.push_back('&');
  }
  out += encoded;
  out += fragment;
  return out;
}

std::map<std::string, std::string, std::less<>> Cookies(const ApiRequest& request) {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& [name, value] : request.headers) {
    if (name.size() != 6 || !std::equal(name.begin(), name.end(), "cookie", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      continue;
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view part = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const auto eq = part.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      std::string_view v = Trim(part.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      out.emplace(std::string(Trim(part.substr(0, eq))), std::string(v));
    }
  }
  return out;
}

std::string SetCookie(std::string_view name, std::string_view value, const CookieOptions& options) {
  std::string out;
  out.append(name).append("=").append(value);
  out += "; Path=" + options.path;
  if (options.max_age_s) {
    out += "; Max-Age=" + std::to_string(std::max<std::int64_t>(0, *options.max_age_s));
    if (*options.max_age_s <= 0) out += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  }
  if (options.http_only) out += "; HttpOnly";
  if (options.secure || options.same_site == "None") out += "; Secure";
  if (!options.same_site.empty()) out += "; SameSite=" + options.same_site;
  return out;
}

bool IsSecure(std::string_view public_url) { return public_url.starts_with("https://"); }

std::string RequestHost(const ApiRequest& request) {
  std::string_view host = Trim(request.Header("Host"));
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    host = close == std::string_view::npos ? host : host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

ApiResponse Redirect(std::string location, int status) {
  ApiResponse r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Length", "0");
  return r;
}

std::string ContentSecurityPolicy(const std::vector<std::string>& form_action) {
  std::string csp =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "font-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; "
      "form-action 'self'";
  for (const auto& source : form_action) csp += " " + source;
  return csp;
}

ApiResponse Html(int status, std::string body, std::string csp) {
  ApiResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Security-Policy",
                         csp.empty() ? ContentSecurityPolicy() : std::move(csp));
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

ApiResponse Json(int status, const nlohmann::json& body) {
  ApiResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  r.body = DumpJson(body);
  return r;
}

ApiResponse OAuthError(int status, std::string_view error, std::string_view description) {
  nlohmann::json body{{"error", error}};
  if (!description.empty()) body["error_description"] = description;
  ApiResponse r = Json(status, body);
  r.error_type = std::string(error);
  return r;
}

std::optional<std::pair<std::string, std::string>> BasicCredentials(const ApiRequest& request) {
  std::string_view header = Trim(request.Header("Authorization"));
  if (header.size() < 6) return std::nullopt;
  std::string scheme(header.substr(0, 6));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "basic ") return std::nullopt;
  auto decoded = crypto::Base64Decode(Trim(header.substr(6)));
  if (!decoded) return std::pair<std::string, std::string>{};
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::pair<std::string, std::string>{};
  auto id = Decode(std::string_view(*decoded).substr(0, colon), true);
  auto secret = Decode(std::string_view(*decoded).substr(colon + 1), true);
  if (!id || !secret) return std::pair<std::string, std::string>{};
  return std::pair<std::string, std::string>{std::move(*id), std::move(*secret)};
}

}  // namespace cognate::api::web
