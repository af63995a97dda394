#include "crypto/sigv4.h"
// Implements AWS Signature Version 4 (header form):
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "crypto/crypto.h"

namespace cognate::crypto {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::string_view kBadSignatureMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Header value as canonicalised: trimmed, inner runs of spaces collapsed to one.
std::string CanonicalValue(std::string_view v) {
  v = Trim(v);
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexVal(s[i + 1]) >= 0 && HexVal(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexVal(s[i + 1]) * 16 + HexVal(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The canonical URI: the path decoded, with dot segments and empty segments removed, each
// segment encoded once.
std::string CanonicalUri(std::string_view path) {
  std::vector<std::string> segs;
  std::size_t start = 0;
  std::string decoded = PercentDecode(path, false);
  std::string_view p = decoded;
  bool trailing = !p.empty() && p.back() == '/';
  while (start <= p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view seg = p.substr(start, end - start);
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.emplace_back(seg);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (i) out += "/";
    out += PercentEncode(segs[i]);
  }
  if (trailing && !segs.empty()) out += "/";
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view kv = query.substr(start, end - start);
    if (!kv.empty()) {
      std::size_t eq = kv.find('=');
      std::string k = PercentDecode(kv.substr(0, eq), false);
      std::string v = eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1), false);
      params.emplace_back(PercentEncode(k), PercentEncode(v));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += "&";
    out += k + "=" + v;
  }
  return out;
}

struct ParsedAuth {
  std::string akid, date, region, service, terminator;
  std::string credential;  // the whole Credential value
  std::vector<std::string> signed_headers;
  std::string signed_headers_text;
  std::string signature;
};

// Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...". Returns a message
// for IncompleteSignatureException on failure.
std::optional<std::string> ParseAuthorization(std::string_view header, ParsedAuth& out) {
  std::string_view h = Trim(header);
  std::size_t sp = h.find(' ');
  std::string_view alg = h.substr(0, sp);
  if (alg != kAlgorithm) {
    return fmt::format("Unsupported AWS 'algorithm': '{}'", alg);
  }
  std::string_view rest = sp == std::string_view::npos ? "" : h.substr(sp + 1);
  bool have_cred = false, have_sh = false, have_sig = false;
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t end = rest.find(',', start);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view part = Trim(rest.substr(start, end - start));
    std::size_t eq = part.find('=');
    if (eq != std::string_view::npos) {
      std::string_view k = part.substr(0, eq), v = part.substr(eq + 1);
      if (k == "Credential") {
        have_cred = true;
        out.credential = v;
      } else if (k == "SignedHeaders") {
        have_sh = true;
        out.signed_headers_text = v;
      } else if (k == "Signature") {
        have_sig = true;
        out.signature = v;
      }
    }
    start = end + 1;
  }
  std::string missing;
  if (!have_cred) missing += "Authorization header requires 'Credential' parameter. ";
  if (!have_sig) missing += "Authorization header requires 'Signature' parameter. ";
  if (!have_sh) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) return missing + "Authorization=" + std::string(h);
  // Credential = AKID/yyyymmdd/region/service/aws4_request
  std::vector<std::string> parts;
  std::size_t s = 0;
  std::string_view cred = out.credential;
  while (true) {
    std::size_t e = cred.find('/', s);
    parts.emplace_back(cred.substr(s, e == std::string_view::npos ? cred.size() - s : e - s));
    if (e == std::string_view::npos) break;
    s = e + 1;
  }
  if (parts.size() != 5 || parts[0].empty()) {
    return "Credential should be scoped to a valid region. Credential should be scoped with a "
           "valid terminator: 'aws4_request'. Authorization=" +
           std::string(h);
  }
  out.akid = parts[0];
  out.date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  out.terminator = parts[4];
  std::size_t hs = 0;
  std::string_view shv = out.signed_headers_text;
  while (hs <= shv.size()) {
    std::size_t he = shv.find(';', hs);
    if (he == std::string_view::npos) he = shv.size();
    std::string name = Lower(Trim(shv.substr(hs, he - hs)));
    if (!name.empty()) out.signed_headers.push_back(std::move(name));
    hs = he + 1;
  }
  if (out.signed_headers.empty()) {
    return "Authorization header requires 'SignedHeaders' parameter. Authorization=" +
           std::string(h);
  }
  return std::nullopt;
}

// "20261122T102441Z" -> epoch seconds.
std::optional<std::int64_t> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = 0; i < len; ++i) v = v * 10 + (s[pos + i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string FormatAmzDate(std::int64_t epoch_s) {
  std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// Every value of header `name` (lower-case), in order.
std::vector<std::string_view> HeaderValues(const SigV4Request& req, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : req.headers) {
    if (k.size() == name.size() && Lower(k) == name) out.emplace_back(v);
  }
  return out;
}

std::string_view FirstHeader(const SigV4Request& req, std::string_view name) {
  auto v = HeaderValues(req, name);
  return v.empty() ? std::string_view{} : v.front();
}

std::string CanonicalRequest(const SigV4Request& req,
                             const std::vector<std::string>& signed_headers,
                             const std::string& signed_headers_text,
                             const std::string& payload_hash) {
  std::string_view target = req.target;
  std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  std::string out = req.method + "\n" + CanonicalUri(path.empty() ? "/" : path) + "\n" +
                    CanonicalQuery(query) + "\n";
  for (const auto& name : signed_headers) {
    std::string joined;
    bool first = true;
    for (std::string_view v : HeaderValues(req, name)) {
      if (!first) joined += ",";
      first = false;
      joined += CanonicalValue(v);
    }
    out += name + ":" + joined + "\n";
  }
  out += "\n" + signed_headers_text + "\n" + payload_hash;
  return out;
}

std::string Signature(std::string_view secret, std::string_view date, std::string_view region,
                      std::string_view service, std::string_view amz_date,
                      const std::string& canonical_request) {
  std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  std::string string_to_sign = fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date, scope,
                                           HexEncode(Sha256(canonical_request)));
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  k = HmacSha256(k, "aws4_request");
  return HexEncode(HmacSha256(k, string_to_sign));
}

SigV4Outcome Fail(SigV4Failure f, std::string message) {
  return SigV4Outcome{std::nullopt, f, std::move(message)};
}

}  // namespace

SigV4Outcome VerifySigV4(const SigV4Request& req, std::string_view service,
                         const SigV4SecretLookup& lookup, std::int64_t now_epoch_s,
                         std::int64_t max_skew_s) {
  std::string_view auth = FirstHeader(req, "authorization");
  if (auth.empty()) return Fail(SigV4Failure::kMissing, "Missing Authentication Token");
  ParsedAuth pa;
  if (auto err = ParseAuthorization(auth, pa)) return Fail(SigV4Failure::kIncomplete, *err);
  if (std::find(pa.signed_headers.begin(), pa.signed_headers.end(), "host") ==
      pa.signed_headers.end()) {
    return Fail(SigV4Failure::kIncomplete,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  std::string_view amz_date = FirstHeader(req, "x-amz-date");
  if (amz_date.empty()) {
    return Fail(SigV4Failure::kIncomplete,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header. Authorization=" +
                    std::string(Trim(auth)));
  }
  auto when = ParseAmzDate(amz_date);
  if (!when) {
    return Fail(SigV4Failure::kIncomplete,
                fmt::format("Date must be in ISO-8601 'basic format'. Got '{}'. See "
                            "http://en.wikipedia.org/wiki/ISO_8601",
                            amz_date));
  }
  if (pa.terminator != "aws4_request") {
    return Fail(SigV4Failure::kBadSignature,
                fmt::format("Credential should be scoped with a valid terminator: 'aws4_request', "
                            "not '{}'.",
                            pa.terminator));
  }
  if (pa.service != service) {
    return Fail(SigV4Failure::kWrongService,
                fmt::format("Credential should be scoped to correct service: '{}'. ", service));
  }
  if (pa.region.empty()) {
    return Fail(SigV4Failure::kBadSignature, "Credential should be scoped to a valid region. ");
  }
  if (pa.date != amz_date.substr(0, 8)) {
    return Fail(SigV4Failure::kBadSignature,
                fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                            "version of date from HTTP: '{}' != '{}', from '{}'.",
                            pa.date, amz_date.substr(0, 8), amz_date));
  }
  if (*when < now_epoch_s - max_skew_s) {
    return Fail(SigV4Failure::kExpired,
                fmt::format("Signature expired: {} is now earlier than {} ({} - {} min.)", amz_date,
                            FormatAmzDate(now_epoch_s - max_skew_s), FormatAmzDate(now_epoch_s),
                            max_skew_s / 60));
  }
  if (*when > now_epoch_s + max_skew_s) {
    return Fail(SigV4Failure::kExpired,
                fmt::format("Signature not yet current: {} is still later than {} ({} + {} min.)",
                            amz_date, FormatAmzDate(now_epoch_s + max_skew_s),
                            FormatAmzDate(now_epoch_s), max_skew_s / 60));
  }
  std::optional<SigV4Secret> secret = lookup ? lookup(pa.akid) : std::nullopt;
  if (!secret) return Fail(SigV4Failure::kUnknownKey, std::string(kInvalidToken));
  std::vector<std::string_view> tokens = HeaderValues(req, "x-amz-security-token");
  if (secret->session_token) {
    if (tokens.size() != 1 || !ConstantTimeEquals(tokens.front(), *secret->session_token)) {
      return Fail(SigV4Failure::kBadSessionToken, std::string(kInvalidToken));
    }
  } else if (!tokens.empty()) {
    return Fail(SigV4Failure::kBadSessionToken, std::string(kInvalidToken));
  }
  std::string body_hash = HexEncode(Sha256(req.body));
  std::string payload_hash = body_hash;
  std::string_view declared = FirstHeader(req, "x-amz-content-sha256");
  if (!declared.empty()) {
    std::string d(Trim(declared));
    if (d != kUnsignedPayload && !ConstantTimeEquals(Lower(d), body_hash)) {
      return Fail(SigV4Failure::kBadSignature,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    payload_hash = d;
  }
  std::string canonical =
      CanonicalRequest(req, pa.signed_headers, pa.signed_headers_text, payload_hash);
  std::string expected =
      Signature(secret->secret_access_key, pa.date, pa.region, pa.service, amz_date, canonical);
  if (!ConstantTimeEquals(expected, Lower(pa.signature))) {
    return Fail(SigV4Failure::kBadSignature, std::string(kBadSignatureMessage));
  }
  return SigV4Outcome{SigV4Verified{pa.akid, pa.region, pa.service}, SigV4Failure::kMissing, {}};
}

void SignSigV4ForTest(SigV4Request& req, std::string_view akid, std::string_view secret,
                      std::string_view region, std::string_view service, std::int64_t now_epoch_s,
                      bool add_content_sha256) {
  std::string amz_date = FormatAmzDate(now_epoch_s);
  std::string date = amz_date.substr(0, 8);
  if (FirstHeader(req, "host").empty()) req.headers.emplace_back("Host", "localhost");
  req.headers.emplace_back("X-Amz-Date", amz_date);
  std::string payload_hash = HexEncode(Sha256(req.body));
  if (add_content_sha256) req.headers.emplace_back("x-amz-content-sha256", payload_hash);
  // Sign every header present, as the JS SDK does, minus the ones SDKs never sign.
  std::vector<std::string> names;
  for (const auto& [k, v] : req.headers) {
    std::string n = Lower(k);
    if (n == "authorization" || n == "user-agent" || n == "expect" || n == "x-amzn-trace-id") {
      continue;
    }
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::string signed_text;
  for (const auto& n : names) signed_text += (signed_text.empty() ? "" : ";") + n;
  std::string_view declared = FirstHeader(req, "x-amz-content-sha256");
  if (!declared.empty()) payload_hash = std::string(Trim(declared));
  std::string canonical = CanonicalRequest(req, names, signed_text, payload_hash);
  std::string sig = Signature(secret, date, region, service, amz_date, canonical);
  req.headers.emplace_back("Authorization",
                           fmt::format("{} Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, "
                                       "Signature={}",
                                       kAlgorithm, akid, date, region, service, signed_text, sig));
}

}  // namespace cognate::crypto
