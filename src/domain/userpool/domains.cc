#include "domain/userpool/domains.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <functional>
#include <utility>

#include "domain/userpool/json_fields.h"
#include "domain/userpool/pool_records.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::userpool {
namespace {

constexpr int kMaxDomainUpdateAttempts = 4;
constexpr std::string_view kDomainsMember = "_Domains";
constexpr char kPrefixPattern[] = "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";

ApiError NoSuchDomain() {
  return ApiError::InvalidParameter("No such domain or user pool exists.");
}

// One DNS label as the prefix pattern allows it.
bool IsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char ch) { return alnum(ch) || ch == '-'; });
}

// A custom domain: two or more labels.
bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    if (!IsLabel(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A host as domains are stored: lowercase, without trailing dots ("Auth.Example.COM." ->
// "auth.example.com").
std::string NormalizeHost(std::string_view host) {
  std::string h(host);
  std::transform(h.begin(), h.end(), h.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

// True when the last label is all digits (an IPv4 address, never a domain name).
bool IsNumericTld(std::string_view host) {
  const std::string_view last = host.substr(host.rfind('.') + 1);
  return std::all_of(last.begin(), last.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// The host of a URL ("https://auth.example.com:8443/x" -> "auth.example.com"), lowercase.
std::string PublicHost(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos)
    url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (!url.empty() && url.front() == '[') return {};
  return NormalizeHost(url.substr(0, url.find(':')));
}

// "YYYYMMDDHHMMSS" (UTC) of `ms`: the domain's Version.
std::string VersionOf(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y%m%d%H%M%S", &tm);
  return buf.data();
}

struct DomainInput {
  std::string domain;
  std::string pool_id;
  std::optional<std::int64_t> managed_login_version;
  std::optional<std::string> certificate_arn;  // set when CustomDomainConfig is given
  Json custom_domain_config;                   // as given
};

Result<DomainInput> ReadInput(ServiceContext& ctx, const Json& in, bool need_pool) {
  if (!in.is_object()) return WrongType("input", "structure");
  DomainInput out;
  auto domain = Required(in, "Domain", "domain");
  if (!domain) return domain.error();
  out.domain = std::move(*domain);
  if (need_pool) {
    auto pool = Required(in, "UserPoolId", "userPoolId");
    if (!pool) return pool.error();
    out.pool_id = std::move(*pool);
  }
  auto version = OptInt(in, "ManagedLoginVersion");
  if (!version) return version.error();
  if (*version && **version != 1 && **version != 2) {
    return ApiError::InvalidParameter("ManagedLoginVersion must be 1 or 2.");
  }
  out.managed_login_version = *version;
  auto custom = OptObject(in, "CustomDomainConfig");
  if (!custom) return custom.error();
  if (*custom != nullptr) {
    auto arn = Required(**custom, "CertificateArn", "customDomainConfig.certificateArn");
    if (!arn) return arn.error();
    if (!ctx.config.certificates.contains(*arn)) {
      return ApiError::InvalidParameter(
          "The specified SSL certificate doesn't exist, isn't valid, or doesn't include a valid "
          "certificate chain.");
    }
    out.certificate_arn = *arn;
    out.custom_domain_config = {{"CertificateArn", *arn}};
    auto policy = OptString(**custom, "SecurityPolicy");
    if (!policy) return policy.error();
    if (*policy) out.custom_domain_config["SecurityPolicy"] = **policy;
  }
  return out;
}

// Checks the name as Cognito does for the kind of domain asked for.
Result<void> CheckName(ServiceContext& ctx, const std::string& domain, bool custom) {
  if (custom) {
    if (!IsHostName(domain) || EndsWith(domain, "." + ctx.config.auth_host) ||
        domain == ctx.config.auth_host) {
      return ApiError::InvalidParameter(
          "The custom domain name is not a valid fully qualified domain name.");
    }
    return {};
  }
  if (!IsLabel(domain)) {
    return ApiError::InvalidParameter(
        std::string("The domain name contains an invalid character. Domain names can only contain "
                    "lower-case letters, numbers, and hyphens. Please enter a different name that "
                    "follows this format: ") +
        kPrefixPattern);
  }
  for (const char* word : {"aws", "amazon", "cognito"}) {
    if (domain.find(word) != std::string::npos) {
      return ApiError::InvalidParameter(std::string("Domain cannot contain reserved word: ") +
                                        word);
    }
  }
  return {};
}

// Loads the pool document, lets `change` edit it, and writes it back, retrying lost races.
Result<void> ModifyPool(ServiceContext& ctx, const std::string& pool_id,
                        const std::function<Result<void>(Json&)>& change) {
  for (int attempt = 0;; ++attempt) {
    auto row = LoadPool(ctx, pool_id);
    if (!row) return row.error();
    auto doc = ParseDoc(row->doc);
    if (!doc) return doc.error();
    if (auto ok = change(*doc); !ok) return ok.error();
    store::PoolRow next = *row;
    next.doc = doc->dump();
    auto updated = ctx.store.UpdatePool(next, row->version);
    if (updated) return {};
    if (updated.error().IsNotFound()) {
      return ApiError::ResourceNotFound("User pool " + pool_id + " does not exist.");
    }
    if (!updated.error().IsConflict() || attempt + 1 >= kMaxDomainUpdateAttempts) {
      return StoreFailure(updated.error());
    }
  }
}

const Json* DomainEntry(const Json& doc, const std::string& domain) {
  auto all = doc.find(kDomainsMember);
  if (all == doc.end() || !all->is_object()) return nullptr;
  auto it = all->find(domain);
  return it == all->end() || !it->is_object() ? nullptr : &*it;
}

bool IsCustomEntry(const Json& entry) { return entry.contains("CustomDomainConfig"); }

std::int64_t VersionValue(const Json& entry) {
  auto v = entry.find("ManagedLoginVersion");
  return v != entry.end() && v->is_number_integer() ? v->get<std::int64_t>() : 1;
}

Json Response(ServiceContext& ctx, const Json& entry) {
  Json out = {{"ManagedLoginVersion", VersionValue(entry)}};
  if (IsCustomEntry(entry)) out["CloudFrontDomain"] = ctx.config.auth_host;
  return out;
}

// Whether the record of `domain` is held by a pool whose document lists it (a record left by a
// crash between the two writes is stale and may be taken over).
Result<bool> RecordIsLive(ServiceContext& ctx, const store::EphemeralRow& record,
                          const std::string& domain) {
  auto row = ctx.store.GetPool(record.pool_id);
  if (!row) {
    if (row.error().IsNotFound()) return false;
    return StoreFailure(row.error());
  }
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  return DomainEntry(*doc, domain) != nullptr;
}

}  // namespace

bool PoolHasDomain(const Json& pool_doc) {
  auto all = pool_doc.find(kDomainsMember);
  return all != pool_doc.end() && all->is_object() && !all->empty();
}

std::optional<std::string> PoolIdForHost(ServiceContext& ctx, std::string_view host) {
  std::string h = NormalizeHost(host);
  const std::string suffix = "." + ctx.config.auth_host;
  bool custom = true;
  if (EndsWith(h, suffix)) {
    h.resize(h.size() - suffix.size());
    if (!IsLabel(h)) return std::nullopt;
    custom = false;
  } else if (!IsHostName(h) || IsNumericTld(h) || h == PublicHost(ctx.config.public_url)) {
    // The main host (and IP addresses: no domain has a numeric top-level label) names no pool;
    // no store read for them.
    return std::nullopt;
  }
  auto record = GetRecord(ctx, std::string(kDomainRecordKind), h);
  if (!record || !*record) return std::nullopt;
  auto doc = ParseDoc((*record)->doc);
  if (!doc || doc->value("Custom", false) != custom) return std::nullopt;
  return (*record)->pool_id;
}

int ManagedLoginVersionFor(ServiceContext& ctx, const Json& pool_doc, std::string_view host) {
  auto all = pool_doc.find(kDomainsMember);
  if (all == pool_doc.end() || !all->is_object()) return 1;
  std::string h = NormalizeHost(host);
  const Json* prefix = nullptr;
  const Json* custom = nullptr;
  for (const auto& [name, entry] : all->items()) {
    if (!entry.is_object()) continue;
    const bool is_custom = IsCustomEntry(entry);
    if (h == (is_custom ? name : name + "." + ctx.config.auth_host)) {
      return static_cast<int>(VersionValue(entry));
    }
    (is_custom ? custom : prefix) = &entry;
  }
  if (prefix != nullptr) return static_cast<int>(VersionValue(*prefix));
  if (custom != nullptr) return static_cast<int>(VersionValue(*custom));
  return 1;
}

std::optional<std::string> CertificateArnForHost(ServiceContext& ctx, std::string_view host) {
  auto pool_id = PoolIdForHost(ctx, host);
  if (!pool_id) return std::nullopt;
  auto row = ctx.store.GetPool(*pool_id);
  if (!row) return std::nullopt;
  auto doc = ParseDoc(row->doc);
  if (!doc) return std::nullopt;
  const Json* entry = DomainEntry(*doc, NormalizeHost(host));
  if (entry == nullptr || !IsCustomEntry(*entry)) return std::nullopt;
  return entry->at("CustomDomainConfig").value("CertificateArn", "");
}

Result<Json> DomainService::Create(const Json& input) {
  auto in = ReadInput(ctx_, input, true);
  if (!in) return in.error();
  const bool custom = in->certificate_arn.has_value();
  if (auto ok = CheckName(ctx_, in->domain, custom); !ok) return ok.error();
  const std::int64_t version = in->managed_login_version.value_or(1);

  // The pool must exist, allow the version and have no domain of this kind yet.
  auto check_pool = [&](const Json& doc) -> Result<void> {
    if (version == 2 && doc.value("UserPoolTier", "ESSENTIALS") == "LITE") {
      return ApiError(ErrorCode::kFeatureUnavailableInTier,
                      "Managed login is not available in the Lite feature plan. Choose "
                      "ManagedLoginVersion 1 or upgrade the user pool's feature plan.");
    }
    if (auto all = doc.find(kDomainsMember); all != doc.end() && all->is_object()) {
      for (const auto& [name, entry] : all->items()) {
        if (entry.is_object() && IsCustomEntry(entry) == custom) {
          return ApiError::InvalidParameter("User pool already has a domain configured.");
        }
      }
    }
    return {};
  };
  {
    auto row = LoadPool(ctx_, in->pool_id);
    if (!row) return row.error();
    auto doc = ParseDoc(row->doc);
    if (!doc) return doc.error();
    if (auto ok = check_pool(*doc); !ok) return ok.error();
  }

  // Reserve the name (globally unique), taking over a stale reservation.
  const std::string kind(kDomainRecordKind);
  const std::string record_doc = Json{{"Custom", custom}}.dump();
  for (int attempt = 0;; ++attempt) {
    auto inserted = InsertRecord(ctx_, kind, in->domain, in->pool_id, record_doc);
    if (!inserted) return inserted.error();
    if (*inserted) break;
    auto existing = GetRecord(ctx_, kind, in->domain);
    if (!existing) return existing.error();
    if (*existing) {
      auto live = RecordIsLive(ctx_, **existing, in->domain);
      if (!live) return live.error();
      if (*live || attempt + 1 >= kMaxDomainUpdateAttempts) {
        return ApiError::InvalidParameter("Domain already associated with another user pool.");
      }
      if (auto gone = DeleteRecord(ctx_, kind, in->domain); !gone) return gone.error();
    }
  }

  const std::int64_t now = ctx_.clock.NowMillis();
  Json entry = {{"ManagedLoginVersion", version}, {"CreatedMs", now}, {"ModifiedMs", now}};
  if (custom) entry["CustomDomainConfig"] = in->custom_domain_config;
  auto stored = ModifyPool(ctx_, in->pool_id, [&](Json& doc) -> Result<void> {
    if (auto ok = check_pool(doc); !ok) return ok.error();
    doc[std::string(kDomainsMember)][in->domain] = entry;
    doc[custom ? "CustomDomain" : "Domain"] = in->domain;
    return {};
  });
  if (!stored) {
    (void)DeleteRecord(ctx_, kind, in->domain);
    return stored.error();
  }
  return Response(ctx_, entry);
}

Result<Json> DomainService::Describe(const Json& input) {
  auto in = ReadInput(ctx_, input, false);
  if (!in) return in.error();
  const Json empty = {{"DomainDescription", Json::object()}};
  auto record = GetRecord(ctx_, std::string(kDomainRecordKind), in->domain);
  if (!record) return record.error();
  if (!*record) return empty;
  auto row = ctx_.store.GetPool((*record)->pool_id);
  if (!row) {
    if (row.error().IsNotFound()) return empty;
    return StoreFailure(row.error());
  }
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  const Json* entry = DomainEntry(*doc, in->domain);
  if (entry == nullptr) return empty;
  const bool custom = IsCustomEntry(*entry);
  Json d = {{"UserPoolId", row->id},
            {"AWSAccountId", ctx_.config.account_id},
            {"Domain", in->domain},
            {"CloudFrontDistribution",
             custom ? ctx_.config.auth_host : in->domain + "." + ctx_.config.auth_host},
            {"Version", VersionOf(entry->value("ModifiedMs", std::int64_t{0}))},
            {"Status", "ACTIVE"},
            {"ManagedLoginVersion", VersionValue(*entry)}};
  if (custom) d["CustomDomainConfig"] = entry->at("CustomDomainConfig");
  return Json{{"DomainDescription", std::move(d)}};
}

Result<Json> DomainService::Update(const Json& input) {
  auto in = ReadInput(ctx_, input, true);
  if (!in) return in.error();
  Json result;
  auto stored = ModifyPool(ctx_, in->pool_id, [&](Json& doc) -> Result<void> {
    const Json* found = DomainEntry(doc, in->domain);
    if (found == nullptr) return NoSuchDomain();
    Json entry = *found;
    const bool custom = IsCustomEntry(entry);
    if (in->certificate_arn && !custom) {
      return ApiError::InvalidParameter(
          "CustomDomainConfig can only be set on a custom domain, not on a prefix domain.");
    }
    if (in->managed_login_version) {
      if (*in->managed_login_version == 2 && doc.value("UserPoolTier", "ESSENTIALS") == "LITE") {
        return ApiError(ErrorCode::kFeatureUnavailableInTier,
                        "Managed login is not available in the Lite feature plan. Choose "
                        "ManagedLoginVersion 1 or upgrade the user pool's feature plan.");
      }
      entry["ManagedLoginVersion"] = *in->managed_login_version;
    }
    if (in->certificate_arn) entry["CustomDomainConfig"] = in->custom_domain_config;
    entry["ModifiedMs"] = ctx_.clock.NowMillis();
    doc[std::string(kDomainsMember)][in->domain] = entry;
    result = Response(ctx_, entry);
    return {};
  });
  if (!stored) {
    if (stored.error().is(ErrorCode::kResourceNotFound)) return NoSuchDomain();
    return stored.error();
  }
  return result;
}

Result<Json> DomainService::Delete(const Json& input) {
  auto in = ReadInput(ctx_, input, true);
  if (!in) return in.error();
  auto stored = ModifyPool(ctx_, in->pool_id, [&](Json& doc) -> Result<void> {
    const Json* found = DomainEntry(doc, in->domain);
    if (found == nullptr) return NoSuchDomain();
    const bool custom = IsCustomEntry(*found);
    Json& all = doc[std::string(kDomainsMember)];
    all.erase(in->domain);
    if (all.empty()) doc.erase(std::string(kDomainsMember));
    doc.erase(custom ? "CustomDomain" : "Domain");
    return {};
  });
  if (!stored) {
    if (stored.error().is(ErrorCode::kResourceNotFound)) return NoSuchDomain();
    return stored.error();
  }
  if (auto gone = DeleteRecord(ctx_, std::string(kDomainRecordKind), in->domain); !gone) {
    return gone.error();
  }
  return Json::object();
}

}  // namespace cognate::domain::userpool
