#include "common/json_parse.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace cognate {
namespace {

using nlohmann::json;

json Reference(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

::testing::AssertionResult ReadsAsNlohmann(std::string_view text) {
  const json ours = ParseJson(text);
  const json theirs = Reference(text);
  if (ours.is_discarded() != theirs.is_discarded() || !IdenticalJson(ours, theirs)) {
    return ::testing::AssertionFailure()
           << "text " << ::testing::PrintToString(std::string(text)) << ": ours "
           << (ours.is_discarded() ? "refused" : ours.dump()) << ", nlohmann "
           << (theirs.is_discarded() ? "refused" : theirs.dump());
  }
  return ::testing::AssertionSuccess();
}

const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> texts = {
      // What requests, tokens and documents look like (the one-pass shapes).
      R"({"AccessToken":"eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ4In0.c2ln"})",
      R"({"AuthFlow":"USER_SRP_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","SRP_A":"9f3c"}})",
      R"({"sub":"5d1c","exp":1700003600,"iat":1700000000,"scope":"aws.cognito.signin.user.admin"})",
      R"({"Limit":60,"Filter":"","Nested":[[],[{}],[1,-2,true,false,null]]})",
      " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n",
      "[]",
      "{}",
      "\"\"",
      "0",
      "7",
      "-7",
      "true",
      "false",
      "null",
      "123456789012345678",
      "-123456789012345678",
      R"({"k":1,"k":2})",                      // a repeated key: the last value stays
      R"({"b":1,"a":2,"c":{"z":[],"y":{}}})",  // key order
      // Handed to nlohmann (escapes, non-ASCII, floats, big numbers, BOM).
      R"({"a":"line\nbreak","b":"\u00e9\ud83d\ude00","c":"\/"})",
      "{\"name\":\"caf\xc3\xa9\"}",
      "\"\xff\"",
      "\"\xc3\"",
      "1.5",
      "-0.0",
      "1e3",
      "1E-2",
      "-0",
      "0.1e+5",
      "1234567890123456789",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "99999999999999999999999",
      "\xef\xbb\xbf{\"bom\":1}",
      // Not JSON: each must be refused, as nlohmann refuses it.
      "",
      " ",
      "{",
      "}",
      "[",
      "]",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "[1,]",
      "[,1]",
      "{,}",
      "{\"a\":1 \"b\":2}",
      "{'a':1}",
      "{a:1}",
      "01",
      "-",
      "-a",
      "+1",
      "1.",
      ".5",
      "1e",
      "tru",
      "truex",
      "nul",
      "nulll",
      "[true false]",
      "\"unterminated",
      "\"ctrl\x01\"",
      "\"tab\t\"",
      "{\"a\":1}x",
      "{\"a\":1}}",
      "[1]]",
      "/* c */ 1",
      "1 // c",
      "NaN",
      "Infinity",
      std::string("\"nul\0byte\"", 10),
      std::string("{\"a\":1}\0", 8),
  };
  return texts;
}

TEST(JsonParseTest, ReadsEveryCorpusTextAsNlohmannDoes) {
  for (const auto& t : Corpus()) EXPECT_TRUE(ReadsAsNlohmann(t));
}

// Deep nesting is nlohmann's, and still read the same.
TEST(JsonParseTest, DeepDocumentsAreReadTheSame) {
  for (int depth : {1, 63, 64, 65, 200}) {
    std::string arrays(depth, '[');
    arrays += std::string(depth, ']');
    EXPECT_TRUE(ReadsAsNlohmann(arrays)) << depth;
    std::string objects;
    for (int i = 0; i < depth; ++i) objects += "{\"k\":";
    objects += "1" + std::string(depth, '}');
    EXPECT_TRUE(ReadsAsNlohmann(objects)) << depth;
  }
}

// Random texts built from JSON's pieces, then damaged at random: whatever comes out, ours and
// nlohmann's readings agree.
TEST(JsonParseTest, RandomTextsAreReadAsNlohmannReadsThem) {
  std::mt19937 rng(20261202);
  const std::vector<std::string> pieces = {"{",
                                           "}",
                                           "[",
                                           "]",
                                           ",",
                                           ":",
                                           " ",
                                           "\n",
                                           "\"k\"",
                                           "\"v\"",
                                           "\"\"",
                                           "\"a\\\"b\"",
                                           "\"\xc3\xa9\"",
                                           "0",
                                           "1",
                                           "-1",
                                           "12",
                                           "007",
                                           "1.0",
                                           "2e5",
                                           "-0",
                                           "true",
                                           "false",
                                           "null",
                                           "\"x\":",
                                           "{\"a\":",
                                           "123456789012345678",
                                           "1234567890123456789",
                                           "x",
                                           "\x01",
                                           "\xff"};
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    const int n = static_cast<int>(rng() % 12) + 1;
    for (int j = 0; j < n; ++j) t += pieces[rng() % pieces.size()];
    if (rng() % 4 == 0 && !t.empty()) t[rng() % t.size()] = static_cast<char>(rng() % 256);
    ASSERT_TRUE(ReadsAsNlohmann(t));
  }
}

// ParseJsonWithin is JsonDepth's verdict and then ParseJson's reading, in one pass where it can:
// every text of the corpus and deep documents around the limit agree with the two
// passes at several limits (brackets in strings, escapes and malformed texts included).
TEST(JsonParseTest, ParseJsonWithinIsTheDepthCheckThenTheParse) {
  auto agrees = [](const std::string& t, std::size_t limit) -> ::testing::AssertionResult {
    bool too_deep = false;
    const json ours = ParseJsonWithin(t, limit, too_deep);
    const bool deep = JsonDepth(t, limit) > limit;
    if (too_deep != deep) {
      return ::testing::AssertionFailure()
             << ::testing::PrintToString(t) << " limit " << limit << ": too_deep " << too_deep;
    }
    const json two_pass = deep ? json(json::value_t::discarded) : ParseJson(t);
    if (ours.is_discarded() != two_pass.is_discarded() || !IdenticalJson(ours, two_pass)) {
      return ::testing::AssertionFailure() << ::testing::PrintToString(t) << " limit " << limit;
    }
    return ::testing::AssertionSuccess();
  };
  std::vector<std::string> texts = Corpus();
  texts.insert(texts.end(), {R"({"a":"[[[[{{{{"})", "{\"a\":\"\\\"[[[[\\\"\",\"b\":[[1]]}",
                             "[[[1]]", "[[[", R"({"a":[{"b":[{"c":"é"}]}]})", "]]]][[["});
  for (int depth : {1, 2, 3, 4, 7, 8, 9, 63, 64, 65, 200}) {
    texts.push_back(std::string(depth, '[') + std::string(depth, ']'));
    texts.push_back(std::string(depth, '[') + "\"x\"" + std::string(depth, ']'));
  }
  for (const auto& t : texts) {
    for (std::size_t limit : {1u, 2u, 3u, 8u, 64u}) EXPECT_TRUE(agrees(t, limit));
  }
  bool too_deep = false;
  EXPECT_TRUE(ParseJsonWithin("[[[]]]", 2, too_deep).is_discarded());
  EXPECT_TRUE(too_deep);
  EXPECT_EQ(ParseJsonWithin("[[[]]]", 3, too_deep), json::parse("[[[]]]"));
  EXPECT_FALSE(too_deep);
}

// The point of the reader: request bodies, token payloads and stored documents of the usual
// shapes take the one pass; escapes, non-ASCII and floats go to nlohmann.
TEST(JsonParseTest, TheCommonShapesTakeTheOnePass) {
  json out;
  EXPECT_TRUE(ReadCommonJson(Corpus()[0], out));
  EXPECT_TRUE(ReadCommonJson(Corpus()[1], out));
  EXPECT_TRUE(ReadCommonJson(Corpus()[2], out));
  EXPECT_TRUE(out["exp"].is_number_unsigned());
  EXPECT_TRUE(ReadCommonJson("[-5]", out));
  EXPECT_TRUE(out[0].is_number_integer() && !out[0].is_number_unsigned());
  EXPECT_FALSE(ReadCommonJson(R"({"a":"\n"})", out));
  EXPECT_FALSE(ReadCommonJson("{\"a\":\"caf\xc3\xa9\"}", out));
  EXPECT_FALSE(ReadCommonJson(R"({"a":1.5})", out));
  EXPECT_FALSE(ReadCommonJson("{\"a\":1}x", out));
}

TEST(JsonParseTest, IdenticalJsonTellsNumberKindsApart) {
  EXPECT_TRUE(json(5u) == json(5));
  EXPECT_FALSE(IdenticalJson(json(5u), json(5)));
  EXPECT_FALSE(IdenticalJson(json(5), json(5.0)));
  EXPECT_FALSE(IdenticalJson(json::parse(R"({"a":[1]})"), json::parse(R"({"a":[-1]})")));
  EXPECT_TRUE(IdenticalJson(json::parse(R"({"a":[1,{"b":null}]})"),
                            json::parse(R"({"a":[1,{"b":null}]})")));
}

}  // namespace
}  // namespace cognate
