#pragma once
// A user's remembered devices, kept in the user document (member "devices", an array; nothing
// else writes it), and the pieces of Cognito's device identity:
//   DeviceKey       "<region>_<uuid>", made when a sign-in in a tracking pool carries no known
//                   device (AuthenticationResult.NewDeviceMetadata) and bound to the tokens of
//                   that sign-in (the access token's device_key claim);
//   DeviceGroupKey  derived from (pool, sub, device key), so an unconfirmed device needs no
//                   storage: ConfirmDevice recomputes it and stores it with the device;
//   verifier        the device's SRP verifier from ConfirmDevice (DeviceSecretVerifierConfig),
//                   sealed with the master key like the user's password verifier, bound to the
//                   pool, the user and the device key. The device SRP is Cognito's SRP with the
//                   group key as pool name and the device key as user id (crypto/srp.h).
// Only confirmed devices are stored; a user keeps at most kMaxDevicesPerUser of them (the least
// recently used goes first).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "crypto/srp.h"
#include "domain/service_context.h"
#include "domain/users/pool_rules.h"
#include "domain/users/user_record.h"

namespace cognate::domain::auth {

inline constexpr std::string_view kRemembered = "remembered";
inline constexpr std::string_view kNotRemembered = "not_remembered";
inline constexpr std::size_t kMaxDevicesPerUser = 100;

struct DeviceRecord {
  std::string key;        // DeviceKey
  std::string group_key;  // DeviceGroupKey
  std::string name;       // DeviceName (may be empty)
  std::string remembered_status = std::string(kNotRemembered);
  std::string sealed_verifier;  // base64 SecretBox of "salt_hex:verifier_hex"
  std::string last_ip;          // of the last ConfirmDevice / device sign-in, when known
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t last_auth_ms = 0;

  bool remembered() const { return remembered_status == kRemembered; }
};

// The user's devices, oldest first. Malformed entries are skipped.
std::vector<DeviceRecord> ReadDevices(const users::UserRecord& user);
// The device with `key`, or nullopt.
std::optional<DeviceRecord> FindDevice(const users::UserRecord& user, std::string_view key);
// Replaces the user's devices (the member is removed when `devices` is empty).
void WriteDevices(users::UserRecord& user, const std::vector<DeviceRecord>& devices);
// Inserts or replaces `device` (by key), evicting the least recently used devices beyond
// kMaxDevicesPerUser.
void PutDevice(users::UserRecord& user, const DeviceRecord& device);
// Removes the device; false when the user has none with `key`.
bool RemoveDevice(users::UserRecord& user, std::string_view key);

// ResourceNotFoundException "Device does not exist.".
ApiError NoSuchDevice();

// Loads the user by sub, applies `change` to its device `key` and saves, retrying lost races.
// NoSuchDevice() when the user has no such device; UserNotFoundException when the user is gone.
Result<users::UserRecord> UpdateDevice(ServiceContext& ctx, const users::PoolRules& rules,
                                       const std::string& sub, std::string_view key,
                                       const std::function<void(DeviceRecord&)>& change);

// A fresh DeviceKey in the pool's region ("us-east-1_<uuid>").
std::string NewDeviceKey(std::string_view pool_id);
// The DeviceGroupKey of `device_key` for the user: "-" and 9 letters and digits.
std::string DeviceGroupKey(std::string_view pool_id, std::string_view sub,
                           std::string_view device_key);
// True when `key` has the shape of a DeviceKey ([\w-]+_[0-9a-f-]+, at most 55 characters).
bool IsDeviceKeyShape(std::string_view key);

// Seals / opens a device verifier (bound to pool, sub and device key).
std::string SealDeviceVerifier(const ServiceContext& ctx, std::string_view pool_id,
                               std::string_view sub, std::string_view device_key,
                               const crypto::SrpVerifier& verifier);
std::optional<crypto::SrpVerifier> OpenDeviceVerifier(const ServiceContext& ctx,
                                                      std::string_view pool_id,
                                                      std::string_view sub,
                                                      const DeviceRecord& device);

}  // namespace cognate::domain::auth
