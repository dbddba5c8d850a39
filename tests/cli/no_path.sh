#!/bin/sh
# hwasmc links in process (LLD's library), so it needs no program on PATH: it compiles with
# an empty environment, with PATH naming an empty folder, and with a PATH whose ld.lld and
# cc are traps that must never run. Each result loads and runs, and no temporary is left.
. "$(dirname "$0")/lib.sh"
wat2wasm "$SRC/examples/demo.wat" -o "$T/demo.wasm"
mkdir "$T/empty" "$T/traps" "$T/out"
for tool in ld.lld ld.lld-19 ld.lld-14 cc; do
    printf '#!/bin/sh\n%s "%s/ran-%s"\nexit 1\n' "$(command -v touch)" "$T" "$tool" >"$T/traps/$tool"
    chmod +x "$T/traps/$tool"
done
# env -i: no variable at all; then PATH with no linker in it; then PATH with only traps.
n=0
for how in "env -i" "env -i PATH=$T/empty" "env -i PATH=$T/traps" "env PATH=$T/traps"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    if $how "$HWASMC" "$T/demo.wasm" -j 2 -o "$T/out/demo$n.so" 2>"$T/err"; then
        pass "$how: compiles"
    else
        fail "$how: compile failed: $(cat "$T/err")"
        continue
    fi
    check "$how: nothing on stderr" "" "$(cat "$T/err")"
    # shellcheck disable=SC2086
    check "$how: the module runs (fib 20)" 6765 "$($how "$HWASM_RUN" "$T/out/demo$n.so" fib 20)"
done
check "no tool on PATH ran" "" "$(ls "$T" | grep '^ran-' || true)"
check "no temporary file left" "demo1.so demo2.so demo3.so demo4.so" "$(ls "$T/out" | tr '\n' ' ' | sed 's/ $//')"
# Same bytes whichever way it ran: nothing from the environment reaches the output.
for i in 2 3 4; do
    cmp -s "$T/out/demo1.so" "$T/out/demo$i.so" && pass "run $i: same bytes as with env -i" ||
        fail "run $i: output differs from the env -i one"
done
finish
