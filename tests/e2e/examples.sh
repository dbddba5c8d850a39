# examples.sh — the example guests of examples/guests/ (docs/guests.md) are built the way
# the doc says, from C (clang, the SDK headers only), WAT (wat2wasm) and Rust (rustc,
# #![no_std], no cargo), served by one hwasmd (one route per language, chosen by Host) over
# builtin:echo, and each must answer as the doc says: /hello itself, anything else through
# to the upstream with x-guest set on the request and on the response. The AssemblyScript
# one too when `asc` (npm's assemblyscript) is on PATH; Debian has no package for it.
. "$(dirname "$0")/lib.sh"
EX=$(cd "$(dirname "$0")/../../examples/guests" && pwd)
INC=$(cd "$(dirname "$0")/../../include" && pwd)

# The Rust compiler whose sysroot has core for wasm32-unknown-unknown: Debian's rustc with
# libstd-rust-dev-wasm32 (scripts/setup), else one on PATH that has the target.
RUSTC=""
for r in /usr/bin/rustc "$(command -v rustc)"; do
    [ -x "$r" ] && [ -d "$("$r" --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ] && { RUSTC=$r; break; }
done
[ -n "$RUSTC" ] || { echo "FAIL: no rustc with wasm32-unknown-unknown (scripts/setup installs rustc and libstd-rust-dev-wasm32)"; exit 1; }

build() { # build WHAT COMMAND...: runs the build command as docs/guests.md shows it
    "${@:2}" >"$T/build-$1.log" 2>&1 || { echo "FAIL build $1:"; cat "$T/build-$1.log"; exit 1; }
    echo "ok   built $1"
}
build c clang-14 --target=wasm32 -nostdlib -O2 -Wall -Wextra -Werror -I "$INC" -Wl,--no-entry \
    -o "$T/c.wasm" "$EX/c/greet.c"
build wat wat2wasm "$EX/wat/greet.wat" -o "$T/wat.wasm"
build rust "$RUSTC" --target wasm32-unknown-unknown --crate-type cdylib -O -C panic=abort \
    -o "$T/rust.wasm" "$EX/rust/greet.rs"
LANGS="c wat rust"
if command -v asc >/dev/null; then
    build assemblyscript asc "$EX/assemblyscript/greet.ts" -o "$T/assemblyscript.wasm" -O3 --runtime stub --use abort=
    LANGS="$LANGS assemblyscript"
else
    echo "skip assemblyscript: no asc on PATH (npm install assemblyscript)"
fi

{
    printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n'
    for g in $LANGS; do printf '  - {name: %s, module: %s/%s.wasm}\n' $g "$T" $g; done
    printf 'routes:\n'
    for g in $LANGS; do printf '  - {prefix: /, host: %s.example, chain: [%s]}\n' $g $g; done
} >"$T/examples.yaml"
start ex "$T/examples.yaml"
U=http://127.0.0.1:$ex_PORT
for g in $LANGS; do
    H="Host: $g.example"
    check "$g: /hello answered by the guest" "hello from $g" "$(curl -s -H "$H" $U/hello)"
    contains "$g: /hello is text/plain" "content-type: text/plain" "$(curl -si -H "$H" $U/hello | tr -d '\r')"
    R=$(curl -si -H "$H" "$U/app/x?q=1" | tr -d '\r')
    contains "$g: other paths reach the upstream" '"uri": "/app/x?q=1"' "$R"
    contains "$g: request header set by the guest" "\"x-guest\": \"$g\"" "$R"
    contains "$g: response header set by the guest" "x-guest: $g" "$R"
    check "$g: /hello/more goes through" 200 "$(code -H "$H" $U/hello/more)"
done
finish
