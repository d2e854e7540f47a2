// Command interop is the Go Kratos side of kratos-ts' interop tests (a test fixture, not product).
//
//	interop serve -registry etcd://127.0.0.1:2379|consul://...|nacos://... [-name helloworld] [-ttl 15s]
//	interop call  -registry etcd://... -target discovery:///helloworld -transport grpc,http -n NAME [-n NAME] [-md k=v] [-trace]
//	interop watch -registry etcd://... -service helloworld
//
// Every command prints JSON lines on stdout (logs go to stderr), so a test can read them one by one.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
)

func main() {
	if len(os.Args) < 2 {
		fatal(fmt.Errorf("usage: interop serve|call|watch [flags]"))
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "call":
		err = call(os.Args[2:])
	case "watch":
		err = watch(os.Args[2:])
	case "version":
		emit(map[string]any{"kratos": kratosModule(), "tracing": hasTracing})
	default:
		err = fmt.Errorf("unknown command %q: want serve, call or watch", os.Args[1])
	}
	if err != nil {
		fatal(err)
	}
}

var stdout sync.Mutex

// emit writes one JSON line on stdout; lines from concurrent goroutines never interleave.
func emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fatal(err)
	}
	stdout.Lock()
	defer stdout.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "interop:", err)
	os.Exit(2)
}

// multiFlag is a repeatable string flag (`-n a -n b`).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
