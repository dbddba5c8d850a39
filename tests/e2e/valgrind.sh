# valgrind.sh — a few e2e scripts again with every hwasmd under valgrind's memcheck: any
# invalid access, use of uninitialised memory or definite leak (reported when the server
# exits on SIGTERM) fails the run (lib.sh reads each server's "ERROR SUMMARY").
# Usage: valgrind.sh HWASMD GUESTS_DIR HWASMC
command -v valgrind >/dev/null || { echo "skip: no valgrind"; exit 77; }
export HWASMD_WRAPPER="valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite"
# valgrind runs one thread at a time: the deadline timer's interrupt lands late
export HWASM_E2E_SLOWDOWN=10
DIR=$(dirname "$0")
FAILED=0
for t in chain stream traps; do
    echo "== $t under valgrind"
    bash "$DIR/$t.sh" "$@" || FAILED=$((FAILED + 1))
done
[ "$FAILED" = 0 ] && echo "all passed under valgrind" || { echo "$FAILED scripts failed under valgrind"; exit 1; }
