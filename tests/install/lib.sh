# lib.sh — shared by the install tests: a temp folder removed on exit, processes killed,
# checks counted, and serve_check (run an hwasmd, curl the example guest through it).
# Usage: . lib.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
T=$(mktemp -d /tmp/hwasm-install.XXXXXX)
PIDS=""
. "$(dirname "$0")/../checks.sh" # check, contains, finish
cleanup() {
    # a staged hwasmd runs as PID 1 of its own namespace under `unshare --fork`, which
    # ignores SIGTERM while it waits; the user switch inside clears --kill-child's parent-death
    # signal: the program inside is killed first, directly
    for p in $PIDS; do pkill -KILL -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

must() { # must WHAT COMMAND...: the command succeeds, else the test stops with its output
    if "${@:2}" >"$T/must.log" 2>&1; then echo "ok   $1"; else echo "FAIL $1:"; cat "$T/must.log"; exit 1; fi
}

# the example C guest, built with the SDK under INCLUDE_DIR only: guest_wasm INCLUDE_DIR OUT
guest_wasm() {
    must "C guest builds with $1 only" clang-14 --target=wasm32 -nostdlib -nostdinc -O2 -Wall -Werror \
        -I "$1" -Wl,--no-entry -o "$2" "$SRC/examples/guests/c/greet.c"
}

# greet_config FILE MODULE: hwasmd serving the example guest MODULE in front of builtin:echo.
greet_config() {
    printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - {name: greet, module: %s}\nroutes:\n  - {prefix: /, chain: [greet]}\n' \
        "$2" >"$1"
}

# serve_check NAME PORTFILE: waits for the hwasmd whose stdout is PORTFILE to listen, then
# curls the example guest's two answers through it.
serve_check() {
    local port=""
    for _ in $(seq 600); do # 30 s: a loaded machine compiles slowly
        port=$(sed -n 's/^hwasmd: listening on http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$2" 2>/dev/null)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "FAIL $1: hwasmd did not start:"; cat "$2" "${2%.out}.err" 2>/dev/null; exit 1; }
    check "$1: guest answers /hello" "hello from c" "$(curl -s "http://127.0.0.1:$port/hello")"
    contains "$1: other paths reach the upstream with x-guest" '"x-guest": "c"' \
        "$(curl -s "http://127.0.0.1:$port/app")"
}
