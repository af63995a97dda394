#include "domain/auth/device_record.h"

#include <algorithm>

#include "crypto/crypto.h"
#include "domain/users/password.h"
#include "domain/users/user_support.h"

namespace cognate::domain::auth {
namespace {

using nlohmann::json;

constexpr const char* kMember = "devices";

std::string Aad(std::string_view pool_id, std::string_view sub, std::string_view key) {
  std::string aad = "device_srp:";
  aad.append(pool_id).append(":").append(sub).append(":").append(key);
  return aad;
}

std::string Str(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Int(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

json ToJson(const DeviceRecord& d) {
  json j = {{"key", d.key},
            {"group", d.group_key},
            {"status", d.remembered_status},
            {"sealed", d.sealed_verifier},
            {"created_ms", d.created_ms},
            {"modified_ms", d.modified_ms},
            {"last_auth_ms", d.last_auth_ms}};
  if (!d.name.empty()) j["name"] = d.name;
  if (!d.last_ip.empty()) j["last_ip"] = d.last_ip;
  return j;
}

std::optional<DeviceRecord> FromJson(const json& j) {
  if (!j.is_object()) return std::nullopt;
  DeviceRecord d;
  d.key = Str(j, "key");
  if (d.key.empty()) return std::nullopt;
  d.group_key = Str(j, "group");
  d.name = Str(j, "name");
  d.remembered_status = Str(j, "status") == kRemembered ? kRemembered : kNotRemembered;
  d.sealed_verifier = Str(j, "sealed");
  d.last_ip = Str(j, "last_ip");
  d.created_ms = Int(j, "created_ms");
  d.modified_ms = Int(j, "modified_ms");
  d.last_auth_ms = Int(j, "last_auth_ms");
  return d;
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::vector<DeviceRecord> ReadDevices(const users::UserRecord& user) {
  std::vector<DeviceRecord> out;
  const auto it = user.doc.find(kMember);
  if (it == user.doc.end() || !it->is_array()) return out;
  for (const auto& j : *it) {
    if (auto d = FromJson(j)) out.push_back(std::move(*d));
  }
  return out;
}

std::optional<DeviceRecord> FindDevice(const users::UserRecord& user, std::string_view key) {
  if (key.empty()) return std::nullopt;
  for (auto& d : ReadDevices(user)) {
    if (d.key == key) return std::move(d);
  }
  return std::nullopt;
}

void WriteDevices(users::UserRecord& user, const std::vector<DeviceRecord>& devices) {
  if (devices.empty()) {
    user.doc.erase(kMember);
    return;
  }
  json list = json::array();
  for (const auto& d : devices) list.push_back(ToJson(d));
  user.doc[kMember] = std::move(list);
}

void PutDevice(users::UserRecord& user, const DeviceRecord& device) {
  auto devices = ReadDevices(user);
  auto it = std::find_if(devices.begin(), devices.end(),
                         [&](const DeviceRecord& d) { return d.key == device.key; });
  if (it != devices.end()) {
    *it = device;
  } else {
    devices.push_back(device);
  }
  while (devices.size() > kMaxDevicesPerUser) {
    auto lru = std::min_element(
        devices.begin(), devices.end(), [&](const DeviceRecord& a, const DeviceRecord& b) {
          if (a.key == device.key) return false;
          if (b.key == device.key) return true;
          return std::max(a.last_auth_ms, a.created_ms) < std::max(b.last_auth_ms, b.created_ms);
        });
    devices.erase(lru);
  }
  WriteDevices(user, devices);
}

bool RemoveDevice(users::UserRecord& user, std::string_view key) {
  auto devices = ReadDevices(user);
  const auto before = devices.size();
  std::erase_if(devices, [&](const DeviceRecord& d) { return d.key == key; });
  if (devices.size() == before) return false;
  WriteDevices(user, devices);
  return true;
}

ApiError NoSuchDevice() { return ApiError::ResourceNotFound("Device does not exist."); }

Result<users::UserRecord> UpdateDevice(ServiceContext& ctx, const users::PoolRules& rules,
                                       const std::string& sub, std::string_view key,
                                       const std::function<void(DeviceRecord&)>& change) {
  auto find = [&]() -> Result<users::UserRecord> {
    auto row = ctx.store.GetUserBySub(rules.pool_id(), sub);
    if (!row) {
      if (row.error().IsNotFound()) return ApiError::UserNotFound();
      return users::StoreFailure("GetUserBySub", row.error());
    }
    return users::FromRow(*row);
  };
  return users::MutateUser(ctx, rules, find, [&](users::UserRecord& u) -> Result<void> {
    auto device = FindDevice(u, key);
    if (!device) return NoSuchDevice();
    change(*device);
    PutDevice(u, *device);
    return {};
  });
}

std::string NewDeviceKey(std::string_view pool_id) {
  const auto underscore = pool_id.find('_');
  const std::string_view region = underscore == std::string_view::npos
                                      ? std::string_view("us-east-1")
                                      : pool_id.substr(0, underscore);
  return std::string(region) + "_" + crypto::NewUuid();
}

std::string DeviceGroupKey(std::string_view pool_id, std::string_view sub,
                           std::string_view device_key) {
  std::string material = "device_group\n";
  material.append(pool_id).append("\n").append(sub).append("\n").append(device_key);
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::string digest = crypto::Sha256(material);
  std::string out = "-";
  for (std::size_t i = 0; i < 9; ++i) {
    out += kAlphabet[static_cast<unsigned char>(digest[i]) % kAlphabet.size()];
  }
  return out;
}

bool IsDeviceKeyShape(std::string_view key) {
  if (key.empty() || key.size() > 55) return false;
  const auto underscore = key.rfind('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == key.size()) {
    return false;
  }
  for (std::size_t i = 0; i < underscore; ++i) {
    if (!IsWordChar(key[i]) && key[i] != '-') return false;
  }
  for (std::size_t i = underscore + 1; i < key.size(); ++i) {
    const char c = key[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return false;
  }
  return true;
}

std::string SealDeviceVerifier(const ServiceContext& ctx, std::string_view pool_id,
                               std::string_view sub, std::string_view device_key,
                               const crypto::SrpVerifier& verifier) {
  return users::SealSrpVerifier(ctx, verifier, Aad(pool_id, sub, device_key));
}

std::optional<crypto::SrpVerifier> OpenDeviceVerifier(const ServiceContext& ctx,
                                                      std::string_view pool_id,
                                                      std::string_view sub,
                                                      const DeviceRecord& device) {
  return users::OpenSealedSrpVerifier(ctx, device.sealed_verifier, Aad(pool_id, sub, device.key));
}

}  // namespace cognate::domain::auth
