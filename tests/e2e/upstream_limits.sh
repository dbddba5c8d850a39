# upstream_limits.sh — the app's answer cannot stall or bloat a worker (issue 10 §3): a head
# past limits.upstream_header_bytes / upstream_header_count answers 502 at once (40,000
# header lines froze a worker for seconds), raised limits are parsed in linear time, and an
# answer framed by closing the connection (HTTP/1.0 or 1.1, no length) reaches the client
# whole and correctly framed, streamed or gathered by a guest that rewrites it (redact), and
# an answer with no body by rule (1xx, 204, 304, to HEAD) has none whatever its head says:
# answered at once, and a body the app sends late is not read as the next request's answer.
# The answer is framed as strictly as a request (framing.sh): chunk data not followed by
# CRLF, an obs-fold, a NUL fail it (502, or a streamed answer cut), never reusing its
# connection; Transfer-Encoding wins over a Content-Length beside it (the connection not
# reused); a chunk may have several extensions; what the app's Connection names, and the
# hop-by-hop fields, never reach the client.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
# A raw app: every answer below is written byte by byte, then the connection closes.
app app <<'PY'
MIB = bytes(range(256)) * 4096  # 1 MiB
SMALL = (b"public secret " * 4300)[:60000]  # fits redact's 64 KiB buffer
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
FRAMING = {
    "notcrlf": CHUNKED + b"5\r\nhelloXX0\r\n\r\n",  # two bytes other than CRLF after the data
    "notcrlfbig": CHUNKED + b"20000\r\n" + MIB[:0x20000] + b"XX0\r\n\r\n",  # streamed first
    "overflow": CHUNKED + b"fffffffffffffffff\r\nhello\r\n0\r\n\r\n",
    "extlf": CHUNKED + b"5;a=1\nhello\r\n0\r\n\r\n",  # a bare LF ends the chunk line
    "twoext": CHUNKED + b"5;a=1;b=2\r\nhello\r\n0\r\n\r\n",
    "fold": b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\tfolded\r\nContent-Length: 5\r\n\r\nhello",
    "nul": b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 5\r\n\r\nhello",
    "cl2": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "tecl": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "connection": b"HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret\r\nConnection: x-secret2\r\nX-Secret: s\r\n"
                  b"X-Secret2: s\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                  b"Upgrade: h2c\r\nTrailer: X-T\r\nX-Other: o\r\nContent-Length: 5\r\n\r\nhello",
}
def do_HEAD(self):  # as to a GET with a chunked body (/chunked) or one until close
    self.close_connection = True
    self.wfile.write(b"HTTP/1.1 200 OK\r\n" + (b"Transfer-Encoding: chunked\r\n" if "chunked" in self.path else b"") + b"\r\n")
def do_GET(self):
    self.close_connection = True
    w = self.wfile.write
    n = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/lines/") else 0
    if n:  # /lines/N: N header lines
        w(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(n)) + b"Content-Length: 2\r\n\r\nok")
    elif self.path.startswith("/status/"):  # /status/N: that status, the app's own reason
        w(b"HTTP/1.1 " + self.path[8:].encode() + b" App Reason\r\nContent-Length: 2\r\n\r\nok")
    elif self.path == "/spaced":  # whitespace before a colon
        w(b"HTTP/1.1 200 OK\r\nSet-Cookie : admin=1\r\nContent-Length: 2\r\n\r\nok")
    elif self.path == "/spacedname":  # a space inside a name
        w(b"HTTP/1.1 200 OK\r\nSet Cookie: admin=1\r\nContent-Length: 2\r\n\r\nok")
    elif self.path == "/status0":  # a status below 100, then the connection stays open
        w(b"HTTP/1.1 000 Zero\r\nContent-Length: 2\r\n\r\nok"); time.sleep(3)
    elif self.path == "/fat":  # one 70 KB header value
        w(b"HTTP/1.1 200 OK\r\nX-Fat: " + b"a" * 70000 + b"\r\nContent-Length: 2\r\n\r\nok")
    elif self.path == "/spaces":  # 200 KB of spaces before a value
        w(b"HTTP/1.1 200 OK\r\nX: " + b" " * 200000 + b"v\r\nContent-Length: 2\r\n\r\nok")
    elif self.path == "/zeros":  # 200 KB of zeros before a chunk size
        w(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"0" * 200000 + b"2\r\nok\r\n0\r\n\r\n")
    elif self.path == "/gzipchunked":  # a transfer coding hwasmd does not decode
        w(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
    elif self.path == "/chunkext":  # 70 KB of chunk extensions, then a chunked body
        w(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;" + b"e" * 70000 + b"\r\nok\r\n0\r\n\r\n")
    elif self.path.startswith("/framing/"):  # /framing/NAME: an answer framed as FRAMING says
        w(self.FRAMING[self.path[9:]])
    else:  # /close10/big, /close11/small ...: body until close, in pieces
        ver = b"1.0" if "/close10/" in self.path else b"1.1"
        body = self.SMALL if self.path.endswith("/small") else self.MIB
        w(b"HTTP/" + ver + b" 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")
        for i in range(0, len(body), 20000):
            w(body[i:i + 20000]); self.wfile.flush(); time.sleep(0.002)
PY
cat >"$T/d.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: http://127.0.0.1:$app_PORT
workers: 1
middleware:
  - {name: redact, module: $GUESTS/redact.wasm, config: secret}
routes:
  - {prefix: /}
  - {prefix: /buffered, chain: [redact]}
Y
start d "$T/d.yaml"
U=http://127.0.0.1:$d_PORT
LIMIT=$(awk -v s="$SLOWDOWN" 'BEGIN{print 1.5 * s}')
fast() { curl -s -o /dev/null -w '%{http_code} %{time_total}' "$@" | awk -v l="$LIMIT" '{print $1, ($2 < l ? "fast" : "slow " $2)}'; }
check "40,000 header lines: 502 at once" "502 fast" "$(fast $U/lines/40000)"
check "then the worker serves on" 200 "$(code $U/lines/10)"
check "257 header lines (upstream_header_count 256): 502" 502 "$(code $U/lines/257)"
check "256 header lines: 200" 200 "$(code $U/lines/255)"
check "a 70 KB header (upstream_header_bytes 64 KiB): 502" 502 "$(code $U/fat)"
# streamed: the head has gone to the client when the extensions pass the limit; the answer
# is cut there (curl: 18, a partial body), the ok after them never sent
check "70 KB of chunk extensions (counted in upstream_header_bytes): the answer cut" "200 0 rc 18" \
    "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' $U/chunkext; echo " rc $?")"
# A head that a lenient client would read another way is not passed on (nginx: 502): it was,
# as sent ("Set-Cookie : admin=1"); a status below 100 was taken for an interim answer and
# the client waited for upstream_timeout_ms (504)
check "whitespace before a colon in the app's head: 502" 502 "$(code $U/spaced)"
check "a space inside a name in the app's head (it reached the client): 502" 502 "$(code $U/spacedname)"
check "status 000: 502 at once" "502 fast" "$(fast $U/status0)"

# close-delimited answers, streamed (no guest) and gathered (redact buffers the response)
SUM=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes(range(256)) * 4096).hexdigest())')
SMALLSUM=$(python3 -c 'import hashlib; print(hashlib.sha256((b"public secret " * 4300)[:60000].replace(b"secret", b"######")).hexdigest())')
got() { # got URL [curl options]: "STATUS SIZE SHA256 curl-exit"
    curl -s -o "$T/body" -D "$T/head" -w '%{http_code} %{size_download}' "$@"; local rc=$?
    echo " $(sha256sum <"$T/body" | cut -c1-64) $rc"
}
for v in 10 11; do
    check "HTTP/1.$((v - 10)) app, until close, streamed: whole" "200 1048576 $SUM 0" "$(got $U/close$v/big)"
    contains "  chunked to an HTTP/1.1 client" "Transfer-Encoding: chunked" "$(cat "$T/head")"
    check "  to an HTTP/1.0 client: whole" "200 1048576 $SUM 0" "$(got -0 $U/close$v/big)"
    contains "  until close" "Connection: close" "$(cat "$T/head")"
    check "HTTP/1.$((v - 10)) app, until close, gathered and rewritten" "200 60000 $SMALLSUM 0" "$(got $U/buffered/close$v/small)"
    contains "  with its length" "Content-Length: 60000" "$(cat "$T/head")"
done
RAWSUM=$(python3 -c 'import hashlib; print(hashlib.sha256((b"public secret " * 4300)[:60000]).hexdigest())')
check "60,000 bytes until close, no guest: whole" "200 60000 $RAWSUM 0" "$(got $U/close11/small)"
A=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/d.out")
# a HEAD answered as a chunked or close-delimited GET would be has no length to tell: it
# went to the client with Content-Length: 0, saying the resource was empty (nginx sends none)
for p in chunked close; do
    check "HEAD answered as a $p GET: no Content-Length: 0" "200 none" \
        "$(curl -s -I -o /dev/null -w '%{http_code} ' $U/$p; curl -s -I $U/$p | grep -ci '^content-length' | sed 's/^0$/none/')"
done
# hwasmd writes its own status lines: with the registered reason ("206 Status" before)
check "statuses with their registered reasons" "206 Partial Content|429 Too Many Requests|422 Unprocessable Content|299 Status" \
    "$(for s in 206 429 422 299; do curl -s -D - -o /dev/null $U/status/$s | head -n 1 | cut -d' ' -f2- | tr -d '\r'; done | tr '\n' '|' | sed 's/|$//')"
# nginx 1.22 passes the coded bytes as the body, the coding dropped
check "Transfer-Encoding: gzip, chunked from the app: 502" 502 "$(code $U/gzipchunked)"
# bytes llhttp skips without a callback count too: twice upstream_header_bytes besides the
# body and 24 bytes per chunk
check "200 KB of spaces before a value: 502" 502 "$(code $U/spaces)"
check "200 KB of zeros before a chunk size: the answer cut" "200 0 rc 18" \
    "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' $U/zeros; echo " rc $?")"
contains "upstream errors: the three heads over the limits, the chunk extensions, the spaces, the zeros, the coding and the three refused heads, not the answers until close" \
    "hwasmd_upstream_errors_total{upstream=\"http://127.0.0.1:$app_PORT\"} 10" "$(curl -s $A/metrics | grep '^hwasmd_upstream_errors')"

# The app's framing, read as strictly as a client's (nginx 1.22: chunk data not followed by
# CRLF, a chunk size overflow, an obs-fold, a NUL: the client connection closed or 502;
# HAProxy 2.6: 502, but it passes the NUL and unfolds). Before, the first was taken: the
# two bytes skipped, the chunk's "hello" answered with 200, and the connection pooled.
F=$U/framing
check "chunk data followed by XX: 502" 502 "$(code $F/notcrlf)"
check "... after 128 KiB streamed: the answer cut, no last chunk" "200 rc 18" \
    "$(curl -s -o /dev/null -w '%{http_code}' $F/notcrlfbig; echo " rc $?")"
for f in overflow extlf fold nul cl2; do
    check "$f: 502" 502 "$(code $F/$f)"
done
fields() { # fields URL: "STATUS BODY" and the names of the answer's header lines, Date aside
    curl -s -D "$T/head" -o "$T/body" -w '%{http_code} ' "$1"
    cat "$T/body"
    sed -n 's/^\([^:]*\):.*/ \1/p' "$T/head" | grep -v -i '^ date$' | tr -d '\r\n'
}
# llhttp 8.1 took the ';' after a token value for the end of the extensions (nginx and
# HAProxy take several, as RFC 9112 §7.1.1 allows)
check "two chunk extensions: 200" "200 hello Content-Length" "$(fields $F/twoext)"
# RFC 9112 §6.3: Transfer-Encoding overrides the Content-Length; nginx and HAProxy send the
# chunked body on without it, as hwasmd now does (502 before)
check "Transfer-Encoding and Content-Length: the chunked body, the length gone" \
    "200 hello Content-Length" "$(fields $F/tecl)"
contains "... the length of the body only" "Content-Length: 5" "$(cat "$T/head")"
# RFC 9110 §7.6.1: what Connection names is this hop's; X-Secret reached the client (nginx
# and HAProxy pass it too, and HAProxy the hop-by-hop fields as well)
check "Connection: keep-alive, X-Secret: what it names and hop-by-hop fields stay with the app" \
    "200 hello X-Other Content-Length" "$(fields $F/connection)"

# raised limits: the head is still parsed in linear time (80,000 lines took 9 s)
cat >"$T/big.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$app_PORT
workers: 1
limits: {upstream_header_bytes: 16777216, upstream_header_count: 1000000}
routes:
  - {prefix: /}
Y
start big "$T/big.yaml"
lines() { # lines N: header lines of the answer, and whether it came in under the limit
    python3 - "$big_PORT" "$1" "$LIMIT" <<'PY'
import socket, sys, time
t = time.time(); s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"GET /lines/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % sys.argv[2].encode()); d = b""
while True:
    x = s.recv(1 << 20)
    if not x: break
    d += x
print(d.count(b"\r\nX-H"), "fast" if time.time() - t < float(sys.argv[3]) else "slow %.2f" % (time.time() - t))
PY
}
check "80,000 lines under raised limits: passed on, fast" "80000 fast" "$(lines 80000)"

# An answer with no body by rule (to HEAD; 204, 304) whose head announces one: an app that
# sends that body anyway, in a later segment, must not have it read as the answer to the
# next request sent on its pooled connection (an answer forged for another client). nginx
# has this race; hwasmd does not pool such a connection.
app lateapp <<'PY'
FORGED = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged"
def late(self, head):
    self.wfile.write(head); self.wfile.flush()
    # meanwhile hwasmd may pool the connection and send the next request on it
    time.sleep(0.4 * float(__import__("os").environ.get("HWASM_E2E_SLOWDOWN", "1")))
    self.wfile.write(self.FORGED); self.wfile.flush()
def do_HEAD(self):
    self.late(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(self.FORGED))
def do_GET(self):
    if self.path == "/204":
        self.late(b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n")
    elif self.path.startswith("/1xx/"):  # an interim answer whose head announces a body
        framing = {"cl": b"Content-Length: 5", "te": b"Transfer-Encoding: chunked"}[self.path[5:7]]
        self.wfile.write(b"HTTP/1.1 " + self.path[7:].encode() + b" Interim\r\n" + framing + b"\r\n\r\n"
                         b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal")
    elif self.path == "/304quiet":  # then nothing, the connection open
        self.wfile.write(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n"); self.wfile.flush()
        time.sleep(3)
    elif self.path == "/304":
        self.late(b"HTTP/1.1 304 Not Modified\r\nContent-Length: %d\r\n\r\n" % len(self.FORGED))
    elif self.path == "/notcrlf":  # chunk data, then XX where CRLF belongs
        self.late(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nrealXX0\r\n\r\n")
    elif self.path == "/tecl":  # a length another parser would frame it by
        self.late(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n4\r\nreal\r\n0\r\n\r\n")
    else:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal")
PY
start_plain late "$lateapp_PORT" 1
L=http://127.0.0.1:$late_PORT
# this llhttp skips the body of a 304 with a length only when asked: hwasmd waited for it
check "304 with its representation's length: answered at once" "304 fast" "$(fast $L/304quiet)"
# and read a 1xx's announced body out of the final answer (502)
for i in cl100 cl103 te103; do
    check "a $i interim answer announcing a body: the final answer whole" "real" "$(curl -s $L/1xx/$i)"
done
for how in "HEAD -I /x" "204 -o/dev/null /204" "304 -o/dev/null /304"; do
    set -- $how
    curl -s "$2" "$L$3" >/dev/null
    check "a body sent late after $1: the next request gets its own answer" real "$(curl -s $L/next)"
done
# An answer that desynchronises its connection (chunk data not followed by CRLF), or that
# another parser on the way could frame by its Content-Length, ends its connection: the app
# writing more on it is never read as the answer to the next request (the XX one was pooled,
# and the next request got "forged")
check "chunk data followed by XX: 502" 502 "$(code $L/notcrlf)"
check "... the next request gets its own answer" real "$(curl -s $L/next)"
check "Transfer-Encoding and Content-Length: the chunked body" real "$(curl -s $L/tecl)"
check "... the next request gets its own answer" real "$(curl -s $L/next)"

# An app that acts on a request and dies before answering (a worker killed mid-request):
# the request reached it on a pooled connection, which hwasmd then retried on a fresh one.
# A POST went twice (an order placed twice); only idempotent methods may be (RFC 9110).
: >"$T/acted"
app once <<PY
def act(self):
    self.close_connection = True
    if self.path == "/warm":  # fills hwasmd's pool: answered, the connection kept
        self.close_connection = False
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
        return
    n = int(self.headers.get("Content-Length") or 0)
    if n: self.rfile.read(n)
    open("$T/acted", "a").write(self.command + "\n")  # then no answer: the connection closes
do_GET = do_POST = do_PATCH = act
PY
start_plain acting "$once_PORT" 1
for m in POST PATCH GET; do
    check "warm the pool" 200 "$(code http://127.0.0.1:$acting_PORT/warm)"
    code -X $m -d x http://127.0.0.1:$acting_PORT/act >/dev/null
done
check "the app acted on a POST and a PATCH once each, a GET twice (retried)" "POST 1 PATCH 1 GET 2" \
    "$(for m in POST PATCH GET; do printf '%s %s ' $m "$(grep -c "^$m" "$T/acted")"; done | sed 's/ $//')"

# An upstream named, not numbered (an app's name in Docker or Kubernetes): its lookup must
# not stop the worker's loop. getaddrinfo ran on it, so a slow DNS server froze every
# connection of the worker for as long as it took. A getaddrinfo that takes 2 s to look up
# slow.test (then 127.0.0.1) stands for that server, preloaded into hwasmd; as the real
# one, it asks no server when told the host is an address (AI_NUMERICHOST).
if command -v "${CC:-cc}" >/dev/null; then
    cat >"$T/slowdns.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **) =
        (int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
    int lookup = node && !(hints && (hints->ai_flags & AI_NUMERICHOST));
    if (lookup && !strcmp(node, "slow.test")) {
        sleep(2);
        node = "127.0.0.1";
    } else if (lookup && (!strcmp(node, "counted.test") || !strcmp(node, "burst.test"))) {
        FILE *f = fopen(getenv("HWASM_DNS_LOG"), "a"); /* one line per lookup */
        if (f) fprintf(f, "%s\n", node), fclose(f);
        if (!strcmp(node, "burst.test")) usleep(500000);
        node = "127.0.0.1";
    } else if (lookup && !strcmp(node, "moving.test")) { /* the address in a file */
        static char addr[64];
        FILE *f = fopen(getenv("HWASM_DNS_ADDR"), "r");
        if (f && fgets(addr, sizeof addr, f)) addr[strcspn(addr, "\n")] = 0, node = addr;
        if (f) fclose(f);
    }
    return real(node, service, hints, res);
}
C
    "${CC:-cc}" -shared -fPIC -o "$T/slowdns.so" "$T/slowdns.c" -ldl
    printf 'listen: 127.0.0.1:0\nupstream: http://127.0.0.1:%s\nworkers: 1\nroutes:\n  - {prefix: /slow, upstream: "http://slow.test:%s"}\n  - {prefix: /close11, upstream: "http://counted.test:%s"}\n  - {prefix: /moving, upstream: "http://moving.test:%s"}\n  - {prefix: /burst, upstream: "http://burst.test:%s"}\n  - {prefix: /}\n' \
        "$lateapp_PORT" "$lateapp_PORT" "$app_PORT" "$lateapp_PORT" "$lateapp_PORT" >"$T/dns.yaml"
    # (the sanitizers' runtime wants to come first; this library replaces nothing of theirs)
    echo 127.0.0.2 >"$T/addr" # loopback too, where nothing listens on that port
    HWASM_DNS_ADDR=$T/addr HWASM_DNS_LOG=$T/lookups LD_PRELOAD=$T/slowdns.so ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 \
        start dns "$T/dns.yaml"
    curl -s -o "$T/slow.out" -w '%{http_code}' "http://127.0.0.1:$dns_PORT/slow" >"$T/slow.code" &
    sleep 0.3
    check "while the app's name is looked up (2 s), the worker serves others" "200 fast" \
        "$(fast http://127.0.0.1:$dns_PORT/other)"
    wait $!
    check "... and the named app answers once it is found" "200 real" "$(cat "$T/slow.code") $(cat "$T/slow.out")"
    # the app closes every connection: three requests, three new connections, one lookup
    # (a name's addresses serve new connections for 5 s)
    for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$dns_PORT/close11/small"; done
    check "three new connections to a name within 5 s: one lookup" 1 "$(grep -c counted "$T/lookups")"
    # a burst of new connections before the name's first answer (0.5 s) waits for one
    # lookup, not one each; a request that gives up meanwhile leaves the others served
    curl -s -o /dev/null --max-time 0.2 "http://127.0.0.1:$dns_PORT/burst" &
    B=$!
    for i in 1 2 3 4 5; do
        curl -s -o "$T/burst$i" -w '%{http_code}' "http://127.0.0.1:$dns_PORT/burst" >"$T/burst$i.code" &
        B="$B $!"
    done
    wait $B
    check "six requests to a name during its first lookup: all answered, one lookup" "200 200 200 200 200 1" \
        "$(cat "$T"/burst?.code | sed 's/200/200 /g')$(grep -c burst "$T/lookups")"
    # a name whose addresses all refuse is looked up again by the next connection: the app
    # moved (a container restarted elsewhere), and is found at once, not 5 s later
    check "a name's address refuses: 502" 502 "$(code http://127.0.0.1:$dns_PORT/moving)"
    echo 127.0.0.1 >"$T/addr"
    check "... the app moved: found by the next request" 200 "$(code http://127.0.0.1:$dns_PORT/moving)"
else
    echo "skip: no C compiler for the slow getaddrinfo"
fi
finish
