#!/bin/bash
# soak.sh — hwasmd under sustained load (issue 5): wrk POSTs on N connections for D seconds
# through a chain of three guests — flaky (traps on 1 request in 100), redact (buffers both
# bodies) and noop — to a second hwasmd answering with builtin:echo, while the front hwasmd's
# RSS and open fds are sampled. It passes when
#   - RSS stays flat after warm-up: the last sample under load <= 1.2 x the first sample at or
#     after 25% of the run + 8 MiB;
#   - open fds come back, within 10 s of wrk stopping, to at most the baseline (taken after a
#     warm-up run, upstream connections pooled) + 8;
#   - no socket errors; every answer is 200 with a redacted body or 500; hwasmd answered
#     exactly as many 5xx as the flaky guest trapped, and nothing else but 2xx.
# Usage: soak.sh HWASMD GUESTS_DIR [-c CONNECTIONS] [-d SECONDS]
# The long run (the default: 1000 connections for 10 minutes; raises `ulimit -n` itself):
#   tests/soak/soak.sh BUILD/hwasmd/hwasmd BUILD/tests/guests
# ctest's soak_short is -c 200 -d 30. Exit 77 (skipped) when wrk is missing.
command -v wrk >/dev/null || { echo "SKIP: wrk is not installed (scripts/setup installs it)"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../e2e/lib.sh" "$1" "$2" none # guests are .so files: hwasmc is never run
shift 2
CONNS=1000 SECS=600
while getopts c:d: opt; do
    case $opt in c) CONNS=$OPTARG ;; d) SECS=$OPTARG ;; *) exit 2 ;; esac
done

# every connection costs wrk one fd and hwasmd one
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((CONNS + 1000)) ] || { echo "FAIL: ulimit -n $(ulimit -n) is too low for $CONNS connections"; exit 1; }

cat >"$T/upstream.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
workers: 1
routes: [{prefix: /}]
Y
start up "$T/upstream.yaml"
cat >"$T/front.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: http://127.0.0.1:$up_PORT
workers: 2
middleware:
  - {name: flaky, module: $(pinned $GUESTS/flaky.so), policy: keep}
  - {name: redact, module: $(pinned $GUESTS/redact.so), config: hunter2-soak-secret}
  - {name: noop, module: $(pinned $GUESTS/noop.so)}
routes:
  - {prefix: /, chain: [flaky, redact, noop]}
Y
start front "$T/front.yaml"
ADMIN=$(sed -n 's/^hwasmd: admin on \(http:[^ ]*\)/\1/p' "$T/front.out")
U=http://127.0.0.1:$front_PORT/soak

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$front_PID/status"; }
fds() { ls "/proc/$front_PID/fd" | wc -l; }
metric() { curl -s "$ADMIN/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {print s + 0}'; }
open_connections() { metric 'hwasmd_connections '; }

# wait_idle: until hwasmd holds no client connection but the admin one asking (at most 10 s)
wait_idle() {
    for _ in $(seq 100); do
        [ "$(open_connections)" -le 1 ] && return
        sleep 0.1
    done
}

FD_START=$(fds)
wrk -t2 -c"$CONNS" -d3s -s "$HERE/requests.lua" "$U" >"$T/warmup.out" || { echo "FAIL: warm-up wrk"; cat "$T/warmup.out"; exit 1; }
wait_idle
FD_BASE=$(fds)

# The run: samples "SECONDS_SINCE_START RSS_KB FDS" every INTERVAL s while wrk runs.
INTERVAL=$(( SECS / 30 > 0 ? SECS / 30 : 1 ))
echo "soak: $CONNS connections for $SECS s, sampling every $INTERVAL s"
wrk -t2 -c"$CONNS" -d"${SECS}s" -s "$HERE/requests.lua" "$U" >"$T/wrk.out" 2>&1 &
WRK=$!
PIDS="$PIDS $WRK"
T0=$(date +%s)
while kill -0 $WRK 2>/dev/null; do
    sleep "$INTERVAL"
    kill -0 "$front_PID" || { echo "FAIL: hwasmd died under load"; cat "$T/front.err"; exit 1; }
    echo "$(( $(date +%s) - T0 )) $(rss_kb) $(fds)" >>"$T/samples"
done
wait $WRK || { echo "FAIL: wrk failed"; cat "$T/wrk.out"; exit 1; }
wait_idle
for _ in $(seq 20); do
    FD_END=$(fds)
    [ "$FD_END" -le $((FD_BASE + 8)) ] && break
    sleep 0.5
done
cat "$T/wrk.out"

# the curve, then its summary
awk '{printf "%s%ds %.1fMiB %dfd", (NR > 1 ? ", " : "curve: "), $1, $2 / 1024, $3} END {print ""}' "$T/samples"
RSS_REF=$(awk -v q=$((SECS / 4)) '$1 >= q {print $2; exit}' "$T/samples")
RSS_LAST=$(tail -n1 "$T/samples" | cut -d' ' -f2)
awk -v ref="$RSS_REF" -v base="$FD_BASE" -v start="$FD_START" -v end="$FD_END" '
    NR == 1 || $2 < lo { lo = $2 } NR == 1 || $2 > hi { hi = $2 } $3 > peak { peak = $3 }
    END { printf "RSS MiB: min %.1f max %.1f at-25%% %.1f last %.1f (%d samples)\n", lo / 1024, hi / 1024, ref / 1024, $2 / 1024, NR
          printf "fds: start %d baseline %d peak %d end %d\n", start, base, peak, end }' "$T/samples"

# the answers
wrk_count() { awk -v k="$1" '$1 " " $2 == k {print $3; found = 1} END {if (!found) print 0}' "$T/wrk.out"; }
TOTAL=$(awk '/requests in/ {print $1}' "$T/wrk.out")
OK=$(wrk_count "status 200")
FAILED=$(wrk_count "status 500")
TRAPS=$(metric 'hwasmd_middleware_traps_total{middleware="flaky"}')
SERVER_5XX=$(metric 'hwasmd_requests_total{route="/",host="",methods="",code="5xx"}')
SERVER_ALL=$(metric 'hwasmd_requests_total{')
ALIVE=$(metric 'hwasmd_middleware_instances{middleware="flaky"}')
SERVER_OTHER=$(curl -s "$ADMIN/metrics" | awk '/^hwasmd_requests_total/ && !/code="[25]xx"/ {s += $NF} END {print s + 0}')
echo "requests: $TOTAL seen by wrk, $OK ok, $FAILED 500; server (with warm-up): $SERVER_ALL, $SERVER_5XX 5xx, $TRAPS flaky traps"

check "RSS flat after warm-up (last <= 1.2 x at-25% + 8 MiB)" 1 \
    "$([ "$RSS_LAST" -le $((RSS_REF * 12 / 10 + 8192)) ] && echo 1 || echo "$RSS_LAST kB vs $RSS_REF kB")"
check "fds back to the baseline + 8 after wrk stops" 1 \
    "$([ "$FD_END" -le $((FD_BASE + 8)) ] && echo 1 || echo "$FD_END vs $FD_BASE")"
check "no socket errors" "" "$(grep 'Socket errors' "$T/wrk.out")"
check "every answer wrk saw is 200 or 500" "$TOTAL" "$((OK + FAILED))"
check "200 answers carry the redacted echo" 0 "$(wrk_count bad_bodies)"
check "the flaky guest trapped" 1 "$([ "$TRAPS" -gt 0 ] && echo 1 || echo 0)"
# each flaky instance traps on its 100th request, then starts again: the server's requests
# are 100 per trap plus fewer than 100 on each instance alive now
check "1 request in 100 traps" 1 \
    "$([ $((TRAPS * 100)) -le "$SERVER_ALL" ] && [ "$SERVER_ALL" -le $((TRAPS * 100 + 99 * ALIVE)) ] && echo 1 ||
       echo "$TRAPS traps, $SERVER_ALL requests, $ALIVE instances")"
check "server 5xx == flaky traps" "$TRAPS" "$SERVER_5XX"
check "no answers but 2xx and 5xx" 0 "$SERVER_OTHER"
check "wrk's 500s <= traps" 1 "$([ "$FAILED" -le "$TRAPS" ] && echo 1 || echo "$FAILED 500s")"
finish
