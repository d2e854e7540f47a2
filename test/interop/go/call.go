package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/metadata"
	mmd "github.com/go-kratos/kratos/v2/middleware/metadata"
	"github.com/go-kratos/kratos/v2/registry"
	"github.com/go-kratos/kratos/v2/transport/grpc"
	"github.com/go-kratos/kratos/v2/transport/http"
	"go.opentelemetry.io/otel"
	grpcgo "google.golang.org/grpc"

	v1 "github.com/kratos-ts/kratos-ts/test/interop/go/api/helloworld/v1"
)

// call finds a service through the registry (or a fixed host:port) and calls SayHello once per
// -n over each -transport, printing one JSON line per call: the reply or the decoded Kratos error.
func call(args []string) error {
	fs := flag.NewFlagSet("call", flag.ExitOnError)
	reg := fs.String("registry", "", "etcd://, consul:// or nacos://host:port (needed for discovery targets)")
	target := fs.String("target", "discovery:///helloworld", "discovery:///<name> or host:port")
	transports := fs.String("transport", "grpc,http", "comma-separated: grpc, http")
	timeout := fs.Duration("timeout", 10*time.Second, "bound of each call, discovery included")
	withTrace := fs.Bool("trace", false, "start a root span around each call and print its trace id")
	interval := fs.Duration("interval", 0, "pause between two calls")
	fs.BoolVar(&fixAuthority, "fix-authority", true, "on nacos, dial gRPC with grpc.WithAuthority(<app name>) instead of Go Kratos' default :authority DEFAULT_GROUP@@<name>.grpc, which Node's HTTP/2 refuses (see registry.go)")
	var names, mds multiFlag
	fs.Var(&names, "n", "name to greet (repeatable)")
	fs.Var(&mds, "md", "metadata k=v sent with every call (repeatable), e.g. x-md-global-user=alice")
	fs.Parse(args)
	defer setupTracing()()

	var disc *openedRegistry
	if *reg != "" {
		r, err := openRegistry(context.Background(), *reg, 0)
		if err != nil {
			return err
		}
		defer r.close()
		disc = r
	}
	for _, kind := range strings.Split(*transports, ",") {
		// One client per transport for all names, so its balancer spreads them over the nodes.
		dialCtx, cancelDial := context.WithTimeout(context.Background(), *timeout)
		greet, closeClient, err := newGreeter(dialCtx, kind, strings.TrimPrefix(*target, "discovery:///"), disc)
		cancelDial()
		if err != nil {
			return err
		}
		for i, name := range names {
			if i > 0 && *interval > 0 {
				time.Sleep(*interval)
			}
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			for _, kv := range mds {
				k, v, _ := strings.Cut(kv, "=")
				ctx = metadata.AppendToClientContext(ctx, k, v)
			}
			line := map[string]any{"transport": kind, "name": name}
			endSpan := func() {}
			if *withTrace {
				c, span := otel.Tracer("interop").Start(ctx, "interop.call")
				ctx, endSpan = c, func() { span.End() }
				line["traceId"] = span.SpanContext().TraceID().String()
			}
			reply, err := greet(ctx, &v1.HelloRequest{Name: name})
			endSpan()
			cancel()
			if err != nil {
				e := errors.FromError(err)
				line["error"] = map[string]any{"code": e.Code, "reason": e.Reason, "message": e.Message, "metadata": e.Metadata}
			} else {
				line["message"] = reply.GetMessage()
			}
			emit(line)
		}
		closeClient()
	}
	return nil
}

// fixAuthority applies openedRegistry.grpcAuthority to gRPC clients (always in serve; call can
// turn it off to show what Go Kratos does by default).
var fixAuthority = true

// greetFunc is Greeter.SayHello over one transport's client.
type greetFunc func(context.Context, *v1.HelloRequest) (*v1.HelloReply, error)

// newGreeter builds Go Kratos' client of one transport, with the tracing and metadata client
// middleware. target is host:port (direct) or an app name resolved through disc
// (discovery:///<name>, or discovery:///<name>.<kind> on nacos).
func newGreeter(ctx context.Context, kind, target string, reg *openedRegistry) (greetFunc, func(), error) {
	endpoint := target
	var disc registry.Discovery
	if !strings.Contains(target, ":") {
		if reg == nil {
			return nil, nil, fmt.Errorf("target %q needs -registry", target)
		}
		disc = reg
		endpoint = "discovery:///" + reg.discoveryName(target, kind)
	}
	switch kind {
	case "grpc":
		opts := []grpc.ClientOption{grpc.WithEndpoint(endpoint), grpc.WithMiddleware(clientTracing(), mmd.Client())}
		if disc != nil {
			opts = append(opts, grpc.WithDiscovery(disc))
			if fixAuthority && reg.grpcAuthority != nil {
				opts = append(opts, grpc.WithOptions(grpcgo.WithAuthority(reg.grpcAuthority(target))))
			}
		}
		conn, err := grpc.DialInsecure(ctx, opts...)
		if err != nil {
			return nil, nil, err
		}
		c := v1.NewGreeterClient(conn)
		return func(ctx context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) { return c.SayHello(ctx, in) },
			func() { conn.Close() }, nil
	case "http":
		opts := []http.ClientOption{http.WithEndpoint(endpoint), http.WithMiddleware(clientTracing(), mmd.Client())}
		if disc != nil {
			opts = append(opts, http.WithDiscovery(disc), http.WithBlock())
		}
		conn, err := http.NewClient(ctx, opts...)
		if err != nil {
			return nil, nil, err
		}
		c := v1.NewGreeterHTTPClient(conn)
		return func(ctx context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) { return c.SayHello(ctx, in) },
			func() { conn.Close() }, nil
	default:
		return nil, nil, fmt.Errorf("unknown transport %q: want grpc or http", kind)
	}
}
