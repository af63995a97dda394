#pragma once
// Test-only helpers shared by the sign-in tests.

#include <string>
#include <vector>

#include "common/error.h"
#include "domain/auth/auth_service.h"

namespace cognate::domain::auth::testing {

// A TokenIssuer that records its grants and answers "id.<sub>", "access.<sub>", "refresh.<sub>".
class FakeIssuer final : public TokenIssuer {
 public:
  std::vector<tokens::SignInGrant> grants;
  Result<tokens::IssuedTokens> IssueForSignIn(const tokens::SignInGrant& grant) override {
    grants.push_back(grant);
    grants.back().rules = nullptr;  // the caller's, gone when the call returns
    tokens::IssuedTokens t;
    t.id_token = "id." + grant.sub;
    t.access_token = "access." + grant.sub;
    t.refresh_token = "refresh." + grant.sub;
    t.expires_in_s = 3600;
    return t;
  }
  Result<tokens::IssuedTokens> Refresh(const tokens::RefreshInput&) override {
    return ApiError::Internal("unused");
  }
};

// The hex string with a leading zero when its length is odd (for HexDecode of SRP numbers).
inline std::string EvenHex(std::string hex) {
  if (hex.size() % 2) hex.insert(hex.begin(), '0');
  return hex;
}

}  // namespace cognate::domain::auth::testing
