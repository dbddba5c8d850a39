# routing.sh — a route guards a path however it is spelled (issue 10 §1): /api sits behind
# the auth guest (no credentials: 401), and every other spelling of /api (percent-encoded
# letters, dot-segments, doubled slashes, absolute-form targets) gets the same 401, while
# spellings with no single meaning get 400; the app behind never sees any of them. Host
# routes match whatever the case, port or trailing dot, and a request whose host is
# ambiguous (two Host headers, a Host the target's authority contradicts, none in HTTP/1.1)
# is refused. The app gets the target as received unless forward_normalized_path is set.
# encoded_slashes: keep lets %2F through, only where both its readings take one route.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wire.sh"
start_guarded r '  - {prefix: /, host: admin.example, chain: [auth]}
  - {prefix: /, host: "[::1]", chain: [auth]}'

get() { printf 'GET %s HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' "$1" "${2:-a}"; }

send "/api/x without credentials" 401 "$(get /api/x)"
send "/x reaches the app" 200 "$(get /x)"
forget
for p in /%61pi/x /%61%70%69/x //api/x //%61pi//x /./api/x /%2e/api/x /x/../api/x /x/%2e%2e/api/x \
    /x/%2E%2e/api/x /x/y/../../api/x /api/./x /api?x=1 /api; do
    send "$p gets the /api chain" 401 "$(get "$p")"
done
send "HTTP/1.0 /%61pi/x gets the /api chain" 401 'GET /%61pi/x HTTP/1.0\r\nConnection: close\r\n\r\n'
for p in /a%2Fb /api%2fx /a%00b /a%zzb /a%2 /a% /../x /x/../../api/x /a/./b/../../.. /%2e%2e/api/x \
         '/x#/../api/x' '/api#x' '/x\t/api/x' '/x?q=\t'; do
    send "$p is refused" 400 "$(get "$p")"
done
check "the app saw none of them" "" "$(seen t)"

send "the query is not part of the path: /x?p=/../api" 200 "$(get '/x?p=/../api')"
send "nor checked: /x?%zz" 200 "$(get '/x?%zz')"
forget
send "/x//y/./z/../w?q=/../a reaches the app" 200 "$(get '/x//y/./z/../w?q=/../a')"
check "the app gets the target as received" "/x//y/./z/../w?q=/../a" "$(seen t)"

# Host routes
send "Host admin.example gets its chain" 401 "$(get /x admin.example)"
send "Host Admin.EXAMPLE. too" 401 "$(get /x Admin.EXAMPLE.)"
send "Host admin.example.:8080 too" 401 "$(get /x admin.example.:8080)"
send "Host ADMIN.example:80 too" 401 "$(get /x ADMIN.example:80)"
forget
send "two Host headers" 400 'GET /x HTTP/1.1\r\nHost: a\r\nHost: admin.example\r\nConnection: close\r\n\r\n'
send "the same Host twice" 400 'GET /x HTTP/1.1\r\nHost: a\r\nHost: a\r\nConnection: close\r\n\r\n'
send "HTTP/1.1 without Host" 400 'GET /x HTTP/1.1\r\nConnection: close\r\n\r\n'
send "an empty Host" 400 'GET /x HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n'
send "a Host with a slash" 400 'GET /x HTTP/1.1\r\nHost: a/b\r\nConnection: close\r\n\r\n'
send "a Host with a space" 400 'GET /x HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'
send "a Host with .." 400 'GET /x HTTP/1.1\r\nHost: admin..example\r\nConnection: close\r\n\r\n'
# bytes outside a reg-name: an app's URL parser (WHATWG, Python, Go) reads these hosts as
# admin.example while the route saw another (nginx passes them)
for h in 'x@admin.example' 'admin.example#x' 'admin.example?x' 'x@admin.example:80' 'adm%69n.example' \
    'x\xef\xbd\x81dmin.example' 'admin.example<' '"admin.example"' 'admin|example' 'admin^example'; do
    send "Host [$h]" 400 "$(get /x "$h")"
done
# IPv6 literals: an address in brackets (a client that reaches the server by its address)
for h in '[::1]' '[::1]:8080'; do
    send "Host $h routes by the literal" 401 "$(get /x "$h")"
done
send "absolute-form with an IPv6 literal" 401 'GET http://[::1]:81/x HTTP/1.1\r\nHost: [::1]:81\r\nConnection: close\r\n\r\n'
for h in '[a]' '[1]' '[::1' '[::1]x' '[::1]:8x' '[v1.x]' '[]' '[::1%eth0]'; do
    send "Host $h (no IPv6 literal)" 400 "$(get /x "$h")"
done
send "absolute-form, Host contradicting it" 400 'GET http://admin.example/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
send "absolute-form, no Host" 400 'GET http://a/x HTTP/1.1\r\nConnection: close\r\n\r\n'
send "asterisk-form" 400 'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
send "a target that is no path" 400 'GET x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "the app saw none of them" "" "$(seen t)"
send "absolute-form routes by its host" 401 'GET http://admin.example/x HTTP/1.1\r\nHost: admin.example\r\nConnection: close\r\n\r\n'
send "absolute-form routes by its path" 401 'GET http://a/api/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
send "absolute-form, its path normalised" 401 'GET http://a/x/../%61pi/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
send "absolute-form, host in another case with a port" 401 \
    'GET http://Admin.Example:80/x HTTP/1.1\r\nHost: admin.example\r\nConnection: close\r\n\r\n'
check "the app saw none of them" "" "$(seen t)"
send "absolute-form to the app" 200 'GET http://a/x?q=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
send "absolute-form without a path" 200 'GET http://a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "the app gets them in origin-form" "/x?q=1 /" "$(seen t | tr '\n' ' ' | sed 's/ $//')"
forget
# RFC 9112 §3.2.2: the target's authority replaces the Host line (here the same host with
# a port the line did not have, which routes alike), as the reference host does
send "absolute-form, Host without its port" 200 'GET http://a:8080/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "... the app gets the target's authority as Host" "/x a:8080" "$(seen t h:Host)"
forget
send "Host [2001:db8::1]:80 (another host, the default route)" 200 "$(get /x '[2001:db8::1]:80')"
send "a Host with sub-delims (a reg-name still)" 200 "$(get /x "a-b_c~d!e\$f&g'h(i)j*k+l,m;n=o")"
forget
send "HTTP/1.0 without Host is served" 200 'GET /x HTTP/1.0\r\nConnection: close\r\n\r\n'
# the app speaks HTTP/1.1, where a request without Host is a 400 (nginx's own upstream
# answered this one so): it gets the upstream's authority, as nginx sends its $proxy_host
check "... by the app, with a Host: the upstream's" "/x 127.0.0.1:$rec_PORT" "$(seen t h:Host)"
forget
# the app's own Date goes as it came, and no second one with it
check "an app's answer keeps its one Date" 1 "$(curl -si http://127.0.0.1:$PORT/x | grep -ci '^date: ')"
forget
# What proxies say about a request (X-Forwarded-*, Forwarded, X-Real-IP and kin) is
# believed from a trusted proxy only: from anyone else it is gone before routes and
# guests, and the app gets X-Forwarded-For as the client's address and X-Forwarded-Proto
# http (a client's X-Forwarded-Host reached an app that trusts hwasmd's X-Forwarded-*,
# and guests read a client's X-Forwarded-Proto: https).
FWD='X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nx-forwarded-prefix: /admin\r\nForwarded: for=6.6.6.6;proto=https\r\nX-Real-IP: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\nX-Original-URL: /admin\r\n'
FIELDS="h:X-Forwarded-For h:X-Forwarded-Proto h:X-Forwarded-Host h:X-Forwarded-Prefix h:Forwarded h:X-Real-IP h:True-Client-IP h:X-Original-URL"
for trust in no yes; do
    {
        printf 'listen: 127.0.0.1:0\nupstream: http://127.0.0.1:%s\nworkers: 1\n' "$rec_PORT"
        [ $trust = yes ] && printf 'trusted_proxies: [10.0.0.0/8, 127.0.0.0/8, "::1"]\n'
        printf 'routes:\n  - {prefix: /}\n  - {prefix: /echo, upstream: "builtin:echo"}\n'
    } >"$T/fw-$trust.yaml"
    start "fw$trust" "$T/fw-$trust.yaml"
    forget
    send "forwarding fields from a client, trusted_proxies $trust" 200 "GET /x HTTP/1.1\r\nHost: a\r\n${FWD}Connection: close\r\n\r\n"
    ECHO=$(python3 - "$PORT" "$FWD" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("GET /echo HTTP/1.1\r\nHost: a\r\n" + sys.argv[2].encode().decode("unicode_escape") + "Connection: close\r\n\r\n").encode())
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
print(out.decode(errors="replace").lower().count("evil"))
PY
)
    if [ $trust = no ]; then
        check "... gone, the app gets the client's address and http" "127.0.0.1 http - - - - - -" "$(seen $FIELDS)"
        check "... and guests never see them (the chain's end)" 0 "$ECHO"
    else
        check "... kept, the proxies' X-Forwarded-For as one list, the client last" \
            "1.1.1.1, 2.2.2.2, 127.0.0.1 https evil /admin for=6.6.6.6;proto=https 6.6.6.6 6.6.6.6 /admin" "$(seen $FIELDS)"
        check "... and guests see them" 1 "$ECHO"
    fi
done
# A dual-stack listener ([::]) sees an IPv4 client as ::ffff:a.b.c.d: the app's
# X-Forwarded-For, the access log and the guests' get_source_addr said so ("::ffff:127.0.0.1",
# "[::ffff:127.0.0.1]:PORT"), and an app matching it against IPv4 addresses or networks
# never matched. It is the IPv4 address (as trusted_proxies already matched it; nginx 1.22
# and HAProxy 2.6 write ::ffff:a.b.c.d on such a socket); an IPv6 client stays IPv6.
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
    cat >"$T/ds.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$rec_PORT
workers: 1
access_log: $T/ds.jsonl
middleware:
  - {name: tck, module: $(pinned $GUESTS/tck.so)}
routes:
  - {prefix: /}
  - {prefix: /tck, chain: [tck], upstream: "builtin:tck"}
Y
    start ds "$T/ds.yaml" "[::]:0"
    forget
    curl -s -o /dev/null "http://127.0.0.1:$PORT/x"
    curl -s -o /dev/null -g "http://[::1]:$PORT/x"
    check "dual-stack listener: X-Forwarded-For names an IPv4 client as IPv4, an IPv6 one as IPv6" "127.0.0.1|::1" \
        "$(seen h:X-Forwarded-For | tr '\n' '|' | sed 's/|$//')"
    check "... and the access log" "127.0.0.1:PORT|[::1]:PORT" \
        "$(sed -n 's/.*"remote":"\([^"]*\):[0-9]*".*/\1:PORT/p' "$T/ds.jsonl" | tr '\n' '|' | sed 's/|$//')"
    curl -s -o /dev/null -D "$T/tck.h" -H 'x-httpwasm-tck-testid: get_source_addr' "http://127.0.0.1:$PORT/tck"
    check "... and a guest's get_source_addr (the TCK's case wants 127.0.0.1:PORT)" "HTTP/1.1 200 OK" \
        "$(grep -i -e '^HTTP/' -e '^x-httpwasm-tck-failed' "$T/tck.h" | tr -d '\r' | tr '\n' ' ' | sed 's/ $//')"
else
    echo "skip: no IPv6 loopback for the dual-stack listener"
fi
forget
send "HTTP/1.0 absolute-form without Host" 200 'GET http://Example.com:81/x HTTP/1.0\r\n\r\n'
check "... its authority is the Host (RFC 9112 §3.2.2)" "/x Example.com:81" "$(seen t h:Host)"

# forward_normalized_path: the app (and the guests) get the path routing used
cat >"$T/n.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$rec_PORT
workers: 1
forward_normalized_path: true
routes:
  - {prefix: /}
Y
start n "$T/n.yaml"
forget
send "forward_normalized_path: served" 200 "$(get '/x//y/./z/../%61?q=/../a')"
check "forward_normalized_path: the app gets the normalised path, the query as is" "/x/y/a?q=/../a" "$(seen t)"

# route prefixes are normalised as requests' paths are; one no request could match is an error
cat >"$T/p.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$rec_PORT
middleware:
  - {name: auth, module: $GUESTS/auth.wasm}
routes:
  - {prefix: /}
  - {prefix: "//%61dmin/./", chain: [auth]}
Y
start p "$T/p.yaml"
send "a prefix written //%61dmin/./ guards /admin/" 401 "$(get /admin/x)"
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nroutes:\n  - {prefix: /a%%2Fb}\n' >"$T/bad.yaml"
"$HWASMD" --check "$T/bad.yaml" >/dev/null 2>"$T/bad.err"
check "a prefix with an encoded / is a configuration error" "2 hwasmd: $T/bad.yaml:4: prefix: not a path" \
    "$? $(cut -d'(' -f1 "$T/bad.err" | sed 's/ $//')"

# encoded_slashes: keep (the RabbitMQ management API names vhost / as %2F, GitLab a project
# group%2Fproject): a path with %2F reaches the app as sent, %2F a byte of its segment for
# routing, but only on a route that keeps them and that the path chooses read either way
# (%2F a byte, %2F a '/'): else 400, so an app that decodes %2F first never reaches a route
# past its chain. Without the key (the guarded hwasmd above), %2F is 400 everywhere.
start_guarded r
forget
send "by default /api/queues/%2F/q is refused" 400 "$(get /api/queues/%2F/q)"
check "... and the app never saw it" "" "$(seen t)"
cat >"$T/s.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$rec_PORT
workers: 1
access_log: $T/s.jsonl
encoded_slashes: keep
middleware:
  - {name: auth, module: $GUESTS/auth.wasm}
routes:
  - {prefix: /}
  - {prefix: /api/queues/}
  - {prefix: /api/admin, chain: [auth]}
  - {prefix: /r/, encoded_slashes: reject}
Y
start s "$T/s.yaml"
forget
send "keep: /api/queues/%2F/q is served" 200 "$(get '/api/queues/%2F/q')"
send "keep: /api/queues/%2f/q?v=%2F too" 200 "$(get '/api/queues/%2f/q?v=%2F')"
send "keep: /x%2Fy (either reading routes to /)" 200 "$(get '/x%2Fy')"
check "... the app gets them byte-identical" "/api/queues/%2F/q /api/queues/%2f/q?v=%2F /x%2Fy" \
    "$(seen t | tr '\n' ' ' | sed 's/ $//')"
check "... on the route their path names" "/api/queues/ /api/queues/ /" \
    "$(sed -n 's/.*"route":"\([^"]*\)".*/\1/p' "$T/s.jsonl" | tr '\n' ' ' | sed 's/ $//')"
forget
# /api%2Fadmin is one segment to the routes (route /), /api/admin to an app that decodes
# %2F: the two readings choose different routes, so it is refused, never routed past auth;
# so is a %2F that makes a dot segment when decoded (/api%2Fadmin%2F.. chose / both
# ways, and reached an app that decodes %2F but resolves no dot segments as /api/admin/..)
for p in /api%2Fadmin /api%2fadmin/x /api%2Fadmin%2Fx /api/queues/..%2Fadmin /api/queues%2F..%2Fadmin \
    /api/queues/%2F..%2F..%2Fadmin /x%2F..%2Fapi%2Fadmin /r/a%2Fb /x%2F..%2F..%2Fy \
    /a%2F%00 /a%00b /%2e%2e/x /x/../../y /api%2Fadmin%2F.. /x%2F.%2Fy /x%2F..; do
    send "keep: $p is refused" 400 "$(get "$p")"
done
check "... and the app saw none of them" "" "$(seen t)"
send "keep: /api/admin/x still needs auth" 401 "$(get /api/admin/x)"
send "keep: /api/admin%2Fx (/api/admin's either way) gets its chain" 401 "$(get /api/admin%2Fx)"
send "keep: so does /x/%2e%2e/api/admin/x (%2e%2e is still ..)" 401 "$(get /x/%2e%2e/api/admin/x)"
send "keep: and /%61pi/admin" 401 "$(get /%61pi/admin)"
send "keep: /r/a (a route that rejects them) is served" 200 "$(get /r/a)"
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nencoded_slashes: decode\nroutes:\n  - {prefix: /}\n' >"$T/bad.yaml"
"$HWASMD" --check "$T/bad.yaml" >/dev/null 2>"$T/bad.err"
check "encoded_slashes takes reject or keep" "2 hwasmd: $T/bad.yaml:3: encoded_slashes: expected reject or keep" \
    "$? $(cat "$T/bad.err")"
finish
