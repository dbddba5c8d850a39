# chain.sh — a 3-guest chain (auth -> router -> headers, compiled from .wasm through the
# cache) over builtin:echo and over a real upstream (a second hwasmd), keep-alive included;
# then one worker, a guest with a single instance and a slow app: requests queue for the
# instance without failing, and the loop keeps answering other routes meanwhile.
. "$(dirname "$0")/lib.sh"
# (the front is the back's trusted proxy: the back keeps the X-Forwarded-For it sets)
cat >"$T/back.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
trusted_proxies: [127.0.0.1]
routes:
  - prefix: /
Y
start back "$T/back.yaml"
cat >"$T/front.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
workers: 2
middleware:
  - {name: auth, module: $GUESTS/auth.wasm}
  - {name: router, module: $GUESTS/router.wasm}
  - {name: headers, module: $GUESTS/headers.wasm, pool_size: 4, policy: reset}
routes:
  - {prefix: /, chain: [auth, router, headers]}
  - {prefix: /app, chain: [auth, headers], upstream: "http://127.0.0.1:$back_PORT"}
Y
start front "$T/front.yaml"
U=http://127.0.0.1:$front_PORT
AUTH='Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='
check "no credentials -> 401" 401 "$(code $U/hostx)"
check "wrong credentials -> 401" 401 "$(code -H 'Authorization: Basic eA==' $U/hostx)"
contains "401 carries WWW-Authenticate" 'WWW-Authenticate: Basic realm="test"' "$(curl -si $U/)"
check "router answers itself" "hello world" "$(curl -s -H "$AUTH" $U/other)"
R=$(curl -si -H "$AUTH" -H 'x-remove: gone' "$U/host/echo?q=1")
contains "chain reaches echo, prefix stripped" '"uri": "/echo?q=1"' "$R"
contains "request header set by a guest" '"x-set": "set"' "$R"
contains "request header added twice" '"X-Add": "a2"' "$R"
case "$R" in *x-remove*) check "request header removed" absent present ;; *) check "request header removed" 1 1 ;; esac
contains "response header set before next is merged" 'x-resp: 1' "$R"
contains "Set-Cookie added twice" 'Set-Cookie: c=d' "$R"
R=$(curl -si -H "$AUTH" -d 'payload' "$U/app/p")
contains "proxied to a real upstream" '"uri": "/app/p"' "$R"
contains "body forwarded" '"body": "payload"' "$R"
contains "X-Forwarded-For added" '"X-Forwarded-For": "127.0.0.1"' "$R"
R=$(curl -s -H "$AUTH" -H 'Connection: keep-alive, X-Drop' -H 'X-Drop: 1' -H 'Alive: 1' "$U/app/c")
check "a header Connection names is dropped, a namesake of a word in it is not" "no X-Drop, Alive" \
    "$(case "$R" in *X-Drop*) printf 'X-Drop' ;; *) printf 'no X-Drop' ;; esac), $(case "$R" in *'"Alive"'*) echo Alive ;; *) echo no Alive ;; esac)"
R=$(curl -s -H "$AUTH" -H 'Transfer-Encoding: chunked' --data-binary 'chunked-body' "$U/app/c")
contains "chunked request body" '"body": "chunked-body"' "$R"
N=$(curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}' -H "$AUTH" $U/host/1 $U/host/2 $U/host/3)
check "keep-alive: 3 requests, 1 connection" 100 "$N"
check "HEAD has no body" "" "$(curl -s -I -H "$AUTH" $U/host/h | sed -n '/^\r$/,$p' | tail -n +2)"
R=$(curl -s -I -H "$AUTH" "$U/app/h")
contains "HEAD through a real upstream keeps its length" "Content-Length: " "$R"
L=$(printf '%s' "$R" | sed -n 's/^Content-Length: \([0-9]*\).*/\1/p')
check "HEAD length is the app's, not 0" 1 "$([ "${L:-0}" -gt 100 ] && echo 1 || echo "$L")"

if command -v python3 >/dev/null; then
    app slow <<'PY'
def do_GET(self):
    time.sleep(0.3)
    self.send_response(200); self.send_header("Content-Length", "4"); self.end_headers(); self.wfile.write(b"slow")
PY
    cat >"$T/one.yaml" <<Y
listen: 127.0.0.1:0
upstream: builtin:echo
workers: 1
middleware:
  - {name: headers, module: $GUESTS/headers.wasm, pool_size: 1, pool_wait_ms: 20000}
routes:
  - {prefix: /slow, chain: [headers], upstream: "http://127.0.0.1:$slow_PORT"}
  - {prefix: /fast}
Y
    start one "$T/one.yaml"
    # the 4 take turns on the instance (~0.3 s each); /fast, sent behind them, must not wait
    CURLS=""
    for i in 1 2 3 4; do
        (curl -s -m 20 -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$one_PORT/slow/$i" >"$T/slow.$i"; echo slow >>"$T/order") &
        CURLS="$CURLS $!"
    done
    sleep 0.1
    F=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$one_PORT/fast"; echo fast >>"$T/order")
    wait $CURLS
    check "4 requests share 1 instance, all answered" "200 200 200 200" "$(cat "$T"/slow.[1-4] | tr '\n' ' ' | sed 's/ $//')"
    check "the loop answers another route meanwhile" "200, before the last 2 slow ones" \
        "$F, $(head -3 "$T/order" | grep -q fast && echo before || echo after) the last 2 slow ones"
    # every instance held by slow requests past pool_wait_ms: 503, whatever on_trap says.
    # The request went on without the guest under fail_open (an auth guest passed by a
    # client that keeps the pool busy), and got the trap's 500 otherwise.
    cat >"$T/sat.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$slow_PORT
workers: 1
middleware:
  - {name: auth, module: $GUESTS/auth.wasm, pool_size: 1, pool_wait_ms: 100, on_trap: fail_open}
routes:
  - {prefix: /, chain: [auth]}
Y
    start sat "$T/sat.yaml"
    curl -s -m 20 -o /dev/null -H "$AUTH" "http://127.0.0.1:$sat_PORT/slow" &
    C=$!
    sleep 0.1
    check "the pool held past pool_wait_ms, fail_open: 503, not the app without the guest" 503 \
        "$(curl -s -m 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$sat_PORT/slow")"
    wait $C
    # 200 requests in flight through one guest, each waiting 2 s for the app (long polls,
    # slow apps): with 128 instances at most, 70 of them got 503 after pool_wait_ms (the
    # reference host has no cap). Instances are bounded by what they hold together
    # (pool_memory_mb), so small guests have many more in flight. Once the burst is over
    # they are freed (pool_idle_ms, short here), with no traffic at all, down to one per
    # worker (and the first, made by the loading thread): all 200 stayed before.
    # (not under valgrind or qemu, SLOWDOWN > 1: 200 instances made at once take them longer
    # than pool_wait_ms, and the answers come after wrk's 3 s)
    if command -v wrk >/dev/null && [ "$SLOWDOWN" = 1 ]; then
        app poll <<'PY'
socketserver.ThreadingTCPServer.request_queue_size = 512
def do_GET(self):
    time.sleep(2)
    self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
PY
        cat >"$T/poll.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: http://127.0.0.1:$poll_PORT
workers: 2
middleware:
  - {name: headers, module: $GUESTS/headers.wasm, pool_idle_ms: 500}
routes:
  - {prefix: /, chain: [headers]}
Y
        start poll "$T/poll.yaml"
        ADMIN=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/poll.out")
        instances() { curl -s "$ADMIN/metrics" | sed -n 's/^hwasmd_middleware_instances{middleware="headers"} //p'; }
        # wrk holds its 200 connections open at once (200 curl processes start too slowly here
        # to be in flight together); 3 s: each answers one request, 2 s after it was sent
        wrk -t1 -c200 -d3s --timeout 10s "http://127.0.0.1:$poll_PORT/" >"$T/poll.wrk" 2>&1 &
        W=$!
        sleep 1.5
        PEAK=$(instances)
        wait $W
        check "200 slow requests in flight through one guest, at the default pool_size and pool_memory_mb: all answered" \
            "no Non-2xx, no socket error, at least 200" \
            "$(grep -q Non-2xx "$T/poll.wrk" && grep Non-2xx "$T/poll.wrk" || echo no Non-2xx), $(grep -q 'Socket errors' "$T/poll.wrk" && echo socket errors || echo no socket error), $(awk '/requests in/ {print ($1 >= 200 ? "at least 200" : $1)}' "$T/poll.wrk")"
        check "200 requests in flight: 200 instances" "at least 200" "$([ "${PEAK:-0}" -ge 200 ] && echo at least 200 || echo "$PEAK")"
        # freed 0.5 to 0.625 s after their last request; 30 s for a loaded machine
        for _ in $(seq 300); do
            N=$(instances)
            [ "${N:-999}" -le 3 ] && break
            sleep 0.1
        done
        check "idle past pool_idle_ms, no traffic: back to 2 workers' + 1" "at most 3" \
            "$([ "${N:-999}" -le 3 ] && echo at most 3 || echo "$N")"
    else
        echo "skip 200 slow requests in flight: under valgrind or qemu, or wrk is not installed (scripts/setup installs it)"
    fi
fi
finish
