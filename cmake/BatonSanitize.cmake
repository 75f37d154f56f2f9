# Sanitizer builds: BATON_SANITIZE=address,undefined or BATON_SANITIZE=thread.
#
# Every target is instrumented, the baton binary that the integration tests
# start included, so a report can come from the daemon as well as the tests.
# Undefined behaviour aborts (-fno-sanitize-recover) instead of printing and
# going on, so the test that caused it fails. scripts/sanitize.sh runs the
# suites in such builds.
set(BATON_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")
if(BATON_SANITIZE)
  add_compile_options(-fsanitize=${BATON_SANITIZE} -fno-omit-frame-pointer)
  if(BATON_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  add_link_options(-fsanitize=${BATON_SANITIZE})
  # Tests that measure resident memory skip themselves: sanitizer runtimes keep freed memory.
  add_compile_definitions(BATON_SANITIZED=1)
endif()
