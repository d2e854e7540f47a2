package main

import (
	"runtime/debug"
	"strings"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// setupTracing installs an OTel SDK tracer provider that samples every span and exports none:
// the tests only need trace ids to be created and propagated (W3C traceparent) by Go Kratos'
// tracing middleware.
func setupTracing() {
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample())))
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
