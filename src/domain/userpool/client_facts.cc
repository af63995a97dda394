#include "domain/userpool/client_facts.h"

#include <algorithm>
#include <cstdint>

#include "common/derived_cache.h"
#include "domain/userpool/pool_repository.h"

namespace cognate::domain::userpool {

namespace {

// Facts of recently used clients, derived again whenever the row's document changes.
DerivedCache<ClientFacts>& FactsCache() {
  static DerivedCache<ClientFacts> cache;
  return cache;
}

Result<ClientFacts> DeriveFacts(ServiceContext& ctx, const store::ClientRow& row) {
  auto doc = ParseDoc(row.doc);
  if (!doc) return doc.error();
  auto secret = OpenClientSecret(ctx, row, *doc);
  if (!secret) return secret.error();
  ClientFacts facts;
  facts.pool_id = row.pool_id;
  facts.client_id = row.client_id;
  facts.secret = std::move(*secret);
  if (auto it = doc->find("ExplicitAuthFlows"); it != doc->end() && it->is_array()) {
    for (const auto& f : *it) {
      if (f.is_string()) facts.explicit_auth_flows.push_back(f.get<std::string>());
    }
  }
  // LEGACY (the API default) unless ENABLED.
  if (auto it = doc->find("PreventUserExistenceErrors"); it != doc->end() && it->is_string()) {
    facts.prevent_user_existence_errors = it->get<std::string>() == "ENABLED";
  }
  if (auto it = doc->find("AuthSessionValidity"); it != doc->end() && it->is_number_integer()) {
    facts.auth_session_validity_minutes =
        static_cast<int>(std::clamp<std::int64_t>(it->get<std::int64_t>(), 3, 15));
  }
  return facts;
}

}  // namespace

Result<ClientFacts> LoadClientFacts(ServiceContext& ctx, const std::string& pool_id,
                                    const std::string& client_id) {
  auto row = pool_id.empty() ? LoadClientById(ctx, client_id) : LoadClient(ctx, pool_id, client_id);
  if (!row) return row.error();
  std::string stamp = row->pool_id + "\n" + row->doc;
  if (auto hit = FactsCache().Find(row->client_id, stamp)) return *hit;
  auto facts = DeriveFacts(ctx, *row);
  if (!facts) return facts.error();
  return *FactsCache().Put(row->client_id, std::move(stamp), std::move(*facts));
}

}  // namespace cognate::domain::userpool
