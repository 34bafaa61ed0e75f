# tests/tests.cmake - registers every test with ctest: unit (cmocka), pcap cases, conformance.
find_program(PW_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)

# Unit tests: tests/unit/<dir>/test_<file>.c, each its own cmocka program, built with sanitizers.
if(CMOCKA_FOUND)
  file(GLOB_RECURSE PW_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
  foreach(src ${PW_UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE ${PW_WARNINGS} ${PW_SAN_FLAGS})
    target_link_libraries(${name} PRIVATE pwcore_asan PkgConfig::CMOCKA)
    add_test(NAME unit/${name} COMMAND ${name})
  endforeach()
endif()

# Pcap cases: tests/pcap/<case>/case.json, each run by tests/pcap/run_case.py, twice: the
# release binary and the ASan+UBSan one.
file(GLOB PW_PCAP_CASES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/pcap/*/case.json)
foreach(c ${PW_PCAP_CASES})
  get_filename_component(dir ${c} DIRECTORY)
  get_filename_component(name ${dir} NAME)
  add_test(NAME pcap/${name}
           COMMAND ${PW_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pcap/run_case.py
                   --binary $<TARGET_FILE:protowall> ${dir})
  add_test(NAME pcap-asan/${name}
           COMMAND ${PW_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pcap/run_case.py
                   --binary $<TARGET_FILE:protowall-asan> ${dir})
endforeach()

# Other test scripts: tests/scripts/test_*.sh|py, each one ctest test, given the binaries' paths.
file(GLOB PW_SCRIPT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/scripts/test_*)
foreach(t ${PW_SCRIPT_TESTS})
  get_filename_component(name ${t} NAME_WE)
  add_test(NAME script/${name} COMMAND ${t})
  set_tests_properties(script/${name} PROPERTIES
    ENVIRONMENT "PW_BIN=$<TARGET_FILE:protowall>;PW_BIN_ASAN=$<TARGET_FILE:protowall-asan>;PW_ROOT=${CMAKE_SOURCE_DIR};PW_SHARED=${CMAKE_SOURCE_DIR}/../shared;PYTHON=${PW_PYTHON}"
    SKIP_RETURN_CODE 77)
endforeach()
