// Command refhost-inproc measures, in process, what http-wasm-host-go (the reference
// http-wasm host, on wazero) adds to a request: for each case it times batches of
// requests through a bare no-op net/http handler (the baseline) and through the same
// handler wrapped in the guest's nethttp middleware, alternating the two, and prints the
// medians. bench/http/refhost/run-inproc runs it beside bench_http --case, which does the
// same for libhwasm. Both wall time and the process's CPU time (all threads: the GC's
// background work included) are taken, as CPU time moves less when other work shares the
// machine. A benchmark, not a test; built by bench/http/refhost/build, never by CI.
//
//	refhost-inproc [-batches 21] [-iters 20000] NAME=FILE.wasm:KIND...
//
// KIND is the request, as in the guest SDK's own benchmark (internal/e2e/benchmark_test.go):
// get (GET /v1.0/hi), query (GET /v1.0/hi?name=panda), post (POST / with "hello world"),
// root (GET /), host (GET /host). Output: one line per case,
// "CASE NAME BASE_WALL_NS MW_WALL_NS BASE_CPU_NS MW_CPU_NS" (medians of the batches).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
	"unsafe"

	nethttp "github.com/http-wasm/http-wasm-host-go/handler/nethttp"
)

var smallBody = []byte("hello world")

func newRequest(kind string) *http.Request {
	var r *http.Request
	switch kind {
	case "get":
		r, _ = http.NewRequest(http.MethodGet, "http://localhost/v1.0/hi", nil)
	case "query":
		r, _ = http.NewRequest(http.MethodGet, "http://localhost/v1.0/hi?name=panda", nil)
	case "post":
		r, _ = http.NewRequest(http.MethodPost, "http://localhost", bytes.NewReader(smallBody))
	case "root":
		r, _ = http.NewRequest(http.MethodGet, "http://localhost", nil)
	case "host":
		r, _ = http.NewRequest(http.MethodGet, "http://localhost/host", nil)
	default:
		fmt.Fprintf(os.Stderr, "refhost-inproc: unknown request kind %q\n", kind)
		os.Exit(2)
	}
	return r
}

// discard is the response writer of the SDK's benchmark: it drops what it is given.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(status int) {
	if status == 500 { // a guest error: the figures would be meaningless
		panic(status)
	}
}

// cpuNanos is clock_gettime(CLOCK_PROCESS_CPUTIME_ID): every thread's CPU time.
func cpuNanos() int64 {
	var ts syscall.Timespec
	const processCPUTime = 2
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, processCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// batch returns the wall and CPU ns per request of iters requests through h.
func batch(h http.Handler, kind string, iters int) (float64, float64) {
	t0, c0 := time.Now(), cpuNanos()
	for i := 0; i < iters; i++ {
		h.ServeHTTP(discard{}, newRequest(kind))
	}
	c1 := cpuNanos()
	return float64(time.Since(t0).Nanoseconds()) / float64(iters), float64(c1-c0) / float64(iters)
}

func median(x []float64) float64 {
	sort.Float64s(x)
	return x[len(x)/2]
}

func main() {
	batches := flag.Int("batches", 21, "timed batches per case (medians are printed)")
	iters := flag.Int("iters", 20000, "requests per batch")
	flag.Parse()
	ctx := context.Background()
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, arg := range flag.Args() {
		eq, colon := strings.IndexByte(arg, '='), strings.LastIndexByte(arg, ':')
		if eq < 0 || colon < eq {
			fmt.Fprintf(os.Stderr, "refhost-inproc: %q is not NAME=FILE.wasm:KIND\n", arg)
			os.Exit(2)
		}
		name, file, kind := arg[:eq], arg[eq+1:colon], arg[colon+1:]
		bin, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "refhost-inproc: %v\n", err)
			os.Exit(1)
		}
		mw, err := nethttp.NewMiddleware(ctx, bin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "refhost-inproc: %s: %v\n", file, err)
			os.Exit(1)
		}
		h := mw.NewHandler(ctx, noop)
		batch(noop, kind, *iters/10) // warm-up: first instances, caches, the GC's pacing
		batch(h, kind, *iters/10)
		base, with := make([]float64, *batches), make([]float64, *batches)
		baseCPU, withCPU := make([]float64, *batches), make([]float64, *batches)
		for b := 0; b < *batches; b++ {
			base[b], baseCPU[b] = batch(noop, kind, *iters)
			with[b], withCPU[b] = batch(h, kind, *iters)
		}
		fmt.Printf("CASE %s %.1f %.1f %.1f %.1f\n", name, median(base), median(with),
			median(baseCPU), median(withCPU))
		mw.Close(ctx)
	}
}
