#pragma once
// A user as the domain sees it, and its mapping to store::UserRow.
//
// The row's `doc` is a JSON object owned by the domain:
//   {
//     "attributes": {"sub": "...", "email": "a@b.c", "email_verified": "true", ...},
//     "password_hash": "$argon2id$...",            // absent until a password is set
//     "temporary_password_expires_ms": 1700000000, // while FORCE_CHANGE_PASSWORD
//     "codes": {"<purpose>": {"hash": "<hex>", "expires_ms": n, "destination": "..."}},
//     "mfa_settings": ["SOFTWARE_TOKEN_MFA", ...],  // AdminGetUser.UserMFASettingList (MFA
//     feature) "preferred_mfa": "SOFTWARE_TOKEN_MFA",       // AdminGetUser.PreferredMfaSetting
//     ... members other features own (MFA, devices, ...) are kept as they are
//   }
// Passwords and codes are never stored in plain text: passwords as argon2id PHC strings,
// one-time codes as SHA-256 of (sub, purpose, code).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/users/pool_rules.h"
#include "store/store.h"

namespace cognate::domain::users {

// UserStatusType values.
inline constexpr std::string_view kStatusUnconfirmed = "UNCONFIRMED";
inline constexpr std::string_view kStatusConfirmed = "CONFIRMED";
inline constexpr std::string_view kStatusForceChangePassword = "FORCE_CHANGE_PASSWORD";
inline constexpr std::string_view kStatusResetRequired = "RESET_REQUIRED";
inline constexpr std::string_view kStatusExternalProvider = "EXTERNAL_PROVIDER";

// Code purposes kept in doc.codes (shared with the self-service and auth flows).
inline constexpr std::string_view kCodeForgotPassword = "forgot_password";
inline constexpr std::string_view kCodeSignUp = "sign_up";
inline constexpr std::string_view kCodeVerifyEmail = "verify_email";
inline constexpr std::string_view kCodeVerifyPhone = "verify_phone_number";

struct UserRecord {
  std::string pool_id;
  std::string sub;
  std::string username;
  std::string status;
  bool enabled = true;
  // Attribute name -> value; "sub" included.
  std::map<std::string, std::string> attributes;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t version = 0;
  // The whole document as read (other features' members survive a rewrite).
  nlohmann::json doc = nlohmann::json::object();

  // The attribute's value, or nullopt.
  std::optional<std::string> Attribute(std::string_view name) const;
  bool IsTrue(std::string_view name) const;  // attribute == "true"

  // The stored argon2id hash, or "" when the user has none.
  std::string PasswordHash() const;
  // Stores crypto::HashPassword(password); never keeps the plain text.
  void SetPassword(std::string_view password);
  // Stores an already computed argon2id PHC string (hash outside a retry loop).
  void SetPasswordHash(std::string phc);
  // FORCE_CHANGE_PASSWORD expiry (ms since epoch), 0 when none.
  std::int64_t TemporaryPasswordExpiresMs() const;
  void SetTemporaryPasswordExpiresMs(std::int64_t ms);  // 0 removes it

  // One-time codes: stores SHA-256(sub, purpose, code) with an expiry and where it was sent.
  void SetCode(std::string_view purpose, std::string_view code, std::int64_t expires_ms,
               std::string_view destination = {});
  // True when `code` matches the stored, unexpired code of `purpose`.
  bool CheckCode(std::string_view purpose, std::string_view code, std::int64_t now_ms) const;
  void ClearCode(std::string_view purpose);
  bool HasCode(std::string_view purpose) const;
};

// Decodes a row. A damaged doc yields a record with only the row's columns (and its sub).
UserRecord FromRow(const store::UserRow& row);

// Encodes `user` as a row for `rules`: username_key, unique keys (the sign-in keys: e-mail or
// phone when it is a username attribute, or a verified alias; preferred_username when it is an
// alias) and the searchable attributes ListUsers filters on.
store::UserRow ToRow(const PoolRules& rules, const UserRecord& user);

// The unique key under which `value` of `attribute` ("email", "phone_number",
// "preferred_username") is looked up, e.g. "email:a@b.c".
std::string UniqueKey(const PoolRules& rules, std::string_view attribute, std::string_view value);

// The unique keys `user` holds in `rules`.
std::vector<std::string> UniqueKeys(const PoolRules& rules, const UserRecord& user);

// Finds a user the way Cognito's admin operations do: by username, then by an alias or username
// attribute value (e-mail, phone number, preferred_username), then by sub.
// UserNotFoundException "User does not exist." when nothing matches.
Result<UserRecord> FindUser(store::UserStore& users, const PoolRules& rules,
                            const std::string& username);

// Names of the searchable attributes ListUsers may filter on, as stored in UserRow.indexed.
inline constexpr std::string_view kIndexUsername = "username";
inline constexpr std::string_view kIndexUserStatus = "cognito:user_status";
inline constexpr std::string_view kIndexEnabled = "status";

}  // namespace cognate::domain::users
