#pragma once
// JSON shapes of users and groups on the wire (UserType, AttributeType, GroupType, the
// AdminGetUser response) and the small input readers the user and group handlers share.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/dispatcher.h"
#include "common/error.h"
#include "domain/groups/group_service.h"
#include "domain/users/attribute_rules.h"
#include "domain/users/user_record.h"

namespace cognate::api::cognito_idp {

// Epoch seconds with millisecond precision, as the awsJson timestamps are sent.
nlohmann::json EpochSeconds(std::int64_t ms);

// [{"Name": ..., "Value": ...}, ...] with "sub" first.
nlohmann::json AttributesJson(const domain::users::UserRecord& user);
// UserType: Username, Attributes, UserCreateDate, UserLastModifiedDate, Enabled, UserStatus.
nlohmann::json UserTypeJson(const domain::users::UserRecord& user);
// The AdminGetUser response (UserAttributes instead of Attributes, MFA settings when any), and
// GetUser's: the same without the admin-only dates, Enabled and UserStatus.
enum class UserJsonView { kAdmin, kSelf };
nlohmann::json UserJson(const domain::users::UserRecord& user, UserJsonView view);
nlohmann::json AdminGetUserJson(const domain::users::UserRecord& user);
// GroupType.
nlohmann::json GroupTypeJson(const domain::groups::GroupRecord& group);

// Input readers. Missing optional members give nullopt / empty; a member of the wrong JSON type
// is InvalidParameterException, never a crash.
Result<std::string> RequiredString(const nlohmann::json& input, std::string_view member);
Result<std::optional<std::string>> OptionalString(const nlohmann::json& input,
                                                  std::string_view member);
Result<std::optional<std::int64_t>> OptionalInt(const nlohmann::json& input,
                                                std::string_view member);
Result<std::optional<bool>> OptionalBool(const nlohmann::json& input, std::string_view member);
Result<std::optional<std::vector<std::string>>> OptionalStringList(const nlohmann::json& input,
                                                                   std::string_view member);
// A list of AttributeType ({Name, Value?}).
Result<std::vector<domain::users::AttributeInput>> AttributeList(const nlohmann::json& input,
                                                                 std::string_view member);

}  // namespace cognate::api::cognito_idp
