package main

import (
	"context"
	"os"
	"runtime/debug"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// setupTracing installs an OTel SDK tracer provider that samples every span. By default it exports
// none: most tests only need trace ids to be created and propagated (W3C traceparent) by Go Kratos'
// tracing middleware. With OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set (test/otel), spans are exported
// over OTLP/HTTP there, with service.name from OTEL_SERVICE_NAME; the returned func flushes them.
func setupTracing() func() {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sdktrace.AlwaysSample())}
	if os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		exp, err := otlptracehttp.New(context.Background())
		if err != nil {
			fatal(err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	return func() { _ = tp.Shutdown(context.Background()) }
}

// kratosModule is the Go Kratos module this binary was built with, e.g.
// github.com/go-kratos/kratos/v2@v2.9.2: the highest major version linked in (the v3 build also
// links v2 through the v2 etcd contrib; build info lists modules sorted by path).
func kratosModule() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	found := "unknown"
	for _, d := range info.Deps {
		if strings.HasPrefix(d.Path, "github.com/go-kratos/kratos/v") {
			found = d.Path + "@" + d.Version
		}
	}
	return found
}
