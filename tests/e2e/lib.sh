# lib.sh — shared by the e2e tests: start hwasmd on a free loopback port (port 0, read back
# from its first stdout line), raw socket requests, checks; every started process is killed
# and the temp folder removed on exit, whatever happens.
# Usage: . lib.sh HWASMD GUESTS_DIR HWASMC
set -u
HWASMD=$1
GUESTS=$2
HWASMC=$3
T=$(mktemp -d /tmp/hwasmd-e2e.XXXXXX)
# How much slower than natively servers run here (valgrind.sh: 10); scales time limits.
SLOWDOWN=${HWASM_E2E_SLOWDOWN:-1}
PIDS=""
. "$(dirname "$0")/../checks.sh" # check, contains, finish
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    # under -DHWASM_SANITIZE=ON or valgrind a server's memory error is a failure even if
    # answers looked fine
    BAD=$(grep -l -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e 'ERROR SUMMARY: [1-9]' "$T"/*.err 2>/dev/null)
    [ -n "$BAD" ] && { cat $BAD; rm -rf "$T"; exit 1; }
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start NAME CONFIG [LISTEN]: runs hwasmd on LISTEN (127.0.0.1:0) (pid in NAME_PID), sets
# PORT and NAME_PORT once it listens. HWASMD_WRAPPER, when set, runs it under a tool
# (tests/e2e/valgrind.sh).
start() {
    ${HWASMD_WRAPPER:-} "$HWASMD" --listen "${3:-127.0.0.1:0}" --hwasmc "$HWASMC" --cache "$T/cache" "$2" >"$T/$1.out" 2>"$T/$1.err" &
    PIDS="$PIDS $!"
    eval "${1}_PID=$!"
    for _ in $(seq 400); do
        PORT=$(sed -n 's/^hwasmd: listening on http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$T/$1.out" 2>/dev/null)
        [ -n "$PORT" ] && { eval "${1}_PORT=$PORT"; return 0; }
        sleep 0.05
    done
    echo "FAIL: $1 did not start:"; cat "$T/$1.err"; exit 1
}

# start_plain NAME APP_PORT WORKERS: start with a configuration of one route, /, an empty
# chain to the app on APP_PORT.
start_plain() {
    printf 'listen: 127.0.0.1:0\nupstream: http://127.0.0.1:%s\nworkers: %s\nroutes:\n  - {prefix: /}\n' \
        "$2" "$3" >"$T/$1.yaml"
    start "$1" "$T/$1.yaml"
}

# app NAME: runs a threaded HTTP/1.1 app on a free loopback port; stdin is the body of its
# request handler class (methods such as do_GET, written at column 0). Sets NAME_PORT.
app() {
    {
        printf 'import http.server, socketserver, time\n'
        printf 'class H(http.server.BaseHTTPRequestHandler):\n'
        printf '    protocol_version = "HTTP/1.1"\n    def log_message(self, *a): pass\n'
        sed 's/^/    /'
        printf 's = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)\n'
        printf 'print(s.server_address[1], flush=True)\ns.serve_forever()\n'
    } >"$T/$1.py"
    python3 "$T/$1.py" >"$T/$1.port" 2>"$T/$1.log" &
    PIDS="$PIDS $!"
    for _ in $(seq 50); do
        [ -s "$T/$1.port" ] && { eval "${1}_PORT=$(cat "$T/$1.port")"; return 0; }
        sleep 0.1
    done
    echo "FAIL: app $1 did not start:"; cat "$T/$1.log"; exit 1
}

# raw PORT BYTES: sends printf-formatted bytes on a fresh connection, prints the answer
# (the server closes, or 3 s pass).
raw() {
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf "$2" >&3
    timeout 3 cat <&3
    exec 3<&-
}

# pinned FILE: "FILE, sha256: HEX", for a module key in a flow mapping. hwasmd loads a
# prebuilt .so only when the config pins its digest or a trusted key signed it.
sha() { sha256sum "$1" | cut -c1-64; }
pinned() { printf '%s, sha256: %s' "$1" "$(sha "$1")"; }

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# invalid_wasm NAME6: a module hwasmc refuses, (module (func $good) (func $NAME6 (result i32)
# (i64.const 1))) with its names in a name section, the second one six bytes (printf's
# escapes allowed): "function 1 ($NAME6) at offset 0x21: type mismatch".
invalid_wasm() {
    printf '\x00asm\x01\x00\x00\x00\x01\x08\x02\x60\x00\x00\x60\x00\x01\x7f\x03\x03\x02\x00\x01\x0a\x09\x02\x02\x00\x0b\x04\x00\x42\x01\x0b'
    printf '\x00\x1d\x04name\x01\x0f\x02\x00\x04good\x01\x06'"$1"'\x02\x05\x02\x00\x00\x01\x00'
}
