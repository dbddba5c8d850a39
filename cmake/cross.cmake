# cross.cmake — the cross build (a toolchain file such as cmake/aarch64-linux-gnu.cmake sets
# CMAKE_CROSSCOMPILING, HWASM_CROSS_TARGET and the qemu-user emulator): libhwasm,
# hwasm-run, hwasmd (when the target's libuv, libyaml, libsodium and libcurl are
# installed), and the runners that execute compiled modules, hwasm-spec and
# hwasm-fuzz-exec. hwasmc is not
# built here: the host build's (HWASM_HOST_BUILD) compiles for the target with --target.
# ctest runs the target's programs under CMAKE_CROSSCOMPILING_EMULATOR:
#   spec_<arch>         the spec groups CI runs (memory, traps, calls, linking, numerics)
#   cli_run_<arch>      tests/cli/run.sh: the demo guest's traps through hwasm-run
#   test_runtime_*_<arch>, test_http_*_<arch>   the core's and the http host's unit tests
#   spec_<arch>_full    every spec file (label "full"; `make spec-arm64`)
#   e2e_{tck,traps,chain,errors,stream,reload,no_path}_<arch>   hwasmd under qemu, guests
#                       compiled for the target (.wasm ones by hwasmd, via compiler/hwasmc)
#   fuzz_diff_<arch>    a slice of run-diff's seeds, compiled for the target
if(NOT HWASM_CROSS_TARGET)
  message(FATAL_ERROR "a cross build needs HWASM_CROSS_TARGET (see cmake/aarch64-linux-gnu.cmake)")
endif()
string(REGEX REPLACE "-.*" "" HWASM_CROSS_ARCH ${HWASM_CROSS_TARGET})
set(HWASM_HOST_BUILD ${PROJECT_SOURCE_DIR}/build CACHE PATH
    "the host build whose hwasmc compiles for the target (make build first)")
set(HWASM_HOST_HWASMC ${HWASM_HOST_BUILD}/compiler/hwasmc)
if(NOT EXISTS ${HWASM_HOST_HWASMC})
  message(FATAL_ERROR "no hwasmc at ${HWASM_HOST_HWASMC}: build the host first (make build), "
                      "or give -DHWASM_HOST_BUILD=DIR")
endif()
# hwasmd runs its compiler as a program: this one always compiles for the target. It sits
# where hwasmd looks in a build tree (../compiler/hwasmc from hwasmd/), as in the host's.
set(HWASM_CROSS_HWASMC ${PROJECT_BINARY_DIR}/compiler/hwasmc)
file(CONFIGURE OUTPUT ${HWASM_CROSS_HWASMC} CONTENT
     "#!/bin/sh\n# hwasmc for ${HWASM_CROSS_TARGET} (cmake/cross.cmake)\nexec '${HWASM_HOST_HWASMC}' --target=${HWASM_CROSS_TARGET} \"$@\"\n")
file(CHMOD ${HWASM_CROSS_HWASMC} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
     GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

add_subdirectory(common)
add_subdirectory(runtime)
# hwasm-run under the emulator, for the CLI tests' scripts (they run it as a program).
list(JOIN CMAKE_CROSSCOMPILING_EMULATOR " " HWASM_CROSS_EMULATOR)
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/hwasm-run-emulated
     CONTENT "#!/bin/sh\nexec ${HWASM_CROSS_EMULATOR} '$<TARGET_FILE:hwasm-run>' \"$@\"\n"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                      WORLD_READ WORLD_EXECUTE)

find_package(PkgConfig REQUIRED)
pkg_check_modules(HWASM_CROSS_HWASMD_LIBS QUIET libuv yaml-0.1 libsodium libcurl)
if(HWASM_CROSS_HWASMD_LIBS_FOUND)
  add_subdirectory(hwasmd)
else()
  message(WARNING "hwasmd is not built for ${HWASM_CROSS_TARGET}: its libuv, libyaml, "
                  "libsodium or libcurl is missing (scripts/setup installs the multiarch -dev packages)")
endif()

enable_testing()
find_program(WAST2JSON wast2json REQUIRED)
add_subdirectory(tests/spec)
add_subdirectory(tests/fuzz)

# The demo guest's traps (bounds, division, stack exhaustion, a 480 KB frame probed page by
# page) through hwasm-run, both bounds modes: tests/cli/run.sh with target programs.
add_test(NAME cli_run_${HWASM_CROSS_ARCH} COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/run.sh
         ${HWASM_CROSS_HWASMC} ${PROJECT_BINARY_DIR}/hwasm-run-emulated)
set_tests_properties(cli_run_${HWASM_CROSS_ARCH} PROPERTIES TIMEOUT 300)

# Every test guest, compiled for the target from the host build's .wasm files (beside
# their .wasm, which hwasmd compiles itself through the compiler/hwasmc script), and the
# hand-made native module built by the cross compiler (tests/guests/CMakeLists.txt).
set(guests ${PROJECT_BINARY_DIR}/tests/guests)
file(GLOB guest_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/guests/*.c
     ${PROJECT_SOURCE_DIR}/tests/guests/wat/*.wat)
file(GLOB adversarial_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/guests/adversarial/*.c
     ${PROJECT_SOURCE_DIR}/tests/guests/adversarial/*.wat)
set(outputs)
foreach(src ${guest_sources} ${adversarial_sources})
  get_filename_component(name ${src} NAME_WE)
  set(sub "")
  if(src MATCHES "/adversarial/")
    set(sub "adversarial/")
  endif()
  set(wasm ${HWASM_HOST_BUILD}/tests/guests/${sub}${name}.wasm)
  add_custom_command(OUTPUT ${guests}/${sub}${name}.so ${guests}/${sub}${name}.wasm
    COMMAND ${CMAKE_COMMAND} -E make_directory ${guests}/${sub}
    COMMAND ${CMAKE_COMMAND} -E copy ${wasm} ${guests}/${sub}${name}.wasm
    COMMAND ${HWASM_CROSS_HWASMC} ${wasm} -o ${guests}/${sub}${name}.so
    DEPENDS ${wasm} ${HWASM_HOST_HWASMC}
    COMMENT "hwasmc --target=${HWASM_CROSS_TARGET} ${sub}${name}.so" VERBATIM)
  list(APPEND outputs ${guests}/${sub}${name}.so ${guests}/${sub}${name}.wasm)
endforeach()
add_library(native_guest MODULE ${PROJECT_SOURCE_DIR}/tests/guests/native/native_guest.c)
target_include_directories(native_guest PRIVATE ${HWASM_INCLUDE_DIR})
set_target_properties(native_guest PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${guests})
target_link_options(native_guest PRIVATE -nostartfiles)
add_custom_target(cross_guests ALL DEPENDS ${outputs} native_guest)

# The runtime's and the http host's unit tests (tests/unit/test_runtime_*, test_http_*)
# under qemu, with the target's check library (check:arm64); cc in them is the cross gcc.
find_program(WAT2WASM wat2wasm REQUIRED)
pkg_check_modules(CHECK QUIET IMPORTED_TARGET check)
if(CHECK_FOUND)
  file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/tests/unit/tmp)
  file(GLOB unit_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/test_runtime_*.c
       ${PROJECT_SOURCE_DIR}/tests/unit/test_http_*.c)
  foreach(src ${unit_tests})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src} ${PROJECT_SOURCE_DIR}/tests/unit/unit_support.c)
    target_link_libraries(${name} PRIVATE hwasm PkgConfig::CHECK)
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/runtime/core)
    add_test(NAME ${name}_${HWASM_CROSS_ARCH} COMMAND ${name})
    set_tests_properties(${name}_${HWASM_CROSS_ARCH} PROPERTIES TIMEOUT 300 ENVIRONMENT
      "HWASMC=${HWASM_CROSS_HWASMC};WAT2WASM=${WAT2WASM};HWASM_TEST_TMP=${PROJECT_BINARY_DIR}/tests/unit/tmp;HWASM_GUESTS=${guests};CC=${CMAKE_C_COMPILER}")
  endforeach()
else()
  message(WARNING "the unit tests are not built for ${HWASM_CROSS_TARGET}: install check:arm64")
endif()

# hwasmd end to end under qemu, with those guests: the scripts run hwasmd-emulated, which
# execs qemu with hwasmd (so its pid is the server's), and compile through compiler/hwasmc.
if(TARGET hwasmd)
  find_program(CURL curl REQUIRED)
  find_program(BASH bash REQUIRED)
  file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/hwasmd-emulated
       CONTENT "#!/bin/sh\nexec ${HWASM_CROSS_EMULATOR} '$<TARGET_FILE:hwasmd>' \"$@\"\n"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
  foreach(t tck traps chain errors stream reload no_path)
    add_test(NAME e2e_${t}_${HWASM_CROSS_ARCH} COMMAND ${BASH} ${PROJECT_SOURCE_DIR}/tests/e2e/${t}.sh
             ${PROJECT_BINARY_DIR}/hwasmd-emulated ${guests} ${HWASM_CROSS_HWASMC})
    # qemu-user translates code as it first runs: time limits in the scripts scale by 5
    set_tests_properties(e2e_${t}_${HWASM_CROSS_ARCH} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                         ENVIRONMENT "HWASM_E2E_SLOWDOWN=5")
  endforeach()
endif()
