package main

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-kratos/kratos/contrib/registry/consul/v2"
	"github.com/go-kratos/kratos/contrib/registry/etcd/v2"
	"github.com/go-kratos/kratos/contrib/registry/nacos/v2"
	"github.com/go-kratos/kratos/v2/registry"
	consulapi "github.com/hashicorp/consul/api"
	"github.com/nacos-group/nacos-sdk-go/clients"
	"github.com/nacos-group/nacos-sdk-go/common/constant"
	"github.com/nacos-group/nacos-sdk-go/vo"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// backend is a Go Kratos contrib registry: both Registrar and Discovery.
type backend interface {
	registry.Registrar
	registry.Discovery
}

// openedRegistry is a contrib registry plus how Go Kratos clients name services in it.
type openedRegistry struct {
	backend
	// discoveryName is the service a client of transport kind ("grpc", "http") asks the
	// Discovery for to reach the app called name: the name itself, except on nacos, where the
	// contrib registers one nacos service per endpoint scheme (`<name>.<scheme>`) and its
	// Discovery looks names up as given, so Go clients dial discovery:///<name>.grpc.
	discoveryName func(name, kind string) string
	// grpcAuthority, when set, is the :authority a gRPC client should send for the app called
	// name (grpc.WithAuthority). On nacos Go Kratos' resolver sets each address's ServerName to
	// the instance's Name, which the nacos contrib's watcher fills with nacos' grouped service
	// name, `DEFAULT_GROUP@@<name>.grpc`; grpc-go sends that as :authority, and HTTP/2 servers
	// that validate it (Node's, so every kratos-ts gRPC server) refuse the stream (an '@' is not
	// allowed there). See docs/interop.md.
	grpcAuthority func(name string) string
	close         func()
}

func sameName(name, _ string) string { return name }

// openRegistry builds the contrib registry named by a URL:
//
//	etcd://host:port[,host:port]   contrib/registry/etcd over go.etcd.io/etcd/client/v3
//	consul://host:port             contrib/registry/consul over github.com/hashicorp/consul/api
//	nacos://host:port              contrib/registry/nacos over nacos-sdk-go v1 (its naming client)
//
// ttl is how soon a dead instance should leave (0: each contrib's default), mapped onto each
// backend's closest setting: etcd's lease TTL; consul's check interval (TTL check = ttl, TCP
// checks every ttl/2, both at least 1 s); on nacos (whose contrib has no such option) the
// instance metadata keys Nacos reads per instance (heart-beat timeout and delete timeout = ttl,
// beat interval ttl/3). Only contrib modules the Go module proxy serves are used (see
// docs/interop.md); adapt (compat.go) lets the v3 build reuse them.
func openRegistry(ctx context.Context, raw string, ttl time.Duration) (*openedRegistry, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad -registry %q: %w", raw, err)
	}
	hosts := strings.Split(u.Host, ",")
	switch u.Scheme {
	case "etcd":
		cli, err := clientv3.New(clientv3.Config{Endpoints: hosts, DialTimeout: 5 * time.Second})
		if err != nil {
			return nil, err
		}
		opts := []etcd.Option{etcd.Context(ctx)}
		if ttl > 0 {
			opts = append(opts, etcd.RegisterTTL(ttl))
		}
		return &openedRegistry{backend: adapt(etcd.New(cli, opts...)), discoveryName: sameName, close: func() { cli.Close() }}, nil
	case "consul":
		cfg := consulapi.DefaultConfig()
		cfg.Address = u.Host
		cfg.Scheme = "http"
		cli, err := consulapi.NewClient(cfg)
		if err != nil {
			return nil, err
		}
		var opts []consul.Option
		if ttl > 0 {
			// The contrib's TTL check is twice the interval, in whole seconds.
			opts = append(opts, consul.WithHealthCheckInterval(max(1, int((ttl/2).Round(time.Second)/time.Second))))
		}
		return &openedRegistry{backend: adapt(consul.New(cli, opts...)), discoveryName: sameName, close: func() {}}, nil
	case "nacos":
		host, portRaw, err := net.SplitHostPort(u.Host)
		if err != nil {
			return nil, fmt.Errorf("bad -registry %q: %w", raw, err)
		}
		port, err := strconv.ParseUint(portRaw, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("bad -registry %q: %w", raw, err)
		}
		// The SDK writes a service cache and logs under these dirs (default: the working directory).
		dir, err := os.MkdirTemp("", "interop-nacos-")
		if err != nil {
			return nil, err
		}
		cli, err := clients.NewNamingClient(vo.NacosClientParam{
			ClientConfig: &constant.ClientConfig{
				TimeoutMs:           5000,
				CacheDir:            dir + "/cache",
				LogDir:              dir + "/log",
				LogLevel:            "warn",
				NotLoadCacheAtStart: true,
			},
			ServerConfigs: []constant.ServerConfig{*constant.NewServerConfig(host, port)},
		})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		var b backend = adapt(nacos.New(cli))
		if ttl > 0 {
			ms := strconv.FormatInt(ttl.Milliseconds(), 10)
			b = withMetadata{b, map[string]string{
				constant.HEART_BEAT_INTERVAL: strconv.FormatInt(max(ttl.Milliseconds()/3, 500), 10),
				constant.HEART_BEAT_TIMEOUT:  ms,
				constant.IP_DELETE_TIMEOUT:   ms,
			}}
		}
		return &openedRegistry{
			backend:       b,
			discoveryName: func(name, kind string) string { return name + "." + kind },
			grpcAuthority: func(name string) string { return name },
			close:         func() { os.RemoveAll(dir) },
		}, nil
	default:
		return nil, fmt.Errorf("unknown registry %q: want etcd://, consul:// or nacos://host:port", raw)
	}
}

// withMetadata registers instances with extra metadata (nacos' per-instance expiry settings).
type withMetadata struct {
	backend
	extra map[string]string
}

func (w withMetadata) with(s *registry.ServiceInstance) *registry.ServiceInstance {
	c := *s
	c.Metadata = maps.Clone(s.Metadata)
	if c.Metadata == nil {
		c.Metadata = map[string]string{}
	}
	maps.Copy(c.Metadata, w.extra)
	return &c
}

func (w withMetadata) Register(ctx context.Context, s *registry.ServiceInstance) error {
	return w.backend.Register(ctx, w.with(s))
}

func (w withMetadata) Deregister(ctx context.Context, s *registry.ServiceInstance) error {
	return w.backend.Deregister(ctx, w.with(s))
}
