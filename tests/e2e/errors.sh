# errors.sh — what a bad client, a dead upstream or a bad config gets: 400 and close for
# garbage, 431, 413, 408 for a trickled request, 502, pipelined requests answered in order,
# config errors "FILE:LINE".
. "$(dirname "$0")/lib.sh"
cat >"$T/e.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
limits: {header_bytes: 1024, body_bytes: 100, idle_timeout_ms: 2000, request_timeout_ms: 1000}
routes:
  - {prefix: /}
  - {prefix: /down, upstream: "http://127.0.0.1:1"}
Y
start d "$T/e.yaml"
U=http://127.0.0.1:$d_PORT
first() { printf '%s' "$1" | head -n 1 | tr -d '\r'; }
check "malformed request line -> 400" "HTTP/1.1 400 Bad Request" "$(first "$(raw $d_PORT 'GARBAGE\r\n\r\n')")"
contains "400 closes the connection" "Connection: close" "$(raw $d_PORT 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')"
check "bad chunk size -> 400" "HTTP/1.1 400 Bad Request" "$(first "$(raw $d_PORT 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')")"
check "huge header -> 431" 431 "$(code -H "X-Big: $(head -c 2000 /dev/zero | tr '\0' a)" $U/)"
check "huge target -> 414 (nginx's answer to a request line past its buffer)" 414 "$(code "$U/$(head -c 2000 /dev/zero | tr '\0' a)")"
check "declared body too large -> 413" 413 "$(code --data-binary "$(head -c 200 /dev/zero | tr '\0' b)" $U/)"
check "chunked body too large -> 413" 413 "$(code -H 'Transfer-Encoding: chunked' --data-binary "$(head -c 200 /dev/zero | tr '\0' b)" $U/)"
check "body at the limit -> 200" 200 "$(code --data-binary "$(head -c 100 /dev/zero | tr '\0' b)" $U/)"
check "upstream down -> 502" 502 "$(code $U/down)"
# an origin with a clock dates its answers (RFC 9110 §6.6.1): hwasmd for those it makes
check "an answer hwasmd makes carries one Date" 1 "$(curl -si $U/down | grep -ci '^date: ')"
# An upload may take as long as it keeps moving: request_timeout_ms for the head, and 1 s
# more per body_min_rate bytes of body (mod_reqtimeout's MinRate). 6,000 bytes at ~2,500
# B/s take 2.4 s: 200 (before, 408 at request_timeout_ms, 1 s, however the bytes came); a
# body trickled at 500 B/s, under the rate, still gets 408.
cat >"$T/rate.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
limits: {body_bytes: 1048576, request_timeout_ms: 1000, body_min_rate: 2000}
routes:
  - {prefix: /}
Y
start rate "$T/rate.yaml"
upload() { # upload PIECE_BYTES PIECES GAP_S: the status of a POST of PIECE_BYTES x PIECES
    python3 - "$rate_PORT" "$@" <<'PY'
import socket, sys, time
port, piece, pieces, gap = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % (piece * pieces))
try:
    for _ in range(pieces):
        time.sleep(gap)
        s.sendall(b"u" * piece)
except OSError:
    pass
s.settimeout(5)
print((s.recv(100).split(b" ") + [b"-", b"-"])[1].decode())
PY
}
check "an upload that keeps moving, 2.4 s past a 1 s request_timeout_ms: 200" 200 "$(upload 250 24 0.1)"
check "a body trickled under body_min_rate: 408" 408 "$(upload 100 40 0.2)"
# what came early is not banked: 100 KB at once, then a byte every 0.3 s, is 408 within a
# window (1 s) of the stall, not 50 s later (100 KB at 2,000 B/s)
check "a fast start, then a trickle: 408 within the window" "408 in time" "$(python3 - "$rate_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + b"u" * 100000)
t0 = time.time()
s.settimeout(0.3)
out = b""
while time.time() - t0 < 6 and not out:
    try:
        s.sendall(b"u")
        out = s.recv(100)
    except socket.timeout:
        pass
    except OSError:
        break
code = (out.split(b" ") + [b"-", b"-"])[1].decode()
print(code, "in time" if time.time() - t0 < 3 else "after %.1f s" % (time.time() - t0))
PY
)"
R=$(raw $d_PORT 'GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
check "pipelined: two answers" 2 "$(printf '%s' "$R" | grep -c '^HTTP/1.1 200')"
contains "pipelined: in order" '"uri": "/one"' "$(printf '%s' "$R" | sed -n '1,/uri/p')"
check "HTTP/1.0 closes" "Connection: close" "$(raw $d_PORT 'GET / HTTP/1.0\r\n\r\n' | grep -i '^connection' | tr -d '\r')"
# an HTTP/1.0 client that asks to keep the connection must be told it stays open, or it
# waits for the close that would end the answer (ab -k hung until its timeout)
R=$(raw $d_PORT 'GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /two HTTP/1.0\r\n\r\n')
check "HTTP/1.0 keep-alive: said, then closes" "Connection: keep-alive Connection: close" \
    "$(printf '%s' "$R" | grep -i '^connection' | tr -d '\r' | tr '\n' ' ' | sed 's/ $//')"
check "HTTP/1.0 keep-alive: two answers" 2 "$(printf '%s' "$R" | grep -c '^HTTP/1.1 200')"
# a slow client: one header byte every 0.3 s never lets the idle timer fire
trap '' PIPE # the server closes while we still trickle
exec 3<>"/dev/tcp/127.0.0.1/$d_PORT"
printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&3
for _ in 1 2 3 4 5 6 7 8; do printf 'a' >&3 2>/dev/null; sleep 0.3; done
check "trickled request -> 408 after request_timeout_ms" "HTTP/1.1 408 Request Timeout" "$(timeout 1 head -n 1 <&3 | tr -d '\r')"
exec 3<&-
# empty lines before a request (llhttp skips them without a callback) kept the idle timer
# at bay for ever; they start the request's time too (nginx: client_header_timeout)
exec 3<>"/dev/tcp/127.0.0.1/$d_PORT"
for _ in 1 2 3 4 5 6 7 8; do printf '\r\n' >&3 2>/dev/null; sleep 0.3; done
check "empty lines every 0.3 s -> 408 after request_timeout_ms" "HTTP/1.1 408 Request Timeout" "$(timeout 1 head -n 1 <&3 | tr -d '\r')"
exec 3<&-
# a request that stops: 408 once request_timeout_ms (1 s) has passed, not at the idle
# timeout (2 s) after its last byte
exec 3<>"/dev/tcp/127.0.0.1/$d_PORT"
S=$(date +%s%N)
printf 'G' >&3
sleep 0.5
printf 'E' >&3
L=$(timeout 3 head -n 1 <&3 | tr -d '\r')
MS=$((($(date +%s%N) - S) / 1000000))
check "a stalled request: 408 at request_timeout_ms (1 s), not idle_timeout_ms after its last byte (2.5 s)" \
    "HTTP/1.1 408 Request Timeout, in time" "$L, $([ $MS -lt 1800 ] && echo in time || echo "after $MS ms")"
exec 3<&-
trap - PIPE
check "server still alive" 200 "$(code $U/)"
# configuration errors: one line, FILE:LINE, exit 2
bad() { # bad WHAT YAML EXPECTED-SUBSTRING
    printf "$2" >"$T/bad.yaml"
    OUT=$("$HWASMD" --check "$T/bad.yaml" 2>&1); RC=$?
    check "$1: exit 2" 2 "$RC"
    contains "$1: message" "$T/bad.yaml:$3" "$OUT"
}
bad "unknown key" 'listen: 127.0.0.1:1\nbogus: 1\nroutes: []\n' '2: unknown key "bogus"'
bad "unknown middleware" 'listen: 127.0.0.1:1\nupstream: builtin:echo\nroutes:\n  - prefix: /\n    chain: [nope]\n' '5: chain: no middleware named "nope"'
bad "bad upstream" 'listen: 127.0.0.1:1\nupstream: ftp://x\nroutes: []\n' '2: upstream:'
bad "YAML syntax" 'listen: [\n' '2:'
bad "missing module" "listen: 127.0.0.1:1\nupstream: builtin:echo\nmiddleware:\n  - {name: m, module: $T/none.so}\nroutes: []\n" '4: middleware m:'
bad "bad trap policy" "listen: 127.0.0.1:1\nmiddleware:\n  - {name: m, module: x.so, on_trap: maybe}\nroutes: []\n" '3: on_trap:'
bad "bad sha256" "listen: 127.0.0.1:1\nmiddleware:\n  - {name: m, module: x.so, sha256: abc}\nroutes: []\n" '3: sha256: expected 64 hex digits'
bad "max_connections: 0" 'listen: 127.0.0.1:1\nlimits: {max_connections: 0}\nroutes: []\n' '2: max_connections: expected 1 or more'
bad "request_timeout_ms: 0" 'listen: 127.0.0.1:1\nlimits: {request_timeout_ms: 0}\nroutes: []\n' '2: request_timeout_ms: expected 1 or more'
bad "trusted_proxies: host bits past the prefix" 'listen: 127.0.0.1:1\ntrusted_proxies: [10.0.0.1/8]\nroutes: []\n' '2: trusted_proxies: "10.0.0.1/8" has bits set past its prefix length'
bad "trusted_proxies: a name" 'listen: 127.0.0.1:1\ntrusted_proxies:\n  - proxy.example\nroutes: []\n' '3: trusted_proxies: "proxy.example" is not an IPv4 or IPv6 address'
bad "invalid_header_names: another word" 'listen: 127.0.0.1:1\ninvalid_header_names: allow\nroutes: []\n' '2: invalid_header_names: expected drop, reject or pass'
bad "trusted_keys not a list" 'listen: 127.0.0.1:1\ntrusted_keys: abc\nroutes: []\n' '2: trusted_keys: expected a list'
bad "trusted key not base64" 'listen: 127.0.0.1:1\ntrusted_keys:\n  - "!!!!"\nroutes: []\n' '3: trusted_keys:'

# A .wasm that hwasmc refuses: one line, FILE:LINE naming the module and carrying hwasmc's
# own words (function and offset), at --check and at start. hwasmc's line came first on
# stderr, naming the private copy it compiled, and hwasmd's said only "hwasmc failed".
invalid_wasm broken >"$T/invalid.wasm"
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - {name: m, module: invalid.wasm}\nroutes:\n  - {prefix: /, chain: [m]}\n' >"$T/iw.yaml"
"$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/iw-cache" "$T/iw.yaml" >/dev/null 2>"$T/iw.err"; RC=$?
check "a .wasm hwasmc refuses: --check exits 2" 2 "$RC"
check "... one line on stderr" 1 "$(wc -l <"$T/iw.err")"
check "... FILE:LINE, the module and hwasmc's words" \
    "hwasmd: $T/iw.yaml:4: middleware m: $T/invalid.wasm: hwasmc: function 1 (\$broken) at offset 0x21: type mismatch" \
    "$(cat "$T/iw.err")"
timeout 20 "$HWASMD" --listen 127.0.0.1:0 --hwasmc "$HWASMC" --cache "$T/iw-cache" "$T/iw.yaml" >/dev/null 2>"$T/iw-start.err"; RC=$?
check "... at start: exit 2, the same one line" "2 $(cat "$T/iw.err")" "$RC $(cat "$T/iw-start.err")"

# ... and what hwasmc says carries the module's own bytes (a function's name): a C1 CSI, a
# byte that is not UTF-8 and a BEL reached the terminal raw; escaped as guest log text is
invalid_wasm '\xc2\x9b2J\xff\x07' >"$T/invalid.wasm"
"$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/iw-cache" "$T/iw.yaml" >/dev/null 2>"$T/iw.err"
check "a hostile function name in hwasmc's words: escaped" \
    "hwasmd: $T/iw.yaml:4: middleware m: $T/invalid.wasm: hwasmc: function 1 (\$\\xc2\\x9b2J\\xff\\x07) at offset 0x21: type mismatch" \
    "$(cat "$T/iw.err")"
check "... no byte of it raw on stderr" 0 "$(LC_ALL=C grep -c $'[\x01-\x08\x80-\xff]' "$T/iw.err")"

# A module for another host (proxy-wasm imports "env"): refused before it is compiled (a
# 3.6 MB proxy-wasm module took 65 s of compiling, then failed to link)
printf '(module (import "env" "proxy_log" (func (param i32 i32 i32) (result i32))) (memory (export "memory") 1))' >"$T/pw.wat"
wat2wasm "$T/pw.wat" -o "$T/pw.wasm"
sed 's/invalid.wasm/pw.wasm/' "$T/iw.yaml" >"$T/pw.yaml"
"$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/pw-cache" "$T/pw.yaml" >/dev/null 2>"$T/pw.err"; RC=$?
check "a proxy-wasm module: --check exits 2, one line naming the import, before compiling" \
    "2 hwasmd: $T/pw.yaml:4: middleware m: $T/pw.wasm: hwasmc: import 0 (env.proxy_log): module \"env\" is not one the host provides (http_handler,wasi_snapshot_preview1)" \
    "$RC $(cat "$T/pw.err")"

# A .wasm's author is not trusted, and what hwasmc spends grows with what they wrote: it
# compiles under --compile-limit (memory_mb 4096, cpu_s 600). Past one, the load fails with
# one line naming the limit, and the cache holds nothing.
printf 'listen: 127.0.0.1:1\nupstream: builtin:echo\nmiddleware:\n  - {name: m, module: %s}\nroutes: []\n' \
    "$GUESTS/headers.wasm" >"$T/cl.yaml"
OUT=$("$HWASMD" --check --compile-limit memory_mb=64 --cache "$T/cl-cache" "$T/cl.yaml" 2>&1); RC=$?
check "hwasmc over --compile-limit memory_mb: exit 2" 2 "$RC"
contains "... one line naming the middleware" "$T/cl.yaml:4: middleware m:" "$OUT"
check "... one line (what hwasmc said is in it: LLVM's bad_alloc came as lines of their own)" 1 "$(printf '%s\n' "$OUT" | wc -l)"
contains "... and the limit" "--compile-limit memory_mb=N" "$OUT"
check "... nothing cached" "" "$(ls "$T/cl-cache" 2>/dev/null | grep '\.so$')"
OUT=$("$HWASMD" --check --cache "$T/cl-cache" "$T/cl.yaml" 2>&1); RC=$?
check "the same module within the default limits: exit 0" 0 "$RC"
OUT=$("$HWASMD" --check --compile-limit memory_mb=12 "$T/cl.yaml" 2>&1); RC=$?
check "--compile-limit memory_mb below 64: usage error" 2 "$RC"
contains "... says what was wrong" "--compile-limit memory_mb=12: expected" "$OUT"
finish
