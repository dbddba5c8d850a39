# A thin front door over CMake. `make demo` and `make test` do all setup themselves.
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
# `make install PREFIX=/opt/hwasm` (DESTDIR=... works too, for staging).
PREFIX ?= /usr/local

# The aarch64 cross build (cmake/aarch64-linux-gnu.cmake), tested under qemu-user.
ARM64_BUILD ?= build-arm64

.PHONY: all setup setup-arm64 build demo test test-asan test-fuzz test-arm64 spec-arm64 install package clean

all: build

setup:
	@sh scripts/setup

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD)

demo: build
	sh scripts/demo $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure

# Installs the tools, libhwasm, headers, pkg-config and CMake files, man pages (docs/deploy.md).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# A Debian package (CPack) in $(BUILD)/: hwasm_VERSION_ARCH.deb.
package: build
	cmake --build $(BUILD) --target package

# The runtime and the unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DHWASM_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD)
	cd $(ASAN_BUILD) && ctest --output-on-failure -E '^spec$$'

# hwasmd's request path and configuration readers under libFuzzer (clang only;
# tests/fuzz/README.md): the saved inputs once, then 30 s and 20 s of fuzzing.
FUZZ_BUILD ?= build-fuzz
test-fuzz: setup
	CC=clang-14 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DHWASM_FUZZ_HWASMD=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) --target fuzz_hwasmd_request fuzz_hwasmd_config
	cd $(FUZZ_BUILD) && ctest -R fuzz_hwasmd --output-on-failure

# libhwasm, hwasmd and the test runners cross-compiled for aarch64; the host's hwasmc
# compiles for it (--target=aarch64-linux-gnu) and ctest runs them under qemu-aarch64:
# the spec groups CI needs, hwasmd's TCK and traps tests, a slice of differential fuzzing.
$(ARM64_BUILD)/build.ninja:
	cmake -S . -B $(ARM64_BUILD) -G Ninja --toolchain cmake/aarch64-linux-gnu.cmake \
	      -DHWASM_HOST_BUILD=$(abspath $(BUILD)) $(CMAKE_FLAGS)

setup-arm64:
	@sh scripts/setup arm64

test-arm64: setup-arm64 build $(ARM64_BUILD)/build.ninja
	cmake --build $(ARM64_BUILD)
	cd $(ARM64_BUILD) && ctest --output-on-failure -LE full

# Every spec file, for aarch64 under qemu (`make spec-arm64`; a few minutes more).
spec-arm64: setup-arm64 build $(ARM64_BUILD)/build.ninja
	cmake --build $(ARM64_BUILD)
	cd $(ARM64_BUILD) && ctest --output-on-failure -R '^spec_aarch64_full$$'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(ARM64_BUILD)
