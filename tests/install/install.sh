# install.sh — ctest `install`: `cmake --install` into a temporary prefix gives a user what
# docs/deploy.md promises: the tools, libhwasm.so (SONAME, only hw_* exported) and .a, the
# headers, man pages, a pkg-config file and a CMake package. From that prefix alone: an
# outside C embedder built with pkg-config, another with find_package(hwasm), a guest built
# with the installed SDK and compiled with the installed hwasmc, the embedders calling it,
# and the installed hwasmd serving it (finding the hwasmc beside it, not on PATH).
# Usage: install.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
P=$T/prefix
must "cmake --install into a fresh prefix" cmake --install "$BUILD" --prefix "$P"

for f in bin/hwasmc bin/hwasmd bin/hwasm-run lib/libhwasm.a lib/libhwasm.so lib/libhwasm.so.0 \
         include/hwasm/hwasm.h include/hwasm/hwasm_http.h include/hwasm/hwasm_module.h \
         include/hwasm/http_handler.h include/hwasm/http_guest.h lib/pkgconfig/hwasm.pc \
         lib/cmake/hwasm/hwasmConfig.cmake lib/cmake/hwasm/hwasmTargets.cmake; do
    check "installed $f" yes "$([ -e "$P/$f" ] && echo yes || echo no)"
done
if grep -q '^HELP2MAN:FILEPATH=/' "$BUILD/CMakeCache.txt"; then
    for m in hwasmc hwasmd hwasm-run; do
        contains "man page $m.1" ".TH ${m^^} \"1\"" "$(zcat "$P/share/man/man1/$m.1.gz" | grep '^\.TH')"
    done
fi
check "SONAME" "libhwasm.so.0" "$(readelf -d "$P/lib/libhwasm.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')"
V=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
check "the real file carries the project version" "libhwasm.so.$V" "$(basename "$(readlink -f "$P/lib/libhwasm.so")")"
check "pkg-config version" "$V" "$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion hwasm)"
check "only hw_* exported" "" "$(nm -D --defined-only "$P/lib/libhwasm.so" | awk '{print $3}' | grep -v '^hw_')"
check "hw_http_serve exported" 1 "$(nm -D --defined-only "$P/lib/libhwasm.so" | grep -c ' T hw_http_serve$')"
check "no header reaches outside include/hwasm" "" \
    "$(grep -h '#include' "$P"/include/hwasm/*.h | grep -v -e '<hwasm/' -e '<std')"

# The guest: installed SDK only, installed compiler.
guest_wasm "$P/include" "$T/greet.wasm"
must "installed hwasmc compiles it" "$P/bin/hwasmc" "$T/greet.wasm" -o "$T/greet.so"

# An embedder with pkg-config, an rpath to the prefix's lib.
export PKG_CONFIG_PATH=$P/lib/pkgconfig
check "pkg-config finds hwasm at the prefix" "$P/bin/hwasmc" \
    "$(readlink -f "$(pkg-config --variable=hwasmc hwasm)")"
must "pkg-config embedder builds" sh -c "cc -Wall -Werror -o '$T/embed' '$SRC/examples/embed/embed.c' \
    \$(pkg-config --cflags --libs hwasm) -Wl,-rpath,\$(pkg-config --variable=libdir hwasm)"
contains "it uses the prefix's libhwasm.so.0" "libhwasm.so.0 => $P/lib/" "$(ldd "$T/embed" | sed "s#$T/prefix/lib/pkgconfig/../../#$P/#")"
check "pkg-config embedder: guest answers itself" "status 200|x-guest (none)|hello from c" \
    "$("$T/embed" "$T/greet.so" /hello | paste -sd'|')"
check "pkg-config embedder: guest, then the app" "status 200|x-guest c|app saw x-guest=c" \
    "$("$T/embed" "$T/greet.so" /app | paste -sd'|')"

# The same embedder as an outside CMake project with find_package(hwasm).
must "find_package(hwasm) project configures" cmake -S "$SRC/examples/embed" -B "$T/embed-build" \
    -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release -DGUEST_WASM="$T/greet.wasm"
must "find_package(hwasm) project builds (hwasm::hwasmc compiles the guest)" cmake --build "$T/embed-build"
check "find_package embedder (shared) on the guest hwasm::hwasmc compiled" "status 200|x-guest c|app saw x-guest=c" \
    "$("$T/embed-build/embed" "$T/embed-build/guest.so" /app | paste -sd'|')"
check "find_package embedder (static)" "status 200|x-guest (none)|hello from c" \
    "$("$T/embed-build/embed_static" "$T/greet.so" /hello | paste -sd'|')"
check "the static one does not need libhwasm.so" "" "$(ldd "$T/embed-build/embed_static" | grep libhwasm)"

# The installed hwasmd compiles the .wasm with the hwasmc beside it: PATH has no hwasmc.
greet_config "$T/hwasmd.yaml" "$T/greet.wasm"
check "no hwasmc on PATH" "" "$(PATH=/usr/bin:/bin command -v hwasmc)"
must "installed hwasmd --check" env PATH=/usr/bin:/bin "$P/bin/hwasmd" --check --cache "$T/cache" "$T/hwasmd.yaml"
PATH=/usr/bin:/bin "$P/bin/hwasmd" --cache "$T/cache" "$T/hwasmd.yaml" >"$T/hwasmd.out" 2>"$T/hwasmd.err" &
PIDS="$PIDS $!"
serve_check "installed hwasmd" "$T/hwasmd.out"
finish
