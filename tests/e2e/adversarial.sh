# adversarial.sh — hostile guests against one real hwasmd while background clients keep a
# well-behaved route busy. Each hostile request must get its documented answer (the trap
# status, or the documented non-trap behaviour), a trapped instance must be discarded (the
# middleware's trap counter moves; the next request is served by a fresh instance), the
# server must stay up, and not one background request may fail. Prints one table row per
# case (the table in docs/hwasmd.md, "What a hostile guest gets", comes from it).
. "$(dirname "$0")/lib.sh"
A=$GUESTS/adversarial
cat >"$T/adv.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: builtin:echo
workers: 2
limits: {body_bytes: 1048576}
middleware:
  - {name: headers, module: $(pinned $GUESTS/headers.so)}
  - {name: bounds, module: $(pinned $A/bounds.so), policy: reset}
  - {name: growcap, module: $(pinned $A/growcap.so), memory_pages: 16}
  - {name: loop, module: $(pinned $GUESTS/loop.so), time_budget_ms: 100, on_trap: 503}
  - {name: recurse, module: $(pinned $A/recurse.so), time_budget_ms: 0}
  - {name: bigframe, module: $(pinned $A/bigframe.so)}
  - {name: badptr, module: $(pinned $GUESTS/badptr.so)}
  - {name: phase, module: $(pinned $GUESTS/phase.so)}
  - {name: late_header, module: $(pinned $GUESTS/set_request_header_after_next.so)}
  - {name: procexit, module: $(pinned $A/procexit.so)}
  - {name: stdout_flood, module: $(pinned $A/stdout_flood.so), time_budget_ms: 100}
  - {name: logspam, module: $(pinned $A/logspam.so), time_budget_ms: 0}
  - {name: body_flood, module: $(pinned $A/body_flood.so), time_budget_ms: 0}
routes:
  - {prefix: /, chain: [headers]}
  - {prefix: /bounds, chain: [bounds]}
  - {prefix: /growcap, chain: [growcap]}
  - {prefix: /loop, chain: [loop]}
  - {prefix: /recurse, chain: [recurse]}
  - {prefix: /bigframe, chain: [bigframe]}
  - {prefix: /S/, chain: [phase]}
  - {prefix: /late_header, chain: [late_header]}
  - {prefix: /procexit, chain: [procexit]}
  - {prefix: /stdout_flood, chain: [stdout_flood]}
  - {prefix: /logspam, chain: [logspam]}
  - {prefix: /body_flood, chain: [body_flood]}
Y
# badptr.c answers by exact URI, so each of its cases is a route of its own.
BADPTR="get_uri set_uri values_buf log read_body write_body fd_write_iov ok"
for c in $BADPTR; do echo "  - {prefix: /$c, chain: [badptr]}" >>"$T/adv.yaml"; done
start d "$T/adv.yaml"
U=http://127.0.0.1:$d_PORT
ADMIN=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/d.out")

# Background traffic: three clients in a loop on the well-behaved route until told to stop,
# 20 keep-alive requests per curl (URL glob) to spare the CPU process starts would take.
background() {
    while [ ! -e "$T/stop" ]; do
        curl -s -m 10 -o /dev/null -w '%{http_code}\n' "$U/ok?[1-20]"
    done >"$T/bg.$1"
}
for i in 1 2 3; do background $i & PIDS="$PIDS $!"; eval "BG$i=$!"; done

traps() { # traps MIDDLEWARE: its trap counter in /metrics (0 for no such middleware)
    local n
    n=$(curl -s "$ADMIN/metrics" | sed -n "s/^hwasmd_middleware_traps_total{middleware=\"$1\"} //p")
    echo "${n:-0}"
}
bytes() { stat -c %s "$T/d.err"; }

echo "| guest | what it does | expected | observed |"
echo "|---|---|---|---|"
# row GUEST WHAT STATUS TRAP MAX_MS PATH [curl args]: one request to PATH. Expected: STATUS,
# the guest's trap counter up by TRAP (0/1), within MAX_MS (generous: sanitizer builds are
# slow), the server still answering, hwasmd's stderr grown by at most 256 KiB (guest output
# is capped at 64 KiB per guest call).
row() {
    local guest=$1 what=$2 want=$3 trap=$4 max=$5 path=$6 mw=${1%% *} t0 got ms before err0 up moved grew
    shift 6
    before=$(traps "$mw")
    err0=$(bytes)
    t0=$(date +%s%N)
    got=$(code -m 60 "$@" "$U$path")
    ms=$((($(date +%s%N) - t0) / 1000000))
    up=up
    kill -0 "$d_PID" 2>/dev/null && [ "$(code -m 5 "$U/ok")" = 200 ] || up=DOWN
    moved=$(($(traps "$mw") - before))
    grew=$(($(bytes) - err0))
    printf '| %s | %s | %s, trap %s, up | %s, %d ms, trap %s, %s, stderr +%d B |\n' "$guest" \
        "$what" "$want" "$trap" "$got" "$ms" "$moved" "$up" "$grew"
    if [ "$got $moved $up" != "$want $trap up" ] || [ "$ms" -gt "$max" ] || [ "$grew" -gt 262144 ]; then
        echo "FAIL $guest $path: expected $want, trap $trap, up, < $max ms, stderr +256 KiB at most"
        FAILS=$((FAILS + 1))
    fi
}

row "bounds /0" "load8 of the last byte" 200 0 10000 /bounds/0
row "bounds /1" "load8 one past the end" 500 1 10000 /bounds/1
row "bounds /2" "i64.store on the last 8 bytes" 200 0 10000 /bounds/2
row "bounds /3" "i64.store straddling the end" 500 1 10000 /bounds/3
row "bounds /4" "load8 offset=0xffffffff (address + offset > 4 GiB)" 500 1 10000 /bounds/4
row "bounds /5" "memory.grow 1, store8 on the new last byte" 200 0 10000 /bounds/5
row "bounds /6" "memory.grow 1, load8 one past the new end" 500 1 10000 /bounds/6
row "bounds /7" "i32.load at 0xfffffffe (wraps in 32 bits)" 500 1 10000 /bounds/7
row "bounds /0" "same route after 5 traps" 200 0 10000 /bounds/0
row "growcap" "grows 1 page at a time until -1 (memory_pages 16), then 65536 and 0xffffffff pages: -1, no trap; answers 200 + pages" 216 0 10000 /growcap
row "growcap" "again, on the kept (full) instance" 216 0 10000 /growcap
row "loop (tests/guests/wat)" "infinite loop, time_budget_ms 100, on_trap 503" 503 1 10000 /loop
row "loop (tests/guests/wat)" "again: a fresh instance, interrupted again" 503 1 10000 /loop
row "recurse" "unbounded recursion, time_budget_ms 0" 500 1 10000 /recurse
row "bigframe" "C function with a 4 MiB local array, passed to get_uri" 500 1 10000 /bigframe
for c in $BADPTR; do
    if [ "$c" = ok ]; then
        row "badptr /ok (tests/guests)" "same middleware after 7 traps: a probe with buf_limit 0" 200 0 10000 /ok
    else
        row "badptr /$c (tests/guests)" "host call with a pointer/length past memory or wrapping 4 GiB" 500 1 10000 "/$c"
    fi
done
row "late_header (tests/guests/wat)" "set_header_value(request) in handle_response" 500 1 10000 /late_header
row "phase /S/write_req_body (tests/guests)" "write_body(request) in handle_response" 500 1 10000 /S/write_req_body
row "phase /S/set_status (tests/guests)" "set_status_code without buffer_response in handle_response" 500 1 10000 /S/set_status
row "phase /S/get_uri (tests/guests)" "get_uri in handle_response (legal)" 200 0 10000 /S/get_uri
row "procexit" "WASI proc_exit(3) in handle_request" 500 1 10000 /procexit
row "stdout_flood" "fd_write of 64000 bytes in a loop, time_budget_ms 100" 500 1 10000 /stdout_flood
row "logspam" "1,000,000 http_handler.log calls, time_budget_ms 0" 200 0 40000 /logspam
row "body_flood" "write_body(response, 64 KiB) in a loop, time_budget_ms 0" 500 1 10000 /body_flood
head -c 2000000 /dev/zero >"$T/big"
row "(no guest: hwasmd's limit)" "request body of 2 MB, limits.body_bytes 1 MiB" 413 0 10000 /bounds/0 --data-binary @"$T/big"

# A module whose start traps is a configuration error: one FILE:LINE line from --check (the
# guest's own console output, logged as it was written, may come before it).
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - {name: start, module: %s, sha256: %s}\nroutes:\n  - {prefix: /, chain: [start]}\n' \
    "$GUESTS/panic_on_start.so" "$(sha "$GUESTS/panic_on_start.so")" >"$T/start.yaml"
"$HWASMD" --check --cache "$T/cache" "$T/start.yaml" >"$T/check.out" 2>"$T/check.err"
st=$?
ERR=$(grep "^hwasmd: $T/start.yaml:4: middleware start: " "$T/check.err")
printf '| panic_on_start (tests/guests/wat) | traps in its start function | hwasmd --check: exit 2, one error line | exit %d, %d error line(s): %s |\n' \
    $st "$(echo "$ERR" | grep -c .)" "${ERR#"hwasmd: $T/"}"
check "trap in start: --check exits 2" 2 $st
check "trap in start: one error line" 1 "$(echo "$ERR" | grep -c .)"
contains "trap in start: the error carries the trap and the guest's output" "unreachable (guest output: panic!)" "$ERR"

# Every request to these trapped: none of their instances may be left in the pool.
for m in loop recurse bigframe late_header procexit stdout_flood body_flood; do
    check "$m: trapped instances discarded" 0 \
        "$(curl -s "$ADMIN/metrics" | sed -n "s/^hwasmd_middleware_instances{middleware=\"$m\"} //p")"
done
echo "hwasmd peak $(grep VmHWM "/proc/$d_PID/status" | tr -s ' \t' ' ')"

touch "$T/stop"
wait "$BG1" "$BG2" "$BG3"
TOTAL=$(cat "$T"/bg.* | wc -l)
check "background requests all 200 ($TOTAL of them)" "$TOTAL" "$(cat "$T"/bg.* | grep -c '^200$')"
check "background requests were made" 1 "$([ "$TOTAL" -ge 30 ] && echo 1 || echo "only $TOTAL")"
finish
