#include "common/json_dump.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cognate {
namespace {

using nlohmann::json;

std::string Reference(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(JsonDumpTest, WritesWhatNlohmannWrites) {
  const std::vector<json> values = {
      json::object(),
      json::array(),
      json(nullptr),
      json(true),
      json(false),
      json(0),
      json(-42),
      json(std::int64_t{-9'223'372'036'854'775'807} - 1),
      json(std::uint64_t{18'446'744'073'709'551'615u}),
      json(1.5),
      json(-0.25e-9),
      json(""),
      json("plain ASCII ~!@#$%^&*()_+-={}[]|:;'<>?,./"),
      json("quote \" backslash \\ slash /"),
      json("controls \n\r\t\b\f \x01 \x1f and DEL \x7f"),
      json("UTF-8: caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"),
      json::parse(R"({"b":1,"a":[1,"two",{"c":null,"d":[true,false]}],"e\"k":"v\u0000w"})"),
      json{{"sub", "0000-1111"}, {"cognito:groups", {"admins", "users"}}, {"exp", 1700000000}},
  };
  for (const auto& v : values) EXPECT_EQ(DumpJson(v), Reference(v)) << Reference(v);
}

TEST(JsonDumpTest, ReplacesInvalidUtf8InsteadOfThrowing) {
  const json bad = {{"name", std::string("ab\xff\xfe"
                                         "cd")},
                    {std::string("k\xc3"), 1}};
  EXPECT_EQ(DumpJson(bad), Reference(bad));
  EXPECT_NE(DumpJson(bad).find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

}  // namespace
}  // namespace cognate
