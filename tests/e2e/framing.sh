# framing.sh — one framing for everyone (issue 10 §2): hwasmd reads a request's length the
# strict way or refuses it, so bytes that another HTTP parser would frame differently can
# never become a request of their own; trailers never become headers (of this request or
# of the next one on the connection): on a route without guests they reach the app as
# trailers, those that must not be trailers left out; header lines nginx refuses are refused; versions
# other than 1.0 and 1.1 get 505; an Upgrade request is served as a plain one and what is
# pipelined behind it is parsed as the next request; header lines are counted
# (limits.header_count); what Connection names goes before the guests, never a field a guest
# sets nor Host. Behind hwasmd: the auth guest on /api
# and an app that records every request it gets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wire.sh"
start_guarded f
P='POST /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n'
C="${P}Transfer-Encoding: chunked\r\n\r\n"
SMUGGLED='GET /api/secret HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'

# chunked bodies
send "chunked body" 200 "${C}5\r\nhello\r\n0\r\n\r\n"
send "chunked body in pieces" 200 "${C}5\r\nhel" "lo" "\r" "\n0\r\n" "\r\n"
send "chunked body, CRLF after the data in the next read" 200 "${C}5\r\nhello" "\r\n0\r\n\r\n"
send "a chunk extension" 200 "${C}5;name=value\r\nhello\r\n0\r\n\r\n"
# RFC 9112 §7.1.1 allows any number (nginx and HAProxy take them); llhttp 8.1 refused a
# second one after a token value: 400
send "two chunk extensions" 200 "${C}5;a=1;b=2\r\nhello\r\n0\r\n\r\n"
send "... more, quoted, the read split before a ';'" 200 "${C}5;a=1" ';b="x;y";c;d=4\r\nhello\r\n0;e=5;f=6\r\n\r\n'
check "the app got all bodies" "hello hello hello hello hello hello" "$(seen b | tr '\n' ' ' | sed 's/ $//')"
send "1,000 one-byte chunks" 200 "${C}$(for i in $(seq 1000); do printf '1\\r\\na\\r\\n'; done)0\r\n\r\n"
check "... the app got all 1,000 bytes" 1000 "$(seen b | tail -n 1 | tr -d '\n' | wc -c)"
forget
send "two bytes not CRLF after the chunk data" 400 "${C}5\r\nhelloXX0\r\n\r\n"
send "... smuggling a request behind" 400 "${C}1\r\nAXX0\r\n\r\n$SMUGGLED"
send "... CR then not LF" 400 "${C}5\r\nhello\rX0\r\n\r\n"
send "... in the next read" 400 "${C}5\r\nhello" "XX0\r\n\r\n"
send "... its LF in the next read" 400 "${C}5\r\nhello\r" "X0\r\n\r\n"
send "bare LF after the chunk data" 400 "${C}5\r\nhello\n0\r\n\r\n"
send "bare LF after a chunk size" 400 "${C}5\nhello\r\n0\r\n\r\n"
send "bare LF after the last chunk" 400 "${C}5\r\nhello\r\n0\n\n"
send "bare LF after two chunk extensions" 400 "${C}5;a=1;b=2\nhello\r\n0\r\n\r\n"
for s in 5g 0x5 -5 ' 5' '5 ' 10000000000000005 fffffffffffffffff; do
    send "chunk size [$s]" 400 "${C}$s\r\nhello\r\n0\r\n\r\n"
done
# llhttp reads any amount of chunk extensions (CVE-2024-22019 in Node.js): they count in
# header_bytes (16384)
send "chunk extensions past header_bytes" 413 "${C}5;$(head -c 20000 /dev/zero | tr '\0' e)\r\nhello\r\n0\r\n\r\n"
# bytes llhttp skips without a callback count too: a message may take twice header_bytes
# on the wire besides its body and 24 bytes per chunk (gigabytes went in before)
send "40,000 spaces before a value" 400 "GET /x HTTP/1.1\r\nHost: a\r\nX: $(head -c 40000 /dev/zero | tr '\0' ' ')v\r\n\r\n"
send "40,000 zeros before a chunk size" 400 "${C}$(head -c 40000 /dev/zero | tr '\0' 0)5\r\nhello\r\n0\r\n\r\n"
send "20,000 empty lines before a request" 400 "$(for i in $(seq 20000); do printf '\\r\\n'; done)GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
send "Transfer-Encoding: chunked, identity (chunked not last)" 400 "${P}Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
send "Transfer-Encoding: gzip, chunked" 501 "${P}Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
send "Transfer-Encoding: identity" 501 "${P}Transfer-Encoding: identity\r\n\r\nhello"
# nginx answers 501 here too; llhttp refuses the Content-Length line first (400)
send "Transfer-Encoding: identity with a Content-Length" 400 "${P}Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello"
send "two Transfer-Encoding lines" 400 "${P}Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
send "Transfer-Encoding in HTTP/1.0" 400 'POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
send "Transfer-Encoding and Content-Length" 400 "${P}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n$SMUGGLED"
send "Content-Length and Transfer-Encoding" 400 "${P}Content-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$SMUGGLED"
send "two different Content-Lengths" 400 "${P}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
send "the same Content-Length twice" 400 "${P}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"
send "Content-Length: 5, 5" 400 "${P}Content-Length: 5, 5\r\n\r\nhello"
check "the app saw none of them" "" "$(seen t)"
send "Transfer-Encoding: Chunked (any case)" 200 "${P}Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
forget

# trailers
K='POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n'
T1='5\r\nhello\r\n0\r\nX-Trail: t1\r\nCookie: evil=1\r\nHost: evil\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n'
send "trailers, then a pipelined request" "200 200" "$K$T1"'GET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "no trailer became a header, of either request" "/x - - a - hello|/y - - a - -" \
    "$(seen t h:x-trail h:cookie h:host h:authorization b | tr '\n' '|' | sed 's/|$//')"
check "... X-Trail reached the app as a trailer, Cookie, Host and Authorization did not" "X-Trail|-" \
    "$(seen tr | tr '\n' '|' | sed 's/|$//')"
forget
send "trailers in pieces, then /api" "200 401" "${K}5\r\nhello\r\n0\r\nX-Tr" "ail: t1\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n" \
    "\r\n"'GET /api/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "a trailing Authorization does not authorise the next request" "/x - X-Trail" "$(seen t h:x-trail tr)"
forget

# header lines
G='GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n'
send "an empty header name" 400 "$G: v\r\n\r\n"
send "obs-fold" 400 "${G}X-A: 1\r\n folded\r\n\r\n"
send "obs-fold with a tab" 400 "${G}X-A: 1\r\n\tfolded\r\n\r\n"
send "obs-fold in the next read" 400 "${G}X-A: 1\r\n" " folded\r\n\r\n"
send "obs-fold after a value split across reads" 400 "${G}X-A: 1" "\r\n folded\r\n\r\n"
send "obs-fold after a CR in the last read" 400 "${G}X-A: 1\r" "\n folded\r\n\r\n"
send "a space before the colon" 400 "${G}X-A : v\r\n\r\n"
send "a tab before the colon" 400 "${G}X-A\t: v\r\n\r\n"
send "a space inside a name (loose llhttp took \"X A\")" 400 "${G}X A: v\r\n\r\n"
send "a space inside a trailer's name" 400 'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\nX T: v\r\n\r\n'
send "a control character in a value" 400 "${G}X-A: a\x01b\r\n\r\n"
send "DEL in a value" 400 "${G}X-A: a\x7fb\r\n\r\n"
send "HTTP/2.0" 505 'GET /x HTTP/2.0\r\nHost: a\r\n\r\n'
send "HTTP/0.9" 505 'GET /x HTTP/0.9\r\nHost: a\r\n\r\n'
send "HTTP/1.2" 505 'GET /x HTTP/1.2\r\nHost: a\r\n\r\n'
send "HTTP/3.0" 505 'GET /x HTTP/3.0\r\nHost: a\r\n\r\n'
# a broken request line is no version to refuse: 400 (llhttp reports both the same way)
send "a space after the version" 400 'GET /x HTTP/1.1 \r\nHost: a\r\n\r\n'
send "a bare CR after the version" 400 'GET /x HTTP/1.1\rHost: a\r\n\r\n'
send "HTTP/01.1" 400 'GET /x HTTP/01.1\r\nHost: a\r\n\r\n'
send "CONNECT" 400 'CONNECT a:80 HTTP/1.1\r\nHost: a:80\r\n\r\n'"$SMUGGLED"
# A method llhttp 8.1 does not know goes to the app as it came, as nginx passes any method
# of capital letters, '_' and '-' (HAProxy and the reference host any token); what llhttp
# reads of the request is the same as for GET (docs/hwasmd.md, "Methods").
forget
for m in FOO QUERY VERSION-CONTROL GETX DESCRIBE M_X A; do
    send "method $m: to the app" 200 "$m /x HTTP/1.1\r\nHost: a\r\n\r\n"
done
send "a method split across reads, B then AN" 200 'B' 'AN /x HTTP/1.1\r\nHost: a\r\n\r\n'
send "... after empty lines, split after the method" 200 '\r\n\r\nQUERY' ' /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc'
send "pipelined: BAN, QUERY with a body, GET, GETX" "200 200 200 200" \
    'BAN /1 HTTP/1.1\r\nHost: a\r\n\r\nQUERY /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /3 HTTP/1.1\r\nHost: a\r\n\r\nGETX /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "... the app saw each method, target and body" \
    "FOO /x -,QUERY /x -,VERSION-CONTROL /x -,GETX /x -,DESCRIBE /x -,M_X /x -,A /x -,BAN /x -,QUERY /x abc,BAN /1 -,QUERY /2 hello,GET /3 -,GETX /4 -," \
    "$(seen m t b | tr '\n' ',')"
forget
# An extension method rewrites the read buffer before llhttp parses it: the strict checks
# must look at the rewritten bytes (they kept the old end: a value split across reads was
# 400, the CRLF after chunk data went unchecked, and a read past the buffer's end)
send "QUERY, a field value split across reads" 200 'QUERY / HTTP/1.1\r\nHost: exa' 'mple\r\nConnection: close\r\n\r\n'
send "A, chunked, two bytes not CRLF after the chunk data in the next read: 400" 400 \
    'A /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab' 'XX0\r\n\r\n'
check "a 1-letter method whose chunk data ends a full read buffer" "200" "$(python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
# a keep-alive POST fills the worker's 16 KiB read buffer, its last byte a CR
head = b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: "
n = 16384 - len(head) - len(b"00000\r\n\r\n")
keep = socket.create_connection(("127.0.0.1", port))
keep.sendall(head + b"%05d\r\n\r\n" % n + b"\r" * n)
keep.settimeout(3)
keep.recv(100)
time.sleep(0.2)
# then "A" (GET in its place: 2 bytes longer) with chunk data ending a 16381-byte read
head = b"A /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
n = 16381 - len(head) - 6
s = socket.create_connection(("127.0.0.1", port))
s.sendall(head + b"%04x\r\n" % n + b"y" * n)
time.sleep(0.3)
s.sendall(b"\r\n0\r\n\r\n")
s.settimeout(3)
print(s.recv(100).split(b" ")[1].decode())
PY
)"
forget
# methods are case-sensitive; nginx refuses lowercase (400), RFC 9110 §9.1 has 501 for a
# method a server does not implement
send "method get: 501" 501 'get /x HTTP/1.1\r\nHost: a\r\n\r\n'
send "a method of 40 capital letters: 501" 501 "$(head -c 40 /dev/zero | tr '\0' A) /x HTTP/1.1\r\nHost: a\r\n\r\n"
send "a body smuggled behind an extension method with two lengths: 400" 400 \
    "BAN /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
send "a method that is no token (G@T): 400" 400 'G@T /x HTTP/1.1\r\nHost: a\r\n\r\n'
send "a tab after the method: 400" 400 'GET\t/x HTTP/1.1\r\nHost: a\r\n\r\n'
send "no method: 400" 400 ' /x HTTP/1.1\r\nHost: a\r\n\r\n'
send "an unknown token, then no request line (NOT HTTP AT ALL): 400, as nginx" 400 'NOT HTTP AT ALL\r\n\r\n'
send "an unknown method with a version that is none (FOO /x HTTP/9): 400" 400 'FOO /x HTTP/9\r\nHost: a\r\n\r\n'
check "the app saw none of them" "" "$(seen t)"
send "a value split across reads" 200 "${G}X-A: hel" "lo wor" "ld\r\n\r\n"
send "a value split before its CRLF" 200 "${G}X-A: 1" "\r\n" "X-B: 2\r\n\r\n"
send "a value split at a space" 200 "${G}X-A: a" " b\r\n\r\n"
check "their values as sent" "hello world -|1 2|a b -" "$(seen h:x-a h:x-b | tr '\n' '|' | sed 's/|$//')"
# whitespace after a value is not part of it (RFC 9112 §5.1): llhttp kept it, so a guest
# matching "admin" missed "admin " that the app trims, and "100-continue " got no 100
forget
send "whitespace after values" 200 "${G}X-A: v1 \t \r\nX-B:\tv2\t\r\n\r\n"
check "... not part of them" "v1 v2" "$(seen h:x-a h:x-b)"
check "Expect: 100-continue with a space after it: 100 first" "100 200" \
    "$(python3 "$T/client.py" "$PORT" "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue \r\nConnection: close\r\n\r\n" hello)"
send "Transfer-Encoding: chunked with a space after it (nginx takes it)" 200 "${P}Transfer-Encoding: chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n"
# a field that must come once, twice: a guest reading the first and an app reading the
# last (or both joined) disagree on who asks; nginx refuses the same (Content-Type and
# Proxy-Authorization added). Other fields may repeat; trailers are never forwarded as these.
forget
for f in Authorization Proxy-Authorization Content-Type Content-Range Expect If-Match If-None-Match \
    If-Modified-Since If-Unmodified-Since If-Range; do
    send "two $f lines" 400 "${G}$f: a\r\n$(echo "$f" | tr 'a-z' 'A-Z'): b\r\n\r\n"
done
check "the app saw none of them" "" "$(seen t)"
send "two Accept lines, two Cookie lines" 200 "${G}Accept: a\r\nAccept: b\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n"
send "TRACE (it would echo cookies and what guests added): 405, as nginx" 405 \
    'TRACE /x HTTP/1.1\r\nHost: a\r\nCookie: s=1\r\n\r\n'
check "the app saw only the Accept request" "/x" "$(seen t)"
forget

# Upgrade: served as a plain request, the next pipelined one parsed as a request
send "Upgrade: websocket, then /api pipelined" "200 401" \
    'GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'"$SMUGGLED"
send "Upgrade: h2c, then /api pipelined" "200 401" \
    'GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n'"$SMUGGLED"
send "Upgrade with a body, then a pipelined request" "200 200" \
    'POST /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
check "the app saw the plain requests, no Upgrade" "/x - -|/x - -|/x - hello|/y - -" \
    "$(seen t h:upgrade b | tr '\n' '|' | sed 's/|$//')"
send "three pipelined requests" "200 200 200" \
    'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
forget

# header lines are counted (limits.header_count, 100): 16,000 empty lines fit header_bytes
# and cost a megabyte of field list; trailers count with them. (To /api: the auth guest
# answers 401 itself, as the app here takes at most 100 lines, X-Forwarded-* included.)
lines() { for i in $(seq "$1"); do printf 'X-%d: v\\r\\n' "$i"; done; }
send "100 header lines" 401 "GET /api/x HTTP/1.1\\r\\nHost: a\\r\\n$(lines 98)Connection: close\\r\\n\\r\\n"
send "101 header lines" 431 "GET /api/x HTTP/1.1\\r\\nHost: a\\r\\n$(lines 99)Connection: close\\r\\n\\r\\n"
send "16000 empty header lines" 431 "GET /api/x HTTP/1.1\\r\\nHost: a\\r\\n$(printf 'a:\\r\\n%.0s' $(seq 16000))\\r\\n"
CH="POST /api/x HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n$(lines 96)\\r\\n5\\r\\nhello\\r\\n0\\r\\n"
send "98 header lines and 2 trailers" 401 "${CH}X-T1: 1\\r\\nX-T2: 2\\r\\n\\r\\n"
send "98 header lines and 3 trailers" 431 "${CH}X-T1: 1\\r\\nX-T2: 2\\r\\nX-T3: 3\\r\\n\\r\\n"

# What Connection names is this hop's: removed as the request arrives, before the guests,
# Host kept. Before, it was removed on the way to the app, after the guests: a client
# struck out what a guest had set, and Host (the app got an HTTP/1.1 request without one),
# and the auth guest passed an Authorization the app never got.
cat >"$T/h.yaml" <<Y
listen: 127.0.0.1:0
upstream: http://127.0.0.1:$rec_PORT
workers: 1
middleware:
  - {name: headers, module: $GUESTS/headers.wasm}
  - {name: auth, module: $GUESTS/auth.wasm}
routes:
  - {prefix: /, chain: [headers]}
  - {prefix: /api, chain: [auth]}
Y
start h "$T/h.yaml"
forget
send "Connection naming fields a guest sets, Host, and one of the client's" 200 \
    'GET /x HTTP/1.1\r\nHost: a\r\nX-Mine: 1\r\nConnection: close, x-set, X-Add, host, x-mine\r\n\r\n'
check "... the guest's fields and Host reached the app, the client's field did not" "set a1|a2 a -" \
    "$(seen h:x-set h:x-add h:host h:x-mine)"
send "an Authorization the client names in Connection is gone before the auth guest" 401 \
    'GET /api/x HTTP/1.1\r\nHost: a\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nConnection: close, authorization\r\n\r\n'
send "... named on a second Connection line too" 401 \
    'GET /api/x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nConnection: close, Authorization\r\n\r\n'
check "the app saw the first only" "/x" "$(seen t)"

# A header name with a byte other than a letter, digit or '-' is a token, but a CGI, WSGI,
# PHP or Rack app reads "X_Set" and "X.Set" as the "X-Set" the guest sets: such lines go
# before routes and guests see the request, as nginx drops them (invalid_header_names:
# drop); reject answers 400, pass keeps them.
forget
send "X_Set and X.Set next to the X-Set a guest sets" 200 \
    'GET /x HTTP/1.1\r\nHost: a\r\nX_Set: client\r\nX.Set: client\r\nX-Mine: 1\r\nConnection: close\r\n\r\n'
check "... the app got the guest's X-Set and the client's X-Mine only" "set - - 1" "$(seen h:x-set h:x_set h:x.set h:x-mine)"
send "... as a trailer" 200 \
    'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\nX_Set: client\r\n\r\n'
check "... dropped there too" "-" "$(seen tr | tail -n 1)"
send "a name that is no token is still 400" 400 'GET /x HTTP/1.1\r\nHost: a\r\nX(S): 1\r\nConnection: close\r\n\r\n'
sed 's/^workers: 1$/workers: 1\ninvalid_header_names: reject/' "$T/h.yaml" >"$T/hr.yaml"
start hr "$T/hr.yaml"
send "invalid_header_names: reject" 400 'GET /x HTTP/1.1\r\nHost: a\r\nX_Set: client\r\nConnection: close\r\n\r\n'
sed 's/^workers: 1$/workers: 1\ninvalid_header_names: pass/' "$T/h.yaml" >"$T/hp.yaml"
start hp "$T/hp.yaml"
forget
send "invalid_header_names: pass" 200 'GET /x HTTP/1.1\r\nHost: a\r\nX_Set: client\r\nConnection: close\r\n\r\n'
check "... the app got both" "set client" "$(seen h:x-set h:x_set)"
finish
