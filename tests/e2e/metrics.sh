# metrics.sh — /metrics passes `promtool check metrics` whatever the configuration names
# (quotes and backslashes in route prefixes and middleware names; a name with a newline or
# another control byte is refused by the configuration, a Host with them before routing,
# so host labels are escaped by the same code), with
# one series per label set (two routes with the same prefix and different hosts, one
# upstream named by several routes); every answer is counted, the 400/408/413/431 a
# connection gets before any route included; the scrape's own connection is not a client;
# what two workers count for the same route and guest is summed.
# The access log goes to a file as valid JSON for any request bytes. Every program
# answers -h/--help and --version, and a usage error says what was wrong.
. "$(dirname "$0")/lib.sh"
PROMTOOL=$(command -v promtool || true)
[ -n "$PROMTOOL" ] || { echo "SKIP: promtool not installed (scripts/setup: prometheus)"; exit 77; }
cat >"$T/m.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: builtin:echo
workers: 2
access_log: access.jsonl
limits: {header_bytes: 1024, body_bytes: 1024, idle_timeout_ms: 500}
middleware:
  - {name: "mw \"quoted\" \\\\ back/slash", module: $GUESTS/noop.wasm}
  - {name: plain, module: $GUESTS/noop.wasm}
  - {name: counted, module: $GUESTS/noop.wasm}
routes:
  - {prefix: /count, chain: [counted]}
  - {prefix: "/q\"uo\\\\te", chain: ["mw \"quoted\" \\\\ back/slash"]}
  - {prefix: /same, host: "a.example", chain: [plain]}
  - {prefix: /same, host: "b\"ad\\\\host", chain: [plain]}
  - {prefix: /same, chain: [plain]}
  - {prefix: /same, host: "a.example", methods: [GET, HEAD]}
  - {prefix: /, upstream: builtin:echo}
Y
"$HWASMD" --hwasmc "$HWASMC" --cache "$T/cache" --listen 127.0.0.1:0 --admin 127.0.0.1:0 "$T/m.yaml" >"$T/m.out" 2>"$T/m.err" &
PIDS="$PIDS $!"
for _ in $(seq 400); do
    ADMIN=$(sed -n 's/^hwasmd: admin on http:\/\/[^ ]*:\([0-9]*\).*/\1/p' "$T/m.out" 2>/dev/null)
    PORT=$(sed -n 's/^hwasmd: listening on http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$T/m.out" 2>/dev/null)
    [ -n "$ADMIN" ] && [ -n "$PORT" ] && break; sleep 0.05
done
[ -n "$PORT" ] || { echo "FAIL: did not start"; cat "$T/m.err"; exit 1; }
U=http://127.0.0.1:$PORT
contains "route with a hostile prefix answers" "HTTP/1.1 200" "$(raw $PORT 'GET /q"uo\\te HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')"
code -H 'Host: a.example' $U/same >/dev/null
code -H 'Host: a.example' $U/same >/dev/null
code $U/same >/dev/null
code $U/ >/dev/null
# answers made before any route: garbage (400), headers too large (431), body too large
# (413), a request that stalls (408)
contains "garbage: 400" "HTTP/1.1 400" "$(raw $PORT 'NOT HTTP AT ALL\r\n\r\n')"
contains "headers too large: 431" "HTTP/1.1 431" "$(raw $PORT "GET / HTTP/1.1\r\nHost: x\r\nX-Big: $(head -c 2000 /dev/zero | tr '\0' a)\r\n\r\n")"
contains "body too large: 413" "HTTP/1.1 413" "$(raw $PORT 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n')"
contains "stalled request: 408" "HTTP/1.1 408" "$(raw $PORT 'GET / HTTP/1.1\r\nHost: x\r\n')"
# bytes that are not UTF-8 in the request target; and some that are
raw $PORT 'GET /bin\xff\xfe\xc3\x28?\xed\xa0\x80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >/dev/null
raw $PORT 'GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >/dev/null
# 8 keep-alive clients at once, 50 requests each, over both workers
python3 - "$PORT" <<'PY'
import http.client, sys, threading
def client():
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
    for _ in range(50):
        c.request("GET", "/count"); c.getresponse().read()
ts = [threading.Thread(target=client) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
PY
sleep 0.3
M=$(curl -s http://127.0.0.1:$ADMIN/metrics)
printf '%s\n' "$M" >"$T/metrics.txt"
OUT=$("$PROMTOOL" check metrics <"$T/metrics.txt" 2>&1); RC=$?
check "promtool check metrics accepts /metrics" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT" | head -5
contains "middleware name escaped" 'hwasmd_middleware_traps_total{middleware="mw \"quoted\" \\ back/slash"} 0' "$M"
contains "route prefix escaped" 'hwasmd_requests_total{route="/q\"uo\\te",host="",methods="",code="2xx"} 1' "$M"
contains "same prefix, other host and methods: its own series" 'hwasmd_requests_total{route="/same",host="a.example",methods="GET,HEAD",code="2xx"} 2' "$M"
contains "same prefix, no host: its own series" 'hwasmd_requests_total{route="/same",host="",methods="",code="2xx"} 1' "$M"
check "one upstream named by several routes: one series" 1 "$(printf '%s\n' "$M" | grep -c '^hwasmd_upstream_errors_total{upstream="builtin:echo"}')"
check "no series twice" "" "$(printf '%s\n' "$M" | grep -v '^#' | sed 's/ [^ ]*$//' | sort | uniq -d)"
contains "the 400/408/413/431 answered before any route are counted" 'hwasmd_requests_total{route="",host="",methods="",code="4xx"} 4' "$M"
check "the scrape's own connection is not a client" "hwasmd_connections 0" "$(printf '%s\n' "$M" | grep '^hwasmd_connections ')"
contains "400 requests from 8 clients on 2 workers: 400 counted" 'hwasmd_requests_total{route="/count",host="",methods="",code="2xx"} 400' "$M"
contains "... and 800 guest calls (request and response)" 'hwasmd_guest_duration_seconds_count{middleware="counted"} 800' "$M"

# the access log: in the file, not on stdout; every line valid JSON
check "access_log: PATH: no JSON lines on stdout" 0 "$(grep -c '^{' "$T/m.out")"
check "access log: every line is valid JSON" ok "$(python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8")); n += 1
print("ok" if n >= 7 else "only %d lines" % n)' "$T/access.jsonl" 2>&1)"
contains "access log: bytes that are not UTF-8 escaped" '"uri":"/bin\u00ff\u00fe\u00c3(?\u00ed\u00a0\u0080"' "$(cat "$T/access.jsonl")"
contains "access log: UTF-8 kept" '"uri":"/café"' "$(cat "$T/access.jsonl")"

# every program: -h/--help (exit 0), --version, usage errors that say what was wrong
SIGN=$(dirname "$HWASMD")/hwasm-sign
RUN=$(dirname "$HWASMC")/../runtime/hwasm-run
for p in "$HWASMD" "$HWASMC" "$RUN" "$SIGN"; do
    n=$(basename "$p")
    check "$n -h: exit 0" 0 "$("$p" -h >/dev/null 2>&1; echo $?)"
    check "$n --help: exit 0" 0 "$("$p" --help >/dev/null 2>&1; echo $?)"
    contains "$n --version" "$n " "$("$p" --version 2>&1)"
    OUT=$("$p" --bogus 2>&1); RC=$?
    check "$n --bogus: exit 2" 2 "$RC"
    contains "$n --bogus: says what" "--bogus" "$OUT"
done
V=$("$HWASMD" --hwasmc "$HWASMC" --version)
ABI=$("$HWASMC" --version | sed -n 's/.*(ABI \([0-9]*\),.*/\1/p') # the compiler's, which hwasmd must match
contains "hwasmd --version names the module ABI (hwasmc's: $ABI)" "(module ABI $ABI)" "$V"
contains "hwasmd --version names the hwasmc it will use" "compiler: $HWASMC (hwasmc " "$V"
contains "hwasmd without a config: says so" "no CONFIG.yaml given" "$("$HWASMD" 2>&1)"
contains "hwasmd --listen without a value: says so" "--listen needs a value" "$("$HWASMD" x.yaml --listen 2>&1)"
contains "hwasmd Dapr mode without --upstream: says so" "--upstream URL is required" "$("$HWASMD" --dapr-components . --dapr-config x 2>&1)"
finish
