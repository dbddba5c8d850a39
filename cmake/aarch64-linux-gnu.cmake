# aarch64-linux-gnu.cmake — the CMake toolchain for an aarch64 (arm64) build on an x86-64
# Debian machine: Debian's cross compiler (gcc-aarch64-linux-gnu), the arm64 builds of
# hwasmd's libraries through multiarch (libuv1-dev:arm64, libyaml-dev:arm64,
# libsodium-dev:arm64, libcurl4-openssl-dev:arm64, and check:arm64 for the unit tests;
# scripts/setup), and qemu-user to run what it builds.
#   cmake -S . -B build-arm64 -G Ninja --toolchain cmake/aarch64-linux-gnu.cmake \
#         -DHWASM_HOST_BUILD=$PWD/build
# Such a build holds libhwasm, hwasmd and the test runners; hwasmc stays the host's
# (HWASM_HOST_BUILD), run with --target=aarch64-linux-gnu (cmake/cross.cmake).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
# Multiarch: the arm64 libraries live in /usr/lib/aarch64-linux-gnu beside the host's.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
# Tools the build runs (wast2json, wat2wasm, clang for wasm guests) are the host's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# ctest runs the target's programs under qemu-user. With multiarch's libc6:arm64 (which
# hwasmd's arm64 libraries bring) its loader is /lib/ld-linux-aarch64.so.1 and qemu needs
# no prefix; -L /usr/aarch64-linux-gnu then would pair the cross package's loader with
# multiarch's libc (found through /etc/ld.so.cache), a mismatch that hangs every fork().
# Without multiarch, -L points qemu at the cross libc (libc6-arm64-cross).
# By absolute path: tests run hwasmd with an empty environment (tests/e2e/no_path.sh).
find_program(HWASM_QEMU_AARCH64 qemu-aarch64)
if(NOT HWASM_QEMU_AARCH64)
  set(HWASM_QEMU_AARCH64 qemu-aarch64)
endif()
if(EXISTS /lib/ld-linux-aarch64.so.1)
  set(HWASM_QEMU ${HWASM_QEMU_AARCH64})
else()
  set(HWASM_QEMU ${HWASM_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${HWASM_QEMU})
set(HWASM_CROSS_TARGET aarch64-linux-gnu)
