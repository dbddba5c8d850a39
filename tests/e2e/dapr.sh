# dapr.sh — an existing Dapr setup runs unchanged: middleware.http.wasm Components
# (url: file://..., guestConfig) and the Configuration's httpPipeline.handlers order.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/components"
cat >"$T/components/wasm.yaml" <<Y
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: auth
spec:
  type: middleware.http.wasm
  version: v1
  metadata:
  - name: url
    value: "file://$GUESTS/auth.wasm"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cfg
spec:
  type: middleware.http.wasm
  version: v1
  metadata:
  - name: url
    value: "file://$GUESTS/config.wasm"
  - name: guestConfig
    value: '{"environment":"production"}'
Y
cat >"$T/components/statestore.yaml" <<Y
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.redis
  version: v1
Y
cat >"$T/config.yaml" <<Y
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: appconfig
spec:
  httpPipeline:
    handlers:
    - name: auth
      type: middleware.http.wasm
    - name: cfg
      type: middleware.http.wasm
Y
D="--dapr-components $T/components --dapr-config $T/config.yaml"
check "--check on Dapr files" 0 "$("$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" $D --upstream builtin:echo >/dev/null 2>&1; echo $?)"
"$HWASMD" --listen 127.0.0.1:0 --hwasmc "$HWASMC" --cache "$T/cache" $D --upstream builtin:echo >"$T/d.out" 2>"$T/d.err" &
PIDS="$PIDS $!"
for _ in $(seq 100); do
    PORT=$(sed -n 's/^hwasmd: listening on http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$T/d.out" 2>/dev/null); [ -n "$PORT" ] && break; sleep 0.05
done
U=http://127.0.0.1:$PORT
check "first handler (auth) runs first" 401 "$(code $U/x)"
contains "second handler gets its guestConfig" '{"environment":"production"}' \
    "$(curl -s -H 'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' $U/x)"
printf 'kind: Configuration\nspec:\n  httpPipeline:\n    handlers:\n    - name: nope\n      type: middleware.http.wasm\n' >"$T/bad.yaml"
OUT=$("$HWASMD" --check --dapr-components "$T/components" --dapr-config "$T/bad.yaml" --upstream builtin:echo 2>&1); RC=$?
check "unknown handler: exit 2" 2 "$RC"
contains "unknown handler: FILE:LINE" "$T/bad.yaml:5: handler nope" "$OUT"
finish
