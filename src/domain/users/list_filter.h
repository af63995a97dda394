#pragma once
// ListUsers' Filter: `AttributeName Filter-Type "AttributeValue"` where Filter-Type is `=` (exact)
// or `^=` (prefix), on the attributes Cognito can search: username, email, phone_number, name,
// given_name, family_name, preferred_username, cognito:user_status, status (Enabled/Disabled)
// and sub. Quotes inside the value are escaped with a backslash.

#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/users/pool_rules.h"
#include "store/store.h"

namespace cognate::domain::users {

struct ListFilter {
  store::UserQuery::Op op = store::UserQuery::Op::kAll;
  std::string attribute;  // the name as written in the filter
  std::string value;      // unescaped
};

// Parses `filter`. An empty (or all-blank) filter matches every user. Errors are Cognito's:
// InvalidParameterException "Error while parsing filter." for bad syntax and
// "Invalid search attribute: <name>" for an attribute that cannot be searched.
Result<ListFilter> ParseListFilter(std::string_view filter);

// The store query for `filter` in a pool with `rules`: the indexed attribute name and the value
// normalised as the index stores it (usernames per the pool's case sensitivity, user status
// upper-cased).
store::UserQuery ToUserQuery(const PoolRules& rules, const ListFilter& filter);

}  // namespace cognate::domain::users
