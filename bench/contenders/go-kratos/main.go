// Go Kratos contender: the hello-world greeter on kratos/v2 transport/http and transport/grpc,
// with the kratos-layout default chain (recovery only). Usage: go-kratos -http 127.0.0.1:8000 -grpc 127.0.0.1:9000
package main

import (
	"context"
	"flag"
	"os"
	"syscall"

	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/transport/grpc"
	"github.com/go-kratos/kratos/v2/transport/http"

	v1 "github.com/kratos-ts/kratos-ts/bench/contenders/go-kratos/api/helloworld/v1"
)

const operationSayHello = "/helloworld.v1.Greeter/SayHello"

type greeter struct {
	v1.UnimplementedGreeterServer
}

func (greeter) SayHello(_ context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) {
	return &v1.HelloReply{Message: "Hello " + in.GetName()}, nil
}

// sayHelloHTTP is what protoc-gen-go-http generates for `get: "/helloworld/{name}"`, written by
// hand (the plugin's module is not served by the module proxy this machine reaches).
func sayHelloHTTP(srv greeter) http.HandlerFunc {
	return func(ctx http.Context) error {
		var in v1.HelloRequest
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, operationSayHello)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			return srv.SayHello(ctx, req.(*v1.HelloRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		return ctx.Result(200, out.(*v1.HelloReply))
	}
}

func main() {
	httpAddr := flag.String("http", "127.0.0.1:8000", "HTTP listen address")
	grpcAddr := flag.String("grpc", "127.0.0.1:9000", "gRPC listen address")
	flag.Parse()

	logger := log.NewFilter(log.NewStdLogger(os.Stdout), log.FilterLevel(log.LevelInfo))
	g := greeter{}
	hs := http.NewServer(http.Address(*httpAddr), http.Middleware(recovery.Recovery()), http.Logger(logger))
	hs.Route("/").GET("/helloworld/{name}", sayHelloHTTP(g))
	gs := grpc.NewServer(grpc.Address(*grpcAddr), grpc.Middleware(recovery.Recovery()), grpc.Logger(logger))
	v1.RegisterGreeterServer(gs, g)

	app := kratos.New(
		kratos.Name("bench-greeter"),
		kratos.Logger(logger),
		kratos.Server(hs, gs),
		kratos.Signal(syscall.SIGINT, syscall.SIGTERM, os.Interrupt),
	)
	if err := app.Run(); err != nil {
		log.NewHelper(logger).Error(err)
		os.Exit(1)
	}
}
