#pragma once
// The embedded API-model digests (src/api/model/<service>.json, written by tools/gen_model.py from
// botocore plus the newest SDK's extra operations): operations with their auth kind, input shape
// and declared errors, and every input shape with its constraints. Loaded once per process.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/dispatcher.h"

namespace cognate::api::model {

enum class ShapeType : std::uint8_t {
  kString,
  kInteger,
  kLong,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
  kList,
  kMap,
  kStructure,
};

// A compiled regular expression of the model (Java syntax; PCRE2 in UTF mode; whole-value match).
class Pattern {
 public:
  // Compiles `source`; throws std::runtime_error when PCRE2 rejects it (a model bug).
  explicit Pattern(std::string source);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;
  // True when the whole of `value` (valid UTF-8) matches.
  bool FullMatch(std::string_view value) const;
  const std::string& source() const { return source_; }
  // True when FullMatch answers ASCII values without PCRE2 (see ascii_).
  bool HasAsciiFastPath() const { return ascii_repeat_ != Repeat::kNone; }

 private:
  bool MatchWithPcre(std::string_view value) const;

  std::string source_;
  void* code_ = nullptr;  // pcre2_code_8*
  // Patterns that are one character class repeated ("[A-Za-z0-9-_=.]+", "[\\S]+", optionally
  // within ^...$) match an all-ASCII value exactly when each byte is in the class, so the class's
  // ASCII members are worked out once (by PCRE2 itself, one character at a time) and such values
  // are checked against this table; any other value goes to PCRE2. Tokens are checked this way
  // on every token-authorized call.
  enum class Repeat : std::uint8_t { kNone, kOneOrMore, kZeroOrMore };
  Repeat ascii_repeat_ = Repeat::kNone;
  std::array<bool, 128> ascii_{};
};

struct Shape;

struct Member {
  std::string name;       // wire name, e.g. "UserPoolId"
  std::string path_name;  // name in validation messages, e.g. "userPoolId"
  const Shape* shape = nullptr;
  bool required = false;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  std::optional<std::int64_t> min;  // length (string, blob, list, map) or value (numbers)
  std::optional<std::int64_t> max;
  std::unique_ptr<Pattern> pattern;
  std::vector<std::string> enum_values;
  bool sensitive = false;
  // A trigger target (LambdaConfig): an http(s):// URL is accepted besides the ARN pattern.
  bool allows_url = false;
  std::vector<Member> members;    // structure, in model order
  const Shape* member = nullptr;  // list element
  const Shape* key = nullptr;     // map
  const Shape* value = nullptr;   // map
};

struct Operation {
  std::string name;
  AuthKind auth = AuthKind::kIam;
  const Shape* input = nullptr;  // nullptr when the operation takes no input
  std::vector<std::string> errors;
  std::string since;  // "D" Debian botocore, "B" newer botocore, "N" newest npm SDK only
};

class ServiceModel {
 public:
  // The embedded models, parsed and compiled on first use (thread-safe).
  static const ServiceModel& CognitoIdp();
  static const ServiceModel& CognitoIdentity();
  // Parses a digest; throws std::runtime_error when it is malformed.
  static std::unique_ptr<ServiceModel> FromJson(std::string_view digest);

  const Operation* FindOperation(std::string_view name) const;
  const std::map<std::string, Operation, std::less<>>& operations() const { return operations_; }
  const std::string& service() const { return service_; }              // "cognito-idp"
  const std::string& target_prefix() const { return target_prefix_; }  // "AWSCognito..."
  const std::string& signing_name() const { return signing_name_; }
  const std::string& source() const { return source_; }

 private:
  std::string service_, target_prefix_, signing_name_, source_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
};

// The embedded digest texts (generated .cc from the committed JSON files).
std::string_view EmbeddedCognitoIdpDigest();
std::string_view EmbeddedCognitoIdentityDigest();

// "authtype" names used in the digest and docs/compatibility.md: "iam", "token", "public".
std::string_view AuthKindName(AuthKind kind);

}  // namespace cognate::api::model
