# config_safety.sh — a configuration cannot take hwasmd down (issue 10 §6): alias cycles,
# alias bombs, deep nesting, oversized files and duplicate keys fail --check fast with one
# "hwasmd: FILE:LINE: what" line, and a running server given them on SIGHUP or POST /reload
# keeps serving the old configuration; --check rejects addresses serving would reject;
# SIGHUP storms and SIGTERM during module loading or a reload neither kill the process nor
# skip the drain; the admin listener binds loopback when given only a port, can demand a
# token for POST /reload, and takes a bounded number of connections.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bad NAME FILE NEEDLE: --check fails (status 2) within 2 s with exactly one line
# "hwasmd: FILE:LINE: ..." that contains NEEDLE.
bad() {
    local t0 rc ms
    t0=$(now_ms)
    timeout 20 "$HWASMD" --hwasmc "$HWASMC" --cache "$T/cache" --check "$2" >"$T/check.out" 2>"$T/check.err"
    rc=$?
    ms=$(($(now_ms) - t0))
    check "$1: --check exits 2" 2 "$rc"
    check "$1: --check answers within 2 s" yes "$([ "$ms" -lt $((2000 * SLOWDOWN)) ] && echo yes || echo "no ($ms ms)")"
    check "$1: one line" 1 "$(wc -l <"$T/check.err")"
    check "$1: FILE:LINE form" yes "$(grep -qE "^hwasmd: $2:[0-9]+: " "$T/check.err" && echo yes || cat "$T/check.err")"
    contains "$1: says what" "$3" "$(cat "$T/check.err")"
}

# --- the YAML reader's bounds ---------------------------------------------------------------
# Modules are .wasm (compiled into the private cache) so that the same configurations are
# valid for hwasmd versions with and without .so pinning.
head_conf() { # the start of a valid configuration
    printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - name: h\n    module: %s/headers.wasm\n' "$GUESTS"
}
{ head_conf; printf '    config: &a {k: *a}\nroutes:\n  - {prefix: /}\n'; } >"$T/cycle_map.yaml"
bad "alias cycle (mapping)" "$T/cycle_map.yaml" "a cycle"
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nroutes: &r\n  - {prefix: /, chain: *r}\n' >"$T/cycle_seq.yaml"
bad "alias cycle (sequence)" "$T/cycle_seq.yaml" "a cycle"
{
    head_conf
    printf '    config:\n      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n'
    for i in 1 2 3 4 5 6 7 8; do
        printf '      a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n' $i $i \
            $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1))
    done
    printf 'routes:\n  - {prefix: /}\n'
} >"$T/bomb.yaml"
check "the alias bomb is small" yes "$([ "$(wc -c <"$T/bomb.yaml")" -lt 1024 ] && echo yes)"
bad "alias bomb" "$T/bomb.yaml" "aliases expand"
{ head_conf; printf '    config:\n'; python3 -c 'print("".join("      k%d: &a%d v\n" % (i, i) for i in range(40000)), end="")'; printf 'routes:\n  - {prefix: /}\n'; } >"$T/anchors.yaml"
bad "40 000 anchors (libyaml's loader is quadratic in them)" "$T/anchors.yaml" "anchors"
{ head_conf; printf '    config: %s1%s\nroutes:\n  - {prefix: /}\n' "$(printf '[%.0s' $(seq 5000))" "$(printf ']%.0s' $(seq 5000))"; } >"$T/deep.yaml"
bad "nesting 5000 deep" "$T/deep.yaml" "deep"
{ head_conf; printf 'routes:\n  - {prefix: /}\n'; python3 -c 'print(("#" * 1023 + "\n") * 1100, end="")'; } >"$T/big.yaml"
bad "a file over 1 MiB" "$T/big.yaml" "bytes"
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nlisten: 127.0.0.1:1\nroutes:\n  - {prefix: /}\n' >"$T/dup.yaml"
bad "duplicate top key" "$T/dup.yaml" 'duplicate key "listen" (lines 1 and 3)'
printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nroutes:\n  - prefix: /\n    chain: []\n    prefix: /b\n' >"$T/dup2.yaml"
bad "duplicate route key" "$T/dup2.yaml" 'duplicate key "prefix" (lines 4 and 6)'

# --- --check validates what serving needs ---------------------------------------------------
addr_conf() { printf 'listen: %s\nadmin: %s\nupstream: %s\nroutes:\n  - {prefix: /}\n' "$1" "$2" "$3" >"$T/addr.yaml"; }
addr_conf '"127.0.0.1:99999"' '127.0.0.1:0' builtin:echo
bad "listen port out of range" "$T/addr.yaml" "listen"
addr_conf '"localhost:8080"' '127.0.0.1:0' builtin:echo
bad "listen host not numeric" "$T/addr.yaml" "listen"
addr_conf '127.0.0.1:0' '"127.0.0.1:x"' builtin:echo
bad "admin port not a number" "$T/addr.yaml" "admin"
addr_conf '127.0.0.1:0' '127.0.0.1:0' '"http://127.0.0.1:70000"'
bad "upstream port out of range" "$T/addr.yaml" "upstream"
# a value or a name that carries a line end (a folded or quoted scalar) is quoted escaped
# (\xHH, as guest log text; a tab kept): the error stays one line, so the next line of a log
# cannot be forged from a config
printf 'listen: >\n  nullry_\nupstream: builtin:echo\nroutes:\n  - {prefix: /}\n' >"$T/fold.yaml"
bad "a folded listen value" "$T/fold.yaml" 'got "nullry_\x0a"'
printf 'listen: "1.2.3.4:1\\nhwasmd: forged\\tline"\nupstream: builtin:echo\nroutes:\n  - {prefix: /}\n' >"$T/forge.yaml"
bad "a quoted listen value with \\n" "$T/forge.yaml" "\\x0ahwasmd: forged$(printf '\t')line"
{ printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nmiddleware:\n  - name: "h\\x1b[2J"\n    module: %s/headers.wasm\n' "$GUESTS"; printf 'routes:\n  - {prefix: /}\n'; } >"$T/name.yaml"
bad "a middleware name with ESC" "$T/name.yaml" "name: expected 1 to 253 bytes and no control character"
addr_conf '127.0.0.1:0' '":0"' builtin:echo
"$HWASMD" --check "$T/addr.yaml" >/dev/null 2>"$T/check.err"
check "a good configuration passes --check" 0 "$?"

# --- a running server keeps its configuration on a bad reload -------------------------------
conf() { # conf FILE: a server with the headers guest on /
    printf 'listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\nupstream: builtin:echo\nworkers: 1\nmiddleware:\n  - {name: h, module: %s}\nroutes:\n  - {prefix: /, chain: [h]}\n' "$GUESTS/headers.wasm" >"$1"
}
guest_ran() { curl -si "http://127.0.0.1:$1/" | grep -ci '^x-resp'; }
conf "$T/s.yaml"
start s "$T/s.yaml"
SA=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/s.out")
check "serving: the guest runs" 1 "$(guest_ran "$s_PORT")"
cp "$T/cycle_map.yaml" "$T/s.yaml"
kill -HUP "$s_PID"
sleep 0.5
check "SIGHUP with an alias cycle: still running" yes "$(kill -0 "$s_PID" 2>/dev/null && echo yes)"
check "SIGHUP with an alias cycle: the old chain still runs" 1 "$(guest_ran "$s_PORT")"
contains "SIGHUP with an alias cycle: logged" "reload failed" "$(cat "$T/s.err")"
cp "$T/bomb.yaml" "$T/s.yaml"
T0=$(now_ms)
check "POST /reload with an alias bomb: 500" 500 "$(code -m 20 -X POST "$SA/reload")"
check "POST /reload with an alias bomb: answered within 2 s" yes "$([ $(($(now_ms) - T0)) -lt $((2000 * SLOWDOWN)) ] && echo yes)"
cp "$T/cycle_seq.yaml" "$T/s.yaml"
check "POST /reload with an alias cycle: 500" 500 "$(code -m 20 -X POST "$SA/reload")"
cp "$T/dup.yaml" "$T/s.yaml"
contains "POST /reload with a duplicate key: refused" 'duplicate key' "$(curl -s -m 20 -X POST "$SA/reload")"
check "after bad reloads: still running" yes "$(kill -0 "$s_PID" 2>/dev/null && echo yes)"
check "after bad reloads: the old chain still runs" 1 "$(guest_ran "$s_PORT")"

# --- signals while modules load -------------------------------------------------------------
# A compiler that takes its time whenever $T/slow exists: every (re)load with a .wasm module
# runs it at least once (hwasmc --version), so loads and reloads last 1.5 s or more.
REAL_HWASMC=$HWASMC
printf '#!/bin/sh\n[ -f %s/slow ] && sleep 1.5\nexec %s "$@"\n' "$T" "$REAL_HWASMC" >"$T/slow-hwasmc"
chmod +x "$T/slow-hwasmc"
HWASMC=$T/slow-hwasmc
wconf() {
    printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\nworkers: 2\nlimits: {drain_ms: 3000}\nmiddleware:\n  - {name: h, module: %s/headers.wasm}\nroutes:\n  - {prefix: /, chain: [h]}\n' "$GUESTS" >"$1"
}
wconf "$T/w.yaml"
"$HWASMD" --hwasmc "$REAL_HWASMC" --cache "$T/cache" --check "$T/w.yaml" >/dev/null 2>&1 # compiled once
touch "$T/slow"
"$HWASMD" --listen 127.0.0.1:0 --hwasmc "$HWASMC" --cache "$T/cache" "$T/w.yaml" >"$T/l.out" 2>"$T/l.err" &
L_PID=$!
PIDS="$PIDS $L_PID"
sleep 0.5
kill -TERM "$L_PID"
timeout 20 tail --pid="$L_PID" -f /dev/null
wait "$L_PID"
check "SIGTERM while the first modules load: exit 0" 0 "$?"
contains "SIGTERM while the first modules load: drained" "draining" "$(cat "$T/l.err")"

start w "$T/w.yaml" # slow: 1.5 s
kill -HUP "$w_PID"
sleep 0.3
for _ in $(seq 20); do kill -HUP "$w_PID" 2>/dev/null; sleep 0.05; done
check "20 SIGHUPs during a reload: still running" yes "$(kill -0 "$w_PID" 2>/dev/null && echo yes)"
sleep 4
rm -f "$T/slow"
check "after the SIGHUP storm: still running" yes "$(kill -0 "$w_PID" 2>/dev/null && echo yes)"
check "after the SIGHUP storm: serving" 1 "$(guest_ran "$w_PORT")"
N=$(grep -c 'reloaded' "$T/w.err")
check "the SIGHUPs sent during a reload coalesce into one more reload" yes "$([ "$N" -ge 2 ] && [ "$N" -le 3 ] && echo yes || echo "no ($N reloads)")"
touch "$T/slow"
kill -HUP "$w_PID"
sleep 0.3
kill -TERM "$w_PID"
timeout 20 tail --pid="$w_PID" -f /dev/null
wait "$w_PID"
check "SIGTERM during a reload: exit 0" 0 "$?"
check "SIGTERM during a reload: the reload finishes first, then the drain" "$((N + 1)) yes" \
    "$(grep -c reloaded "$T/w.err") $([ "$(grep -n reloaded "$T/w.err" | tail -1 | cut -d: -f1)" -lt \
        "$(grep -n draining "$T/w.err" | cut -d: -f1)" ] 2>/dev/null && echo yes)"
rm -f "$T/slow"
HWASMC=$REAL_HWASMC

# --- the admin listener ---------------------------------------------------------------------
printf 's3cret\n' >"$T/token"
cat >"$T/a.yaml" <<Y
listen: 127.0.0.1:0
admin: ":0"
admin_token_file: token
upstream: builtin:echo
workers: 1
limits: {admin_connections: 4, idle_timeout_ms: 5000}
routes:
  - {prefix: /}
Y
start a "$T/a.yaml"
AA=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/a.out")
contains "admin given only a port binds loopback" "http://127.0.0.1:" "$AA"
check "POST /reload without the token: 401" 401 "$(code -m 20 -X POST "$AA/reload")"
check "POST /reload with a wrong token: 403" 403 "$(code -m 20 -X POST -H 'Authorization: Bearer s3creT' "$AA/reload")"
check "POST /reload with the token: 200" 200 "$(code -m 20 -X POST -H 'Authorization: Bearer s3cret' "$AA/reload")"
check "GET /healthz needs no token" 200 "$(code "$AA/healthz")"
APORT=${AA##*:}
# 12 idle connections to an admin limited to 4: the other 8 are closed at once, the 4 kept
# still answer, and the proxy's own listener is unaffected.
python3 - "$APORT" >"$T/many.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = []
for _ in range(12):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
    time.sleep(0.02)
time.sleep(0.5)
open_, closed = [], 0
for s in socks:
    s.settimeout(0.2)
    try:
        closed += s.recv(1) == b""
    except socket.timeout:
        open_.append(s)
    except ConnectionResetError:
        closed += 1
ok = 0
for s in open_:
    s.settimeout(3)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    ok += s.recv(100).startswith(b"HTTP/1.1 200")
print(closed, len(open_), ok)
PY
check "12 admin connections, limit 4: 8 closed, 4 kept and answering" "8 4 4" "$(cat "$T/many.out")"
check "the admin answers again once they are gone" 200 "$(code "$AA/healthz")"
check "the proxy listener is unaffected" 200 "$(code "http://127.0.0.1:$a_PORT/")"
finish
