# systemd.sh — ctest `deploy_systemd`: deploy/systemd/hwasmd.service has the sandbox
# docs/deploy.md promises (DynamicUser, ProtectSystem=strict, CacheDirectory=hwasmd and the
# cache passed to hwasmd, reload by SIGHUP), `systemd-analyze verify` accepts it without a
# single warning (ExecStart pointed at this build's hwasmd, as /usr/bin/hwasmd is not
# installed here), and `systemd-analyze security --offline` rates its exposure at most 2.5.
# Skipped (77) without systemd-analyze.
# Usage: systemd.sh SOURCE_DIR HWASMD
set -u
UNIT=$1/deploy/systemd/hwasmd.service
HWASMD=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
command -v systemd-analyze >/dev/null || { echo "skip: no systemd-analyze"; exit 77; }
T=$(mktemp -d /tmp/hwasm-systemd.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../checks.sh" # check, finish
key() { sed -n "s/^$1=//p" "$UNIT"; }
check "DynamicUser" yes "$(key DynamicUser)"
check "ProtectSystem" strict "$(key ProtectSystem)"
check "CacheDirectory" hwasmd "$(key CacheDirectory)"
check "NoNewPrivileges" yes "$(key NoNewPrivileges)"
check "no capabilities" "" "$(key CapabilityBoundingSet)"
check "ExecReload sends SIGHUP" 'kill -HUP $MAINPID' "$(key ExecReload)"
check "ExecStart: hwasmd with the cache directory" '/usr/bin/hwasmd --cache ${CACHE_DIRECTORY} /etc/hwasmd/hwasmd.yaml' "$(key ExecStart)"
check "no restart loop on a configuration error (exit 2)" 2 "$(key RestartPreventExitStatus)"

sed "s|/usr/bin/hwasmd|$HWASMD|" "$UNIT" >"$T/hwasmd.service"
OUT=$(systemd-analyze verify --man=no "$T/hwasmd.service" 2>&1; echo "rc=$?")
check "systemd-analyze verify: no complaint" "rc=0" "$OUT"
OUT=$(systemd-analyze security --offline=yes --threshold=25 "$T/hwasmd.service" 2>&1)
RC=$?
echo "$OUT" | tail -1
check "systemd-analyze security: exposure <= 2.5" 0 "$RC"
finish
