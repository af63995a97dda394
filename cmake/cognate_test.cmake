# cognate_add_test(NAME name SOURCES a_test.cc ... LIBS lib ... [LABELS unit])
# Unit tests sit next to the code; each becomes one gtest binary registered with CTest.
function(cognate_add_test)
  if(NOT COGNATE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  # The test files themselves need no optimisation (the code under test is built as usual):
  # gtest's macros at -O2 cost about 3x the compile time for no gain.
  target_compile_options(${T_NAME} PRIVATE -O0)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  gtest_discover_tests(${T_NAME} PROPERTIES LABELS "${T_LABELS}" DISCOVERY_TIMEOUT 30)
endfunction()
