#pragma once
// Registration of every implemented cognito-idp operation. Each family file builds its domain
// service from the context and registers thin JSON handlers that capture it.

#include <memory>

#include <nlohmann/json.hpp>

#include "api/dispatcher.h"
#include "domain/service_context.h"
#include "domain/tokens/token_service.h"

namespace cognate::api::cognito_idp {

// The `{}` answer of an operation that returns nothing, or its error.
inline Result<nlohmann::json> Empty(const Result<void>& r) {
  if (!r) return r.error();
  return nlohmann::json::object();
}

// Every implemented cognito-idp operation (called once by the composition root). Returns the
// one TokenService the families share, so the composition root can serve the pools' JWKS and
// OpenID configuration from the same key cache.
std::shared_ptr<domain::tokens::TokenService> RegisterAll(HandlerRegistry& registry,
                                                          domain::ServiceContext& ctx);

// Families (one file each).
void RegisterPoolOps(HandlerRegistry& registry,
                     domain::ServiceContext& ctx);  // pools, clients, tags
void RegisterUserOps(HandlerRegistry& registry, domain::ServiceContext& ctx);  // users, groups
// CreateResourceServer, DescribeResourceServer, UpdateResourceServer, DeleteResourceServer,
// ListResourceServers.
void RegisterResourceServerOps(HandlerRegistry& registry, domain::ServiceContext& ctx);
// CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain.
void RegisterDomainOps(HandlerRegistry& registry, domain::ServiceContext& ctx);
// GetUICustomization, SetUICustomization, Create/Describe/Update/DeleteManagedLoginBranding,
// DescribeManagedLoginBrandingByClient.
void RegisterBrandingOps(HandlerRegistry& registry, domain::ServiceContext& ctx);
// The families below share one TokenService (its key cache) built by RegisterAll.
// RevokeToken, GlobalSignOut, AdminUserGlobalSignOut.
void RegisterTokenOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                      std::shared_ptr<domain::tokens::TokenService> tokens);
// InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge,
// GetTokensFromRefreshToken.
void RegisterAuthOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                     std::shared_ptr<domain::tokens::TokenService> tokens);
// SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword,
// ChangePassword, GetUser, UpdateUserAttributes, DeleteUserAttributes, DeleteUser,
// GetUserAttributeVerificationCode, VerifyUserAttribute.
void RegisterSelfServiceOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                            std::shared_ptr<domain::tokens::TokenService> tokens);
// ConfirmDevice, GetDevice, ListDevices, ForgetDevice, UpdateDeviceStatus and their Admin*
// twins (but ConfirmDevice).
void RegisterDeviceOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                       std::shared_ptr<domain::tokens::TokenService> tokens);
// GetUserPoolMfaConfig, SetUserPoolMfaConfig, AssociateSoftwareToken, VerifySoftwareToken,
// SetUserMFAPreference, AdminSetUserMFAPreference, SetUserSettings, AdminSetUserSettings,
// AdminDeleteSoftwareToken.
void RegisterMfaOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                    std::shared_ptr<domain::tokens::TokenService> tokens);
// GetUserAuthFactors, AdminGetUserAuthFactors.
void RegisterAuthFactorOps(HandlerRegistry& registry, domain::ServiceContext& ctx,
                           std::shared_ptr<domain::tokens::TokenService> tokens);

}  // namespace cognate::api::cognito_idp
