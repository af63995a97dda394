#pragma once
// Test-only helpers shared by the app tests.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cognate::app::testing {

// The whole content of the file at `p` ("" when it cannot be read).
inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace cognate::app::testing
