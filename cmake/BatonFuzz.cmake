# Fuzzing support.
#
# BATON_FUZZ=ON (clang only): every library is built with coverage and
# sanitizer instrumentation, and baton_fuzz_target() makes real libFuzzer
# binaries named fuzz_<NAME>.
# Otherwise baton_fuzz_target() makes a replay binary that runs each file of
# tests/fuzz/corpus/<NAME>/ through the target once, registered as the ctest
# test fuzz_replay_<NAME>: corpora stay regression tests in every build.
if(BATON_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BATON_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  # fuzzer-no-link instruments without pulling in libFuzzer's main(), which
  # only the fuzz binaries link. UB must abort so libFuzzer saves the input.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -gline-tables-only)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(BATON_SANITIZED=1)
endif()

# baton_fuzz_target(NAME SOURCE LIBS...)
# SOURCE defines LLVMFuzzerTestOneInput; LIBS are linked privately.
function(baton_fuzz_target name source)
  set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name})
  if(BATON_FUZZ)
    add_executable(fuzz_${name} ${source})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_${name} PRIVATE ${ARGN})
    # -runs=0 only executes the corpus: the same replay, under the sanitizers.
    add_test(NAME fuzz_replay_${name} COMMAND fuzz_${name} -runs=0 ${corpus})
    return()
  endif()
  if(NOT TARGET baton_fuzz_replay_main)
    add_library(baton_fuzz_replay_main OBJECT ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  endif()
  add_executable(fuzz_replay_${name} ${source})
  target_link_libraries(fuzz_replay_${name} PRIVATE baton_fuzz_replay_main ${ARGN})
  add_test(NAME fuzz_replay_${name} COMMAND fuzz_replay_${name} ${corpus})
endfunction()
