#!/bin/sh
# hwasmc --target: an aarch64 .so is an AArch64 ELF object whose descriptor records that
# machine, and this (x86-64) runtime refuses it before loading, naming both machines; a
# descriptor whose machine disagrees with the host is refused after loading; bad --target
# values are one error line. (Running aarch64 modules: make test-arm64, under qemu-user.)
. "$(dirname "$0")/lib.sh"
# The expectations name x86-64 as the host (CI's machine); elsewhere: skipped (ctest: 77).
[ "$(uname -m)" = x86_64 ] || { echo "skipped: written for an x86-64 host"; exit 77; }
wat2wasm "$SRC/examples/demo.wat" -o "$T/demo.wasm"

# elf_u16 FILE OFFSET: a little-endian 16-bit field of the file
elf_u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
# desc_flags_off FILE: the file offset of the descriptor's flags (its second u32)
desc_flags_off() {
    a=$(( 0x$(readelf -W --dyn-syms "$1" | awk '$8 == "hwasm_module_descriptor" {print $2}') ))
    readelf -W -l "$1" | awk '$1 == "LOAD" {print $2, $3, $5}' | while read -r off va fs; do
        [ "$a" -ge $((va)) ] && [ "$a" -lt $((va + fs)) ] && echo $((a - va + off + 4))
    done
}

"$HWASMC" --target=aarch64-linux-gnu "$T/demo.wasm" -o "$T/a64.so"
check "aarch64: ELF machine 183 (EM_AARCH64)" 183 "$(elf_u16 "$T/a64.so" 18)"
off=$(desc_flags_off "$T/a64.so")
check "aarch64: the descriptor records machine 183" 183 "$(elf_u16 "$T/a64.so" $((off + 2)))"
"$HWASMC" --target=arm64 "$T/demo.wasm" -o "$T/a64-alias.so"
cmp -s "$T/a64.so" "$T/a64-alias.so" && pass "arm64 is aarch64-linux-gnu" || fail "--target=arm64 differs"
out=$("$HWASM_RUN" "$T/a64.so" fib 20 2>&1); rc=$?
check "x86-64 runtime refuses an aarch64 module" 1 "$rc"
matches "the refusal names both machines and the fix" \
    "refused before loading: it is compiled for aarch64 \(ELF machine 183\), this runtime runs on x86-64: compile it with hwasmc --target=x86_64-linux-gnu" "$out"

"$HWASMC" --target=x86_64-linux-gnu "$T/demo.wasm" -o "$T/x64.so"
check "x86_64: ELF machine 62 (EM_X86_64)" 62 "$(elf_u16 "$T/x64.so" 18)"
off=$(desc_flags_off "$T/x64.so")
check "x86_64: the descriptor records machine 62" 62 "$(elf_u16 "$T/x64.so" $((off + 2)))"
check "x86_64 module runs" 6765 "$("$HWASM_RUN" "$T/x64.so" fib 20)"
"$HWASMC" "$T/demo.wasm" -o "$T/host.so"
cmp -s "$T/x64.so" "$T/host.so" && pass "the default target is the host" || fail "default differs from x86_64"

# A descriptor that claims another machine (its ELF header unchanged): refused after dlopen.
cp "$T/x64.so" "$T/lie.so"
printf '\267\000' | dd of="$T/lie.so" bs=1 seek=$((off + 2)) conv=notrunc 2>/dev/null
out=$("$HWASM_RUN" "$T/lie.so" fib 20 2>&1); rc=$?
check "a descriptor for another machine is refused" 1 "$rc"
matches "its message names both machines" "compiled for aarch64 \(descriptor machine 183\), this runtime runs on x86-64" "$out"

# hwasmd keys its compile cache by `hwasmc --version`: one key per machine.
matches "--version names the default target" "target x86_64-linux-gnu\)$" "$("$HWASMC" --version)"
matches "--version names a chosen target" "target aarch64-linux-gnu\)$" \
    "$("$HWASMC" --target=aarch64-linux-gnu --version)"

out=$("$HWASMC" --target=riscv64-linux-gnu "$T/demo.wasm" -o "$T/r.so" 2>&1); rc=$?
check "unknown --target: exit 2" 2 "$rc"
check "unknown --target: one error line" \
    "hwasmc: error: --target must be x86_64-linux-gnu or aarch64-linux-gnu, not 'riscv64-linux-gnu'" "$out"
[ -e "$T/r.so" ] && fail "unknown --target left an output" || pass "unknown --target writes nothing"
finish
