# files.sh — no file becomes code unless the config's author said so (issue 10 §5): the
# compile cache is private (a world-writable or foreign-owned one is refused), a symbolic
# link or changed bytes planted in it are never loaded, a .so runs no constructor before
# it is refused, a .so loads only when pinned (sha256:) or signed by a trusted key, and a
# relative module name is never looked up through LD_LIBRARY_PATH. "evil.so" is built here
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
