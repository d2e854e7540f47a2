package main

import (
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/middleware/tracing"
)

// What differs between the v2 and v3 builds lives here: build.sh replaces this file with
// ../go-v3/compat.go when it builds against Go Kratos v3.

// hasTracing tells the tests whether this build runs Go Kratos' tracing middleware.
const hasTracing = true

// adapt turns a contrib registry into this build's backend (the identity on v2).
func adapt(b backend) backend { return b }

// serverTracing and clientTracing are Go Kratos' OpenTelemetry middleware.
func serverTracing() middleware.Middleware { return tracing.Server() }
func clientTracing() middleware.Middleware { return tracing.Client() }
