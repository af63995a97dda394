#include "common/error.h"

#include <gtest/gtest.h>

namespace cognate {
namespace {

TEST(ErrorTest, TypeNamesAndStatusesComeFromTheTable) {
  EXPECT_EQ(ErrorTypeName(ErrorCode::kUserNotFound), "UserNotFoundException");
  EXPECT_EQ(ErrorHttpStatus(ErrorCode::kUserNotFound), 400);
  EXPECT_EQ(ErrorHttpStatus(ErrorCode::kInternalError), 500);
  EXPECT_EQ(ErrorHttpStatus(ErrorCode::kInternalServer), 500);
  EXPECT_EQ(ErrorCodeFromTypeName("GroupExistsException"), ErrorCode::kGroupExists);
  EXPECT_FALSE(ErrorCodeFromTypeName("NoSuchException").has_value());
}

TEST(ErrorTest, ResultCarriesEitherValueOrError) {
  Result<int> ok = 3;
  Result<int> bad = ApiError::InvalidParameter("nope");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 3);
  ASSERT_TRUE(bad.has_error());
  EXPECT_EQ(bad.error().type_name(), "InvalidParameterException");
  EXPECT_EQ(bad.error().message(), "nope");
}

}  // namespace
}  // namespace cognate
