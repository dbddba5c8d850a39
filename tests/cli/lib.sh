# lib.sh — shared by the CLI tests: paths, a scratch dir, and the checks every shell test
# counts with (tests/checks.sh).
# Usage from a test: . "$(dirname "$0")/lib.sh" HWASMC HWASM_RUN
set -u
HWASMC=$1
HWASM_RUN=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$SRC/tests/checks.sh" # check, matches, pass, fail, finish
