#include "domain/users/list_filter.h"

#include <algorithm>
#include <array>

#include "domain/users/user_record.h"

namespace cognate::domain::users {
namespace {

constexpr std::array<std::string_view, 10> kFilterAttributes = {
    "username",   "email",       "phone_number",       "name",
    "given_name", "family_name", "preferred_username", "cognito:user_status",
    "status",     "sub"};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

ApiError ParseError() { return ApiError::InvalidParameter("Error while parsing filter."); }

}  // namespace

Result<ListFilter> ParseListFilter(std::string_view filter) {
  std::size_t i = 0;
  const std::size_t n = filter.size();
  auto skip_blanks = [&] {
    while (i < n && IsBlank(filter[i])) ++i;
  };
  skip_blanks();
  if (i == n) return ListFilter{};

  // Attribute name: everything up to a blank, '=' or '^'.
  const std::size_t name_start = i;
  while (i < n && !IsBlank(filter[i]) && filter[i] != '=' && filter[i] != '^' && filter[i] != '"') {
    ++i;
  }
  ListFilter out;
  out.attribute = std::string(filter.substr(name_start, i - name_start));
  if (out.attribute.empty()) return ParseError();
  skip_blanks();

  if (i < n && filter[i] == '=') {
    out.op = store::UserQuery::Op::kEquals;
    ++i;
  } else if (i + 1 < n && filter[i] == '^' && filter[i + 1] == '=') {
    out.op = store::UserQuery::Op::kPrefix;
    i += 2;
  } else {
    return ParseError();
  }
  skip_blanks();

  if (i >= n || filter[i] != '"') return ParseError();
  ++i;
  bool closed = false;
  while (i < n) {
    const char c = filter[i++];
    if (c == '\\' && i < n) {
      out.value += filter[i++];
    } else if (c == '"') {
      closed = true;
      break;
    } else {
      out.value += c;
    }
  }
  if (!closed) return ParseError();
  skip_blanks();
  if (i != n) return ParseError();

  if (std::find(kFilterAttributes.begin(), kFilterAttributes.end(), out.attribute) ==
      kFilterAttributes.end()) {
    return ApiError::InvalidParameter("Invalid search attribute: " + out.attribute);
  }
  return out;
}

store::UserQuery ToUserQuery(const PoolRules& rules, const ListFilter& filter) {
  store::UserQuery q;
  q.op = filter.op;
  if (filter.op == store::UserQuery::Op::kAll) return q;
  q.attribute = filter.attribute;
  q.value = filter.value;
  if (filter.attribute == kIndexUsername) {
    q.value = rules.NormalizeUsername(filter.value);
  } else if (filter.attribute == kIndexUserStatus) {
    for (char& c : q.value) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return q;
}

}  // namespace cognate::domain::users
