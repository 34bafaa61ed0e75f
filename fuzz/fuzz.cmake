# fuzz/fuzz.cmake - libFuzzer targets: fuzz/fuzz_<name>.c, each run briefly by ctest (smoke).
set(PW_FUZZ_SECONDS 60 CACHE STRING "seconds the engine fuzz target runs in make test")
set(PW_FUZZ_SECONDS_ANALYZER 20 CACHE STRING "seconds each per-analyzer fuzz target runs in make test")
set(PW_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
add_library(pwcore_fuzz STATIC ${PW_SOURCES})
target_include_directories(pwcore_fuzz PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_compile_options(pwcore_fuzz PRIVATE ${PW_WARNINGS} ${PW_FUZZ_FLAGS})
target_link_libraries(pwcore_fuzz PUBLIC PkgConfig::PCAP PkgConfig::CRYPTO PkgConfig::ZLIB PkgConfig::YAML
                      PkgConfig::NFQ PkgConfig::MNL PkgConfig::HIREDIS m)

file(GLOB PW_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${PW_FUZZ_TARGETS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${PW_WARNINGS} ${PW_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE pwcore_fuzz)
  set(corpus ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  set(secs ${PW_FUZZ_SECONDS_ANALYZER})
  if(name STREQUAL "fuzz_engine")
    set(secs ${PW_FUZZ_SECONDS})
  endif()
  add_test(NAME fuzz/${name}
           COMMAND ${CMAKE_COMMAND} -E env ${CMAKE_SOURCE_DIR}/fuzz/run_fuzz.sh
                   $<TARGET_FILE:${name}> ${corpus} ${secs})
endforeach()
