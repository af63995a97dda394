#include "domain/userpool/client_facts.h"

#include <algorithm>
#include <cstdint>

#include "domain/userpool/pool_repository.h"

namespace cognate::domain::userpool {

Result<ClientFacts> LoadClientFacts(ServiceContext& ctx, const std::string& pool_id,
                                    const std::string& client_id) {
  auto row = pool_id.empty() ? LoadClientById(ctx, client_id) : LoadClient(ctx, pool_id, client_id);
  if (!row) return row.error();
  auto doc = ParseDoc(row->doc);
  if (!doc) return doc.error();
  auto secret = OpenClientSecret(ctx, *row);
  if (!secret) return secret.error();
  ClientFacts facts;
  facts.pool_id = row->pool_id;
  facts.client_id = row->client_id;
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

}  // namespace cognate::domain::userpool
