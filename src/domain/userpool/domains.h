#pragma once
// User-pool domains (CreateUserPoolDomain and friends): a prefix domain is served as
// "{prefix}.{auth_host}" (DeploymentConfig::auth_host), a custom domain under its own name with
// its certificate. The OAuth endpoints and hosted pages find their pool from the Host header
// through PoolIdForHost; on the main host they find it from client_id instead.
//
// Storage: each domain name is a record (pool_records.h, kind kDomainRecordKind, key the domain
// as given: the prefix alone, or the custom domain's full name), which makes names unique across
// pools; the pool document carries the model's `Domain` (prefix) and `CustomDomain` members, so
// DescribeUserPool shows them, and `_Domains` {name: {ManagedLoginVersion, CustomDomainConfig?,
// CreatedMs, ModifiedMs}}. A pool has at most one prefix domain and one custom domain.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/service_context.h"

namespace cognate::domain::userpool {

inline constexpr std::string_view kDomainRecordKind = "pool_domain";

// The pool whose domain `host` (lowercase, no port: api::web::RequestHost) names, or nullopt for
// any other host (the main host included). Never an error: a store failure reads as nullopt.
std::optional<std::string> PoolIdForHost(ServiceContext& ctx, std::string_view host);

// True when the pool document has a domain (prefix or custom).
bool PoolHasDomain(const nlohmann::json& pool_doc);

// The managed-login version (1: classic hosted UI, 2: managed login) the pages of the pool
// `pool_doc` describes use on `host` (lowercase, no port): the version of the pool's domain that
// `host` names; on any other host (the main host) the version of the pool's prefix domain, else
// of its custom domain, else 1.
int ManagedLoginVersionFor(ServiceContext& ctx, const nlohmann::json& pool_doc,
                           std::string_view host);

// The certificate ARN of the custom domain `host` names, nullopt for any other host (for serving
// it by SNI).
std::optional<std::string> CertificateArnForHost(ServiceContext& ctx, std::string_view host);

class DomainService {
 public:
  explicit DomainService(ServiceContext& ctx) : ctx_(ctx) {}

  // The operations, from request JSON to response JSON.
  // Create: {"ManagedLoginVersion", "CloudFrontDomain"? (custom domains)}. Errors:
  // InvalidParameterException "The domain name contains an invalid character. ..." for a prefix
  // outside ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$, "Domain cannot contain reserved word: <w>"
  // (aws, amazon, cognito), "Domain already associated with another user pool.", "User pool
  // already has a domain configured." (one prefix and one custom domain per pool), "The specified
  // SSL certificate doesn't exist, isn't valid, or doesn't include a valid certificate chain." (an
  // ARN the server config does not name), a ManagedLoginVersion other than 1 or 2;
  // FeatureUnavailableInTierException for managed login (2) on a LITE pool;
  // ResourceNotFoundException for a missing pool.
  Result<nlohmann::json> Create(const nlohmann::json& input);
  // {"DomainDescription": DomainDescriptionType}, {} inside when no pool has the domain.
  Result<nlohmann::json> Describe(const nlohmann::json& input);
  // Changes ManagedLoginVersion and, for a custom domain, the certificate.
  // InvalidParameterException "No such domain or user pool exists." when the pool does not hold the
  // domain.
  Result<nlohmann::json> Update(const nlohmann::json& input);
  // {}. InvalidParameterException "No such domain or user pool exists." as for Update.
  Result<nlohmann::json> Delete(const nlohmann::json& input);

 private:
  ServiceContext& ctx_;
};

}  // namespace cognate::domain::userpool
