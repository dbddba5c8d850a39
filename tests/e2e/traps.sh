# traps.sh — a bad guest costs one request, never the server: a trapping guest answers 500
# (fail_closed), a configured status, or is skipped (fail_open) while other routes keep
# answering, concurrently; a runaway guest is interrupted by its time budget.
. "$(dirname "$0")/lib.sh"
cat >"$T/traps.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
workers: 2
middleware:
  - {name: headers, module: $(pinned $GUESTS/headers.so)}
  - {name: panic, module: $(pinned $GUESTS/panic_on_handle_request.so)}
  - {name: panic_open, module: $(pinned $GUESTS/panic_on_handle_request.so), on_trap: fail_open}
  - {name: panic_503, module: $(pinned $GUESTS/panic_on_handle_request.so), on_trap: 503}
  - {name: panic_resp, module: $(pinned $GUESTS/panic_on_handle_response.so)}
  - {name: loop, module: $(pinned $GUESTS/loop.so), time_budget_ms: 50}
routes:
  - {prefix: /, chain: [headers]}
  - {prefix: /panic, chain: [headers, panic]}
  - {prefix: /open, chain: [panic_open, headers]}
  - {prefix: /p503, chain: [panic_503]}
  - {prefix: /resp, chain: [panic_resp]}
  - {prefix: /loop, chain: [loop]}
Y
start d "$T/traps.yaml"
U=http://127.0.0.1:$d_PORT
check "trap in handle_request -> 500" 500 "$(code $U/panic)"
check "other route still works" 200 "$(code $U/ok)"
check "fail_open skips the guest" 200 "$(code $U/open)"
contains "fail_open: the rest of the chain ran" 'x-resp: 1' "$(curl -si $U/open)"
check "configured trap status" 503 "$(code $U/p503)"
check "trap in handle_response -> 500" 500 "$(code $U/resp)"
START=$(date +%s%N)
check "runaway guest interrupted -> 500" 500 "$(code -m 5 $U/loop)"
MS=$(( ($(date +%s%N) - START) / 1000000 ))
check "interrupted within 1 s" 1 "$([ $MS -lt $((1000 * SLOWDOWN)) ] && echo 1 || echo "$MS ms")"
# traps and good requests at the same time, on both workers
CLIENTS=""
for i in $(seq 20); do
    code $U/panic >"$T/bad.$i" & CLIENTS="$CLIENTS $!"
    code $U/ok >"$T/good.$i" & CLIENTS="$CLIENTS $!"
done
for p in $CLIENTS; do wait "$p"; done
wait_codes() { for i in $(seq 20); do cat "$T/$1.$i"; echo; done | sort | uniq -c | tr -s ' '; }
check "20 concurrent trapping requests" " 20 500" "$(wait_codes bad)"
check "20 concurrent good requests" " 20 200" "$(wait_codes good)"
contains "trap logged with the guest's name" "[panic] handle_request failed (fail_closed): unreachable" "$(cat "$T/d.err")"
check "server still alive" 200 "$(code $U/ok)"
finish
