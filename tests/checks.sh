# checks.sh — the checks the shell tests (cli, e2e, install, deploy) count with: each prints
# "ok   WHAT" or "FAIL WHAT: ..." and a failure is counted, not fatal, so one run shows every
# failure; finish ends the test with the verdict. Sourced by each folder's lib.sh.
FAILS=0
check() { # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2], got [$3]"; FAILS=$((FAILS + 1)); fi
}
contains() { # contains WHAT NEEDLE HAYSTACK
    case "$3" in *"$2"*) echo "ok   $1" ;; *) echo "FAIL $1: no [$2] in [$3]"; FAILS=$((FAILS + 1)) ;; esac
}
matches() { # matches WHAT REGEX TEXT (grep -E)
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then echo "ok   $1"; else echo "FAIL $1: [$3] does not match /$2/"; FAILS=$((FAILS + 1)); fi
}
pass() { echo "ok   $1"; }                      # pass WHAT: a check the caller made itself
fail() { echo "FAIL $1"; FAILS=$((FAILS + 1)); } # fail WHAT
finish() { [ "$FAILS" = 0 ] && echo "all passed" || { echo "$FAILS failed"; exit 1; }; }
