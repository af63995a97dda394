#pragma once
// The one error type of Cognate. Domain and store code return Result<T>; the api layer turns an
// ApiError into the awsJson1_1 wire error in exactly one place (api/wire.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace cognate {

enum class ErrorCode : std::uint8_t {
#define X(name, type, status) name,
#include "common/error_codes.inc"
#undef X
};

// The wire type name (e.g. "UserNotFoundException") of `code`.
std::string_view ErrorTypeName(ErrorCode code);
// The HTTP status sent for `code`: 400 for client faults, 500 for server faults.
int ErrorHttpStatus(ErrorCode code);
// The code whose wire type name is `type`, if any.
std::optional<ErrorCode> ErrorCodeFromTypeName(std::string_view type);

// An error as a Cognito client sees it: a type and a message. `internal` is for logs only and
// never leaves the server. `reason_code` fills InvalidParameterException.reasonCode when set.
class ApiError {
 public:
  ApiError() = default;
  ApiError(ErrorCode code, std::string message, std::string internal = {})
      : code_(code), message_(std::move(message)), internal_(std::move(internal)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& internal() const { return internal_; }
  const std::string& reason_code() const { return reason_code_; }
  ApiError& WithReasonCode(std::string reason) {
    reason_code_ = std::move(reason);
    return *this;
  }

  std::string_view type_name() const { return ErrorTypeName(code_); }
  int http_status() const { return ErrorHttpStatus(code_); }
  bool is(ErrorCode c) const { return code_ == c; }

  // Shorthands for the errors nearly every operation returns.
  static ApiError InvalidParameter(std::string m) { return {ErrorCode::kInvalidParameter, std::move(m)}; }
  static ApiError ResourceNotFound(std::string m) { return {ErrorCode::kResourceNotFound, std::move(m)}; }
  static ApiError NotAuthorized(std::string m) { return {ErrorCode::kNotAuthorized, std::move(m)}; }
  static ApiError UserNotFound(std::string m = "User does not exist.") {
    return {ErrorCode::kUserNotFound, std::move(m)};
  }
  static ApiError Internal(std::string internal) {
    return {ErrorCode::kInternalError, "Internal server error.", std::move(internal)};
  }

 private:
  ErrorCode code_ = ErrorCode::kInternalError;
  std::string message_;
  std::string internal_;
  std::string reason_code_;
};

template <class T>
using Result = boost::system::result<T, ApiError>;

}  // namespace cognate
