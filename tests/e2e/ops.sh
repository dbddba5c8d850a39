# ops.sh — operating hwasmd: the admin listener (/healthz, /readyz, /metrics with request,
# trap and upstream counters), max_connections, an upstream over a unix socket, and a
# graceful stop (SIGTERM lets the answer in flight finish, then the process exits).
. "$(dirname "$0")/lib.sh"
cat >"$T/ops.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: builtin:echo
workers: 2
limits: {drain_ms: 5000}
middleware:
  - {name: panic, module: $(pinned $GUESTS/panic_on_handle_request.so)}
  - {name: slow, module: $(pinned $GUESTS/loop.so), time_budget_ms: 1000}
routes:
  - {prefix: /}
  - {prefix: /panic, chain: [panic]}
  - {prefix: /slow, chain: [slow]}
  - {prefix: /down, upstream: "http://127.0.0.1:1"}
Y
start d "$T/ops.yaml"
A=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/d.out")
U=http://127.0.0.1:$d_PORT
check "healthz" ok "$(curl -s $A/healthz)"
# a second hwasmd on ports in use: exit 1, as nginx (both bound with SO_REUSEPORT before,
# each took a share of the connections with its own configuration)
AP=${A##*:}
OUT=$(timeout 10 "$HWASMD" --listen "127.0.0.1:$d_PORT" --hwasmc "$HWASMC" --cache "$T/cache" "$T/ops.yaml" 2>&1 >/dev/null); RC=$?
check "a second hwasmd on the port in use: exit 1" "1 address already in use" "$RC $(echo "$OUT" | grep -o 'address already in use' | head -n 1)"
OUT=$(timeout 10 "$HWASMD" --listen 127.0.0.1:0 --admin "127.0.0.1:$AP" --hwasmc "$HWASMC" --cache "$T/cache" "$T/ops.yaml" 2>&1 >/dev/null); RC=$?
check "... on its admin port: exit 1" "1 address already in use" "$RC $(echo "$OUT" | grep -o 'address already in use' | head -n 1)"
check "readyz" ready "$(curl -s $A/readyz)"
code $U/a >/dev/null; code $U/b >/dev/null; code $U/panic >/dev/null; code $U/down >/dev/null
M=$(curl -s $A/metrics)
contains "metrics: 2xx by route" 'hwasmd_requests_total{route="/",host="",methods="",code="2xx"} 2' "$M"
contains "metrics: 5xx by route" 'hwasmd_requests_total{route="/panic",host="",methods="",code="5xx"} 1' "$M"
contains "metrics: traps" 'hwasmd_middleware_traps_total{middleware="panic"} 1' "$M"
contains "metrics: upstream errors" 'hwasmd_upstream_errors_total{upstream="http://127.0.0.1:1"} 1' "$M"
contains "metrics: latency histogram" 'hwasmd_request_duration_seconds_count 4' "$M"
contains "metrics: guest time, one call" 'hwasmd_guest_duration_seconds_count{middleware="panic"} 1' "$M"
contains "metrics: guest time buckets" 'hwasmd_guest_duration_seconds_bucket{middleware="panic",le="+Inf"} 1' "$M"
# routes by host and method, guest config as a mapping (JSON), the access log
cat >"$T/routes.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
access_log: true
middleware:
  - name: cfg
    module: $GUESTS/config.so
    sha256: $(sha $GUESTS/config.so)
    config: {env: prod, n: 3, tags: [a, b]}
routes:
  - {prefix: /, chain: []}
  - {prefix: /, host: api.example, chain: [cfg]}
  - {prefix: /, methods: [DELETE], upstream: "http://127.0.0.1:1"}
Y
start r "$T/routes.yaml"
R=http://127.0.0.1:$r_PORT
contains "route by host; mapping config as JSON" '{"env":"prod","n":3,"tags":["a","b"]}' "$(curl -s -H 'Host: api.example:80' $R/x)"
contains "other hosts take the default route" '"uri": "/x"' "$(curl -s $R/x)"
check "route by method" 502 "$(code -X DELETE $R/x)"
contains "access log line" '"method":"DELETE","uri":"/x","route":"/","status":502' "$(cat "$T/r.out")"
# refused before any route: logged too (nginx logs its 400, 413 and 431)
K7=$(head -c 7000 /dev/zero | tr '\0' k)
check "three 7 KB fields (a single sign-on's cookies) within the default header_bytes, as nginx: 200" 200 \
    "$(code -H "Cookie: a=$K7" -H "X-Id-Token: $K7" -H "X-Access-Token: $K7" $R/sso)"
check "a 431" 431 "$(code -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)" $R/big)"
check "a 400" 400 "$(code "$R/a%2Fb")"
contains "access log line of a 431" '"method":"GET","uri":"/big","route":null,"status":431' "$(cat "$T/r.out")"
contains "access log line of a 400" '"uri":"/a%2Fb","route":null,"status":400' "$(cat "$T/r.out")"
# 16 idle admin connections (admin_connections) kept every probe out for idle_timeout_ms
# (60 s); admin connections idle 5 s at most
python3 - "${A##*:}" >"$T/hold.out" <<'PY' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(16)]
print("held", flush=True)
time.sleep(8)
PY
HOLD=$!
# once all 16 are connected (python's start alone took over 0.5 s on a loaded machine)
for _ in $(seq 100); do [ -s "$T/hold.out" ] && break; sleep 0.05; done
sleep 0.2
check "16 idle admin connections: probes refused meanwhile" 000 "$(curl -s -m 2 -o /dev/null -w '%{http_code}' $A/healthz)"
sleep 5.5
check "... for 5 s at most" 200 "$(curl -s -m 2 -o /dev/null -w '%{http_code}' $A/healthz)"
kill $HOLD 2>/dev/null; wait $HOLD 2>/dev/null
# graceful stop: a 1 s request in flight still gets its answer
curl -si $U/slow >"$T/slow.out" & SLOW=$!
sleep 0.3
DPID=$d_PID
kill -TERM "$DPID"
sleep 0.2
# while it drains the admin listener still answers: not ready (its listener closed at
# once before, so /readyz never said 503)
check "readyz while draining: 503" "503 draining" "$(curl -s -o "$T/ready" -w '%{http_code}' $A/readyz) $(cat "$T/ready")"
wait "$SLOW"
check "answer in flight delivered during drain" "HTTP/1.1 500 Internal Server Error" "$(head -n 1 "$T/slow.out" | tr -d '\r')"
# the connection closes after it: the client is told so, or it would send its next request
# into the close
contains "... saying the connection closes" "Connection: close" "$(tr -d '\r' <"$T/slow.out")"
for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
check "process exited after draining" gone "$(kill -0 "$DPID" 2>/dev/null && echo alive || echo gone)"
check "no new connections after stop" 000 "$(code $U/)"
if command -v python3 >/dev/null; then
    python3 - "$T/app.sock" >"$T/app.log" 2>&1 <<'PY' &
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def address_string(self): return "unix"
    def do_GET(self):
        b = b"from unix " + self.path.encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
class S(socketserver.UnixStreamServer):
    def get_request(self):
        s, _ = super().get_request(); return s, ("unix", 0)
S(sys.argv[1], H).serve_forever()
PY
    PIDS="$PIDS $!"
    for _ in $(seq 50); do [ -S "$T/app.sock" ] && break; sleep 0.1; done
    # one worker: its pooled connection is the only way this one-connection app answers twice
    printf 'listen: 127.0.0.1:0\nworkers: 1\nupstream: "unix:%s"\nroutes:\n  - {prefix: /}\n' "$T/app.sock" >"$T/unix.yaml"
    start u "$T/unix.yaml"
    check "unix: upstream" "from unix /x" "$(curl -s http://127.0.0.1:$u_PORT/x)"
    check "unix: upstream, keep-alive reuse" "from unix /y" "$(curl -s http://127.0.0.1:$u_PORT/y)"
else
    echo "skip unix upstream (no python3)"
fi
# logrotate: the log is moved, then SIGUSR1 (nginx's signal for it) opens it again. It
# killed hwasmd, and lines went on into the moved file (a reload did not reopen it either)
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\naccess_log: %s\nroutes:\n  - {prefix: /}\n' "$T/access.log" >"$T/rot.yaml"
start rot "$T/rot.yaml"
code http://127.0.0.1:$rot_PORT/before >/dev/null
mv "$T/access.log" "$T/access.log.1"
kill -USR1 "$rot_PID"
sleep 0.3
code http://127.0.0.1:$rot_PORT/after >/dev/null
check "SIGUSR1: alive, the next line in a new file" "alive /before /after" \
    "$(kill -0 "$rot_PID" 2>/dev/null && echo alive || echo dead) $(grep -o '/before' "$T/access.log.1") $(grep -o '/after' "$T/access.log" 2>/dev/null)"
mv "$T/access.log" "$T/access.log.2"
kill -HUP "$rot_PID"
sleep 0.5
code http://127.0.0.1:$rot_PORT/reloaded >/dev/null
check "a reload opens it again too" /reloaded "$(grep -o '/reloaded' "$T/access.log" 2>/dev/null)"
# a log that cannot be written (a full disk; here the file size limit, RLIMIT_FSIZE, which
# killed hwasmd with SIGXFSZ): said on stderr, not silently lost, and serving goes on
if command -v prlimit >/dev/null; then
    # the log's size now, past stderr's: the next log line passes the limit, stderr's does not
    for _ in $(seq 40); do
        [ "$(stat -c %s "$T/access.log")" -gt $(($(stat -c %s "$T/rot.err") + 300)) ] && break
        code http://127.0.0.1:$rot_PORT/grow >/dev/null
    done
    prlimit --pid "$rot_PID" --fsize="$(stat -c %s "$T/access.log")"
    check "a log that cannot be written: still serving" "200 200" \
        "$(code http://127.0.0.1:$rot_PORT/x) $(code http://127.0.0.1:$rot_PORT/y)"
    check "... said on stderr, once" 1 "$(grep -c 'a line could not be written' "$T/rot.err")"
fi
finish
