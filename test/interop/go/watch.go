package main

import (
	"context"
	"flag"
	"io"
	"os"
	"sort"
	"time"

	"github.com/go-kratos/kratos/v2/registry"
)

// watch prints the instance set of -service each time Go Kratos' watcher reports one, until
// stdin closes (the test that started it is done or gone).
func watch(args []string) error {
	fs := flag.NewFlagSet("watch", flag.ExitOnError)
	reg := fs.String("registry", "", "etcd://, consul:// or nacos://host:port")
	service := fs.String("service", "helloworld", "service name to watch, as the registry names it (nacos: <name>.<scheme>)")
	fs.Parse(args)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := openRegistry(ctx, *reg, 0)
	if err != nil {
		return err
	}
	defer r.close()
	w, err := r.Watch(ctx, *service)
	if err != nil {
		return err
	}
	// Some watchers' first Next blocks until the service has an instance (consul's), so say
	// that the watch is set up.
	emit(map[string]any{"event": "watching"})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		w.Stop()
		cancel()
	}()
	for {
		set, err := w.Next()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			// As Go Kratos' own resolvers do: report and keep watching (some contrib watchers
			// fail their first Next while the service does not exist yet).
			emit(map[string]any{"event": "error", "error": err.Error()})
			time.Sleep(100 * time.Millisecond)
			continue
		}
		emit(map[string]any{"event": "instances", "instances": plain(set)})
	}
}

type instance struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Version   string            `json:"version"`
	Metadata  map[string]string `json:"metadata"`
	Endpoints []string          `json:"endpoints"`
}

func plain(set []*registry.ServiceInstance) []instance {
	out := make([]instance, 0, len(set))
	for _, s := range set {
		out = append(out, instance{s.ID, s.Name, s.Version, s.Metadata, s.Endpoints})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
