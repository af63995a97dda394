#pragma once
// Typed, non-throwing reads of members of a request object (the API model's input shapes). The
// api layer validates shapes against the model first; these re-check types so a request that
// slips past (or a unit test) gets InvalidParameterException instead of a crash. A member that
// is absent or JSON null reads as "not set".

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace cognate::domain::userpool {

using Json = nlohmann::json;

// The member `key` of `in` when it is a string; nullopt when unset.
Result<std::optional<std::string>> OptString(const Json& in, std::string_view key);
// The member `key` when it is a boolean; nullopt when unset.
Result<std::optional<bool>> OptBool(const Json& in, std::string_view key);
// The member `key` when it is an integer (a float with no fraction counts); nullopt when unset.
Result<std::optional<std::int64_t>> OptInt(const Json& in, std::string_view key);
// The member `key` when it is an object; nullptr when unset.
Result<const Json*> OptObject(const Json& in, std::string_view key);
// The member `key` when it is a list of strings; nullopt when unset.
Result<std::optional<std::vector<std::string>>> OptStringList(const Json& in, std::string_view key);
// The member `key` when it is a list (of anything); nullptr when unset.
Result<const Json*> OptArray(const Json& in, std::string_view key);

// The InvalidParameterException for a member of the wrong type.
ApiError WrongType(std::string_view key, std::string_view expected);

// "1 validation error detected: Value <v> at '<path>' failed to satisfy constraint: <what>",
// the form Cognito uses for model constraint violations.
ApiError ValidationError(std::string_view value, std::string_view path, std::string_view what);
// ValidationError for a required member sent as null or left out.
ApiError NotNull(std::string_view path);
// ValidationError "Member must satisfy enum value set: [...]" unless `value` is one of `allowed`.
Result<void> CheckEnum(const std::string& value, std::initializer_list<std::string_view> allowed,
                       std::string_view path);
// The string member `key` of `in`; NotNull(path) when unset.
Result<std::string> Required(const Json& in, std::string_view key, std::string_view path);

// Copies the name member `key` of `in` (1..128 characters) into doc[doc_key]. Required when
// `create`; on update an absent name leaves the document as it is. `path` is the member's name
// in validation messages ("poolName", "clientName").
Result<void> NameMember(const Json& in, std::string_view key, std::string_view path, Json& doc,
                        std::string_view doc_key, bool create);

}  // namespace cognate::domain::userpool
