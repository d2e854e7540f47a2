package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-kratos/kratos/contrib/registry/etcd/v2"
	"github.com/go-kratos/kratos/v2/registry"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// backend is a Go Kratos contrib registry: both Registrar and Discovery.
type backend interface {
	registry.Registrar
	registry.Discovery
}

// openRegistry builds the contrib registry named by a URL, `etcd://host:port[,host:port]`. ttl is
// the etcd lease TTL (0: the contrib's default, 15 s). Only contrib modules the Go module proxy
// serves are used (see docs/interop.md); adapt (compat.go) lets the v3 build reuse them.
func openRegistry(ctx context.Context, raw string, ttl time.Duration) (backend, func(), error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("bad -registry %q: %w", raw, err)
	}
	hosts := strings.Split(u.Host, ",")
	switch u.Scheme {
	case "etcd":
		cli, err := clientv3.New(clientv3.Config{Endpoints: hosts, DialTimeout: 5 * time.Second})
		if err != nil {
			return nil, nil, err
		}
		opts := []etcd.Option{etcd.Context(ctx)}
		if ttl > 0 {
			opts = append(opts, etcd.RegisterTTL(ttl))
		}
		return adapt(etcd.New(cli, opts...)), func() { cli.Close() }, nil
	default:
		return nil, nil, fmt.Errorf("unknown registry %q: want etcd://host:port", raw)
	}
}
