#include "domain/auth/device_service.h"

#include <algorithm>
#include <tuple>

#include "crypto/crypto.h"
#include "crypto/srp.h"
#include "domain/pagination/pagination_token.h"
#include "domain/users/user_support.h"

namespace cognate::domain::auth {
namespace {

using users::UserRecord;

ApiError BadVerifier() {
  return ApiError::InvalidParameter("DeviceSecretVerifierConfig is not valid.");
}

// "<created_ms>:<key>": the position after which the next page starts.
std::string CursorOf(const DeviceRecord& d) { return std::to_string(d.created_ms) + ":" + d.key; }

bool After(const DeviceRecord& d, std::int64_t created_ms, std::string_view key) {
  return std::tie(d.created_ms, d.key) > std::make_tuple(created_ms, std::string(key));
}

}  // namespace

Result<DeviceService::Owner> DeviceService::ByToken(const std::string& access_token) {
  if (!gate_.verify) return ApiError::Internal("no access token verifier");
  auto claims = gate_.verify(access_token);
  if (!claims) return claims.error();
  auto rules = users::LoadPoolRules(ctx_, claims->pool_id);
  if (!rules) return rules.error();
  auto row = ctx_.store.GetUserBySub(claims->pool_id, claims->sub);
  if (!row) {
    if (row.error().IsNotFound()) return ApiError::UserNotFound();
    return users::StoreFailure("GetUserBySub", row.error());
  }
  UserRecord user = users::FromRow(*row);
  if (!user.enabled) return ApiError::NotAuthorized("User is disabled.");
  if (user.status == users::kStatusResetRequired) {
    return ApiError(ErrorCode::kPasswordResetRequired, "Password reset required for the user");
  }
  return Owner{std::move(*rules), std::move(user), claims->device_key};
}

Result<DeviceService::Owner> DeviceService::ByUsername(const std::string& pool_id,
                                                       const std::string& username) {
  auto rules = users::LoadPoolRules(ctx_, pool_id);
  if (!rules) return rules.error();
  auto user = users::FindUser(ctx_.store, *rules, username);
  if (!user) return user.error();
  return Owner{std::move(*rules), std::move(*user), {}};
}

Result<bool> DeviceService::ConfirmDevice(const ConfirmDeviceInput& input) {
  auto owner = ByToken(input.access_token);
  if (!owner) return owner.error();
  // Only the device this sign-in was given (NewDeviceMetadata) can be confirmed with its token.
  if (owner->token_device_key.empty() || owner->token_device_key != input.device_key) {
    return NoSuchDevice();
  }
  if (FindDevice(owner->user, input.device_key)) {
    return ApiError(ErrorCode::kDeviceKeyExists, "Device key already exists.");
  }
  if (!input.password_verifier || !input.salt) {
    return ApiError::InvalidParameter("Missing required parameter DeviceSecretVerifierConfig");
  }
  auto verifier = crypto::Base64Decode(*input.password_verifier);
  auto salt = crypto::Base64Decode(*input.salt);
  if (!verifier || !salt || salt->empty()) return BadVerifier();
  // The clients send padded integers (a leading zero byte when the high bit is set).
  const auto first = verifier->find_first_not_of('\0');
  if (first == std::string::npos) return BadVerifier();
  verifier->erase(0, first);
  if (!crypto::SrpServerBegin(*verifier)) return BadVerifier();  // zero or not below N

  const users::DeviceSettings& settings = owner->rules.device_settings();
  const bool prompt = settings.only_remembered_on_user_prompt;
  const std::int64_t now = ctx_.clock.NowMillis();
  DeviceRecord device;
  device.key = input.device_key;
  device.group_key = DeviceGroupKey(owner->rules.pool_id(), owner->user.sub, input.device_key);
  device.name = input.device_name.value_or("");
  device.remembered_status = std::string(prompt ? kNotRemembered : kRemembered);
  device.sealed_verifier =
      SealDeviceVerifier(ctx_, owner->rules.pool_id(), owner->user.sub, input.device_key,
                         crypto::SrpVerifier{*salt, *verifier});
  device.last_ip = input.source_ip;
  device.created_ms = now;
  device.modified_ms = now;
  device.last_auth_ms = now;

  const std::string sub = owner->user.sub;
  auto find = [&]() -> Result<UserRecord> {
    auto row = ctx_.store.GetUserBySub(owner->rules.pool_id(), sub);
    if (!row) {
      if (row.error().IsNotFound()) return ApiError::UserNotFound();
      return users::StoreFailure("GetUserBySub", row.error());
    }
    return users::FromRow(*row);
  };
  auto saved = users::MutateUser(ctx_, owner->rules, find, [&](UserRecord& u) -> Result<void> {
    if (FindDevice(u, device.key)) {
      return ApiError(ErrorCode::kDeviceKeyExists, "Device key already exists.");
    }
    PutDevice(u, device);
    return {};
  });
  if (!saved) return saved.error();
  return prompt;
}

Result<DevicePage> DeviceService::Page(const Owner& owner, std::optional<int> limit,
                                       const std::optional<std::string>& pagination_token) {
  int page_size = limit.value_or(kMaxDevicesPerPage);
  if (page_size <= 0 || page_size > kMaxDevicesPerPage) page_size = kMaxDevicesPerPage;
  auto codec = PaginationCodec::FromStore(ctx_.store);
  if (!codec) return codec.error();
  const std::string scope = "ListDevices:" + owner.rules.pool_id() + ":" + owner.user.sub;
  std::int64_t after_created = -1;
  std::string after_key;
  if (pagination_token && !pagination_token->empty()) {
    auto cursor = codec->Decode(scope, *pagination_token);
    if (!cursor) return cursor.error();
    const auto colon = cursor->find(':');
    if (colon == std::string::npos) return ApiError::InvalidParameter("Invalid pagination token");
    try {
      after_created = std::stoll(cursor->substr(0, colon));
    } catch (const std::exception&) {
      return ApiError::InvalidParameter("Invalid pagination token");
    }
    after_key = cursor->substr(colon + 1);
  }
  auto devices = ReadDevices(owner.user);
  std::sort(devices.begin(), devices.end(), [](const DeviceRecord& a, const DeviceRecord& b) {
    return std::tie(a.created_ms, a.key) < std::tie(b.created_ms, b.key);
  });
  DevicePage page;
  for (const auto& d : devices) {
    if (after_created >= 0 && !After(d, after_created, after_key)) continue;
    if (static_cast<int>(page.devices.size()) == page_size) {
      page.pagination_token = codec->Encode(scope, CursorOf(page.devices.back()));
      break;
    }
    page.devices.push_back(d);
  }
  return page;
}

Result<void> DeviceService::Forget(const Owner& owner, const std::string& device_key) {
  const std::string sub = owner.user.sub;
  auto find = [&]() -> Result<UserRecord> {
    auto row = ctx_.store.GetUserBySub(owner.rules.pool_id(), sub);
    if (!row) {
      if (row.error().IsNotFound()) return ApiError::UserNotFound();
      return users::StoreFailure("GetUserBySub", row.error());
    }
    return users::FromRow(*row);
  };
  auto saved = users::MutateUser(ctx_, owner.rules, find, [&](UserRecord& u) -> Result<void> {
    if (!RemoveDevice(u, device_key)) return NoSuchDevice();
    return {};
  });
  if (!saved) return saved.error();
  return {};
}

Result<void> DeviceService::SetStatus(const Owner& owner, const std::string& device_key,
                                      const std::optional<std::string>& status) {
  if (status && *status != kRemembered && *status != kNotRemembered) {
    return ApiError::InvalidParameter(
        "1 validation error detected: Value '" + *status +
        "' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum "
        "value set: [not_remembered, remembered]");
  }
  const std::int64_t now = ctx_.clock.NowMillis();
  auto saved = UpdateDevice(ctx_, owner.rules, owner.user.sub, device_key, [&](DeviceRecord& d) {
    if (status) d.remembered_status = *status;
    d.modified_ms = now;
  });
  if (!saved) return saved.error();
  return {};
}

Result<DeviceRecord> DeviceService::GetDevice(const std::string& access_token,
                                              const std::string& device_key) {
  auto owner = ByToken(access_token);
  if (!owner) return owner.error();
  auto device = FindDevice(owner->user, device_key);
  if (!device) return NoSuchDevice();
  return std::move(*device);
}

Result<DevicePage> DeviceService::ListDevices(const std::string& access_token,
                                              std::optional<int> limit,
                                              const std::optional<std::string>& pagination_token) {
  auto owner = ByToken(access_token);
  if (!owner) return owner.error();
  return Page(*owner, limit, pagination_token);
}

Result<void> DeviceService::ForgetDevice(const std::string& access_token,
                                         const std::string& device_key) {
  auto owner = ByToken(access_token);
  if (!owner) return owner.error();
  return Forget(*owner, device_key);
}

Result<void> DeviceService::UpdateDeviceStatus(const std::string& access_token,
                                               const std::string& device_key,
                                               const std::optional<std::string>& status) {
  auto owner = ByToken(access_token);
  if (!owner) return owner.error();
  return SetStatus(*owner, device_key, status);
}

Result<DeviceRecord> DeviceService::AdminGetDevice(const std::string& pool_id,
                                                   const std::string& username,
                                                   const std::string& device_key) {
  auto owner = ByUsername(pool_id, username);
  if (!owner) return owner.error();
  auto device = FindDevice(owner->user, device_key);
  if (!device) return NoSuchDevice();
  return std::move(*device);
}

Result<DevicePage> DeviceService::AdminListDevices(
    const std::string& pool_id, const std::string& username, std::optional<int> limit,
    const std::optional<std::string>& pagination_token) {
  auto owner = ByUsername(pool_id, username);
  if (!owner) return owner.error();
  return Page(*owner, limit, pagination_token);
}

Result<void> DeviceService::AdminForgetDevice(const std::string& pool_id,
                                              const std::string& username,
                                              const std::string& device_key) {
  auto owner = ByUsername(pool_id, username);
  if (!owner) return owner.error();
  return Forget(*owner, device_key);
}

Result<void> DeviceService::AdminUpdateDeviceStatus(const std::string& pool_id,
                                                    const std::string& username,
                                                    const std::string& device_key,
                                                    const std::optional<std::string>& status) {
  auto owner = ByUsername(pool_id, username);
  if (!owner) return owner.error();
  return SetStatus(*owner, device_key, status);
}

}  // namespace cognate::domain::auth
