# http_wasm_examples.sh — the scenarios of the upstream hosts' example tests
# (http-wasm-host-go's handler/nethttp/example_test.go and TestConfig) through hwasmd, with
# our own guests reproducing the upstream example guests: auth, config with binary feature
# flags (8 little-endian bytes, NULs inside: as !!binary and as "\0" escapes), log, redact,
# router and wasi (the whole exchange printed, trailers included: hwasmd grants feature 4).
# A guest whose start fails says which middleware and what config length it got.
. "$(dirname "$0")/lib.sh"
app json <<'P'
def do_POST(self):
    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
    out = b'{"hello": "world"}' if body == b'{"hello": "panda"}' else b"request body lost: " + body
    self.send_response(200 if out.startswith(b"{") else 400)
    self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(out))); self.end_headers()
    self.wfile.write(out)
def do_GET(self):
    out = b'{"hello": "world"}'
    self.send_response(200); self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
P
app path <<'P'
def do_GET(self):
    out = self.path.encode()
    self.send_response(200); self.send_header("Content-Type", "text/plain"); self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
P
export BODY_LOG=$T/received
app body <<'P'
def do_POST(self):
    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
    open(__import__("os").environ["BODY_LOG"], "ab").write(body + b"\n")
    out = self.headers.get("x-answer", "").encode()
    self.send_response(200); self.send_header("Content-Type", "text/plain"); self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
P
app wasi <<'P'
def do_POST(self):
    self.rfile.read(int(self.headers.get("Content-Length", 0)))
    out = b'{"hello": "world"}'
    self.send_response_only(200)
    self.send_header("Content-Type", "application/json")
    self.send_header("Set-Cookie", "a=b"); self.send_header("Set-Cookie", "c=d")
    self.send_header("Date", "Tue, 15 Nov 1994 08:12:31 GMT")
    self.send_header("Trailer", "grpc-status"); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
    self.wfile.write(b"%x\r\n%s\r\n0\r\ngrpc-status: 1\r\n\r\n" % (len(out), out))
P
cat >"$T/h.yaml" <<Y
listen: 127.0.0.1:0
middleware:
  - {name: auth, module: $GUESTS/auth.wasm}
  - {name: flags0, module: $GUESTS/binflags.wasm, config: !!binary AAAAAAAAAAA=}
  - {name: flags1, module: $GUESTS/binflags.wasm, config: "\x01\0\0\0\0\0\0\0"}
  - {name: flags2, module: $GUESTS/binflags.wasm, config: !!binary AgAAAAAAAAA=}
  - {name: flags3, module: $GUESTS/binflags.wasm, config: !!binary AwAAAAAAAAA=}
  - {name: flags7, module: $GUESTS/binflags.wasm, config: !!binary BwAAAAAAAAA=}
  - {name: log, module: $GUESTS/log.wasm}
  - {name: redact, module: $GUESTS/redact.wasm, config: open sesame}
  - {name: router, module: $GUESTS/router.wasm}
  - {name: wasi, module: $GUESTS/wasi_exchange.wasm}
routes:
  - {prefix: /, host: auth, chain: [auth], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: flags0, chain: [flags0], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: flags1, chain: [flags1], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: flags2, chain: [flags2], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: flags3, chain: [flags3], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: flags7, chain: [flags7], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: log, chain: [log], upstream: "http://127.0.0.1:$json_PORT"}
  - {prefix: /, host: redact, chain: [redact], upstream: "http://127.0.0.1:$body_PORT"}
  - {prefix: /, host: router, chain: [router], upstream: "http://127.0.0.1:$path_PORT"}
  - {prefix: /, host: localhost, chain: [wasi], upstream: "http://127.0.0.1:$wasi_PORT"}
  - {prefix: /, host: wasi-length, chain: [wasi], upstream: "http://127.0.0.1:$json_PORT"}
Y
start h "$T/h.yaml"
U=http://127.0.0.1:$PORT

# Example_auth
OUT=$(curl -s -D - -o /dev/null -H 'Host: auth' -H 'NotAuthorization: 1' $U/ | tr -d '\r')
contains "auth: no Authorization: 401" "HTTP/1.1 401" "$OUT"
contains "auth: ... with Www-Authenticate" 'WWW-Authenticate: Basic realm="test"' "$OUT"
check "auth: empty Authorization: 401" 401 "$(code -H 'Host: auth' -H 'Authorization;' $U/)"
check "auth: the right one: 200" 200 "$(code -H 'Host: auth' -H 'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' $U/)"
check "auth: a wrong one: 401" 401 "$(code -H 'Host: auth' -H 'Authorization: 0' $U/)"

# TestConfig: 8 bytes of little-endian feature flags reach get_config whole
for f in 0 1 2 3 7; do
    OUT=$(curl -s -D - -H "Host: flags$f" -H 'Content-Type: application/json' --data-binary '{"hello": "panda"}' $U/ | tr -d '\r')
    contains "config flags $f: the app gets the request body, the client its answer" '{"hello": "world"}' "$OUT"
    want=$f
    contains "config flags $f: enable_features granted $want" "x-features: $want" "$OUT"
done
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - {name: trailers, module: %s, config: !!binary BAAAAAAAAAA=}\nroutes: [{prefix: /, chain: [trailers]}]\n' \
    "$GUESTS/binflags.wasm" >"$T/t.yaml"
OUT=$("$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" "$T/t.yaml" 2>&1); RC=$?
check "config flags 4 (trailers alone): granted, the guest starts" 0 "$RC"
sed -i 's/!!binary BAAAAAAAAAA=/"\\x01\\0\\0"/' "$T/t.yaml"
OUT=$("$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" "$T/t.yaml" 2>&1); RC=$?
check "a config of the wrong length: the guest's start fails: exit 2" 2 "$RC"
contains "... naming the middleware and its line" "$T/t.yaml:4: middleware trailers:" "$OUT"
contains "... and the config length" "(guest config: 3 bytes)" "$OUT"

# Example_log
curl -s -o /dev/null -H 'Host: log' $U/
sleep 0.2
check "log: 'hello world' with time and level" 1 \
    "$(grep -cE '^hwasmd: 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z \[log\] info: hello world$' "$T/h.err")"

# Example_redact
for b in "open sesame" "hello world" "hello open sesame world"; do
    OUT=$(curl -s -H 'Host: redact' -H "x-answer: $b" --data-binary "$b" $U/)
    check "redact: the answer to [$b]" "$(echo "$b" | sed 's/open sesame/###########/')" "$OUT"
done
check "redact: what the app received" "###########|hello world|hello ########### world" "$(paste -sd'|' "$T/received")"

# Example_router
check "router: /" "hello world" "$(curl -s -H 'Host: router' $U/)"
check "router: /nothosst" "hello world" "$(curl -s -H 'Host: router' $U/nothosst)"
check "router: /host/a" "/a" "$(curl -s -H 'Host: router' $U/host/a)"

# Example_wasi: the whole exchange, printed by the guest through WASI stdout
OUT=$(curl -s -D - -o /dev/null -H 'Host: localhost' -H 'Content-Type: application/json' -H 'User-Agent: Go-http-client/1.1' \
    -H 'Accept:' -H 'Accept-Encoding: gzip' --data-binary '{"hello": "panda"}' $U/ | tr -d '\r')
contains "wasi: the client gets the app's trailer, after a chunked body" "grpc-status: 1" "$OUT"
sleep 0.2
GOT=$(sed -n 's/^hwasmd: [^ ]* \[wasi\] info: \{0,1\}//p' "$T/h.err")
# upstream's expected output, but for its "transfer-encoding: chunked" line: hwasmd frames
# the answer itself, so guests never see the app's Transfer-Encoding
WANT='POST / HTTP/1.1
accept-encoding: gzip
content-length: 18
content-type: application/json
host: localhost
user-agent: Go-http-client/1.1

{"hello": "panda"}

HTTP/1.1 200
content-type: application/json
date: Tue, 15 Nov 1994 08:12:31 GMT
set-cookie: a=b
set-cookie: c=d
trailer: grpc-status

{"hello": "world"}
grpc-status: 1'
check "wasi: the exchange as the guest printed it" "$WANT" "$GOT"

# an answer with a length: guests see the app's Content-Length among its headers, as the
# reference host shows it (a published guest sizes or gates on it); the client gets it too
: >"$T/h.err"
OUT=$(curl -s -D - -H 'Host: wasi-length' --data-binary '{"hello": "panda"}' $U/ | tr -d '\r')
contains "wasi, app answer with a length: the client gets the length" "Content-Length: 18" "$OUT"
sleep 0.2
GOT=$(sed -n 's/^hwasmd: [^ ]* \[wasi\] info: \{0,1\}//p' "$T/h.err" | sed -n '/^HTTP\/1.1 200/,$p')
contains "... and the guest sees it among the answer's headers" "content-length: 18" "$GOT"
finish
