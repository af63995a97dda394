#pragma once
// User-pool administration: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool,
// ListUserPools, AddCustomAttributes and the tag operations, with Cognito's defaults, rules and
// error messages. Inputs are the API model's request shapes (already shape-checked by the api
// layer; types are re-checked here). Outputs are the model's response members.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/error.h"
#include "domain/pagination/pagination_token.h"
#include "domain/service_context.h"
#include "domain/userpool/json_fields.h"

namespace cognate::domain::userpool {

// The most tags a pool may carry.
inline constexpr std::size_t kMaxTags = 50;

class PoolService {
 public:
  explicit PoolService(ServiceContext& ctx) : ctx_(ctx) {}

  // Creates a pool from a CreateUserPoolRequest and returns its UserPoolType, every default
  // filled in (see pool_repository.h for the document). InvalidParameterException (with
  // Cognito's message) for invalid schema, alias/username attributes both set, MFA on without
  // an SMS configuration, bad tags or recovery settings.
  Result<Json> CreateUserPool(const Json& input);

  // The pool's UserPoolType with EstimatedNumberOfUsers. ResourceNotFoundException when absent.
  Result<Json> DescribeUserPool(const std::string& pool_id);

  // Applies an UpdateUserPoolRequest. As in Cognito the request replaces the configuration: a
  // member it leaves out is reset to its default, except PoolName, UserPoolTier, UserPoolTags,
  // DeletionProtection and UserAttributeUpdateSettings, which keep their values. Schema, alias
  // and username attributes and UsernameConfiguration cannot change (they are not request
  // members). A lost write race is retried once, then ConcurrentModificationException.
  Result<void> UpdateUserPool(const Json& input);

  // Deletes the pool with its clients, users and groups. InvalidParameterException while
  // DeletionProtection is ACTIVE, and "User pool cannot be deleted. It has a domain configured
  // that should be deleted first." while it has a domain (prefix or custom).
  Result<void> DeleteUserPool(const std::string& pool_id);

  // A ListUserPoolsRequest page: {"UserPools": [UserPoolDescriptionType...], "NextToken"?}.
  // MaxResults is required and 1..60; a NextToken not issued by this service (for this
  // listing) is InvalidParameterException.
  Result<Json> ListUserPools(const Json& input);

  // Adds 1..25 custom attributes (see schema.h for the rules).
  Result<void> AddCustomAttributes(const std::string& pool_id, const Json& custom_attributes);

  // Tag operations on a pool ARN (arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>).
  // A malformed ARN or one that is not a user pool is InvalidParameterException; an ARN naming
  // no pool of this deployment is ResourceNotFoundException.
  Result<void> TagResource(const std::string& arn, const Json& tags);
  Result<void> UntagResource(const std::string& arn, const Json& tag_keys);
  Result<Json> ListTagsForResource(const std::string& arn);

 private:
  // Loads the pool, lets `mutate` change its document, and writes it back naming the version
  // read; on a lost race reloads and tries once more. Stamps LastModifiedDate.
  Result<void> Modify(const std::string& pool_id, const std::function<Result<void>(Json&)>& mutate);
  Result<std::string> PoolIdFromArn(const std::string& arn);
  Result<const PaginationCodec*> Codec();

  ServiceContext& ctx_;
  std::mutex codec_mu_;
  std::optional<PaginationCodec> codec_;
};

// Validates a tag map (UserPoolTags / TagResource.Tags): string keys of 1..128 characters not
// starting with "aws:", string values of at most 256. InvalidParameterException otherwise.
Result<void> ValidateTags(const Json& tags);

}  // namespace cognate::domain::userpool
