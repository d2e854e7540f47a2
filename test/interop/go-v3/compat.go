package main

// The v3 build's compat.go (build.sh copies it over go/compat.go after rewriting imports to
// github.com/go-kratos/kratos/v3). The Go module proxy serves github.com/go-kratos/kratos/v3 but
// refuses every v3 contrib module (registry/etcd/v3, otel/v3: 403), so this build registers
// through the v2 etcd contrib, adapted below (registry.ServiceInstance and the Registrar,
// Discovery and Watcher interfaces are unchanged between v2 and v3), and runs no tracing
// middleware (v3 moved it to contrib/otel/v3).

import (
	"context"

	v2registry "github.com/go-kratos/kratos/v2/registry"
	"github.com/go-kratos/kratos/v3/middleware"
	"github.com/go-kratos/kratos/v3/registry"
)

// hasTracing tells the tests whether this build runs Go Kratos' tracing middleware.
const hasTracing = false

func serverTracing() middleware.Middleware { return passThrough }
func clientTracing() middleware.Middleware { return passThrough }

func passThrough(h middleware.Handler) middleware.Handler { return h }

// v2Backend is a Go Kratos v2 contrib registry.
type v2Backend interface {
	v2registry.Registrar
	v2registry.Discovery
}

// adapt presents a v2 contrib registry as a v3 one.
func adapt(b v2Backend) backend { return v3Registry{b} }

type v3Registry struct{ b v2Backend }

func (r v3Registry) Register(ctx context.Context, s *registry.ServiceInstance) error {
	return r.b.Register(ctx, toV2(s))
}

func (r v3Registry) Deregister(ctx context.Context, s *registry.ServiceInstance) error {
	return r.b.Deregister(ctx, toV2(s))
}

func (r v3Registry) GetService(ctx context.Context, name string) ([]*registry.ServiceInstance, error) {
	set, err := r.b.GetService(ctx, name)
	return fromV2(set), err
}

func (r v3Registry) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	w, err := r.b.Watch(ctx, name)
	if err != nil {
		return nil, err
	}
	return v3Watcher{w}, nil
}

type v3Watcher struct{ w v2registry.Watcher }

func (w v3Watcher) Next() ([]*registry.ServiceInstance, error) {
	set, err := w.w.Next()
	return fromV2(set), err
}

func (w v3Watcher) Stop() error { return w.w.Stop() }

func toV2(s *registry.ServiceInstance) *v2registry.ServiceInstance {
	return &v2registry.ServiceInstance{ID: s.ID, Name: s.Name, Version: s.Version, Metadata: s.Metadata, Endpoints: s.Endpoints}
}

func fromV2(set []*v2registry.ServiceInstance) []*registry.ServiceInstance {
	out := make([]*registry.ServiceInstance, 0, len(set))
	for _, s := range set {
		out = append(out, &registry.ServiceInstance{ID: s.ID, Name: s.Name, Version: s.Version, Metadata: s.Metadata, Endpoints: s.Endpoints})
	}
	return out
}
