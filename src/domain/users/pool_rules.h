#pragma once
// What user and group operations need from a pool: its schema, sign-in attributes, password
// policy and message templates, read from the pool row's `doc` (the API model's UserPoolType as
// DescribeUserPool returns it). Missing members take Cognito's defaults, so a sparse document
// (older rows, hand-written test pools) still yields complete rules.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "domain/messaging/templates.h"
#include "domain/service_context.h"
#include "store/store.h"

namespace cognate::domain::users {

// One SchemaAttributeType, with its name as users send it ("email", "custom:tier").
struct SchemaAttribute {
  std::string name;
  std::string data_type = "String";  // String | Number | DateTime | Boolean
  bool is_mutable = true;
  bool required = false;
  bool developer_only = false;
  std::optional<std::int64_t> min_length;
  std::optional<std::int64_t> max_length;
  std::optional<std::int64_t> min_value;
  std::optional<std::int64_t> max_value;
};

// Policies.PasswordPolicy; FromRow starts from userpool::DefaultPasswordPolicy().
struct PasswordPolicy {
  int minimum_length = 8;
  bool require_uppercase = true;
  bool require_lowercase = true;
  bool require_numbers = true;
  bool require_symbols = true;
  int temporary_password_validity_days = 7;
};

// An SMS and e-mail message pair with `{username}` / `{####}` placeholders.
using MessageTemplate = messaging::MessageTemplate;

// DeviceConfiguration: device tracking is on when the pool has the member at all.
struct DeviceSettings {
  bool tracked = false;
  bool challenge_required_on_new_device = false;  // remembered devices may skip MFA
  bool only_remembered_on_user_prompt = false;    // ConfirmDevice leaves it not_remembered
};

// A recovery channel from AccountRecoverySetting, in priority order.
enum class RecoveryChannel : std::uint8_t { kVerifiedEmail, kVerifiedPhone, kAdminOnly };

class PoolRules {
 public:
  // Reads `row.doc`. Never fails: unreadable members fall back to Cognito's defaults.
  static PoolRules FromRow(const store::PoolRow& row);

  const std::string& pool_id() const { return pool_id_; }
  const std::vector<SchemaAttribute>& schema() const { return schema_; }
  // The schema attribute named `name`, or nullptr when the pool has none.
  const SchemaAttribute* FindAttribute(std::string_view name) const;

  // UsernameAttributes ("email", "phone_number") and AliasAttributes (plus "preferred_username").
  const std::vector<std::string>& username_attributes() const { return username_attributes_; }
  const std::vector<std::string>& alias_attributes() const { return alias_attributes_; }
  const std::vector<std::string>& auto_verified_attributes() const { return auto_verified_; }
  bool IsUsernameAttribute(std::string_view name) const;
  bool IsAliasAttribute(std::string_view name) const;
  bool IsAutoVerified(std::string_view name) const;
  // UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate: a new value of such an
  // attribute stays pending (the old one in force) until the user verifies it.
  bool RequiresVerificationBeforeUpdate(std::string_view name) const;
  // UsernameConfiguration.CaseSensitive (true when absent, as for pools created without it).
  bool case_sensitive() const { return case_sensitive_; }
  // The form of a username (or alias value) that the pool compares: lower-cased (ASCII) when
  // the pool is case-insensitive, unchanged otherwise.
  std::string NormalizeUsername(std::string_view username) const;

  const PasswordPolicy& password_policy() const { return password_policy_; }
  // Cognito's message for the first rule `password` breaks, e.g. "Password not long enough",
  // or nullopt when it conforms.
  std::optional<std::string> PasswordViolation(std::string_view password) const;
  // A random password that satisfies the policy (temporary passwords of AdminCreateUser).
  std::string GeneratePassword() const;

  // AdminCreateUserConfig.InviteMessageTemplate (defaults filled).
  const MessageTemplate& invite_template() const { return invite_template_; }
  // VerificationMessageTemplate (code messages; defaults filled).
  const messaging::VerificationTemplate& verification_template() const {
    return verification_template_;
  }
  // AccountRecoverySetting channels by priority (userpool::DefaultAccountRecoverySetting when
  // the pool has none).
  const std::vector<RecoveryChannel>& recovery_channels() const { return recovery_channels_; }
  // DeviceConfiguration (remembered devices).
  const DeviceSettings& device_settings() const { return device_settings_; }
  // LambdaConfig as stored (an object, {} when the pool has none): see domain/triggers.
  const nlohmann::json& lambda_config() const { return lambda_config_; }

 private:
  std::string pool_id_;
  std::vector<SchemaAttribute> schema_;
  std::vector<std::string> username_attributes_;
  std::vector<std::string> alias_attributes_;
  std::vector<std::string> auto_verified_;
  std::vector<std::string> verify_before_update_;
  bool case_sensitive_ = true;
  PasswordPolicy password_policy_;
  MessageTemplate invite_template_;
  messaging::VerificationTemplate verification_template_;
  std::vector<RecoveryChannel> recovery_channels_;
  DeviceSettings device_settings_;
  nlohmann::json lambda_config_ = nlohmann::json::object();
};

// The standard attributes every pool has, with Cognito's default flags and constraints.
const std::vector<SchemaAttribute>& StandardSchema();

// userpool::LoadPool + PoolRules::FromRow: ResourceNotFoundException
// "User pool <id> does not exist." when the pool is missing.
Result<PoolRules> LoadPoolRules(ServiceContext& ctx, const std::string& pool_id);

}  // namespace cognate::domain::users
