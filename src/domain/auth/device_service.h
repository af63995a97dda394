#pragma once
// The remembered-device operations: ConfirmDevice, GetDevice, ListDevices, ForgetDevice,
// UpdateDeviceStatus (by access token) and AdminGetDevice, AdminListDevices, AdminForgetDevice,
// AdminUpdateDeviceStatus (by pool and username). Devices live in the user document
// (device_record.h); the sign-in side is in device_step.cc.
//
// Errors: NotAuthorizedException from the access token check ("Invalid Access Token", "Access
// Token has expired", "Access Token has been revoked", "User is disabled."),
// PasswordResetRequiredException, ResourceNotFoundException "Device does not exist." (also for a
// key the access token was not issued with, at ConfirmDevice), DeviceKeyExistsException "Device
// key already exists." (ConfirmDevice twice), InvalidParameterException (verifier config,
// pagination token), UserNotFoundException "User does not exist." (Admin*), and
// ResourceNotFoundException for a missing pool.

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/auth/device_record.h"
#include "domain/service_context.h"
#include "domain/users/self_service.h"

namespace cognate::domain::auth {

struct ConfirmDeviceInput {
  std::string access_token;
  std::string device_key;
  std::optional<std::string> password_verifier;  // DeviceSecretVerifierConfig, base64
  std::optional<std::string> salt;               // base64
  std::optional<std::string> device_name;
  std::string source_ip;  // the caller's address (last_ip_used), when known
};

struct DevicePage {
  std::vector<DeviceRecord> devices;
  std::string pagination_token;  // empty on the last page
};

// ListDevices' Limit: at most 60 per page (also the default, and what 0 means).
inline constexpr int kMaxDevicesPerPage = 60;

class DeviceService {
 public:
  DeviceService(ServiceContext& ctx, users::AccessTokenGate gate)
      : ctx_(ctx), gate_(std::move(gate)) {}

  // Stores the device the access token was issued with, with its SRP verifier. Returns
  // UserConfirmationNecessary: true when the pool remembers devices only on the user's prompt
  // (the device stays not_remembered until UpdateDeviceStatus), else the device is remembered.
  Result<bool> ConfirmDevice(const ConfirmDeviceInput& input);

  Result<DeviceRecord> GetDevice(const std::string& access_token, const std::string& device_key);
  Result<DevicePage> ListDevices(const std::string& access_token, std::optional<int> limit,
                                 const std::optional<std::string>& pagination_token);
  Result<void> ForgetDevice(const std::string& access_token, const std::string& device_key);
  // `status` is "remembered" or "not_remembered" (absent: no change).
  Result<void> UpdateDeviceStatus(const std::string& access_token, const std::string& device_key,
                                  const std::optional<std::string>& status);

  Result<DeviceRecord> AdminGetDevice(const std::string& pool_id, const std::string& username,
                                      const std::string& device_key);
  Result<DevicePage> AdminListDevices(const std::string& pool_id, const std::string& username,
                                      std::optional<int> limit,
                                      const std::optional<std::string>& pagination_token);
  Result<void> AdminForgetDevice(const std::string& pool_id, const std::string& username,
                                 const std::string& device_key);
  Result<void> AdminUpdateDeviceStatus(const std::string& pool_id, const std::string& username,
                                       const std::string& device_key,
                                       const std::optional<std::string>& status);

 private:
  struct Owner {
    users::PoolRules rules;
    users::UserRecord user;
    std::string token_device_key;  // the access token's device_key claim
  };
  Result<Owner> ByToken(const std::string& access_token);
  Result<Owner> ByUsername(const std::string& pool_id, const std::string& username);
  Result<DevicePage> Page(const Owner& owner, std::optional<int> limit,
                          const std::optional<std::string>& pagination_token);
  Result<void> Forget(const Owner& owner, const std::string& device_key);
  Result<void> SetStatus(const Owner& owner, const std::string& device_key,
                         const std::optional<std::string>& status);

  ServiceContext& ctx_;
  users::AccessTokenGate gate_;
};

}  // namespace cognate::domain::auth
