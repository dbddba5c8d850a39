// Command refhost-proxy is the reference host over HTTP for bench/http/run-wrk: Go's
// net/http server, one http-wasm guest through http-wasm-host-go's nethttp middleware (on
// wazero), then httputil.ReverseProxy with a buffer pool to the upstream, which is how a
// Go program embeds the reference host. A benchmark fixture, not a product; built by
// bench/http/refhost/build, never by CI.
//
//	refhost-proxy -listen 127.0.0.1:PORT -upstream http://127.0.0.1:PORT -guest FILE.wasm
//
// GOMAXPROCS (the environment variable) is the worker count, as hwasmd's `workers`.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"

	nethttp "github.com/http-wasm/http-wasm-host-go/handler/nethttp"
)

// bufferPool lends ReverseProxy its 32 KiB copy buffers instead of allocating one per request.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte  { return *(b.p.Get().(*[]byte)) }
func (b *bufferPool) Put(x []byte) { b.p.Put(&x) }

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on")
	upstream := flag.String("upstream", "", "upstream base URL (http://host:port)")
	guest := flag.String("guest", "", "the http-wasm guest (.wasm); empty: no middleware")
	idle := flag.Int("idle", 256, "idle upstream connections kept (per host)")
	flag.Parse()
	up, err := url.Parse(*upstream)
	if err != nil || up.Host == "" {
		log.Fatalf("refhost-proxy: -upstream %q is not a base URL", *upstream)
	}
	proxy := httputil.NewSingleHostReverseProxy(up)
	proxy.BufferPool = &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = *idle, *idle
	proxy.Transport = tr
	var h http.Handler = proxy
	if *guest != "" {
		ctx := context.Background()
		bin, err := os.ReadFile(*guest)
		if err != nil {
			log.Fatalf("refhost-proxy: %v", err)
		}
		mw, err := nethttp.NewMiddleware(ctx, bin)
		if err != nil {
			log.Fatalf("refhost-proxy: %s: %v", *guest, err)
		}
		defer mw.Close(ctx)
		h = mw.NewHandler(ctx, proxy)
	}
	log.Fatal(http.ListenAndServe(*listen, h))
}
