# Every third-party dependency, found once. Debian bookworm packages (scripts/install-deps).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(OpenSSL 3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(CURL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED libsodium)
# libsodium is linked statically so its argon2 memory can be reused (src/crypto/pwhash_memory.h).
find_library(SODIUM_STATIC_LIBRARY NAMES libsodium.a HINTS ${SODIUM_LIBRARY_DIRS} REQUIRED)
add_library(Sodium::Static STATIC IMPORTED)
set_target_properties(Sodium::Static PROPERTIES
  IMPORTED_LOCATION ${SODIUM_STATIC_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES "${SODIUM_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
if(COGNATE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(COGNATE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
