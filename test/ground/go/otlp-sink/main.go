// otlp-sink: an OTLP/HTTP metrics receiver for the test ground. It decodes each export with the
// OpenTelemetry Collector's own pdata code (pmetricotlp), as the Collector's OTLP receiver does,
// answers 400 to a body it cannot decode, and appends each decoded request, re-encoded as OTLP
// JSON, as one line to -out. The first line on stdout is the address it listens on.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	out := flag.String("out", "", "file to append decoded exports to, one JSON line each")
	flag.Parse()
	file, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "otlp-sink:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	http.HandleFunc("/v1/metrics", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := pmetricotlp.NewExportRequest()
		contentType := r.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(contentType, "application/json"):
			err = req.UnmarshalJSON(body)
		case strings.HasPrefix(contentType, "application/x-protobuf"):
			err = req.UnmarshalProto(body)
		default:
			http.Error(w, "unsupported content type "+contentType, http.StatusUnsupportedMediaType)
			return
		}
		if err != nil {
			http.Error(w, "cannot decode the export: "+err.Error(), http.StatusBadRequest)
			return
		}
		line, err := req.MarshalJSON()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		mu.Lock()
		_, err = file.Write(append(line, '\n'))
		mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		response, _ := pmetricotlp.NewExportResponse().MarshalJSON()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(response)
	})
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "otlp-sink:", err)
		os.Exit(1)
	}
	fmt.Println(listener.Addr().String())
	if err := http.Serve(listener, nil); err != nil {
		fmt.Fprintln(os.Stderr, "otlp-sink:", err)
		os.Exit(1)
	}
}
