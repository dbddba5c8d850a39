# reload.sh — SIGHUP and POST /reload swap in a new configuration while requests keep
# flowing: none is lost, new requests see the new chain, and a broken file keeps the old one.
. "$(dirname "$0")/lib.sh"
conf() { # conf CHAIN
    cat >"$T/r.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: builtin:echo
workers: 2
middleware:
  - {name: headers, module: $(pinned $GUESTS/headers.so)}
  - {name: auth, module: $(pinned $GUESTS/auth.so)}
routes:
  - {prefix: /, chain: [$1]}
Y
}
conf ""
start r "$T/r.yaml"
A=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/r.out")
U=http://127.0.0.1:$r_PORT
check "before: no guest" "" "$(curl -si $U/ | grep -i '^x-resp' | tr -d '\r')"
seq 400 | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' $U/{} >"$T/load" &
LOAD=$!
sleep 0.2
conf headers
kill -HUP "$r_PID"
sleep 0.3
conf auth
check "POST /reload" 200 "$(curl -s -o /dev/null -w '%{http_code}' -X POST $A/reload)"
wait "$LOAD"
check "400 requests across two reloads, none lost" "400" "$(grep -c '^[24]0[01]$' "$T/load")"
check "after: the new chain answers" 401 "$(code $U/)"
echo 'listen: [' >"$T/r.yaml"
check "broken config: POST /reload fails" 500 "$(curl -s -o /dev/null -w '%{http_code}' -X POST $A/reload)"
kill -HUP "$r_PID"; sleep 0.2
check "broken config: the old chain still answers" 401 "$(code $U/)"
contains "reload logged" "generation 2" "$(cat "$T/r.err")"
contains "failed reload logged" "reload failed: the running configuration stays" "$(cat "$T/r.err")"
# a module hwasmc refuses: the 500's body and the stderr line are the same one line, with
# hwasmc's words (hwasmc's own line came first on stderr, naming its private copy)
invalid_wasm broken >"$T/invalid.wasm"
printf 'listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\nupstream: builtin:echo\nworkers: 2\nmiddleware:\n  - {name: bad, module: invalid.wasm}\nroutes:\n  - {prefix: /, chain: [bad]}\n' >"$T/r.yaml"
LINES=$(wc -l <"$T/r.err")
BODY=$(curl -s -X POST $A/reload)
check "a module hwasmc refuses: POST /reload says it in one line" \
    "hwasmd: $T/r.yaml:6: middleware bad: $T/invalid.wasm: hwasmc: function 1 (\$broken) at offset 0x21: type mismatch" "$BODY"
check "... and stderr the same, one line" "$BODY (reload failed: the running configuration stays)" "$(tail -n +$((LINES + 1)) "$T/r.err")"
check "... the old chain still answers" 401 "$(code $U/)"
conf auth
sed -i 's/^workers: 2/workers: 1/' "$T/r.yaml"
contains "a new worker count is said to wait for a restart" "workers keep their values until a restart" \
    "$(curl -s -X POST $A/reload)"
check "and the old workers still serve" 401 "$(code $U/)"
finish
