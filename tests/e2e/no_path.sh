# no_path.sh — hwasmd compiles a .wasm module from its config with hwasmc given by absolute
# path and an empty environment: once with PATH naming only a folder of trap ld.lld / cc
# programs that must never run, once with no variable at all. Both serve the guest.
. "$(dirname "$0")/lib.sh"
mkdir "$T/traps"
for tool in ld.lld ld.lld-19 ld.lld-14 cc; do
    printf '#!/bin/sh\n%s "%s/ran-%s"\nexit 1\n' "$(command -v touch)" "$T" "$tool" >"$T/traps/$tool"
    chmod 755 "$T/traps/$tool"
done
cat >"$T/app.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
middleware:
  - {name: headers, module: $GUESTS/headers.wasm}
routes:
  - {prefix: /, chain: [headers]}
Y
HWASMD_WRAPPER="env -i PATH=$T/traps" start traps "$T/app.yaml"
R=$(curl -s "http://127.0.0.1:$traps_PORT/x")
contains "PATH with only traps: the compiled guest sets a request header" '"x-set": "set"' "$R"
check "no program on PATH ran" "" "$(ls "$T" | grep '^ran-')"
rm -rf "$T/cache" # the next server compiles again
HWASMD_WRAPPER="env -i" start bare "$T/app.yaml"
R=$(curl -s "http://127.0.0.1:$bare_PORT/x")
contains "empty environment: the compiled guest sets a request header" '"x-set": "set"' "$R"
check "the cache holds the compiled module" 1 "$(ls "$T/cache" | grep -c '\.so$')"
finish
