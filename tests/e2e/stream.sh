# stream.sh — an app's body streams through hwasmd while it is still arriving (chunked to
# HTTP/1.1 clients, until close to HTTP/1.0 ones, a known length kept), unless a guest of the
# chain buffers the response (redact), which then sees and rewrites it whole (up to
# limits.upstream_body_bytes); a large body arrives intact, also to a client reading slowly.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
app app <<'PY'
BIG = bytes(range(256)) * (8 << 12)  # 8 MiB
def do_POST(self):  # what the rewrite guest makes of every request, HEAD too
    self.rfile.read(int(self.headers.get("Content-Length", 0)))
    self.do_GET()
def do_GET(self):
    self.send_response(200)
    if self.path.endswith("/big"):
        self.send_header("Content-Length", str(len(self.BIG))); self.end_headers(); self.wfile.write(self.BIG)
        return
    # /drip: a first chunk now, the secret part a second later
    self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
    for part in (b"part1 ", b"secret part2\n"):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part)); self.wfile.flush(); time.sleep(1)
    self.wfile.write(b"0\r\n\r\n")
PY
cat >"$T/s.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$app_PORT
limits: {upstream_body_bytes: 1048576}
middleware:
  - {name: headers, module: $GUESTS/headers.wasm}
  - {name: redact, module: $GUESTS/redact.wasm, config: secret}
  - {name: rewrite, module: $GUESTS/rewrite.wasm}
routes:
  - {prefix: /rewrite, chain: [rewrite]}
  - {prefix: /plain}
  - {prefix: /guest, chain: [headers]}
  - {prefix: /buffered, chain: [redact]}
Y
start s "$T/s.yaml"
U=http://127.0.0.1:$s_PORT
# first byte well before the app's last one (it sleeps 1 s between its two chunks)
early() { curl -s -o "$T/body" -D "$T/head" -w '%{time_starttransfer}' "$@" | awk '{print ($1 < 0.8 ? "early" : "late " $1)}'; }
check "streams: first byte early" early "$(early $U/plain/drip)"
check "streams: body whole" "part1 secret part2" "$(cat "$T/body")"
contains "streams: the app's status" "HTTP/1.1 200" "$(head -1 "$T/head")"
contains "streams: chunked to HTTP/1.1" "Transfer-Encoding: chunked" "$(cat "$T/head")"
check "HTTP/1.0 client: early, until close" early "$(early -0 $U/plain/drip)"
check "HTTP/1.0 client: body whole" "part1 secret part2" "$(cat "$T/body")"
contains "HTTP/1.0 client: connection closes" "Connection: close" "$(cat "$T/head")"
check "through a guest that leaves the body alone: early" early "$(early $U/guest/drip)"
contains "that guest's header set before next is kept" "x-resp: 1" "$(cat "$T/head")"
check "a buffering guest gets it whole" "late" "$(early $U/buffered/drip | cut -c1-4)"
check "and rewrites it" "part1 ###### part2" "$(cat "$T/body")"
SUM=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes(range(256)) * (8 << 12)).hexdigest())')
check "8 MiB body with its length" "$SUM 8388608" "$(curl -s $U/plain/big | sha256sum | cut -d' ' -f1) $(curl -s -o /dev/null -w '%{size_download}' $U/plain/big)"
check "gathered whole, over upstream_body_bytes: 502" 502 "$(code $U/buffered/big)"
# a guest that makes HEAD a body-carrying request (rewrite: POST to a path the app answers
# chunked; a method override: GET): the app's streamed body and last chunk went to the HEAD
# client after the head, and its next pipelined request got the app's bytes as its answer
for path in /rewrite/x; do
    OUT=$(python3 - "$PORT" "$path" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(5)
s.sendall(b"HEAD %s HTTP/1.1\r\nHost: a\r\n\r\nGET /plain/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % sys.argv[2].encode())
out = b""
try:
    while True:
        d = s.recv(1 << 16)
        if not d: break
        out += d
except socket.timeout: pass
head, _, rest = out.partition(b"\r\n\r\n")
print(rest[:9].decode("latin-1"))
PY
)
    check "HEAD made POST by a guest, the answer streamed: no body, the next answer follows the head" "HTTP/1.1 " "$OUT"
done
check "8 MiB to a slow reader (4 MB/s)" "$SUM" "$(curl -s --limit-rate 4M $U/plain/big | sha256sum | cut -d' ' -f1)"
finish
