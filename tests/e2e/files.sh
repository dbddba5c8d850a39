# files.sh — no file becomes code unless the config's author said so (issue 10 §5): the
# compile cache is private (a world-writable or foreign-owned one is refused), a symbolic
# link or changed bytes planted in it are never loaded, an entry whose record matches but
# that libhwasm refuses (truncated, garbage) is compiled again instead of failing the load, a .so runs no constructor before
# it is refused, a .so loads only when pinned (sha256:) or signed by a trusted key, and a
# relative module name is never looked up through LD_LIBRARY_PATH; a file hwasmd reads (a
# module, a signature, a key, the token, the access log, a cache entry) that is a FIFO, a
# device or a huge sparse file fails --check and a reload at once with one FILE:LINE line
# instead of hanging hwasmd or eating its memory. "evil.so" is built here
# with cc: its constructor creates a marker file, so "the marker is absent" proves that
# none of its code ran.
# Usage: files.sh HWASMD GUESTS_DIR HWASMC HWASM_SIGN
. "$(dirname "$0")/lib.sh"
SIGN=${4:-$(dirname "$HWASMD")/hwasm-sign}
MARK=$T/marker
# open(MARK, O_CREAT|O_WRONLY) by a raw system call: no libc, so its only sin is the constructor
cat >"$T/evil.c" <<C
__attribute__((constructor)) static void mark(void) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(2L), "D"("$MARK"), "S"(0101L), "d"(0644L) : "rcx", "r11", "memory");
    (void)r;
}
const char hwasm_module_descriptor[224] = {1};
C
cc -shared -fPIC -nostartfiles -o "$T/evil.so" "$T/evil.c" || { echo "FAIL: cannot build evil.so"; exit 1; }
marker() { [ -e "$MARK" ] && { rm -f "$MARK"; echo ran; } || echo absent; }

# cfg FILE MODULE_VALUE [TOP-LEVEL LINES]: a one-guest config in front of builtin:echo.
cfg() {
    printf 'listen: 127.0.0.1:0\nupstream: builtin:echo\n%b\nmiddleware:\n  - {name: m, module: %s}\nroutes:\n  - {prefix: /, chain: [m]}\n' \
        "${3:-}" "$2" >"$1"
}
# chk NAME CONFIG [CACHE]: hwasmd --check; its exit status, stderr in $T/NAME.err.
chk() {
    "$HWASMD" --check --hwasmc "$HWASMC" --cache "${3:-$T/cache}" "$2" >"$T/$1.out" 2>"$T/$1.err"
    echo $?
}
# serves NAME CONFIG: the headers guest answers through a real server.
serves() {
    start "$1" "$2"
    contains "$1: serves through the guest" 'x-resp: 1' "$(curl -si "http://127.0.0.1:$PORT/")"
    kill "$(eval echo "\$${1}_PID")"
}

echo "== the compile cache is private"
cfg "$T/w.yaml" "$GUESTS/headers.wasm"
mkdir -m 777 "$T/open"
chmod 777 "$T/open"
check "world-writable cache: --check fails" 2 "$(chk open "$T/w.yaml" "$T/open")"
contains "world-writable cache: says why" "cache folder $T/open: writable by group or others (mode 0777)" "$(cat "$T/open.err")"
mkdir "$T/theirs" && chown nobody "$T/theirs" && chmod 700 "$T/theirs"
check "cache of another user: --check fails" 2 "$(chk theirs "$T/w.yaml" "$T/theirs")"
contains "cache of another user: says why" "cache folder $T/theirs: owned by uid" "$(cat "$T/theirs.err")"
check "new cache: created" 0 "$(chk fresh "$T/w.yaml" "$T/new/cache")"
check "new cache: mode 0700" 700 "$(stat -c %a "$T/new/cache")"

echo "== what is planted in the cache is never loaded"
check "compile into the cache" 0 "$(chk c1 "$T/w.yaml" "$T/c1")"
KEY=$(ls "$T/c1" | sed -n 's/\.so$//p')
check "one compiled module" 1 "$(echo "$KEY" | grep -c .)"
rm -f "$T/c1/$KEY.so"
ln -s "$T/evil.so" "$T/c1/$KEY.so"
check "symlink in cache: still loads" 0 "$(chk c1b "$T/w.yaml" "$T/c1")"
check "symlink in cache: not followed (evil constructor)" absent "$(marker)"
check "symlink in cache: replaced by a real file" no "$([ -L "$T/c1/$KEY.so" ] && echo yes || echo no)"
cp "$T/evil.so" "$T/c1/$KEY.so.x" && mv "$T/c1/$KEY.so.x" "$T/c1/$KEY.so"
check "tampered cache entry: still loads" 0 "$(chk c1c "$T/w.yaml" "$T/c1")"
check "tampered cache entry: not loaded (evil constructor)" absent "$(marker)"
contains "tampered cache entry: says so" "does not have the sha256 recorded" "$(cat "$T/c1c.err")"
# one flipped byte in the recompiled module, in place
printf 'Z' | dd of="$T/c1/$KEY.so" bs=1 seek=4000 conv=notrunc 2>/dev/null
check "one byte changed: still loads (recompiled)" 0 "$(chk c1d "$T/w.yaml" "$T/c1")"
contains "one byte changed: says so" "does not have the sha256 recorded" "$(cat "$T/c1d.err")"
serves cached "$T/w.yaml"

echo "== what a killed hwasmd left in the cache is swept; a live one's files stay"
# (a --check stopped with ^C while hwasmc ran left KEY.PID.wasm behind, for good)
DEAD=2147483000 # no such process: above any pid_max
for f in "$KEY.$DEAD.wasm" "$KEY.so.$DEAD.tmp" "$KEY.sha256.$DEAD.tmp" "$KEY.$$.wasm" "$KEY.so.$$.tmp"; do
    echo leftover >"$T/c1/$f"
done
check "leftovers: still loads" 0 "$(chk c1e "$T/w.yaml" "$T/c1")"
check "leftovers of a dead hwasmd: removed" "" "$(ls "$T/c1" | grep -F ".$DEAD.")"
check "files of a live process: kept" 2 "$(ls "$T/c1" | grep -cF ".$$.")"
rm -f "$T/c1/$KEY.$$.wasm" "$T/c1/$KEY.so.$$.tmp"

echo "== a cache entry with a good record that libhwasm cannot load is a miss, compiled again"
# as wasmtime takes a cache entry it cannot deserialize: the record matches (a truncated
# write, a broken disk, an older hwasmc's output), the .so is no module of ours. The load
# failed ("refused before loading: not an ELF file") instead.
# spoil WHAT: KEY.so replaced by $T/spoil with a record of its bytes; --check still loads,
# says so once, and the entry is replaced by a good compile.
spoil() {
    cp "$T/spoil" "$T/c1/$KEY.so.x" && mv "$T/c1/$KEY.so.x" "$T/c1/$KEY.so"
    sha "$T/c1/$KEY.so" >"$T/c1/$KEY.sha256"
    check "$1, its record matching: still loads (recompiled)" 0 "$(chk spoil "$T/w.yaml" "$T/c1")"
    check "... said once on stderr" 1 "$(grep -c "^hwasmd: cache entry $KEY.so: .*: not loaded, recompiling\$" "$T/spoil.err")"
    check "... and nothing else" 1 "$(wc -l <"$T/spoil.err")"
    check "... the entry replaced, its record with it" "$(sha "$T/c1/$KEY.so")" \
        "$(cat "$T/c1/$KEY.sha256")$(cmp -s "$T/spoil" "$T/c1/$KEY.so" && echo ' (unchanged)')"
}
GOOD_SO=$(sha "$T/c1/$KEY.so")
head -c 3000 "$T/c1/$KEY.so" >"$T/spoil"
spoil "a truncated cache entry"
check "... the same bytes as the first compile" "$GOOD_SO" "$(sha "$T/c1/$KEY.so")"
head -c 5000 /dev/urandom >"$T/spoil"
spoil "a garbage cache entry"
: >"$T/spoil"
spoil "an empty cache entry"
cp "$GUESTS/auth.so" "$T/spoil"
spoil "another module's .so as the cache entry"
contains "... named by what libhwasm said" "wasm digest does not match the required one" "$(cat "$T/spoil.err")"
cp "$T/evil.so" "$T/spoil"
spoil "a .so with a constructor as the cache entry"
check "... its constructor did not run" absent "$(marker)"
serves respoiled "$T/w.yaml"
# a module whose own start fails is its error, not the cache's: not compiled again
cfg "$T/ps.yaml" "$GUESTS/panic_on_start.wasm"
check "a guest that fails to start: refused" 2 "$(chk ps1 "$T/ps.yaml" "$T/c1")"
check "... from its cache entry too, without compiling it again" "2 0" "$(chk ps2 "$T/ps.yaml" "$T/c1") $(grep -c recompiling "$T/ps2.err")"
contains "... its own error" "panic_on_start.wasm: start function: unreachable" "$(cat "$T/ps2.err")"

echo "== a .so needs a pin or a signature, and runs nothing before it is refused"
cfg "$T/e.yaml" "$T/evil.so"
check "unpinned foreign .so: refused" 2 "$(chk e "$T/e.yaml")"
check "unpinned foreign .so: its constructor did not run" absent "$(marker)"
cfg "$T/ep.yaml" "$T/evil.so, sha256: $(sha "$T/evil.so")"
check "pinned foreign .so with a constructor: refused" 2 "$(chk ep "$T/ep.yaml")"
check "pinned foreign .so: its constructor did not run" absent "$(marker)"
contains "pinned foreign .so: says why" "evil.so: refused before loading: it has constructors (DT_INIT_ARRAY)" "$(cat "$T/ep.err")"
cfg "$T/u.yaml" "$GUESTS/headers.so"
check "unpinned .so: refused" 2 "$(chk u "$T/u.yaml")"
contains "unpinned .so: says how to allow it" "headers.so: refused: a .so runs as native code inside hwasmd, so the config must pin it" "$(cat "$T/u.err")"
cfg "$T/p.yaml" "$(pinned "$GUESTS/headers.so")"
check "pinned .so: loads" 0 "$(chk p "$T/p.yaml")"
serves pinned "$T/p.yaml"
cfg "$T/wp.yaml" "$GUESTS/headers.so, sha256: $(sha "$GUESTS/auth.so")"
check "wrong pin: refused" 2 "$(chk wp "$T/wp.yaml")"
contains "wrong pin: says both digests" "its sha256 is $(sha "$GUESTS/headers.so"), the config pins $(sha "$GUESTS/auth.so")" "$(cat "$T/wp.err")"
cfg "$T/pw.yaml" "$(pinned "$GUESTS/headers.wasm")"
check "pinned .wasm: loads" 0 "$(chk pw "$T/pw.yaml")"
cfg "$T/wpw.yaml" "$GUESTS/headers.wasm, sha256: $(sha "$GUESTS/auth.wasm")"
check "wrong pin on a .wasm: refused" 2 "$(chk wpw "$T/wpw.yaml")"
contains "wrong pin on a .wasm: says so" "the config pins $(sha "$GUESTS/auth.wasm")" "$(cat "$T/wpw.err")"

echo "== signatures"
mkdir "$T/keys" "$T/mod"
cp "$GUESTS/headers.so" "$T/mod/headers.so"
PUB=$("$SIGN" keygen "$T/keys/ci")
"$SIGN" keygen "$T/keys/other" >/dev/null
check "secret key is private" 600 "$(stat -c %a "$T/keys/ci.key")"
"$SIGN" sign "$T/keys/ci.key" "$T/mod/headers.so" >/dev/null
check "hwasm-sign verify" 0 "$("$SIGN" verify "$T/keys/ci.pub" "$T/mod/headers.so" >/dev/null; echo $?)"
cfg "$T/s1.yaml" "$T/mod/headers.so" "trusted_keys: [keys/ci.pub]"
check "signed .so, key file: loads" 0 "$(chk s1 "$T/s1.yaml")"
serves signed "$T/s1.yaml"
cfg "$T/s2.yaml" "$T/mod/headers.so" "trusted_keys: [\"$PUB\"]"
check "signed .so, inline key: loads" 0 "$(chk s2 "$T/s2.yaml")"
cfg "$T/s3.yaml" "$T/mod/headers.so" "trusted_keys: [keys/other.pub]"
check "signed by an untrusted key: refused" 2 "$(chk s3 "$T/s3.yaml")"
contains "untrusted key: says why" "headers.so.sig: not signed by any key in trusted_keys" "$(cat "$T/s3.err")"
cp "$GUESTS/auth.so" "$T/mod/headers.so"
check "changed after signing: refused" 2 "$(chk s4 "$T/s1.yaml")"
cfg "$T/s5.yaml" "$T/mod/headers.so" "trusted_keys: [keys/missing.pub]"
check "missing key file: config error" 2 "$(chk s5 "$T/s5.yaml")"
contains "missing key file: FILE:LINE" "s5.yaml:3: trusted_keys: $T/keys/missing.pub" "$(cat "$T/s5.err")"

echo "== only regular files are read, and within their bounds"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# fast NAME CONFIG NEEDLE: --check fails (2) within 3 s (a hang is killed at 20 s) with
# exactly one line "hwasmd: CONFIG:LINE: ..." holding NEEDLE.
fast() {
    local t0 rc ms
    t0=$(now_ms)
    timeout 20 "$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" "$2" >"$T/fast.out" 2>"$T/fast.err"
    rc=$?
    ms=$(($(now_ms) - t0))
    check "$1: --check exits 2" 2 "$rc"
    check "$1: --check answers within 3 s" yes "$([ "$ms" -lt $((3000 * SLOWDOWN)) ] && echo yes || echo "no ($ms ms)")"
    check "$1: one line" 1 "$(wc -l <"$T/fast.err")"
    matches "$1: FILE:LINE form" "^hwasmd: $2:[0-9]+: " "$(cat "$T/fast.err")"
    contains "$1: says what" "$3" "$(cat "$T/fast.err")"
}
mkdir "$T/odd"
ln -s /dev/zero "$T/odd/zero.wasm"
mkfifo "$T/odd/fifo.wasm" "$T/odd/fifo.log" "$T/odd/fifo.token" "$T/odd/fifo.pub"
truncate -s 100G "$T/odd/sparse.wasm"
cfg "$T/odd/zero.yaml" zero.wasm
fast "module -> /dev/zero" "$T/odd/zero.yaml" "zero.wasm: not a regular file (a character device)"
cfg "$T/odd/fifo.yaml" fifo.wasm
fast "FIFO module" "$T/odd/fifo.yaml" "fifo.wasm: not a regular file (a FIFO)"
cfg "$T/odd/sparse.yaml" sparse.wasm
fast "100 GB sparse module" "$T/odd/sparse.yaml" "sparse.wasm: 107374182400 bytes, larger than the 67108864 allowed (--fetch-limit bytes=N)"
cfg "$T/odd/log.yaml" "$GUESTS/headers.wasm" "access_log: fifo.log"
fast "FIFO access_log (no reader)" "$T/odd/log.yaml" "access_log: $T/odd/fifo.log: not a regular file (a FIFO)"
cfg "$T/odd/tok.yaml" "$GUESTS/headers.wasm" "admin: 127.0.0.1:0\nadmin_token_file: fifo.token"
fast "FIFO admin_token_file" "$T/odd/tok.yaml" "admin_token_file: $T/odd/fifo.token: not a regular file (a FIFO)"
cfg "$T/odd/key.yaml" "$(pinned "$GUESTS/headers.so")" "trusted_keys: [fifo.pub]"
fast "FIFO trusted key file" "$T/odd/key.yaml" "fifo.pub: not a regular file (a FIFO)"
cp "$GUESTS/headers.so" "$T/odd/h.so"
mkfifo "$T/odd/h.so.sig"
cfg "$T/odd/sig.yaml" h.so "trusted_keys: [\"$PUB\"]"
fast "FIFO MODULE.so.sig" "$T/odd/sig.yaml" "h.so.sig: not a regular file (a FIFO)"

# the token must be one a request can present: no NUL or control byte, no white space around it
token() { # token NAME BYTES NEEDLE: admin_token_file holding printf BYTES
    printf "$2" >"$T/odd/$1.token"
    cfg "$T/odd/$1.yaml" "$GUESTS/headers.wasm" "admin: 127.0.0.1:0\nadmin_token_file: $1.token"
    fast "admin token $1" "$T/odd/$1.yaml" "$3"
}
token nul 'a\0b\n' "the token holds a NUL byte (at byte 2)"
token esc 'a\033b\n' "the token holds a control byte (0x1b at byte 2)"
token blank '  \n' "the token starts or ends with white space"
token spaced ' s3cret\n' "the token starts or ends with white space"
token trailing 's3cret \n' "the token starts or ends with white space"
token empty '\nsecond\n' "the token is empty"
mkdir "$T/odd/folder.token"
cfg "$T/odd/folder.yaml" "$GUESTS/headers.wasm" "admin: 127.0.0.1:0\nadmin_token_file: folder.token"
fast "admin_token_file a folder" "$T/odd/folder.yaml" "folder.token: is a directory"

# a FIFO or a device planted in the cache is passed over (recompiled), never waited on
check "compile into a cache" 0 "$(chk c2 "$T/w.yaml" "$T/c2")"
KEY=$(ls "$T/c2" | sed -n 's/\.so$//p')
rm "$T/c2/$KEY.so" "$T/c2/$KEY.sha256"
mkfifo "$T/c2/$KEY.so" "$T/c2/$KEY.sha256"
check "FIFO cache entry: still loads (recompiled)" 0 "$(timeout 20 "$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/c2" "$T/w.yaml" 2>"$T/c2b.err" >/dev/null; echo $?)"
contains "FIFO cache entry: says so" "cache entry $KEY.so: not a regular file (a FIFO): not loaded, recompiling" "$(cat "$T/c2b.err")"

# a running server: bad reloads fail fast, it keeps serving, stays small and still stops
printf 'listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\nupstream: builtin:echo\nworkers: 1\nmiddleware:\n  - {name: m, module: %s}\nroutes:\n  - {prefix: /, chain: [m]}\n' \
    "$GUESTS/headers.wasm" >"$T/odd/good.yaml"
cp "$T/odd/good.yaml" "$T/odd/run.yaml"
start run "$T/odd/run.yaml"
RA=$(sed -n 's/^hwasmd: admin on \(.*\)/\1/p' "$T/run.out")
for bad in zero fifo sparse log tok; do
    cp "$T/odd/$bad.yaml" "$T/odd/run.yaml"
    T0=$(now_ms)
    check "POST /reload, $bad: 500" 500 "$(code -m 20 -X POST "$RA/reload")"
    MS=$(($(now_ms) - T0))
    check "POST /reload, $bad: answered within 3 s" yes "$([ "$MS" -lt $((3000 * SLOWDOWN)) ] && echo yes || echo "no ($MS ms)")"
    contains "POST /reload, $bad: the old chain still serves" 'x-resp: 1' "$(curl -si -m 5 "http://127.0.0.1:$run_PORT/")"
done
cp "$T/odd/good.yaml" "$T/odd/run.yaml"
check "a good POST /reload after them: 200" 200 "$(code -m 20 -X POST "$RA/reload")"
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$run_PID/status")
check "peak RSS stays under 256 MiB" yes "$([ "$HWM" -lt 262144 ] && echo yes || echo "no ($HWM kB)")"
kill -TERM "$run_PID"
timeout 10 tail --pid="$run_PID" -f /dev/null
check "SIGTERM after the bad reloads: exits" 0 "$(kill -0 "$run_PID" 2>/dev/null && echo 1 || echo 0)"

echo "== a relative module name is the config folder's, never LD_LIBRARY_PATH's"
mkdir "$T/site" "$T/attacker"
cp "$GUESTS/headers.so" "$T/site/foo.so"
cp "$T/evil.so" "$T/attacker/foo.so"
cfg "$T/site/site.yaml" "foo.so, sha256: $(sha "$T/site/foo.so")"
st=$(cd "$T/site" && LD_LIBRARY_PATH="$T/attacker" "$HWASMD" --check --cache "$T/cache" site.yaml 2>"$T/site.err" >/dev/null; echo $?)
check "relative foo.so: the config folder's loads" 0 "$st"
check "relative foo.so: the attacker's did not run" absent "$(marker)"
cfg "$T/site/bare.yaml" "foo.so"
rm "$T/site/foo.so"
st=$(cd "$T/site" && LD_LIBRARY_PATH="$T/attacker" "$HWASMD" --check --cache "$T/cache" bare.yaml 2>"$T/bare.err" >/dev/null; echo $?)
check "relative foo.so missing in the config folder: refused" 2 "$st"
check "relative foo.so missing: the attacker's did not run" absent "$(marker)"
finish
