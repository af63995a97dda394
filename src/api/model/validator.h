#pragma once
// Input validation against the API model, as Cognito's front end does it before any handler runs:
// constraint violations (missing required members, lengths, value ranges, patterns, enums) are
// aggregated into one InvalidParameterException "N validation error(s) detected: ..." message in
// AWS's wording; a JSON value of the wrong type is a SerializationException. Values of sensitive
// shapes (passwords, tokens, secrets) are never echoed. Members the model does not know are
// ignored, as AWS ignores them (newer SDKs may send them).

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/model/model.h"
#include "common/error.h"

namespace cognate::api::model {

// Validates `input` (a JSON object) against the input shape of `operation`. Returns the error to
// send, or nullopt when the input is acceptable. Lengths count Unicode code points.
std::optional<ApiError> Validate(const Operation& operation, const nlohmann::json& input);

// Same, by operation name; an operation unknown to `model` yields UnknownOperationException.
std::optional<ApiError> Validate(const ServiceModel& model, std::string_view operation,
                                 const nlohmann::json& input);

// Number of Unicode code points in valid UTF-8 `s`.
std::size_t CodePointCount(std::string_view s);

}  // namespace cognate::api::model
