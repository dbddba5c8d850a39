# guest_limits.sh — what an untrusted guest can make hwasmd hold, over real sockets: a
# request that grows its instance to 1 GiB is answered and the GiB goes back to the OS
# (hwasmd's VmRSS from /proc); the default memory and table caps; a header flood (names,
# values, uri, method) traps with 500; a 1xx status from a guest answers 500 and the next
# request pipelined on the same keep-alive connection is answered in step. Parts 1-4 use
# only keys older than these limits (they run against an older hwasmd too, and fail
# there); part 5 sets the new keys.
. "$(dirname "$0")/lib.sh"
A=$GUESTS/adversarial
cat >"$T/gl.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: builtin:echo
workers: 2
middleware:
  - {name: big, module: $(pinned $A/limits.so), memory_pages: 16384, time_budget_ms: 60000}
  - {name: limits, module: $(pinned $A/limits.so)}
  - {name: tablegrow, module: $(pinned $A/tablegrow.so)}
routes:
  - {prefix: /, chain: [limits]}
  - {prefix: /grow, chain: [big]}
  - {prefix: /default/grow, chain: [limits]}
  - {prefix: /table, chain: [tablegrow]}
  - {prefix: /plain, chain: []}
Y
start d "$T/gl.yaml"
U=http://127.0.0.1:$d_PORT
ADMIN=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/d.out")
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$d_PID/status"; }
metric() { # metric NAME MIDDLEWARE
    curl -s "$ADMIN/metrics" | sed -n "s/^hwasmd_middleware_$1{middleware=\"$2\"} //p"
}

# 1. One request grows its instance to 1 GiB (16384 pages, every 4 KiB page written): it
# is answered, then the instance is freed (over keep_bytes, 32 MiB by default) and hwasmd's
# resident memory falls back under 100 MiB. Twice: the second gets a fresh instance.
RSS0=$(kb VmRSS)
for i in 1 2; do
    t0=$(date +%s%N)
    OUT=$(curl -s -m 120 -w ' %{http_code}' "$U/grow/16384")
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "grow to 1 GiB ($i): answered 200 with the page count ($ms ms)" "16384 200" "$OUT"
    RSS=$(kb VmRSS)
    echo "     hwasmd VmRSS: $RSS0 kB before, $RSS kB after, peak $(kb VmHWM) kB"
    check "grow to 1 GiB ($i): VmRSS back under 100 MiB" 1 "$([ "$RSS" -lt 102400 ] && echo 1 || echo "$RSS kB")"
done
check "the GiB was really resident (VmHWM over 900 MiB)" 1 "$([ "$(kb VmHWM)" -gt 921600 ] && echo 1 || echo "$(kb VmHWM) kB")"
check "no instance of big kept" 0 "$(metric instances big)"
check "freeing a big instance is not a trap" 0 "$(metric traps_total big)"

# 2. Default caps: 256 pages of memory, 131072 table elements.
check "default memory cap: grow to 256 pages" 200 "$(code "$U/default/grow/256")"
check "default memory cap: grow to 257 pages refused (memory.grow -1 -> 507)" 507 "$(code "$U/default/grow/257")"
check "default table cap: a million elements refused, 130049 granted (200 + 31)" 231 "$(code "$U/table")"
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - {name: bigtable, module: %s}\nroutes:\n  - {prefix: /, chain: [bigtable]}\n' \
    "$(pinned $A/bigtable.so)" >"$T/bigtable.yaml"
"$HWASMD" --check --cache "$T/cache" "$T/bigtable.yaml" >"$T/check.out" 2>"$T/check.err"
check "a declared table of 1,000,000 elements: --check exits 2" 2 $?
contains "... at its FILE:LINE" "$T/bigtable.yaml:4: middleware bigtable: " "$(cat "$T/check.err")"
contains "... naming the cap" "tables of 1000000 elements exceed the cap of 131072 elements" "$(cat "$T/check.err")"

# 3. Header flood: at most 1 MiB of guest-written header bytes per request.
for c in add set uri method; do
    check "header flood /headers/$c: the guest traps, 500" 500 "$(code -m 30 "$U/headers/$c")"
done
check "576 KiB of headers (under the budget): 200" 200 "$(code "$U/headers/some")"
check "again on the kept instance (the budget is per request): 200" 200 "$(code "$U/headers/some")"

# 4. Statuses a guest may not make final: each answers 500, and the request pipelined
# behind it on the same connection gets its own answer. The client parses each answer by
# its status line and Content-Length, the way an HTTP/1.1 client would.
pipeline() { # pipeline STATUS: "status1 status2 body2-length connection-reused"
    python3 - "$d_PORT" "$1" <<'PY'
import socket, sys
port, status = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(("GET /status/%s HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /plain/after HTTP/1.1\r\nHost: x\r\n\r\n" % status).encode())
buf, out = b"", []
try:
    while len(out) < 2:
        while b"\r\n\r\n" not in buf:
            more = s.recv(65536)
            if not more: raise EOFError
            buf += more
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        code = lines[0].split(" ")[1]
        n = 0
        for l in lines[1:]:
            k, _, v = l.partition(":")
            if k.strip().lower() == "content-length": n = int(v)
        while len(buf) < n:
            more = s.recv(65536)
            if not more: raise EOFError
            buf += more
        body, buf = buf[:n], buf[n:]
        out.append((code, body))
except (EOFError, socket.timeout, OSError) as e:
    out.append(("none", b""))
print(out[0][0], out[1][0] if len(out) > 1 else "none",
      "body-ok" if len(out) > 1 and b'"uri": "/plain/after"' in out[1][1] else "body-bad")
PY
}
for st in 101 100 103; do
    check "status $st from a guest: 500, then the pipelined request answered 200" "500 200 body-ok" "$(pipeline $st)"
done
for st in 99 1000; do
    check "status $st from a guest (out of range): 500, then 200" "500 200 body-ok" "$(pipeline $st)"
done
check "status 204 from a guest is allowed" 204 "$(code "$U/status/204")"

check "hwasmd still up" 200 "$(code "$U/plain/x")"

# 5. The keys: keep_bytes raised keeps a 128 MiB instance resident (and so its pages);
# header_write_bytes raised lets the 16 MiB flood through; 0 is refused as a limit.
cat >"$T/keys.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
middleware:
  - {name: big, module: $(pinned $A/limits.so), memory_pages: 2048, keep_bytes: 268435456,
     header_write_bytes: 33554432, table_elements: 2000000, time_budget_ms: 60000}
  - {name: tablegrow, module: $(pinned $A/tablegrow.so), table_elements: 2000000}
routes:
  - {prefix: /, chain: [big]}
  - {prefix: /table, chain: [tablegrow]}
Y
start k "$T/keys.yaml"
d_PID=$k_PID
check "keep_bytes 256 MiB: grow to 128 MiB answered" 200 "$(code -m 60 "http://127.0.0.1:$k_PORT/grow/2048")"
check "keep_bytes 256 MiB: the instance and its 128 MiB stay resident" 1 \
    "$([ "$(kb VmRSS)" -gt 131072 ] && echo 1 || echo "$(kb VmRSS) kB")"
check "header_write_bytes 32 MiB: the 16 MiB flood answers 200" 200 "$(code "http://127.0.0.1:$k_PORT/headers/add")"
check "table_elements 2000000: the million is granted (201)" 201 "$(code "http://127.0.0.1:$k_PORT/table")"
for key in memory_pages table_elements keep_bytes header_write_bytes; do
    printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - {name: z, module: %s, %s: 0}\n' \
        "$(pinned $A/limits.so)" "$key" >"$T/zero.yaml"
    "$HWASMD" --check --cache "$T/cache" "$T/zero.yaml" >"$T/check.out" 2>"$T/check.err"
    contains "$key: 0 is refused with one FILE:LINE line" "zero.yaml:4: $key: expected a whole number from 1 to" "$(cat "$T/check.err")"
done
finish
