package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/metadata"
	mmd "github.com/go-kratos/kratos/v2/middleware/metadata"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/transport"
	"github.com/go-kratos/kratos/v2/transport/grpc"
	"github.com/go-kratos/kratos/v2/transport/http"
	"go.opentelemetry.io/otel/trace"

	v1 "github.com/kratos-ts/kratos-ts/test/interop/go/api/helloworld/v1"
)

// serve runs the helloworld Greeter on Go Kratos' HTTP and gRPC servers, registered in -registry.
func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	reg := fs.String("registry", "", "etcd://, consul:// or nacos://host:port")
	name := fs.String("name", "helloworld", "service name")
	id := fs.String("id", "", "instance id (default: go-<pid>)")
	version := fs.String("version", "v1.0.0", "service version")
	httpAddr := fs.String("http", "127.0.0.1:0", "HTTP listen address")
	grpcAddr := fs.String("grpc", "127.0.0.1:0", "gRPC listen address")
	ttl := fs.Duration("ttl", 0, "how soon a dead instance leaves: etcd lease, consul TTL check, nacos heart-beat/delete timeouts (0: the contrib defaults)")
	stdinEOF := fs.Bool("exit-on-stdin-eof", false, "stop (and deregister) when stdin closes, so a dead parent leaves no server behind")
	fs.Parse(args)
	if *id == "" {
		*id = fmt.Sprintf("go-%d", os.Getpid())
	}
	defer setupTracing()()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := openRegistry(ctx, *reg, *ttl)
	if err != nil {
		return err
	}
	defer r.close()

	g := &greeter{discovery: r}
	hs := http.NewServer(http.Address(*httpAddr), http.Middleware(recovery.Recovery(), serverTracing(), mmd.Server()))
	gs := grpc.NewServer(grpc.Address(*grpcAddr), grpc.Middleware(recovery.Recovery(), serverTracing(), mmd.Server()))
	v1.RegisterGreeterHTTPServer(hs, g)
	v1.RegisterGreeterServer(gs, g)

	var app *kratos.App
	app = kratos.New(
		kratos.ID(*id),
		kratos.Name(*name),
		kratos.Version(*version),
		kratos.Metadata(map[string]string{"lang": "go"}),
		kratos.Server(hs, gs),
		kratos.Registrar(r),
		kratos.AfterStart(func(context.Context) error {
			emit(map[string]any{"event": "started", "id": *id, "endpoints": app.Endpoint(), "kratos": kratosModule()})
			return nil
		}),
		kratos.AfterStop(func(context.Context) error {
			emit(map[string]any{"event": "stopped", "id": *id})
			return nil
		}),
	)
	if *stdinEOF {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			app.Stop()
		}()
	}
	return app.Run()
}

// greeter answers like examples/helloworld ("Hello <name>", 404 USER_NOT_FOUND for "unknown*"),
// plus two names for the interop tests: "echo" replies a JSON report of what this hop saw
// (metadata, trace id), and "relay~<grpc|http>~<target>~<name>" calls <target> (a service
// name found through the registry, or host:port) with <name> and wraps its report in its own.
type greeter struct {
	v1.UnimplementedGreeterServer
	discovery *openedRegistry
}

// report is what one hop saw; Next is the report of the hop behind it.
type report struct {
	Side      string            `json:"side"`
	Kratos    string            `json:"kratos"`
	Transport string            `json:"transport"`
	Operation string            `json:"operation"`
	Metadata  map[string]string `json:"metadata"`
	TraceID   string            `json:"traceId,omitempty"`
	Next      json.RawMessage   `json:"next,omitempty"`
}

func (g *greeter) SayHello(ctx context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) {
	name := in.GetName()
	switch {
	case strings.HasPrefix(name, "unknown"):
		return nil, v1.ErrorUserNotFound("user %s not found", name).WithMetadata(map[string]string{"name": name, "side": "go"})
	case name == "echo":
		return g.reply(ctx, nil)
	case strings.HasPrefix(name, "relay~"):
		parts := strings.SplitN(name, "~", 4)
		if len(parts) != 4 {
			return nil, v1.ErrorGreeterUnspecified("bad relay name %q", name)
		}
		next, err := g.relay(ctx, parts[1], parts[2], parts[3])
		if err != nil {
			return nil, err // passed on as it came: code, reason, message and metadata
		}
		return g.reply(ctx, json.RawMessage(next))
	}
	return &v1.HelloReply{Message: "Hello " + name}, nil
}

func (g *greeter) reply(ctx context.Context, next json.RawMessage) (*v1.HelloReply, error) {
	r := report{Side: "go", Kratos: kratosModule(), Metadata: map[string]string{}, Next: next}
	if tr, ok := transport.FromServerContext(ctx); ok {
		r.Transport = tr.Kind().String()
		r.Operation = tr.Operation()
	}
	if md, ok := metadata.FromServerContext(ctx); ok {
		for k, v := range md {
			if strings.HasPrefix(k, "x-md-") {
				r.Metadata[k] = strings.Join(v, ",")
			}
		}
	}
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		r.TraceID = sc.TraceID().String()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return &v1.HelloReply{Message: string(b)}, nil
}

func (g *greeter) relay(ctx context.Context, kind, target, name string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	greet, closeClient, err := newGreeter(ctx, kind, target, g.discovery)
	if err != nil {
		return "", err
	}
	defer closeClient()
	reply, err := greet(ctx, &v1.HelloRequest{Name: name})
	if err != nil {
		return "", err
	}
	return reply.GetMessage(), nil
}
