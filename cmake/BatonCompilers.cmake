# Compiler quirks, in one place.
#
# libstdc++ (12 and later) declares std::expected only when __cpp_concepts >=
# 202002L, and clang reports that value only from version 19. Clang 16 to 18
# implement what <expected> relies on (P0848, conditionally trivial special
# members), so they may claim it; clang 15 and older cannot compile <expected>,
# which every module uses.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
    message(FATAL_ERROR
      "clang ${CMAKE_CXX_COMPILER_VERSION} cannot compile libstdc++'s <expected>: "
      "use clang 16 or newer (Debian 12: apt install clang-16 libclang-rt-16-dev) or GCC 12")
  elseif(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
    add_compile_options(-U__cpp_concepts -D__cpp_concepts=202002L)
  endif()
endif()
