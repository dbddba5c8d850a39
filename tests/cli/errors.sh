#!/bin/sh
# Bad input gets one clear line on stderr, a non-zero exit, and no output file.
. "$(dirname "$0")/lib.sh"

one_error_line() { # NAME STDERR-FILE PATTERN
    lines=$(wc -l < "$2")
    check "$1: exactly one line on stderr" 1 "$lines"
    matches "$1: message" "$3" "$(cat "$2")"
}

"$HWASMC" > /dev/null 2> "$T/err"; rc=$?
check "no arguments: exit status 2" 2 "$rc"
one_error_line "no arguments" "$T/err" '^hwasmc: error: no input file'

"$HWASMC" "$T/missing.wasm" -o "$T/x.so" 2> "$T/err"; rc=$?
check "missing input: exit 1" 1 "$rc"
one_error_line "missing input" "$T/err" "^hwasmc: error: $T/missing.wasm: cannot read"

"$HWASMC" "$T/a.wasm" -O7 -o "$T/x.so" 2> "$T/err"; rc=$?
check "bad -O: exit 2" 2 "$rc"

# --import-modules: a module importing from a module the host does not provide is refused
# after decoding, before compiling; one it does provide compiles.
printf '(module (import "env" "f" (func)) (import "wasi_snapshot_preview1" "g" (func)))' > "$T/imp.wat"
wat2wasm "$T/imp.wat" -o "$T/imp.wasm"
"$HWASMC" "$T/imp.wasm" -o "$T/imp.so" --import-modules=http_handler,wasi_snapshot_preview1 2> "$T/err"; rc=$?
check "import from another host's module: exit 1" 1 "$rc"
check "import from another host's module: one line naming it" \
    "hwasmc: error: $T/imp.wasm: import 0 (env.f): module \"env\" is not one the host provides (http_handler,wasi_snapshot_preview1)" \
    "$(cat "$T/err")"
check "... no output" absent "$([ -e "$T/imp.so" ] && echo present || echo absent)"
"$HWASMC" "$T/imp.wasm" -o "$T/imp.so" --import-modules=env,wasi_snapshot_preview1 2> "$T/err"; rc=$?
check "every import module provided: compiles" 0 "$rc"

# A valid module, then truncations of it at every length. A prefix that ends at a section
# boundary is itself a valid module (wabt's wasm-validate is the referee); every other
# prefix must be rejected with a located message and leave no output behind.
cat > "$T/ok.wat" <<'WAT'
(module (memory 1) (func (export "f") (param i32) (result i32)
  (i32.add (local.get 0) (i32.load offset=4 (local.get 0)))))
WAT
wat2wasm "$T/ok.wat" -o "$T/ok.wasm"
size=$(stat -c %s "$T/ok.wasm")
bad=0 rejected=0
i=0
while [ "$i" -lt "$size" ]; do
    head -c "$i" "$T/ok.wasm" > "$T/cut.wasm"
    rm -f "$T/cut.so"
    if wasm-validate "$T/cut.wasm" 2> /dev/null; then
        "$HWASMC" "$T/cut.wasm" -o "$T/cut.so" 2> "$T/err" || { bad=$((bad + 1)); echo "rejected the valid prefix of $i bytes: $(cat "$T/err")"; }
    else
        rejected=$((rejected + 1))
        if "$HWASMC" "$T/cut.wasm" -o "$T/cut.so" 2> "$T/err"; then bad=$((bad + 1)); echo "accepted a truncation at $i bytes"; fi
        [ -e "$T/cut.so" ] && { bad=$((bad + 1)); echo "left an output for a truncation at $i"; }
        grep -Eq "^hwasmc: error: $T/cut.wasm: .*at offset 0x[0-9a-f]+: " "$T/err" || { bad=$((bad + 1)); echo "bad message at $i: $(cat "$T/err")"; }
    fi
    i=$((i + 1))
done
check "all $size prefixes judged as wasm-validate judges them ($rejected invalid ones rejected with a located message)" 0 "$bad"

# Corrupt single bytes: hwasmc may accept or reject, but must never crash.
crashes=0
i=8
while [ "$i" -lt "$size" ]; do
    for v in 0 127 255; do
        cp "$T/ok.wasm" "$T/bad.wasm"
        printf "$(printf '\\%03o' "$v")" | dd of="$T/bad.wasm" bs=1 seek="$i" conv=notrunc 2>/dev/null
        "$HWASMC" "$T/bad.wasm" -o "$T/bad.so" 2> /dev/null
        [ $? -ge 128 ] && { crashes=$((crashes + 1)); echo "crash: byte $i = $v"; }
    done
    i=$((i + 1))
done
check "no crash on corrupted bytes" 0 "$crashes"

# A type error inside a function names the function (and its name-section name).
cat > "$T/invalid.wat" <<'WAT'
(module (func $good) (func $broken (result i32) (i64.const 1)))
WAT
wat2wasm --no-check --debug-names "$T/invalid.wat" -o "$T/invalid.wasm"
"$HWASMC" "$T/invalid.wasm" -o "$T/invalid.so" 2> "$T/err"; rc=$?
check "invalid function: exit 1" 1 "$rc"
one_error_line "invalid function" "$T/err" 'function 1 \(\$broken\) at offset 0x[0-9a-f]+: type mismatch'
[ -e "$T/invalid.so" ] && fail "an output was left for an invalid module" || pass "no output for an invalid module"

# ... and a name from the module is escaped as hwasmd escapes it (common/text_escape.c):
# ESC, a C1 CSI, a byte that is not UTF-8 and a line end reached the terminal raw (the
# line end made two lines). The same module as tests/e2e/lib.sh's invalid_wasm.
python3 -c 'import sys; sys.stdout.buffer.write(
    b"\0asm\1\0\0\0\1\x08\2\x60\0\0\x60\0\1\x7f\3\3\2\0\1\x0a\x09\2\2\0\x0b\4\0\x42\1\x0b"
    b"\0\x1d\4name\1\x0f\2\0\4good\1\6" + b"\x1b]\xc2\x9b\xff\n" + b"\2\5\2\0\0\1\0")' > "$T/hostile.wasm"
"$HWASMC" "$T/hostile.wasm" -o "$T/hostile.so" 2> "$T/err"
check "a hostile function name: escaped, one line" \
    "hwasmc: error: $T/hostile.wasm: function 1 (\$\x1b]\xc2\x9b\xff\x0a) at offset 0x21: type mismatch" "$(cat "$T/err")"
check "... no byte of it raw" 0 "$(LC_ALL=C grep -c "$(printf '[\001-\010\033\200-\377]')" "$T/err")"
printf '(module (import "env" "\\1b[31mred" (func)))' > "$T/escimp.wat"
wat2wasm "$T/escimp.wat" -o "$T/escimp.wasm"
"$HWASMC" "$T/escimp.wasm" -o "$T/escimp.so" --import-modules=http_handler 2> "$T/err"
check "an import's name: escaped" \
    "hwasmc: error: $T/escimp.wasm: import 0 (env.\x1b[31mred): module \"env\" is not one the host provides (http_handler)" \
    "$(cat "$T/err")"

# Five bytes may declare 4 billion locals: an implementation limit (V8's and wasmtime's,
# 50,000) refuses them with a located error, where hwasmc crashed (4 billion) or spent
# seconds and half a GiB (a million).
for n in 50001 1000000 4000000000; do
    printf '(module (func (local i64) (local.get 0) drop))' > "$T/locals.wat"
    wat2wasm "$T/locals.wat" -o "$T/locals.wasm"
    # rewrite the one local run (count 1) as a run of n: the count is the LEB before 0x7e
    python3 -c "
import sys
b = open(sys.argv[1], 'rb').read(); n = int(sys.argv[2])
i = b.index(bytes([1, 1, 0x7e]))  # one run, count 1, i64
leb = bytearray()
while True:
    x = n & 0x7f; n >>= 7
    leb.append(x | (0x80 if n else 0))
    if not n: break
body = bytes([1]) + bytes(leb) + b[i + 2:]
size_at = i - 1  # the body size byte (small module: one byte)
code = b[:size_at] + bytes([len(body)]) + body
sec = code.rindex(bytes([10]), 0, size_at)  # code section id, then size, count
rest = code[sec + 2:]
open(sys.argv[1], 'wb').write(code[:sec + 1] + bytes([len(rest)]) + rest)
" "$T/locals.wasm" "$n"
    "$HWASMC" "$T/locals.wasm" -o "$T/locals.so" 2> "$T/err"; rc=$?
    check "$n locals: exit 1" 1 "$rc"
    one_error_line "$n locals" "$T/err" 'function 0 at offset 0x[0-9a-f]+: too many locals'
done

# A SIMD module compiles; an invalid lane index is one located line.
printf '(module (func (export "f") (result v128) (v128.const i32x4 1 2 3 4)))' > "$T/simd.wat"
wat2wasm "$T/simd.wat" -o "$T/simd.wasm"
"$HWASMC" "$T/simd.wasm" -o "$T/simd.so" 2> "$T/err" && pass "a SIMD module compiles" || fail "SIMD module refused: $(cat "$T/err")"
printf '(module (func (result i32) (i32x4.extract_lane 3 (v128.const i64x2 0 0))))' > "$T/lane.wat"
wat2wasm "$T/lane.wat" -o "$T/lane.wasm"
# wat2wasm checks lanes itself: patch the lane byte (the one before the function's `end`).
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); i=b.rindex(bytes([0xfd,0x1b,3])); b[i+2]=4; open(sys.argv[1],"wb").write(b)' "$T/lane.wasm"
"$HWASMC" "$T/lane.wasm" -o "$T/lane.so" 2> "$T/err"
one_error_line "lane index" "$T/err" 'function 0 at offset 0x[0-9a-f]+: invalid lane index'

# A module built with a proposal hwasmc does not support is refused by name, so its author
# knows which toolchain flag to drop (wazero's test modules had "illegal opcode 0x12").
printf '(module (func $f (return_call $f)))' > "$T/tail.wat"
wat2wasm --enable-tail-call "$T/tail.wat" -o "$T/tail.wasm"
"$HWASMC" "$T/tail.wasm" -o "$T/tail.so" 2> "$T/err"
one_error_line "a tail call" "$T/err" 'function 0 at offset 0x[0-9a-f]+: illegal opcode 0x12 \(from the tail calls proposal'
printf '(module (memory 1 1 shared))' > "$T/shared.wat"
wat2wasm --enable-threads "$T/shared.wat" -o "$T/shared.wasm"
"$HWASMC" "$T/shared.wasm" -o "$T/shared.so" 2> "$T/err"
one_error_line "a shared memory" "$T/err" 'at offset 0x[0-9a-f]+: .*shared memory, from the threads proposal'
finish
