#pragma once
// The bytes a JSON string holds as they are, with no escape: printable ASCII but '"' and '\\'.
// json_dump.cc writes such strings by copying them, json_parse.cc reads them the same way.

namespace cognate::json_detail {

struct PlainBytes {
  bool ok[256] = {};
  constexpr PlainBytes() {
    for (int b = 0x20; b < 0x7f; ++b) ok[b] = b != '"' && b != '\\';
  }
};
inline constexpr PlainBytes kPlain;

}  // namespace cognate::json_detail
