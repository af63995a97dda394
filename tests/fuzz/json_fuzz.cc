// Differential: common/json_parse.h's ParseJson must read every input exactly as
// nlohmann::json::parse does (the same value with the same number kinds, or the same refusal).
// Any difference aborts.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json ours = cognate::ParseJson(text);
  const nlohmann::json theirs =
      nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (ours.is_discarded() != theirs.is_discarded() || !cognate::IdenticalJson(ours, theirs)) {
    std::fprintf(stderr, "ParseJson differs from nlohmann: ours %s, nlohmann %s\n",
                 ours.is_discarded() ? "refused" : ours.dump().c_str(),
                 theirs.is_discarded() ? "refused" : theirs.dump().c_str());
    std::abort();
  }
  return 0;
}
