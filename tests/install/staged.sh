# staged.sh — ctest `staged_runtime`: the container's runtime file system, assembled by
# deploy/docker/stage-runtime (what the Dockerfile's `FROM scratch` stage copies), runs
# hwasmd with nothing else: in a chroot of that folder (own mount and pid namespaces, /proc
# mounted as a container has it), remounted read-only except the cache volume, as the
# unprivileged user 65532, with an empty environment and PATH set empty (not unset: glibc
# would search /bin:/usr/bin then). hwasmd must compile a .wasm with the hwasmc beside it,
# serve it (curl from outside), and the HEALTHCHECK script must pass.
# Needs root (chroot, mounts): skipped (77) otherwise.
# Usage: staged.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null || { echo "skip: needs root and mount namespaces"; exit 77; }
R=$T/root
must "stage-runtime assembles the root" sh "$SRC/deploy/docker/stage-runtime" "$BUILD" "$R"
check "nothing but the runtime's programs" "bash hwasmc hwasmd" \
    "$(cd "$R" && find . -type f -perm -u+x -path '*bin/*' -printf '%f\n' | sort | paste -sd' ')"
check "no headers, no static libraries, no libhwasm.so (hwasmd links it in)" "" \
    "$(cd "$R" && find . -name '*.h' -o -name '*.a' -o -name 'libhwasm*')"

# The guest and a configuration naming both listeners, as a ConfigMap would mount them.
guest_wasm "$SRC/include" "$R/etc/hwasmd/greet.wasm"
cat >"$R/etc/hwasmd/hwasmd.yaml" <<Y
listen: 127.0.0.1:0
admin: 127.0.0.1:0
upstream: builtin:echo
middleware:
  - {name: greet, module: greet.wasm}
routes:
  - {prefix: /, chain: [greet]}
Y
mkdir -p "$T/cache-volume"
chown 65532:65532 "$T/cache-volume"
touch "$R/dev/null"

CHROOT=$(command -v chroot)
export CHROOT
# run_in_root CMD...: CMD in the chroot, read-only root, cache volume, as 65532, PATH empty.
# exec: the caller's subshell becomes unshare, so killing it (cleanup) kills CMD too.
run_in_root() {
    exec unshare --mount --pid --fork --kill-child sh -c '
        R=$1; V=$2; shift 2
        mount --bind "$R" "$R" && mount -o remount,bind,ro "$R" &&
        mount --bind "$V" "$R/var/cache/hwasmd" &&
        mount --bind /dev/null "$R/dev/null" &&
        mount -t proc proc "$R/proc" &&
        exec env -i PATH= "$CHROOT" --userspec=65532:65532 "$R" "$@"' sh "$R" "$T/cache-volume" "$@"
}
OUT=$(run_in_root /usr/bin/hwasmd --check --cache /var/cache/hwasmd /etc/hwasmd/hwasmd.yaml 2>&1)
check "hwasmd --check in the staged root" "hwasmd: /etc/hwasmd/hwasmd.yaml: ok (1 middleware, 1 routes)" "$OUT"
check "the module was compiled into the cache volume, by 65532" "65532" \
    "$(find "$T/cache-volume" -name '*.so' -printf '%U\n' | sort -u)"
OUT=$(run_in_root /bin/bash -c 'echo x > /etc/hwasmd/written' 2>&1)
contains "the root is read-only" "Read-only file system" "$OUT"

(run_in_root /usr/bin/hwasmd --cache /var/cache/hwasmd /etc/hwasmd/hwasmd.yaml) >"$T/hwasmd.out" 2>"$T/hwasmd.err" &
PIDS="$PIDS $!"
serve_check "staged hwasmd" "$T/hwasmd.out"
ADMIN=$(sed -n 's/^hwasmd: admin on http:\/\/[^ ]*:\([0-9]*\).*/\1/p' "$T/hwasmd.out")
check "HEALTHCHECK passes" 0 "$(env -i HWASMD_ADMIN_PORT="$ADMIN" "$CHROOT" --userspec=65532:65532 "$R" \
    /usr/lib/hwasmd/healthcheck >/dev/null 2>&1; echo $?)"
check "HEALTHCHECK fails on a closed port" 1 "$(env -i HWASMD_ADMIN_PORT=1 "$CHROOT" --userspec=65532:65532 "$R" \
    /usr/lib/hwasmd/healthcheck >/dev/null 2>&1; echo $?)"
check "the default configuration checks (without its app)" 0 \
    "$(cp "$SRC/deploy/docker/hwasmd.yaml" "$R/etc/hwasmd/default.yaml"; (run_in_root /usr/bin/hwasmd --check \
        --cache /var/cache/hwasmd /etc/hwasmd/default.yaml) >/dev/null 2>&1; echo $?)"
finish
