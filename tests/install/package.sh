# package.sh — ctest `package`: the Debian package `make package` builds (CPack) declares
# what it needs and runs from an extracted root: cpack into a temp folder, the control
# fields, every shared library its programs name (DT_NEEDED) belongs to a package its Depends
# names (hwasmc links in process: no linker among them), then the extracted hwasmd checks a
# configuration whose .wasm it compiles with the extracted hwasmc beside it.
# Usage: package.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
must "cpack builds the .deb" cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/pkg"
DEB=$(ls "$T"/pkg/*.deb)
V=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
check "package name" hwasm "$(dpkg-deb -f "$DEB" Package)"
check "package version" "$V" "$(dpkg-deb -f "$DEB" Version)"
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
must "extracts" dpkg-deb -x "$DEB" "$T/root"
R=$T/root
for f in usr/bin/hwasmd usr/bin/hwasmc usr/bin/hwasm-run usr/lib/libhwasm.so.0 usr/include/hwasm/http_guest.h \
         usr/lib/pkgconfig/hwasm.pc usr/lib/cmake/hwasm/hwasmConfig.cmake; do
    check "packaged $f" yes "$([ -e "$R/$f" ] && echo yes || echo no)"
done
for f in "$R"/usr/bin/* "$R"/usr/lib/libhwasm.so.0; do
    check "$(basename "$f") is stripped (no .symtab)" 0 "$(readelf -S "$f" | grep -c '\.symtab')"
done

# package_of FILE: the Debian package owning a library (merged /usr: try both spellings).
package_of() {
    local real base
    real=$(readlink -f "$1")
    base=${real#/usr}
    dpkg -S "$real" 2>/dev/null || dpkg -S "$base" 2>/dev/null || dpkg -S "$1" 2>/dev/null || dpkg -S "/usr$1" 2>/dev/null
}
for prog in "$R"/usr/bin/* "$R/usr/lib/libhwasm.so.0"; do
    # the libraries it names itself (DT_NEEDED); theirs are their packages' Depends
    needed=$(readelf -d "$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    for lib in $(ldd "$prog" | awk -v n=" $(echo $needed) " 'index(n, " " $1 " ") && /=> \// {print $3}'); do
        pkg=$(package_of "$lib" | head -1 | cut -d: -f1)
        case ", $DEPENDS," in
        *", $pkg,"*) ;;
        *) echo "FAIL $(basename "$prog") needs $lib from [$pkg], not in Depends: $DEPENDS"; FAILS=$((FAILS + 1)) ;;
        esac
    done
done
check "Depends names no linker (hwasmc links in process)" 0 \
    "$(case ", $DEPENDS," in *", lld,"*) echo 1 ;; *) echo 0 ;; esac)"
echo "ok   every library ldd lists is in Depends: $DEPENDS"

guest_wasm "$R/usr/include" "$T/greet.wasm"
greet_config "$T/hwasmd.yaml" "$T/greet.wasm"
OUT=$(env PATH=/usr/bin:/bin "$R/usr/bin/hwasmd" --check --cache "$T/cache" "$T/hwasmd.yaml" 2>&1)
check "extracted hwasmd --check, compiling with the hwasmc beside it" \
    "hwasmd: $T/hwasmd.yaml: ok (1 middleware, 1 routes)" "$OUT"
check "the compiled module is in the cache" 1 "$(find "$T/cache" -name '*.so' | wc -l)"
finish
