#pragma once
// A pool's SchemaAttributes: Cognito's standard attributes with their default constraints, plus
// custom ("custom:<name>") and developer-only ("dev:custom:<name>") attributes.

#include <string_view>

#include "common/error.h"
#include "domain/userpool/json_fields.h"

namespace cognate::domain::userpool {

// The most custom attributes a pool may have.
inline constexpr int kMaxCustomAttributes = 50;

// The standard attributes in Cognito's order (sub, name, ..., updated_at) with their default
// data types, mutability and constraints, as DescribeUserPool lists them for a new pool.
const Json& StandardSchema();

// True for the name of a standard attribute ("email", "sub", ...).
bool IsStandardAttribute(std::string_view name);

// SchemaAttributes for CreateUserPool from its `Schema` member (nullptr when absent): every
// standard attribute, with the overrides `schema` gives for standard ones, followed by the
// custom attributes it declares. InvalidParameterException with Cognito's message when an
// entry changes a standard attribute's type or developer-only flag, declares a required custom
// attribute, has no or an unknown data type, has bad constraints, repeats a name, or when there
// are more than kMaxCustomAttributes custom attributes.
Result<Json> BuildSchemaAttributes(const Json* schema);

// Appends `custom_attributes` (AddCustomAttributes.CustomAttributes) to `schema_attributes`.
// Names get the "custom:" prefix (kept when already given). InvalidParameterException when a
// name exists ("custom:x: Existing attribute already has name custom:x."), for the same faults
// as BuildSchemaAttributes, or when the limit would be passed. `schema_attributes` is unchanged
// on error.
Result<void> AppendCustomAttributes(Json& schema_attributes, const Json& custom_attributes);

}  // namespace cognate::domain::userpool
