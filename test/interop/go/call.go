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
	"github.com/go-kratos/kratos/v2/middleware/tracing"
	"github.com/go-kratos/kratos/v2/registry"
	"github.com/go-kratos/kratos/v2/transport/grpc"
	"github.com/go-kratos/kratos/v2/transport/http"
	"go.opentelemetry.io/otel"

	v1 "github.com/kratos-ts/kratos-ts/test/interop/go/api/helloworld/v1"
)

// call finds a service through the registry (or a fixed host:port) and calls SayHello once per
// -n over each -transport, printing one JSON line per call: the reply or the decoded Kratos error.
func call(args []string) error {
	fs := flag.NewFlagSet("call", flag.ExitOnError)
	reg := fs.String("registry", "", "etcd://host:port or zookeeper://host:port (needed for discovery targets)")
	target := fs.String("target", "discovery:///helloworld", "discovery:///<name> or host:port")
	transports := fs.String("transport", "grpc,http", "comma-separated: grpc, http")
	timeout := fs.Duration("timeout", 10*time.Second, "bound of each call, discovery included")
	withTrace := fs.Bool("trace", false, "start a root span around each call and print its trace id")
	var names, mds multiFlag
	fs.Var(&names, "n", "name to greet (repeatable)")
	fs.Var(&mds, "md", "metadata k=v sent with every call (repeatable), e.g. x-md-global-user=alice")
	fs.Parse(args)
	setupTracing()

	var disc registry.Discovery
	if *reg != "" {
		r, closeRegistry, err := openRegistry(context.Background(), *reg, 0)
		if err != nil {
			return err
		}
		defer closeRegistry()
		disc = r
	}
	for _, kind := range strings.Split(*transports, ",") {
		for _, name := range names {
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
			reply, err := sayHello(ctx, kind, strings.TrimPrefix(*target, "discovery:///"), disc, name)
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
	}
	return nil
}

// sayHello calls Greeter.SayHello over one transport. target is host:port (direct) or a service
// name resolved through disc (discovery:///<name>), with the metadata and tracing client middleware.
func sayHello(ctx context.Context, kind, target string, disc registry.Discovery, name string) (*v1.HelloReply, error) {
	endpoint := target
	if !strings.Contains(target, ":") {
		if disc == nil {
			return nil, fmt.Errorf("target %q needs -registry", target)
		}
		endpoint = "discovery:///" + target
	}
	req := &v1.HelloRequest{Name: name}
	switch kind {
	case "grpc":
		opts := []grpc.ClientOption{grpc.WithEndpoint(endpoint), grpc.WithMiddleware(tracing.Client(), mmd.Client())}
		if disc != nil {
			opts = append(opts, grpc.WithDiscovery(disc))
		}
		conn, err := grpc.DialInsecure(ctx, opts...)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		return v1.NewGreeterClient(conn).SayHello(ctx, req)
	case "http":
		opts := []http.ClientOption{http.WithEndpoint(endpoint), http.WithMiddleware(tracing.Client(), mmd.Client())}
		if disc != nil {
			opts = append(opts, http.WithDiscovery(disc), http.WithBlock())
		}
		conn, err := http.NewClient(ctx, opts...)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		return v1.NewGreeterHTTPClient(conn).SayHello(ctx, req)
	default:
		return nil, fmt.Errorf("unknown transport %q: want grpc or http", kind)
	}
}
