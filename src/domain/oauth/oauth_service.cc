#include "domain/oauth/oauth_service.h"

#include <algorithm>
#include <utility>

#include "common/json_parse.h"
#include "common/strings.h"
#include "crypto/crypto.h"
#include "domain/tokens/claims.h"
#include "domain/userpool/pool_repository.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::oauth {
namespace {

using nlohmann::json;

constexpr std::int64_t kUsedCodeSeconds = 2 * kAuthorizationCodeSeconds;
constexpr std::size_t kMaxStateSize = 2048;

std::string_view Get(const Params& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() ? std::string_view{} : std::string_view(it->second);
}

bool Has(const Params& params, std::string_view name) { return params.contains(name); }

std::vector<std::string> SplitScopes(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) {
      std::string scope(s.substr(i, j - i));
      if (std::find(out.begin(), out.end(), scope) == out.end()) out.push_back(std::move(scope));
    }
    i = j + 1;
  }
  return out;
}

std::vector<std::string> StringList(const json& doc, const char* key) {
  std::vector<std::string> out;
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Cognito's own scopes (everything else is a resource server's "<identifier>/<name>").
bool IsStandardScope(std::string_view s) {
  return s == "openid" || s == "email" || s == "phone" || s == "profile" ||
         s == tokens::kAdminScope;
}

// RFC 7636: 43..128 characters of [A-Za-z0-9-._~].
bool IsPkceValue(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// `url` with `fields` added to its query (or, `as_fragment`, as its fragment).
std::string AppendQuery(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& fields,
                        bool as_fragment) {
  std::string encoded;
  for (const auto& [k, v] : fields) {
    if (!encoded.empty()) encoded += '&';
    encoded += Encode(k) + "=" + Encode(v);
  }
  if (encoded.empty()) return std::string(url);
  const std::size_t hash = url.find('#');
  std::string base(url.substr(0, hash));
  std::string fragment = hash == std::string_view::npos ? "" : std::string(url.substr(hash + 1));
  if (as_fragment) return base + "#" + encoded;
  base += base.find('?') == std::string::npos ? '?' : '&';
  base += encoded;
  if (hash != std::string_view::npos) base += "#" + fragment;
  return base;
}

std::string CodeKey(std::string_view code) { return crypto::HexEncode(crypto::Sha256(code)); }

OAuthFailure Fail(std::string error, std::string description = {}, int status = 400) {
  return OAuthFailure{status, std::move(error), std::move(description)};
}

OAuthFailure InvalidClient() { return Fail("invalid_client", {}, 401); }

// An ApiError from the token service, as the token endpoint answers it.
OAuthFailure FromApiError(const ApiError& e) {
  switch (e.code()) {
    case ErrorCode::kNotAuthorized:
    case ErrorCode::kUserNotFound:
      return Fail("invalid_grant", std::string(e.message()));
    case ErrorCode::kInternalError:
      return Fail("server_error", {}, 500);
    default:
      return Fail("invalid_request", std::string(e.message()));
  }
}

// What an authorization code is bound to (the ephemeral row's doc).
struct CodeGrant {
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string nonce;
  std::vector<std::string> scopes;
  std::string sub;
  std::int64_t auth_time_s = 0;

  std::string Dump() const {
    return json{{"client_id", client_id},
                {"redirect_uri", redirect_uri},
                {"code_challenge", code_challenge},
                {"code_challenge_method", code_challenge_method},
                {"nonce", nonce},
                {"scopes", scopes},
                {"sub", sub},
                {"auth_time", auth_time_s}}
        .dump();
  }
  static std::optional<CodeGrant> Parse(const std::string& text) {
    auto j = ParseJson(text);
    if (!j.is_object()) return std::nullopt;
    CodeGrant g;
    auto str = [&j](const char* key) {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    g.client_id = str("client_id");
    g.redirect_uri = str("redirect_uri");
    g.code_challenge = str("code_challenge");
    g.code_challenge_method = str("code_challenge_method");
    g.nonce = str("nonce");
    g.scopes = StringList(j, "scopes");
    g.sub = str("sub");
    if (auto it = j.find("auth_time"); it != j.end() && it->is_number_integer()) {
      g.auth_time_s = it->get<std::int64_t>();
    }
    if (g.client_id.empty() || g.sub.empty()) return std::nullopt;
    return g;
  }
};

bool VerifierMatches(const CodeGrant& g, std::string_view verifier) {
  if (g.code_challenge.empty()) return true;  // no PKCE on this code: a verifier is ignored
  if (!IsPkceValue(verifier)) return false;
  if (g.code_challenge_method == "S256") {
    return crypto::ConstantTimeEquals(crypto::Base64UrlEncode(crypto::Sha256(verifier)),
                                      g.code_challenge);
  }
  return crypto::ConstantTimeEquals(verifier, g.code_challenge);
}

json TokenBody(const tokens::IssuedTokens& t) {
  json body = json::object();
  if (!t.id_token.empty()) body["id_token"] = t.id_token;
  body["access_token"] = t.access_token;
  if (!t.refresh_token.empty()) body["refresh_token"] = t.refresh_token;
  body["expires_in"] = t.expires_in_s;
  body["token_type"] = t.token_type;
  return body;
}

}  // namespace

// An authenticated app client at the token or revocation endpoint.
struct OAuthService::AuthedClient {
  store::ClientRow row;
  std::shared_ptr<const json> doc;
  std::vector<std::string> flows;   // AllowedOAuthFlows (empty unless OAuth is on)
  std::vector<std::string> scopes;  // AllowedOAuthScopes
};

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
    const Params& params, std::string_view host_pool_id) {
  AuthorizeFailure page;  // an error page: nothing here may steer the browser anywhere
  page.error = "invalid_request";
  const std::string client_id(Get(params, "client_id"));
  if (client_id.empty()) {
    page.description = "Required String parameter 'client_id' is not present";
    return page;
  }
  auto client = userpool::LoadClientById(ctx_, client_id);
  if (!client || (!host_pool_id.empty() && client->pool_id != host_pool_id)) {
    page.error = "invalid_client";
    page.description = "Client does not exist";
    return page;
  }
  auto doc_ptr = userpool::ClientDoc(*client);
  if (!doc_ptr) {
    page.error = "server_error";
    page.description = "The client could not be read";
    return page;
  }
  const json& doc = **doc_ptr;
  const auto callbacks = StringList(doc, "CallbackURLs");
  std::string redirect_uri(Get(params, "redirect_uri"));
  if (!Has(params, "redirect_uri")) {
    auto def = doc.find("DefaultRedirectURI");
    if (def != doc.end() && def->is_string()) redirect_uri = def->get<std::string>();
  }
  if (redirect_uri.empty() || !Contains(callbacks, redirect_uri)) {
    page.error = "redirect_mismatch";
    page.description = "redirect_uri does not match one of the client's callback URLs";
    return page;
  }

  // From here the client and the redirect URI are known good: errors go back to the client.
  AuthorizeFailure back;
  back.redirect = true;
  back.redirect_uri = redirect_uri;
  back.state = std::string(Get(params, "state"));
  if (back.state.size() > kMaxStateSize) {
    back.state.clear();
    back.error = "invalid_request";
    back.description = "state is too long";
    return back;
  }
  auto fail = [&back](std::string error, std::string description) {
    back.error = std::move(error);
    back.description = std::move(description);
    return back;
  };

  const bool oauth_on = doc.value("AllowedOAuthFlowsUserPoolClient", false);
  const auto flows = oauth_on ? StringList(doc, "AllowedOAuthFlows") : std::vector<std::string>{};
  const auto allowed_scopes = StringList(doc, "AllowedOAuthScopes");

  AuthorizeRequest req;
  req.pool_id = client->pool_id;
  req.client_id = client_id;
  req.redirect_uri = redirect_uri;
  req.state = back.state;
  req.response_type = std::string(Get(params, "response_type"));
  if (req.response_type.empty()) {
    return fail("invalid_request", "Required String parameter 'response_type' is not present");
  }
  if (req.response_type != "code" && req.response_type != "token") {
    return fail("unsupported_response_type", "response_type must be code or token");
  }
  if (!Contains(flows, req.response_type == "code" ? "code" : "implicit")) {
    return fail("unauthorized_client", "The client is not allowed this response_type");
  }

  const auto requested = SplitScopes(Get(params, "scope"));
  for (const auto& s : requested) {
    if (!Contains(allowed_scopes, s)) return fail("invalid_scope", "Invalid scope requested: " + s);
  }
  req.scopes = requested.empty() ? allowed_scopes : requested;
  if (!Contains(req.scopes, "openid")) {
    for (const char* s : {"email", "phone", "profile"}) {
      if (Contains(req.scopes, s)) {
        return fail("invalid_scope", std::string("The ") + s + " scope requires openid");
      }
    }
  }

  req.code_challenge = std::string(Get(params, "code_challenge"));
  req.code_challenge_method = std::string(Get(params, "code_challenge_method"));
  if (!req.code_challenge.empty()) {
    if (req.code_challenge_method.empty()) req.code_challenge_method = "plain";  // RFC 7636 4.3
    if (req.code_challenge_method != "S256" && req.code_challenge_method != "plain") {
      return fail("invalid_request", "Unsupported code_challenge_method");
    }
    if (!IsPkceValue(req.code_challenge)) return fail("invalid_request", "Invalid code_challenge");
  } else if (!req.code_challenge_method.empty()) {
    return fail("invalid_request", "code_challenge_method without code_challenge");
  }
  if (req.response_type == "token") {
    req.code_challenge.clear();
    req.code_challenge_method.clear();
  }

  req.nonce = std::string(Get(params, "nonce"));
  if (req.nonce.size() > kMaxStateSize) return fail("invalid_request", "nonce is too long");
  req.cognito_allowed = Contains(StringList(doc, "SupportedIdentityProviders"), "COGNITO");
  req.identity_provider = std::string(Get(params, "identity_provider"));
  req.idp_identifier = std::string(Get(params, "idp_identifier"));
  if (!req.identity_provider.empty() && req.identity_provider != "COGNITO") {
    return fail("invalid_request",
                "Identity provider " + req.identity_provider + " does not exist for this client");
  }
  if (!req.idp_identifier.empty()) {
    return fail("invalid_request",
                "No identity provider with identifier " + req.idp_identifier + " exists");
  }
  req.prompt = std::string(Get(params, "prompt"));
  for (const auto& p : SplitScopes(req.prompt)) {
    if (p != "login" && p != "none" && p != "consent" && p != "select_account") {
      return fail("invalid_request", "Unsupported prompt value: " + p);
    }
  }
  req.login_hint = std::string(Get(params, "login_hint"));
  if (req.login_hint.size() > 256) return fail("invalid_request", "login_hint is too long");
  req.lang = std::string(Get(params, "lang"));
  if (req.lang.size() > 16) req.lang.clear();
  return req;
}

Result<std::string> OAuthService::CompleteAuthorize(const AuthorizeRequest& request,
                                                    const HostedUser& user) {
  if (user.pool_id != request.pool_id) {
    return ApiError::NotAuthorized("The session belongs to another user pool.");
  }
  // A hosted user is one of the pool's own (COGNITO): the client must support that provider.
  if (!request.cognito_allowed) return ApiError::NotAuthorized(std::string(kNoLoginOption));
  auto row = ctx_.store.GetUserBySub(user.pool_id, user.sub);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::UserNotFound();
    return userpool::StoreFailure(row.error());
  }
  if (!row->enabled) return ApiError::NotAuthorized("User is disabled.");
  const std::int64_t now_ms = ctx_.clock.NowMillis();
  const std::int64_t auth_time = user.auth_time_s > 0 ? user.auth_time_s : now_ms / 1000;

  if (request.response_type == "code") {
    CodeGrant grant;
    grant.client_id = request.client_id;
    grant.redirect_uri = request.redirect_uri;
    grant.code_challenge = request.code_challenge;
    grant.code_challenge_method = request.code_challenge_method;
    grant.nonce = request.nonce;
    grant.scopes = request.scopes;
    grant.sub = user.sub;
    grant.auth_time_s = auth_time;
    const std::string code = crypto::Base64UrlEncode(crypto::RandomBytes(32));
    store::EphemeralRow code_row;
    code_row.kind = kAuthorizationCodeKind;
    code_row.key = CodeKey(code);
    code_row.pool_id = request.pool_id;
    code_row.doc = grant.Dump();
    code_row.expires_ms = now_ms + kAuthorizationCodeSeconds * 1000;
    if (auto put = ctx_.store.PutEphemeral(code_row, now_ms); !put) {
      return userpool::StoreFailure(put.error());
    }
    std::vector<std::pair<std::string, std::string>> fields{{"code", code}};
    if (!request.state.empty()) fields.emplace_back("state", request.state);
    return AppendQuery(request.redirect_uri, fields, false);
  }

  tokens::SignInGrant grant;
  grant.pool_id = request.pool_id;
  grant.client_id = request.client_id;
  grant.sub = user.sub;
  grant.auth_time_s = auth_time;
  grant.scopes = request.scopes;
  grant.issue_refresh_token = false;
  grant.source = tokens::TokenSource::kHostedAuth;
  grant.oauth = true;
  grant.nonce = request.nonce;
  auto issued = tokens_->IssueForSignIn(grant);
  if (!issued) return issued.error();
  std::vector<std::pair<std::string, std::string>> fields;
  if (!issued->id_token.empty()) fields.emplace_back("id_token", issued->id_token);
  fields.emplace_back("access_token", issued->access_token);
  fields.emplace_back("token_type", issued->token_type);
  fields.emplace_back("expires_in", std::to_string(issued->expires_in_s));
  if (!request.state.empty()) fields.emplace_back("state", request.state);
  return AppendQuery(request.redirect_uri, fields, true);
}

OAuthResult<OAuthService::AuthedClient> OAuthService::Authenticate(const Params& form,
                                                                   const BasicAuth& basic,
                                                                   std::string_view host_pool_id) {
  std::string client_id;
  std::optional<std::string> secret;
  if (basic) {
    if (Has(form, "client_secret")) {
      return Fail("invalid_request", "Use one client authentication method");
    }
    client_id = basic->first;
    secret = basic->second;
    if (Has(form, "client_id") && Get(form, "client_id") != client_id) return InvalidClient();
  } else {
    client_id = std::string(Get(form, "client_id"));
    if (Has(form, "client_secret")) secret = std::string(Get(form, "client_secret"));
  }
  if (client_id.empty()) return InvalidClient();
  auto row = userpool::LoadClientById(ctx_, client_id);
  if (!row) {
    if (row.error().code() == ErrorCode::kInternalError) return Fail("server_error", {}, 500);
    return InvalidClient();
  }
  if (!host_pool_id.empty() && row->pool_id != host_pool_id) return InvalidClient();
  auto doc = userpool::ClientDoc(*row);
  if (!doc) return Fail("server_error", {}, 500);
  auto stored = userpool::OpenClientSecret(ctx_, *row, **doc);
  if (!stored) return Fail("server_error", {}, 500);
  if (*stored) {
    if (!secret || !crypto::ConstantTimeEquals(*secret, **stored)) return InvalidClient();
  } else if (secret && !secret->empty()) {
    return InvalidClient();
  }
  AuthedClient out;
  out.row = std::move(*row);
  out.doc = std::move(*doc);
  if ((*out.doc).value("AllowedOAuthFlowsUserPoolClient", false)) {
    out.flows = StringList(*out.doc, "AllowedOAuthFlows");
  }
  out.scopes = StringList(*out.doc, "AllowedOAuthScopes");
  return out;
}

OAuthResult<nlohmann::json> OAuthService::Token(const Params& form, const BasicAuth& basic,
                                                std::string_view host_pool_id) {
  const std::string_view grant_type = Get(form, "grant_type");
  if (grant_type.empty()) return Fail("invalid_request", "grant_type is required");
  if (grant_type != "authorization_code" && grant_type != "refresh_token" &&
      grant_type != "client_credentials") {
    return Fail("unsupported_grant_type");
  }
  auto authed = Authenticate(form, basic, host_pool_id);
  if (auto* f = std::get_if<OAuthFailure>(&authed)) return *f;
  AuthedClient& client = std::get<AuthedClient>(authed);
  const std::int64_t now_ms = ctx_.clock.NowMillis();

  if (grant_type == "client_credentials") {
    if (!Contains(client.flows, "client_credentials")) return Fail("unauthorized_client");
    std::vector<std::string> scopes;
    const auto requested = SplitScopes(Get(form, "scope"));
    if (requested.empty()) {
      for (const auto& s : client.scopes) {
        if (!IsStandardScope(s)) scopes.push_back(s);
      }
    } else {
      for (const auto& s : requested) {
        if (IsStandardScope(s) || !Contains(client.scopes, s)) return Fail("invalid_scope");
      }
      scopes = requested;
    }
    if (scopes.empty()) return Fail("invalid_scope");
    tokens::ClientCredentialsGrant grant;
    grant.pool_id = client.row.pool_id;
    grant.client_id = client.row.client_id;
    grant.scopes = std::move(scopes);
    grant.client = &client.row;
    auto issued = tokens_->IssueClientCredentials(grant);
    if (!issued) return FromApiError(issued.error());
    return json{{"access_token", issued->access_token},
                {"expires_in", issued->expires_in_s},
                {"token_type", "Bearer"}};
  }

  if (grant_type == "refresh_token") {
    const std::string_view refresh = Get(form, "refresh_token");
    if (refresh.empty()) return Fail("invalid_request", "refresh_token is required");
    if (Has(form, "scope")) {
      // A refresh may narrow nothing and widen nothing: every asked scope must be granted.
      auto granted = tokens_->RefreshTokenScopes(client.row.client_id, refresh);
      if (!granted) return FromApiError(granted.error());
      for (const auto& s : SplitScopes(Get(form, "scope"))) {
        if (!Contains(*granted, s)) return Fail("invalid_scope");
      }
    }
    tokens::RefreshInput input;
    input.pool_id = client.row.pool_id;
    input.client_id = client.row.client_id;
    input.refresh_token = std::string(refresh);
    input.allow_rotation = true;
    auto issued = tokens_->Refresh(input);
    if (!issued) return FromApiError(issued.error());
    return TokenBody(*issued);
  }

  // authorization_code
  const std::string_view code = Get(form, "code");
  if (code.empty()) return Fail("invalid_request", "code is required");
  if (!Has(form, "redirect_uri")) return Fail("invalid_request", "redirect_uri is required");
  if (!Contains(client.flows, "code")) return Fail("unauthorized_client");
  if (code.size() > 256) return Fail("invalid_grant");
  const std::string key = CodeKey(code);
  auto taken = ctx_.store.TakeEphemeral(kAuthorizationCodeKind, key, now_ms);
  if (!taken) {
    if (!taken.error().IsNotFound()) return Fail("server_error", {}, 500);
    // A code presented again: revoke what it gave the first time (RFC 6749 4.1.2).
    if (auto used = ctx_.store.GetEphemeral(kUsedCodeKind, key, now_ms); used) {
      (void)ctx_.store.RevokeTokenFamily(used->doc, now_ms);
    }
    return Fail("invalid_grant");
  }
  auto grant = CodeGrant::Parse(taken->doc);
  if (!grant || grant->client_id != client.row.client_id || taken->pool_id != client.row.pool_id ||
      grant->redirect_uri != Get(form, "redirect_uri") ||
      !VerifierMatches(*grant, Get(form, "code_verifier"))) {
    return Fail("invalid_grant");
  }
  tokens::SignInGrant sign_in;
  sign_in.pool_id = client.row.pool_id;
  sign_in.client_id = client.row.client_id;
  sign_in.sub = grant->sub;
  sign_in.auth_time_s = grant->auth_time_s;
  sign_in.scopes = grant->scopes;
  sign_in.source = tokens::TokenSource::kHostedAuth;
  sign_in.oauth = true;
  sign_in.nonce = grant->nonce;
  auto issued = tokens_->IssueForSignIn(sign_in);
  if (!issued) return FromApiError(issued.error());
  store::EphemeralRow used;
  used.kind = kUsedCodeKind;
  used.key = key;
  used.pool_id = client.row.pool_id;
  used.doc = issued->family_id;
  used.expires_ms = now_ms + kUsedCodeSeconds * 1000;
  (void)ctx_.store.PutEphemeral(used, now_ms);  // best effort: only for reuse detection
  return TokenBody(*issued);
}

OAuthResult<nlohmann::json> OAuthService::UserInfo(std::string_view access_token) {
  if (access_token.empty()) return Fail("invalid_token", "Access token is missing", 401);
  auto claims = tokens_->VerifyAccessToken(access_token, /*required_scope=*/"");
  if (!claims) return Fail("invalid_token", std::string(claims.error().message()), 401);
  const auto& scopes = claims->scopes;
  const bool admin = Contains(scopes, tokens::kAdminScope);
  if (!admin && !Contains(scopes, "openid")) {
    return Fail("insufficient_scope", "The access token does not have the openid scope", 403);
  }
  auto row = ctx_.store.GetUserBySub(claims->pool_id, claims->sub);
  if (!row) {
    if (row.error().IsNotFound()) return Fail("invalid_token", "User does not exist.", 401);
    return Fail("server_error", {}, 500);
  }
  if (!row->enabled) return Fail("invalid_token", "User is disabled.", 401);
  const users::UserRecord user = users::FromRow(*row);
  std::vector<std::string> readable;
  auto client = userpool::LoadClient(ctx_, claims->pool_id, claims->client_id);
  auto rules = users::LoadPoolRules(ctx_, claims->pool_id);
  if (!client || !rules) return Fail("server_error", {}, 500);
  auto doc = userpool::ClientDoc(*client);
  if (!doc) return Fail("server_error", {}, 500);
  readable = tokens::ReadableAttributes(*rules, **doc);

  auto opened = [&](const std::string& name) {
    if (admin) return true;
    if (name == "email" || name == "email_verified") return Contains(scopes, "email");
    if (name == "phone_number" || name == "phone_number_verified") {
      return Contains(scopes, "phone");
    }
    return Contains(scopes, "profile");
  };
  json out = json::object();
  out["sub"] = user.sub;
  for (const auto& [name, value] : user.attributes) {
    if (name == "sub" || !Contains(readable, name) || !opened(name)) continue;
    out[name] = value;
  }
  out["username"] = user.username;
  return out;
}

std::optional<OAuthFailure> OAuthService::Revoke(const Params& form, const BasicAuth& basic,
                                                 std::string_view host_pool_id) {
  const std::string_view token = Get(form, "token");
  if (token.empty()) return Fail("invalid_request", "token is required");
  auto authed = Authenticate(form, basic, host_pool_id);
  if (auto* f = std::get_if<OAuthFailure>(&authed)) return *f;
  const AuthedClient& client = std::get<AuthedClient>(authed);
  if (auto it = client.doc->find("EnableTokenRevocation");
      it != client.doc->end() && it->is_boolean() && !it->get<bool>()) {
    return Fail("unauthorized_client", "Token revocation is not enabled for this client");
  }
  auto revoked = tokens_->RevokeRefreshToken(client.row.client_id, token);
  if (!revoked) {
    if (revoked.error().code() == ErrorCode::kUnsupportedTokenType) {
      return Fail("unsupported_token_type");
    }
    if (revoked.error().code() == ErrorCode::kInternalError) return Fail("server_error", {}, 500);
    return Fail("invalid_request", std::string(revoked.error().message()));
  }
  return std::nullopt;
}

std::variant<LogoutOutcome, AuthorizeFailure> OAuthService::Logout(const Params& params,
                                                                   std::string_view host_pool_id) {
  AuthorizeFailure page;
  page.error = "invalid_request";
  const std::string client_id(Get(params, "client_id"));
  if (client_id.empty()) {
    page.description = "Required String parameter 'client_id' is not present";
    return page;
  }
  if (Has(params, "logout_uri")) {
    auto client = userpool::LoadClientById(ctx_, client_id);
    if (!client || (!host_pool_id.empty() && client->pool_id != host_pool_id)) {
      page.error = "invalid_client";
      page.description = "Client does not exist";
      return page;
    }
    auto doc = userpool::ClientDoc(*client);
    const std::string logout_uri(Get(params, "logout_uri"));
    if (!doc || !Contains(StringList(**doc, "LogoutURLs"), logout_uri)) {
      page.error = "redirect_mismatch";
      page.description = "logout_uri does not match one of the client's sign-out URLs";
      return page;
    }
    return LogoutOutcome{logout_uri, true};
  }
  if (!Has(params, "redirect_uri") || !Has(params, "response_type")) {
    page.description = "logout needs logout_uri, or redirect_uri and response_type";
    return page;
  }
  auto parsed = ParseAuthorize(params, host_pool_id);
  if (auto* f = std::get_if<AuthorizeFailure>(&parsed)) return *f;
  const auto& request = std::get<AuthorizeRequest>(parsed);
  return LogoutOutcome{AppendQuery("/login", request.ToParams(), false), true};
}

}  // namespace cognate::domain::oauth
