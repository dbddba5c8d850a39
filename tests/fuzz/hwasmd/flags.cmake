# Included by the top CMakeLists.txt when HWASM_FUZZ_HWASMD is on, before any target: the
# libraries the harness links (hwasm, hwasmd_core) get the same sanitizers and libFuzzer's
# coverage instrumentation. Without a libFuzzer-capable compiler the option turns itself off.
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
check_c_source_compiles("
  #include <stddef.h>
  #include <stdint.h>
  int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }"
  HWASM_HAS_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
if(HWASM_HAS_LIBFUZZER)
  set(HWASM_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -fsanitize=fuzzer-no-link)
else()
  message(WARNING "HWASM_FUZZ_HWASMD: ${CMAKE_C_COMPILER} cannot build libFuzzer targets "
                  "(use clang, e.g. CC=clang-14): the fuzzer is not built")
  set(HWASM_FUZZ_HWASMD OFF)
endif()
