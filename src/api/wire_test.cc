#include "api/wire.h"

#include <gtest/gtest.h>

#include "api/test_support.h"

namespace cognate::api {
namespace {

using testing::HeaderOf;

TEST(WireTest, Success) {
  ApiResponse r = JsonSuccess({{"UserPools", nlohmann::json::array()}}, "rid-1", 1795343081);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"UserPools":[]})");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(HeaderOf(r, "x-amzn-RequestId"), "rid-1");
  EXPECT_EQ(HeaderOf(r, "Date"), "Sun, 22 Nov 2026 10:24:41 GMT");
  EXPECT_EQ(JsonSuccess(nullptr, "r", 0).body, "{}");
}

// The date of each second is formatted once per thread and reused; a new second is a new date.
TEST(WireTest, HttpDateFollowsTheSecond) {
  EXPECT_EQ(HttpDate(1795343081), "Sun, 22 Nov 2026 10:24:41 GMT");
  EXPECT_EQ(HttpDate(1795343081), "Sun, 22 Nov 2026 10:24:41 GMT");
  EXPECT_EQ(HttpDate(1795343082), "Sun, 22 Nov 2026 10:24:42 GMT");
  EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(1795343082), "Sun, 22 Nov 2026 10:24:42 GMT");
}

TEST(WireTest, ClientError) {
  ApiResponse r = JsonError(ApiError::NotAuthorized("Incorrect username or password."), "rid-2", 0);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"__type":"NotAuthorizedException","message":"Incorrect username or password."})");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "NotAuthorizedException:");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorMessage"), "Incorrect username or password.");
  EXPECT_EQ(HeaderOf(r, "x-amzn-RequestId"), "rid-2");
  EXPECT_EQ(HeaderOf(r, "Date"), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(r.error_type, "NotAuthorizedException");
}

TEST(WireTest, ServerErrorHidesInternalText) {
  ApiResponse r = JsonError(ApiError::Internal("db password=hunter2 refused"), "rid", 0);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"__type":"InternalErrorException","message":"Internal server error."})");
  EXPECT_EQ(r.body.find("hunter2"), std::string::npos);
}

TEST(WireTest, ReasonCodeAndHeaderSafety) {
  ApiError e = ApiError::InvalidParameter("line1\r\nline2");
  e.WithReasonCode("INVALID_PARAMETER");
  ApiResponse r = JsonError(e, "rid", 0);
  nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["__type"], "InvalidParameterException");
  EXPECT_EQ(body["message"], "line1\r\nline2");
  EXPECT_EQ(body["reasonCode"], "INVALID_PARAMETER");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorMessage"), "line1  line2");
}

TEST(WireTest, EmptyMessageIsOmitted) {
  ApiResponse r = JsonError(ApiError(ErrorCode::kUnknownOperation, ""), "rid", 0);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException"})");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorMessage"), "<absent>");
}

TEST(WireTest, FrontDoorStatuses) {
  EXPECT_EQ(JsonError({ErrorCode::kMissingAuthenticationToken, "m"}, "r", 0).status, 403);
  EXPECT_EQ(JsonError({ErrorCode::kInvalidSignature, "m"}, "r", 0).status, 403);
  EXPECT_EQ(JsonError({ErrorCode::kUnrecognizedClient, "m"}, "r", 0).status, 403);
  EXPECT_EQ(JsonError({ErrorCode::kIncompleteSignature, "m"}, "r", 0).status, 400);
  EXPECT_EQ(JsonError({ErrorCode::kSerialization, "m"}, "r", 0).status, 400);
}

TEST(WireTest, LongMessagesAreCutInTheHeaderOnly) {
  std::string m(3000, 'x');
  m[1023] = '\xC3';  // a two-byte character straddling the cut
  m[1024] = '\xA9';
  ApiResponse r = JsonError(ApiError::InvalidParameter(m), "rid", 0);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorMessage").size(), 1023u);
  EXPECT_EQ(nlohmann::json::parse(r.body)["message"].get<std::string>().size(), 3000u);
}

TEST(WireTest, InvalidUtf8InMessagesIsReplaced) {
  ApiResponse r = JsonError(ApiError::InvalidParameter("bad \xFF byte"), "rid", 0);
  EXPECT_TRUE(nlohmann::json::accept(r.body));
}

}  // namespace
}  // namespace cognate::api
