#include "api/aws_json_service.h"

#include <exception>
#include <string_view>

#include <spdlog/spdlog.h>

#include "api/model/model.h"
#include "api/model/validator.h"
#include "api/wire.h"
#include "common/json_parse.h"
#include "common/strings.h"
#include "crypto/crypto.h"

namespace cognate::api {

// Outside the anonymous namespace: AwsJsonService::Impl (external linkage) holds two.
namespace aws_json_detail {
struct Service {
  const model::ServiceModel* model;
  const HandlerRegistry* registry;
};
}  // namespace aws_json_detail

namespace {

using aws_json_detail::Service;

using json = nlohmann::json;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// application/x-amz-json-1.1 (or 1.0, which Coral accepts too), parameters ignored.
bool IsAmzJson(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  return EqualsIgnoreCase(media, "application/x-amz-json-1.1") ||
         EqualsIgnoreCase(media, "application/x-amz-json-1.0");
}

crypto::SigV4Request ToSigV4(const ApiRequest& r) {
  return crypto::SigV4Request{r.method, r.target, r.headers, r.body};
}

ApiError SigV4Error(const crypto::SigV4Outcome& o) {
  switch (o.failure) {
    case crypto::SigV4Failure::kMissing:
      return {ErrorCode::kMissingAuthenticationToken, "Request is missing Authentication Token"};
    case crypto::SigV4Failure::kIncomplete:
      return {ErrorCode::kIncompleteSignature, o.message};
    case crypto::SigV4Failure::kUnknownKey:
    case crypto::SigV4Failure::kBadSessionToken:
      return {ErrorCode::kUnrecognizedClient, o.message};
    case crypto::SigV4Failure::kBadSignature:
    case crypto::SigV4Failure::kExpired:
    case crypto::SigV4Failure::kWrongService:
      return {ErrorCode::kInvalidSignature, o.message};
  }
  return {ErrorCode::kInvalidSignature, o.message};
}

// "AWS4-HMAC-SHA256 Credential=AKID/date/region/..." -> {AKID, region}, for dev mode.
std::pair<std::string, std::string> CredentialOf(std::string_view auth) {
  std::size_t p = auth.find("Credential=");
  if (p == std::string_view::npos) return {};
  std::string_view cred = auth.substr(p + 11);
  cred = cred.substr(0, cred.find_first_of(", "));
  std::string_view akid = cred.substr(0, cred.find('/'));
  std::string region;
  std::size_t s1 = cred.find('/');
  std::size_t s2 = s1 == std::string_view::npos ? s1 : cred.find('/', s1 + 1);
  std::size_t s3 = s2 == std::string_view::npos ? s2 : cred.find('/', s2 + 1);
  if (s3 != std::string_view::npos) region = cred.substr(s2 + 1, s3 - s2 - 1);
  return {std::string(akid), region};
}

}  // namespace

struct AwsJsonService::Impl {
  Service idp;
  Service identity;
  crypto::SigV4SecretLookup secrets;
  const Clock& clock;
  AwsJsonOptions options;

  ApiResponse Error(const ApiError& e, const ApiRequest& req, std::string_view op) {
    ApiResponse r = JsonError(e, req.request_id, clock.NowSeconds());
    r.operation = std::string(op);
    if (e.http_status() >= 500) {
      spdlog::error("request {} {} failed: {} {}", req.request_id, op, e.type_name(),
                    e.internal().empty() ? e.message() : e.internal());
    } else {
      spdlog::debug("request {} {}: {}", req.request_id, op, e.type_name());
    }
    return r;
  }

  ApiResponse Handle(const ApiRequest& req) {
    std::string_view target = Trim(req.Header("X-Amz-Target"));
    if (req.method != "POST") {
      return Error({ErrorCode::kUnknownOperation, ""}, req, "");
    }
    std::size_t dot = target.rfind('.');
    if (target.empty() || dot == std::string_view::npos) {
      return Error({ErrorCode::kUnknownOperation, ""}, req, "");
    }
    std::string_view prefix = target.substr(0, dot);
    std::string_view op_name = target.substr(dot + 1);
    const Service* svc = nullptr;
    if (prefix == idp.model->target_prefix()) {
      svc = &idp;
    } else if (prefix == identity.model->target_prefix()) {
      svc = &identity;
    } else {
      return Error({ErrorCode::kUnknownOperation, ""}, req, "");
    }
    const model::Operation* op = svc->model->FindOperation(op_name);
    if (op == nullptr) return Error({ErrorCode::kUnknownOperation, ""}, req, "");
    if (!IsAmzJson(req.Header("Content-Type"))) {
      return Error({ErrorCode::kUnknownOperation, ""}, req, op->name);
    }

    CallContext ctx;
    ctx.request_id = req.request_id;
    ctx.operation = op->name;
    ctx.region = options.region;
    ctx.source_ip = req.source_ip;
    ctx.user_agent = std::string(req.Header("User-Agent"));

    if (op->auth == AuthKind::kIam) {
      if (auto err = Authenticate(req, *svc, ctx)) return Error(*err, req, op->name);
    }

    std::string_view body = req.body;
    bool too_deep = false;
    json input = Trim(body).empty() ? json::object()
                                    : ParseJsonWithin(body, options.max_json_depth, too_deep);
    if (too_deep) {
      return Error({ErrorCode::kSerialization, "Request nesting is too deep."}, req, op->name);
    }
    if (input.is_discarded()) {
      return Error({ErrorCode::kSerialization, "Malformed JSON in the request body."}, req,
                   op->name);
    }
    if (auto err = model::Validate(*op, input)) return Error(*err, req, op->name);

    const JsonHandler* handler = svc->registry->Find(op->name);
    if (handler == nullptr) {
      return Error(
          {ErrorCode::kUnsupportedOperation, "Cognate does not implement " + op->name + " yet."},
          req, op->name);
    }
    try {
      Result<json> out = (*handler)(input, ctx);
      if (out.has_error()) return Error(out.error(), req, op->name);
      ApiResponse r = JsonSuccess(*out, req.request_id, clock.NowSeconds());
      r.operation = op->name;
      return r;
    } catch (const std::exception& e) {
      return Error(ApiError::Internal(std::string("handler threw: ") + e.what()), req, op->name);
    } catch (...) {
      return Error(ApiError::Internal("handler threw a non-exception"), req, op->name);
    }
  }

  std::optional<ApiError> Authenticate(const ApiRequest& req, const Service& svc,
                                       CallContext& ctx) {
    crypto::SigV4Request sreq = ToSigV4(req);
    std::int64_t now = clock.NowSeconds();
    if (options.dev_mode) {
      // Any well-formed signature: the header must parse and be scoped to this service; the key,
      // the signature and the clock are not checked.
      auto any = [this](std::string_view akid) -> std::optional<crypto::SigV4Secret> {
        if (secrets) {
          if (auto s = secrets(akid)) return s;
        }
        return crypto::SigV4Secret{"dev-mode", std::nullopt};
      };
      crypto::SigV4Outcome o = crypto::VerifySigV4(sreq, svc.model->signing_name(), any, now, 300);
      if (o.ok) {
        ctx.caller_access_key = o.ok->access_key_id;
        ctx.region = o.ok->region;
        return std::nullopt;
      }
      using F = crypto::SigV4Failure;
      if (o.failure == F::kMissing || o.failure == F::kIncomplete ||
          o.failure == F::kWrongService) {
        return SigV4Error(o);
      }
      auto [akid, region] = CredentialOf(req.Header("Authorization"));
      ctx.caller_access_key = akid;
      if (!region.empty()) ctx.region = region;
      return std::nullopt;
    }
    crypto::SigV4Outcome o =
        crypto::VerifySigV4(sreq, svc.model->signing_name(), secrets, now, 300);
    if (!o.ok) return SigV4Error(o);
    ctx.caller_access_key = o.ok->access_key_id;
    ctx.region = o.ok->region;
    return std::nullopt;
  }
};

AwsJsonService::AwsJsonService(const HandlerRegistry& idp, const HandlerRegistry& identity,
                               crypto::SigV4SecretLookup secrets, const Clock& clock,
                               AwsJsonOptions options)
    : impl_(new Impl{{&model::ServiceModel::CognitoIdp(), &idp},
                     {&model::ServiceModel::CognitoIdentity(), &identity},
                     std::move(secrets),
                     clock,
                     std::move(options)}) {
  if (impl_->options.dev_mode) {
    spdlog::warn("dev mode: SigV4 signatures are NOT verified (any well-formed signature passes)");
  }
}

AwsJsonService::~AwsJsonService() = default;

ApiResponse AwsJsonService::Handle(const ApiRequest& request) {
  try {
    if (request.request_id.empty()) {
      ApiRequest copy = request;
      copy.request_id = crypto::NewUuid();
      return impl_->Handle(copy);
    }
    return impl_->Handle(request);
  } catch (const std::exception& e) {
    spdlog::error("request {} failed unexpectedly: {}", request.request_id, e.what());
    return JsonError(ApiError::Internal(e.what()), request.request_id);
  }
}

}  // namespace cognate::api
