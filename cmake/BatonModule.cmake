# baton_module(NAME SOURCES ... DEPS ... PUBLIC_DEPS ...)
# Every module is its own static library. Unit tests (*_test.cpp) next to the
# sources are collected into the one unit_tests binary.
set_property(GLOBAL PROPERTY BATON_UNIT_TEST_SOURCES "")
set_property(GLOBAL PROPERTY BATON_MODULES "")

function(baton_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(baton_${name} STATIC ${M_SOURCES})
  target_include_directories(baton_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(baton_${name} PRIVATE ${M_DEPS} PUBLIC ${M_PUBLIC_DEPS})
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  set_property(GLOBAL APPEND PROPERTY BATON_UNIT_TEST_SOURCES ${tests})
  set_property(GLOBAL APPEND PROPERTY BATON_MODULES baton_${name})
endfunction()
