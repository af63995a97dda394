#pragma once
// App-client administration: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
// DeleteUserPoolClient and ListUserPoolClients, with Cognito's defaults (access and ID tokens 60
// minutes, refresh tokens 30 days, PreventUserExistenceErrors ENABLED for new clients, token
// revocation on, auth sessions 3 minutes) and its validation of auth flows, OAuth settings and
// redirect URLs. Inputs are the API model's request shapes; outputs its response members.

#include <mutex>
#include <optional>
#include <string>

#include "common/error.h"
#include "domain/pagination/pagination_token.h"
#include "domain/service_context.h"
#include "domain/userpool/json_fields.h"

namespace cognate::domain::userpool {

class ClientService {
 public:
  explicit ClientService(ServiceContext& ctx) : ctx_(ctx) {}

  // Creates a client from a CreateUserPoolClientRequest and returns its UserPoolClientType,
  // including the ClientSecret in plain text when GenerateSecret was true or a ClientSecret was
  // given. ResourceNotFoundException when the pool is missing; InvalidParameterException or
  // InvalidOAuthFlowException (Cognito's messages) for invalid settings.
  Result<Json> CreateUserPoolClient(const Json& input);

  // The client's UserPoolClientType with its secret decrypted.
  Result<Json> DescribeUserPoolClient(const std::string& pool_id, const std::string& client_id);

  // Applies an UpdateUserPoolClientRequest and returns the new UserPoolClientType. As in
  // Cognito, members left out are reset to their defaults (PreventUserExistenceErrors to
  // LEGACY); ClientName, the secret and CreationDate are kept. A lost write race is retried
  // once, then ConcurrentModificationException.
  Result<Json> UpdateUserPoolClient(const Json& input);

  // Deletes the client.
  Result<void> DeleteUserPoolClient(const std::string& pool_id, const std::string& client_id);

  // A ListUserPoolClientsRequest page: {"UserPoolClients": [UserPoolClientDescription...],
  // "NextToken"?}. MaxResults 1..60 (default 60).
  Result<Json> ListUserPoolClients(const Json& input);

 private:
  Result<const PaginationCodec*> Codec();
  Result<Json> Present(const std::string& client_id, Json doc,
                       const std::optional<std::string>& secret);

  ServiceContext& ctx_;
  std::mutex codec_mu_;
  std::optional<PaginationCodec> codec_;
};

// Checks a callback or sign-out URL as Cognito does: absolute, no fragment, and https unless
// it is http on localhost, 127.0.0.1 or [::1]; app schemes such as myapp://cb are allowed.
bool IsAllowedRedirectUrl(const std::string& url);

}  // namespace cognate::domain::userpool
