# lib.sh — shared by the CLI tests: paths, a scratch dir, and assertions that say what failed.
# Usage from a test: . "$(dirname "$0")/lib.sh" HWASMC HWASM_RUN
set -u
HWASMC=$1
HWASM_RUN=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILED=0

fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }
finish() { [ "$FAILED" -eq 0 ] && echo "all checks passed" || exit 1; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1: expected '$2', got '$3'"; }
# expect_match WHAT PATTERN TEXT (grep -E)
expect_match() { printf '%s\n' "$3" | grep -Eq -- "$2" && pass "$1" || fail "$1: '$3' does not match /$2/"; }
