// The TokenService behind the auth flows' TokenIssuer interface (kept apart so the flows' unit
// tests link without the token service).

#include "domain/auth/auth_service.h"

namespace cognate::domain::auth {
namespace {

class ServiceIssuer final : public TokenIssuer {
 public:
  explicit ServiceIssuer(std::shared_ptr<tokens::TokenService> tokens)
      : tokens_(std::move(tokens)) {}
  Result<tokens::IssuedTokens> IssueForSignIn(const tokens::SignInGrant& grant) override {
    return tokens_->IssueForSignIn(grant);
  }
  Result<tokens::IssuedTokens> Refresh(const tokens::RefreshInput& input) override {
    return tokens_->Refresh(input);
  }

 private:
  std::shared_ptr<tokens::TokenService> tokens_;
};

}  // namespace

std::shared_ptr<TokenIssuer> MakeTokenIssuer(std::shared_ptr<tokens::TokenService> tokens) {
  return std::make_shared<ServiceIssuer>(std::move(tokens));
}

}  // namespace cognate::domain::auth
