# dapr.sh — an existing Dapr setup runs unchanged: middleware.http.wasm Components (url:
# file://... relative to the component file, guestConfig as a string, number, map or
# list, strictSandbox) and the Configuration's app pipeline (or, with --dapr-pipeline http,
# httpPipeline); fields hwasmd does not act on are warned about, never dropped silently, and
# so are documents it skips (but the other kinds daprd reads); errors name the file and
# line that is wrong.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/components" "$T/guests"
cp "$GUESTS/auth.wasm" "$GUESTS/config.wasm" "$GUESTS/sandbox.wasm" "$T/guests/"
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
    value: "file://../guests/auth.wasm"
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
    value: "file://$T/guests/config.wasm"
  - name: guestConfig
    value: '{"environment":"production"}'
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cfgmap
spec:
  type: middleware.http.wasm
  version: v1
  metadata:
  - name: url
    value: "file://../guests/config.wasm"
  - name: guestConfig
    value: {environment: production, replicas: 3, zones: [a, b], quote: 'say "hi"'}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cfgnum
spec:
  type: middleware.http.wasm
  metadata:
  - name: url
    value: "file://../guests/config.wasm"
  - name: guestConfig
    value: 42
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: strict
spec:
  type: middleware.http.wasm
  version: v1
  initTimeout: 5s
  metadata:
  - name: url
    value: "file://../guests/sandbox.wasm"
  - name: strictSandbox
    value: "true"
  - name: color
    value: blue
scopes: [app1]
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: loose
spec:
  type: middleware.http.wasm
  version: v1
  metadata:
  - name: url
    value: "file://../guests/sandbox.wasm"
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
printf 'labels: {tier: edge}\n' >>"$T/components/wasm.yaml" # metadata's field, misplaced at the top
# one Configuration per placement: hwasmd in front of the app applies the app pipeline
pipeline() { # pipeline FILE KEY HANDLER...
    f=$1 key=$2; shift 2
    { printf 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: appconfig\nspec:\n  %s:\n    handlers:\n' "$key"
      for h in "$@"; do printf '    - name: %s\n      type: middleware.http.wasm\n' "$h"; done; } >"$f"
}
pipeline "$T/config.yaml" appHttpPipeline auth cfg
D="--dapr-components $T/components --dapr-config $T/config.yaml"
check "--check on Dapr files" 0 "$("$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" $D --upstream builtin:echo >/dev/null 2>&1; echo $?)"
# Documents hwasmd skips are said, one line each (they were skipped without a word): a
# Component of another type (daprd's) a note, a kind Dapr does not define (a misspelt
# "component", a Kubernetes object) or none a warning; the other kinds Dapr reads from a
# resources folder configure daprd and are passed over silently, as daprd's own loaders do.
cat >"$T/components/daprd.yaml" <<Y
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: orders}
spec: {topic: orders, routes: {default: /orders}, pubsubname: pubsub}
---
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
---
apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata: {name: e}
---
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: other}
Y
cat >"$T/components/typos.yaml" <<Y
apiVersion: dapr.io/v1alpha1
kind: component
metadata:
  name: late
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
---
metadata: {name: kindless}
Y
"$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" $D --upstream builtin:echo >/dev/null 2>"$T/skip.err"
check "a Component of another type: one note, at its type" \
    "hwasmd: $T/components/statestore.yaml:6: note: skipped: component statestore has type state.redis (hwasmd runs middleware.http.wasm components, daprd the others)" \
    "$(grep statestore "$T/skip.err")"
check "a misspelt kind: one warning, at its kind" \
    "hwasmd: $T/components/typos.yaml:2: warning: skipped: kind \"component\" is not a Dapr resource kind (hwasmd reads Component)" \
    "$(grep 'kind "component"' "$T/skip.err")"
contains "a Kubernetes object: one warning" "$T/components/typos.yaml:7: warning: skipped: kind \"Deployment\"" "$(cat "$T/skip.err")"
contains "a document without a kind: one warning" "$T/components/typos.yaml:10: warning: skipped: a document without a kind" "$(cat "$T/skip.err")"
check "one line per skipped document, none for Subscription, Resiliency, HTTPEndpoint, Configuration" "4 0" \
    "$(grep -c skipped "$T/skip.err") $(grep -c daprd.yaml "$T/skip.err")"
rm "$T/components/daprd.yaml" "$T/components/typos.yaml"
# start_dapr NAME ARGS...: hwasmd in Dapr mode on a free port, PORT set
start_dapr() {
    n=$1; shift
    "$HWASMD" --listen 127.0.0.1:0 --hwasmc "$HWASMC" --cache "$T/cache" "$@" --upstream builtin:echo >"$T/$n.out" 2>"$T/$n.err" &
    PIDS="$PIDS $!"
    for _ in $(seq 400); do
        PORT=$(sed -n 's/^hwasmd: listening on http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$T/$n.out" 2>/dev/null); [ -n "$PORT" ] && return 0; sleep 0.05
    done
    echo "FAIL: $n did not start:"; cat "$T/$n.err"; exit 1
}
start_dapr d $D
U=http://127.0.0.1:$PORT
check "first handler (auth, url relative to the component file) runs first" 401 "$(code $U/x)"
contains "second handler gets its guestConfig" '{"environment":"production"}' \
    "$(curl -s -H 'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' $U/x)"

# guestConfig given as a YAML map (and list) and as a number: the guest gets their JSON text
pipeline "$T/map.yaml" appHttpPipeline cfgmap
start_dapr m --dapr-components "$T/components" --dapr-config "$T/map.yaml"
check "guestConfig map: its JSON text" '{"environment":"production","replicas":3,"zones":["a","b"],"quote":"say \"hi\""}' \
    "$(curl -s http://127.0.0.1:$PORT/)"
pipeline "$T/num.yaml" appHttpPipeline cfgnum
start_dapr n --dapr-components "$T/components" --dapr-config "$T/num.yaml"
check "guestConfig number: its text" '42' "$(curl -s http://127.0.0.1:$PORT/)"

# strictSandbox: "true": fixed wall clock, fake monotonic clock, no-op sleep, deterministic
# random (the same bytes in every run); without it, the host's clocks
pipeline "$T/strict.yaml" appHttpPipeline strict
start_dapr s --dapr-components "$T/components" --dapr-config "$T/strict.yaml"
S1=$(curl -s http://127.0.0.1:$PORT/)
contains "strictSandbox: wall clock fixed at 2022-01-01" "wall=1640995200000000000 " "$S1"
contains "strictSandbox: monotonic clock fake (1 ms per read)" " mono=1000000,2000000 " "$S1"
contains "strictSandbox: a 1 s sleep returns at once, successfully" " sleep=0 " "$S1"
RAND=$(python3 -c '
s=42; M=(1<<64)-1
s=(s+0x9e3779b97f4a7c15)&M; z=s
z=((z^(z>>30))*0xbf58476d1ce4e5b9)&M; z=((z^(z>>27))*0x94d049bb133111eb)&M; z^=z>>31
print(z.to_bytes(8,"little").hex())')
contains "strictSandbox: random bytes deterministic" "rand=$RAND" "$S1"
contains "strictSandbox: fields hwasmd ignores are warned about (scopes)" "strict: scopes is not implemented" "$(cat "$T/s.err")"
contains "strictSandbox: ... (initTimeout), naming file and line" "$T/components/wasm.yaml:57: warning: component strict: spec.initTimeout" "$(cat "$T/s.err")"
contains "strictSandbox: ... (unknown metadata)" "metadata color is not a middleware.http.wasm field" "$(cat "$T/s.err")"
contains "... (an unknown top-level field, by component)" "$T/components/wasm.yaml:77: warning: component loose: field labels is not a Dapr field hwasmd knows: ignored" "$(cat "$T/s.err")"
pipeline "$T/loose.yaml" appHttpPipeline loose
start_dapr l --dapr-components "$T/components" --dapr-config "$T/loose.yaml"
L1=$(curl -s http://127.0.0.1:$PORT/)
NOW=$(date +%s)
WALL=$(echo "$L1" | sed -n 's/^wall=\([0-9]*\)[0-9]\{9\} .*/\1/p')
check "no strictSandbox: the real wall clock" 1 "$([ -n "$WALL" ] && [ $((NOW - WALL)) -lt 60 ] && [ $((WALL - NOW)) -lt 60 ] && echo 1)"
contains "no strictSandbox: no fake sleep (ENOSYS, as before)" " sleep=52 " "$L1"

# httpPipeline is daprd's own: applied only when asked for; never a silent empty chain
pipeline "$T/ingress.yaml" httpPipeline auth
OUT=$("$HWASMD" --check --cache "$T/cache" --dapr-components "$T/components" --dapr-config "$T/ingress.yaml" --upstream builtin:echo 2>&1); RC=$?
check "only httpPipeline: exit 2" 2 "$RC"
contains "only httpPipeline: says which pipeline and the flag" "$T/ingress.yaml:8: spec.httpPipeline has 1 handlers but hwasmd applies spec.appHttpPipeline (--dapr-pipeline app)" "$OUT"
start_dapr h --dapr-pipeline http --dapr-components "$T/components" --dapr-config "$T/ingress.yaml"
check "--dapr-pipeline http applies httpPipeline" 401 "$(code http://127.0.0.1:$PORT/)"
printf 'kind: Configuration\nmetadata:\n  name: c\nspec:\n  tracing: {samplingRate: "1"}\n' >"$T/none.yaml"
OUT=$("$HWASMD" --check --cache "$T/cache" --dapr-components "$T/components" --dapr-config "$T/none.yaml" --upstream builtin:echo 2>&1); RC=$?
check "no pipeline at all: exit 2, not 0 middleware" 2 "$RC"
contains "no pipeline at all: says so" "none.yaml:5: no handlers in spec.appHttpPipeline.handlers" "$OUT"
OUT=$("$HWASMD" --check --cache "$T/cache" --dapr-pipeline ingress $D --upstream builtin:echo 2>&1); RC=$?
check "--dapr-pipeline with a wrong value: exit 2" 2 "$RC"
contains "--dapr-pipeline with a wrong value: says what" "--dapr-pipeline ingress: expected app or http" "$OUT"

# a handler that is not wasm middleware, or names no component: the Configuration's line
printf 'kind: Configuration\nspec:\n  appHttpPipeline:\n    handlers:\n    - name: nope\n      type: middleware.http.wasm\n' >"$T/bad.yaml"
OUT=$("$HWASMD" --check --dapr-components "$T/components" --dapr-config "$T/bad.yaml" --upstream builtin:echo 2>&1); RC=$?
check "unknown handler: exit 2" 2 "$RC"
contains "unknown handler: FILE:LINE" "$T/bad.yaml:5: handler nope" "$OUT"
printf 'kind: Configuration\nspec:\n  appHttpPipeline:\n    handlers:\n    - name: statestore\n      type: state.redis\n' >"$T/bad2.yaml"
OUT=$("$HWASMD" --check --dapr-components "$T/components" --dapr-config "$T/bad2.yaml" --upstream builtin:echo 2>&1)
contains "handler of another type: refused, named" "$T/bad2.yaml:5: handler statestore: type state.redis is not supported" "$OUT"

# a missing module is blamed on its component's url line, not on the Configuration
mkdir -p "$T/c2"
printf 'kind: Component\nmetadata:\n  name: gone\nspec:\n  type: middleware.http.wasm\n  metadata:\n  - name: url\n    value: file://nowhere.wasm\n' >"$T/c2/gone.yaml"
pipeline "$T/gone.yaml" appHttpPipeline gone
OUT=$("$HWASMD" --check --hwasmc "$HWASMC" --cache "$T/cache" --dapr-components "$T/c2" --dapr-config "$T/gone.yaml" --upstream builtin:echo 2>&1); RC=$?
check "missing module: exit 2" 2 "$RC"
contains "missing module: the component file and its url line" "$T/c2/gone.yaml:8: middleware gone: $T/c2/nowhere.wasm: No such file" "$OUT"
printf 'kind: Component\nmetadata:\n  name: sec\nspec:\n  type: middleware.http.wasm\n  metadata:\n  - name: url\n    value: file://x.wasm\n  - name: guestConfig\n    secretKeyRef: {name: s, key: k}\n' >"$T/c2/gone.yaml"
pipeline "$T/sec.yaml" appHttpPipeline sec
OUT=$("$HWASMD" --check --cache "$T/cache" --dapr-components "$T/c2" --dapr-config "$T/sec.yaml" --upstream builtin:echo 2>&1)
contains "secretKeyRef: refused, naming file and line" "$T/c2/gone.yaml:9: component sec: guestConfig: secretKeyRef is not supported" "$OUT"
finish
