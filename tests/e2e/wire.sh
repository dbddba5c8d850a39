# wire.sh — shared by routing.sh and framing.sh (after lib.sh): a raw client that sends
# bytes exactly as written, in pieces if asked, and reports the status of every answer; an
# app that records every request it gets, so a test can say what the app saw and what it
# never saw; start_guarded, the hwasmd both test through.
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }

cat >"$T/client.py" <<'PY'
import os, re, socket, sys, time
# client.py PORT PIECE... : each PIECE (Python escapes: \r \n \x00) is sent on one
# connection, 0.2 s apart (so hwasmd reads them separately); prints the status of every
# answer in order, space-separated ("-" when none), once the server closes or goes quiet.
port, pieces = int(sys.argv[1]), sys.argv[2:]
wait = 1.5 * float(os.environ.get("HWASM_E2E_SLOWDOWN", "1"))
s = socket.create_connection(("127.0.0.1", port))
for i, p in enumerate(pieces):
    if i:
        time.sleep(0.2)
    try:
        s.sendall(p.encode("latin1").decode("unicode_escape").encode("latin1"))
    except OSError:
        break
s.settimeout(wait)
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except (socket.timeout, ConnectionResetError):
    pass
codes = re.findall(rb"^HTTP/1\.[01] (\d\d\d) ", out, re.M)
print(" ".join(c.decode() for c in codes) or "-")
PY

# send WHAT EXPECTED PIECE...: the answers' statuses on one connection must be EXPECTED.
send() {
    local what=$1 want=$2
    shift 2
    check "$what" "$want" "$(python3 "$T/client.py" "$PORT" "$@")"
}

# The app: every request it gets becomes one JSON line in $T/seen (method, target as
# received, headers in order, body, trailers of a chunked body apart); it answers 200
# "app\n".
: >"$T/seen"
app rec <<PY
def record(self):
    import json
    tr = []
    if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = b""
        while True:
            n = int(self.rfile.readline().strip(), 16)
            if n == 0:
                break
            body += self.rfile.read(n)
            self.rfile.readline()
        while True:
            line = self.rfile.readline()
            if line in (b"\r\n", b""):
                break
            tr.append(line.decode("latin1").rstrip("\r\n").split(":", 1)[0])
        body = body.decode("latin1")
    else:
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("latin1") if n else ""
    with open("$T/seen", "a") as f:
        f.write(json.dumps({"m": self.command, "t": self.path, "h": list(self.headers.items()), "b": body, "tr": tr}) + "\n")
    self.send_response(200); self.send_header("Content-Length", "4"); self.end_headers(); self.wfile.write(b"app\n")
do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = record
for _m in ("BAN", "QUERY", "FOO", "GETX", "DESCRIBE", "VERSION-CONTROL", "M_X", "A"):
    locals()["do_" + _m] = record
PY

# seen FIELD...: what the app saw, one line per request: the fields asked for (m, t, b, tr
# (trailer names joined by ','), or h:NAME for that header's values joined by '|'; "-" when
# absent or empty), space-separated.
seen() {
    python3 - "$T/seen" "$@" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    out = []
    for f in sys.argv[2:]:
        if f.startswith("h:"):
            v = [b for a, b in r["h"] if a.lower() == f[2:].lower()]
            out.append("|".join(v) if v else "-")
        elif f == "tr":
            out.append(",".join(r["tr"]) or "-")
        else:
            out.append(r[f] or "-")
    print(" ".join(out))
PY
}
forget() { : >"$T/seen"; }

# start_guarded NAME [ROUTE_LINE]: hwasmd (one worker) in front of the recording app, with
# the auth guest guarding /api (and whatever ROUTE_LINE adds); NAME as for start.
start_guarded() {
    cat >"$T/$1.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$rec_PORT
workers: 1
limits: {header_bytes: 16384} # the sizes below are against it
middleware:
  - {name: auth, module: $GUESTS/auth.wasm}
routes:
  - {prefix: /}
  - {prefix: /api, chain: [auth]}
${2:-}
Y
    start "$1" "$T/$1.yaml"
}
