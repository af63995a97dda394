#include "api/well_known.h"

#include <string>

#include "api/wire.h"
#include "crypto/crypto.h"

namespace cognate::api {
namespace {

// Keys and discovery change rarely (a rotation); verifiers re-fetch on an unknown kid anyway.
constexpr char kCacheControl[] = "public, max-age=60";

ApiResponse NotFound(const ApiRequest& request, ApiError error) {
  std::string id = request.request_id.empty() ? crypto::NewUuid() : request.request_id;
  ApiResponse r = JsonError(error, id);
  r.status = 404;
  r.operation = "well-known";
  return r;
}

ApiResponse Document(std::string body) {
  ApiResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Cache-Control", kCacheControl);
  r.body = std::move(body);
  r.operation = "well-known";
  return r;
}

}  // namespace

ApiResponse WellKnownHandler::Handle(const ApiRequest& request) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  const bool jwks = path.ends_with(kJwksSuffix);
  const bool discovery = path.ends_with(kOpenIdConfigurationSuffix);
  std::string_view pool_id;
  if (jwks || discovery) {
    pool_id =
        path.substr(0, path.size() - (jwks ? kJwksSuffix : kOpenIdConfigurationSuffix).size());
    if (!pool_id.empty() && pool_id.front() == '/') pool_id.remove_prefix(1);
  }
  if (pool_id.empty() || pool_id.size() > 55 || pool_id.find('/') != std::string_view::npos ||
      (request.method != "GET" && request.method != "HEAD")) {
    return NotFound(request, ApiError(ErrorCode::kUnknownOperation, ""));
  }
  if (jwks) {
    auto doc = tokens_->JwksJson(std::string(pool_id));
    if (!doc) return NotFound(request, doc.error());
    return Document(std::move(*doc));
  }
  auto doc = tokens_->OpenIdConfiguration(std::string(pool_id));
  if (!doc) return NotFound(request, doc.error());
  return Document(doc->dump());
}

}  // namespace cognate::api
