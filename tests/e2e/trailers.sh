# trailers.sh — trailers both ways (http-wasm feature 4, issue 11 §1): a raw client sends
# chunked requests with trailers, a python app answers chunked with trailers. Guests that
# enable feature 4 see both kinds and change them; the app gets request trailers as
# trailers (a chunked request), the client gets response trailers as trailers (a chunked
# answer, HTTP/1.1 only); fields that must not be trailers (RFC 9110 §6.5.1) are never
# forwarded; trailers a guest of the chain could not see are dropped; no trailer ever
# becomes a header, of its own request or of the next one on the connection.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }

# The app: every request becomes one JSON line in $T/seen (target, headers, trailers,
# body, read the chunked way when so framed). It answers "app body" chunked with trailers,
# some forbidden; on .../cl with a Content-Length instead; on .../stream its head first,
# the rest 0.3 s later (so hwasmd streams it).
export SEEN=$T/seen
: >"$SEEN"
app tr <<'PY'
def body_and_trailers(self):
    if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n), []
    body, tr = b"", []
    while True:
        n = int(self.rfile.readline().strip(), 16)
        if n == 0:
            break
        body += self.rfile.read(n)
        assert self.rfile.readline() == b"\r\n"
    while True:
        line = self.rfile.readline()
        if line in (b"\r\n", b""):
            break
        k, v = line.decode("latin1").rstrip("\r\n").split(":", 1)
        tr.append([k, v.strip()])
    return body, tr
def serve(self):
    import json, os
    body, tr = self.body_and_trailers()
    with open(os.environ["SEEN"], "a") as f:
        f.write(json.dumps({"t": self.path, "h": list(self.headers.items()), "tr": tr, "b": body.decode("latin1")}) + "\n")
    out = b"app body"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
    if self.path.endswith("/cl"):
        self.wfile.write(head + b"Content-Length: %d\r\n\r\n" % len(out) + out)
        return
    head += b"Trailer: X-App-Trailer\r\nTransfer-Encoding: chunked\r\n\r\n"
    rest = (b"%x\r\n" % len(out) + out + b"\r\n0\r\nX-App-Trailer: a1\r\nX-Drop-Resp: d\r\nSet-Cookie: evil=1\r\n"
            b"Content-Length: 99\r\nHost: evil\r\nAuthorization: Basic eA==\r\nContent-Type: text/evil\r\n"
            b"\r\n")
    if self.path.endswith("/stream"):
        self.wfile.write(head); self.wfile.flush(); time.sleep(0.3); self.wfile.write(rest)
    else:
        self.wfile.write(head + rest)
do_GET = do_POST = serve
PY

# client.py PORT BYTES: sends BYTES (Python escapes) on one connection, reads until the
# server closes, prints each answer as a JSON line: status line, headers, chunked or not,
# body, trailers.
cat >"$T/client.py" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode("latin1").decode("unicode_escape").encode("latin1"))
s.settimeout(5)
buf = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    pass
def fields(block):
    return [l.decode("latin1").split(": ", 1) for l in block.split(b"\r\n") if l]
while buf:
    head, _, buf = buf.partition(b"\r\n\r\n")
    status, _, rest = head.partition(b"\r\n")
    h = fields(rest)
    get = lambda n: [v for k, v in h if k.lower() == n]
    chunked, body, tr = get("transfer-encoding") == ["chunked"], b"", []
    if chunked:
        while True:
            size, _, buf = buf.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                block, _, buf = buf.partition(b"\r\n\r\n") if not buf.startswith(b"\r\n") else (b"", b"", buf[2:])
                tr = fields(block)
                break
            body, buf = body + buf[:n], buf[n + 2:]
    elif get("content-length"):
        n = int(get("content-length")[0])
        body, buf = buf[:n], buf[n:]
    else:
        body, buf = buf, b""
    print(json.dumps({"s": status.decode(), "h": h, "chunked": chunked, "b": body.decode("latin1"), "tr": tr}))
PY
# q FILE EXPR: EXPR evaluated over the JSON lines of FILE (a list L); h(r, name) and
# t(r, name) give a record's header or trailer values joined by '|', or "-"; names(fields)
# the sorted names.
q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
L = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def pick(fs, n):
    v = [b for a, b in fs if a.lower() == n.lower()]
    return "|".join(v) if v else "-"
h = lambda r, n: pick(r["h"], n)
t = lambda r, n: pick(r["tr"], n)
names = lambda fs: ",".join(sorted(a.lower() for a, _ in fs)) or "-"
print(eval(sys.argv[2]))
PY
}
ask() { python3 "$T/client.py" "$PORT" "$1" >"$T/answers"; }

cat >"$T/t.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$tr_PORT
workers: 1
middleware:
  - {name: wasi, module: $GUESTS/wasi_exchange.wasm}
  - {name: add, module: $GUESTS/trailers.wasm}
  - {name: blind, module: $GUESTS/noop.wasm}
routes:
  - {prefix: /g, chain: [wasi, add]}
  - {prefix: /blind, chain: [blind]}
  - {prefix: /plain}
Y
start t "$T/t.yaml"
TR='X-Client: c1\r\nX-Drop-Req: d\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nHost: evil\r\nContent-Length: 5\r\nCookie: evil=1\r\nX-Forwarded-For: 6.6.6.6\r\n'
# REQ PATH: a chunked POST of "hello" with the trailers TR
REQ() { printf 'POST %s HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n%s\\r\\n' "$1" "$TR"; }
LAST='GET /g/next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'

# a chain of two guests with feature 4: wasi prints, trailers.wasm adds/rewrites/removes
ask "$(REQ /g/x)$LAST"
check "two answers on the connection" "HTTP/1.1 200 OK|HTTP/1.1 200 OK" "$(q "$T/answers" '"|".join(r["s"] for r in L)')"
check "the guest was granted trailers (3|4 = 6)" "6" "$(q "$T/answers" 'h(L[0], "x-features")')"
check "the app got the request trailers as trailers: the client's allowed ones, the guest's added" \
    "x-client,x-guest-req" "$(q "$SEEN" 'names(L[0]["tr"])')"
check "... their values" "c1 1" "$(q "$SEEN" 't(L[0], "x-client") + " " + t(L[0], "x-guest-req")')"
check "... framed chunked, the body whole" "chunked hello" "$(q "$SEEN" 'h(L[0], "transfer-encoding") + " " + L[0]["b"]')"
check "... no trailer became a header" "- - - - a -" \
    "$(q "$SEEN" '" ".join(h(L[0], n) for n in ["x-client", "x-guest-req", "x-drop-req", "authorization", "host", "cookie"])')"
check "... nor a header or trailer of the next pipelined request (which has the guest's own)" "/g/next - - - - a chunked x-guest-req" \
    "$(q "$SEEN" 'L[1]["t"] + " " + " ".join(h(L[1], n) for n in ["x-client", "x-guest-req", "authorization", "cookie", "host", "transfer-encoding"]) + " " + names(L[1]["tr"])')"
check "the client got the response trailers as trailers, chunked" "True x-app-trailer,x-guest-resp" \
    "$(q "$T/answers" 'str(L[0]["chunked"]) + " " + names(L[0]["tr"])')"
check "... the app's rewritten by the guest, the guest's added" "rewritten 1 app body" \
    "$(q "$T/answers" 't(L[0], "x-app-trailer") + " " + t(L[0], "x-guest-resp") + " " + L[0]["b"]')"
check "... none as a header; the answer's Content-Type is the app's header" "- - - text/plain" \
    "$(q "$T/answers" '" ".join(h(L[0], n) for n in ["x-app-trailer", "x-guest-resp", "set-cookie", "content-type"])')"
sleep 0.3
GOT=$(sed -n 's/^hwasmd: [^ ]* \[wasi\] info: \{0,1\}//p' "$T/t.err")
contains "the guest saw the request trailers as the client sent them (kind 2)" "hello
authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==
content-length: 5
cookie: evil=1
host: evil
x-client: c1
x-drop-req: d
x-forwarded-for: 6.6.6.6

HTTP/1.1 200" "$GOT"
contains "the guest saw the framing the app gets: the gathered length, no Transfer-Encoding" "POST /g/x HTTP/1.1
content-length: 5
host: a

hello" "$GOT"
contains "the guest saw the app's Trailer header" "trailer: X-App-Trailer" "$GOT"
contains "the guest saw the response trailers, the other guest's changes included (kind 3)" "app body
authorization: Basic eA==
content-length: 99
content-type: text/evil
host: evil
set-cookie: evil=1
x-app-trailer: rewritten
x-guest-resp: 1" "$GOT"

# the app answers with a Content-Length: a guest's trailer makes the answer chunked
: >"$SEEN"
ask 'GET /g/cl HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "a Content-Length answer with a guest's trailer goes chunked" "True x-guest-resp app body -" \
    "$(q "$T/answers" 'str(L[0]["chunked"]) + " " + names(L[0]["tr"]) + " " + L[0]["b"] + " " + h(L[0], "content-length")')"
check "a bodyless GET with a guest's request trailer reaches the app chunked" "chunked x-guest-req" \
    "$(q "$SEEN" 'h(L[0], "transfer-encoding") + " " + names(L[0]["tr"])')"

# HTTP/1.0 clients get no trailers (and no chunked answer)
ask 'GET /g/x HTTP/1.0\r\nHost: a\r\n\r\n'
check "HTTP/1.0 client: a Content-Length answer, no trailers" "HTTP/1.1 200 OK False 8 - app body" \
    "$(q "$T/answers" 'L[0]["s"] + " " + str(L[0]["chunked"]) + " " + h(L[0], "content-length") + " " + names(L[0]["tr"]) + " " + L[0]["b"]')"
ask 'GET /plain/stream HTTP/1.0\r\nHost: a\r\n\r\n'
check "HTTP/1.0 client, streamed answer: until close, no trailers" "False - - app body" \
    "$(q "$T/answers" 'str(L[0]["chunked"]) + " " + h(L[0], "content-length") + " " + names(L[0]["tr"]) + " " + L[0]["b"]')"

# no guest: trailers cross, filtered, gathered answer and streamed one
: >"$SEEN"
ask "$(REQ /plain/x)$(REQ /plain/stream)"'GET /plain/last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "no guest: the app gets the allowed request trailers (none removed them)" "x-client,x-drop-req x-client,x-drop-req -" \
    "$(q "$SEEN" '" ".join(names(r["tr"]) for r in L)')"
check "no guest: the client gets the allowed response trailers, whole and streamed" \
    "x-app-trailer,x-drop-resp x-app-trailer,x-drop-resp" "$(q "$T/answers" 'names(L[0]["tr"]) + " " + names(L[1]["tr"])')"
check "... values as the app sent them" "a1 a1 app body app body" \
    "$(q "$T/answers" 't(L[0], "x-app-trailer") + " " + t(L[1], "x-app-trailer") + " " + L[0]["b"] + " " + L[1]["b"]')"
check "... none a header, of any request" "- - - - - -" \
    "$(q "$SEEN" '" ".join(h(r, "x-client") + " " + h(r, "x-drop-req") for r in L)')"

# llhttp refuses a Transfer-Encoding trailer (the framing it would change is over)
ask 'POST /plain/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nTransfer-Encoding: gzip\r\n\r\n'
check "a Transfer-Encoding trailer: 400" "HTTP/1.1 400 Bad Request" "$(q "$T/answers" 'L[0]["s"]')"

# a guest that did not enable trailers: they never pass it
: >"$SEEN"
ask "$(REQ /blind/x)$(REQ /blind/stream)"'GET /blind/last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "a guest without feature 4: the app gets no trailers, a Content-Length body" "- 5 hello|- 5 hello|- - -" \
    "$(q "$SEEN" '"|".join(names(r["tr"]) + " " + h(r, "content-length") + " " + (r["b"] or "-") for r in L)')"
check "... the client none either" "- - -" "$(q "$T/answers" '" ".join(names(r["tr"]) for r in L)')"
check "... and no trailer became a header" "- - - - - -" \
    "$(q "$SEEN" '" ".join(h(r, "x-client") + " " + h(r, "authorization") for r in L)')"
finish
