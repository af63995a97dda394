#pragma once
// Writing user attributes under a pool's schema, with Cognito's rules and messages: unknown
// names, `sub` and immutable attributes, data types and constraints, e-mail and phone formats,
// the email_verified / phone_number_verified pairs, and required attributes at creation.

#include <string>
#include <vector>

#include "common/error.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::users {

// One AttributeType {Name, Value}.
struct AttributeInput {
  std::string name;
  std::string value;
};

enum class AttributeWriteMode {
  kCreate,  // AdminCreateUser / SignUp: immutable attributes may be set; required ones enforced
  kUpdate,  // AdminUpdateUserAttributes / UpdateUserAttributes
};

// What a successful write changed that a caller may have to act on.
struct AttributeChanges {
  bool email_changed = false;        // e-mail set to a new value
  bool phone_changed = false;        // phone number set to a new value
  std::vector<std::string> changed;  // every attribute name written or removed
};

// Validates `attrs` against `rules` and applies them to `user`. Nothing is applied on error.
// Errors (InvalidParameterException):
//   create: "Attributes did not conform to the schema: <name>: <problem>\n..."
//   update: "user.<name>: <problem>\n..." (e.g. "Attribute does not exist in the schema.",
//           "Attribute cannot be updated.")
//   "Invalid email address format.", "Invalid phone number format.",
//   "Email is required to verify/un-verify an email",
//   "Phone Number is required to verify/un-verify a phone number".
// Setting e-mail (phone) to a new value without email_verified (phone_number_verified) in the
// same call marks it unverified. On update an empty value removes the attribute.
Result<AttributeChanges> ApplyAttributes(const PoolRules& rules, UserRecord& user,
                                         const std::vector<AttributeInput>& attrs,
                                         AttributeWriteMode mode);

// Required-attribute check for a new user:
// "Attributes did not conform to the schema: <name>: The attribute is required\n".
Result<void> CheckRequiredAttributes(const PoolRules& rules, const UserRecord& user);

// Removes `names` from `user` (AdminDeleteUserAttributes / DeleteUserAttributes). Removing
// e-mail or phone also removes its *_verified flag. Errors as ApplyAttributes in update mode,
// plus "user.<name>: The attribute is required" for a required attribute.
Result<AttributeChanges> DeleteAttributes(const PoolRules& rules, UserRecord& user,
                                          const std::vector<std::string>& names);

// Format checks shared with sign-up flows.
bool IsValidEmail(std::string_view email);
bool IsValidPhoneNumber(std::string_view phone);

}  // namespace cognate::domain::users
