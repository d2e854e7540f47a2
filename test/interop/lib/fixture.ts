// What every case of the interop suite shares: the registry server, the Go Kratos build, one Go
// service and one kratos-ts relay registered in it, and helpers that start more of either side.
import { fileURLToPath } from 'node:url';
import type { ServiceInstance } from '@kratos/core';
import { createGrpcClient, type GrpcClient } from '@kratos/grpc';
import { createHttpClient, type HttpClient } from '@kratos/http';
import { clientTracing, serverTracing, spanFromContext } from '@kratos/middleware-tracing';
import { type StartedServer, waitFor } from '@kratos/testkit';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  type Backend,
  discoveryName,
  lookups,
  openTsRegistry,
  type Transport,
  type TsRegistry,
} from './backends.ts';
import {
  buildGo,
  type GoCallOptions,
  type GoCallResult,
  type GoFlavour,
  type GoService,
  type GoServiceOptions,
  type GoWatcher,
  goCall,
  startGoService,
  startGoWatcher,
} from './go.ts';
import { quiet, startTsRelay, type TsRelay } from './ts.ts';

export const openapiPath = fileURLToPath(
  new URL('../../../examples/helloworld/api/openapi.yaml', import.meta.url),
);
export const ids = (set: ServiceInstance[]) => set.map((i) => i.id);
/** Endpoints sorted: Go's consul reader lists them in map (random) order. */
export const sorted = (i: ServiceInstance | undefined) => i && { ...i, endpoints: [...i.endpoints].sort() };

/**
 * Registries examples/helloworld's `-registry` flag accepts (memory, etcd, zookeeper): the tests
 * running the example as a user does exist only for these.
 */
export const helloworldRegistries = ['etcd'];

/**
 * Whether the Go build runs Go Kratos' tracing middleware: v3 moved it to contrib/otel/v3, which the
 * Go module proxy refuses (403), so the v3 build has none (docs/interop.md).
 */
export const goTracing = (flavour: GoFlavour) => flavour === 'v2';

/** The shared state of one run of the suite; the state fields are set by `setUp`. */
export interface InteropFixture {
  readonly flavour: GoFlavour;
  readonly backend: Backend;
  /** The registration expiry of the backend, seconds. */
  readonly expiry: number;
  /** Bound of the tests that wait for an expiry, ms. */
  readonly expiryTestMs: number;
  /** An OTel SDK provider that samples everything and exports nothing: ids are all the tests need. */
  readonly tracerProvider: BasicTracerProvider;
  /** The Go Kratos binary. */
  bin: string;
  server: StartedServer;
  registryUrl: string;
  /** kratos-ts' registry adapter for the backend. */
  registry: TsRegistry;
  /** The Go `helloworld` service. */
  goSvc: GoService;
  /** The kratos-ts `ts-relay` App. */
  tsRelay: TsRelay;
  /** The registry service a `transport` client discovers for the app `app`. */
  service(app: string, transport?: Transport): string;
  /** A kratos-ts gRPC client of helloworld (closed by `tearDown`). */
  grpcClient(o?: Partial<Parameters<typeof createGrpcClient>[0]>): GrpcClient;
  /** A kratos-ts HTTP client of helloworld (closed by `tearDown`). */
  httpClient(o?: Partial<Parameters<typeof createHttpClient>[0]>): HttpClient;
  /** Calls through Go Kratos' clients, discovering through the suite's registry. */
  goCall(o: Omit<GoCallOptions, 'registry'>): Promise<GoCallResult[]>;
  /** Go Kratos' watcher of the app `name` (its gRPC service on nacos). */
  watchFromGo(name: string): Promise<GoWatcher>;
  /** A Go Kratos service registered with the suite's settings. */
  goService(o: Omit<GoServiceOptions, 'registry'>): Promise<GoService>;
  /** Every registry service of `app` (one per transport on nacos) lists `count` instances. */
  listed(app: string, count: number): Promise<boolean>;
  /**
   * Where Go Kratos' watcher never reports an empty set (consul, nacos), a second instance of
   * `app` stays registered while another leaves, so the leaving shows as the set shrinking to it.
   * Its endpoint is the ts-relay's gRPC address (consul's TCP check needs a listener).
   */
  keepOneOf(app: string): Promise<{ ids: string[]; stop(): Promise<void> }>;
  /** The Go watcher lists exactly `want` (ids, sorted). */
  goWatcherHolds(watcher: GoWatcher, want: string[], timeoutMs: number): Promise<ServiceInstance[]>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

export function createInteropFixture(flavour: GoFlavour, backend: Backend): InteropFixture {
  const clients: { close(): Promise<void> }[] = [];
  /** Closed by `tearDown`. */
  const track = <C extends { close(): Promise<void> }>(c: C): C => {
    clients.push(c);
    return c;
  };
  const service = (app: string, transport: Transport = 'grpc') => discoveryName(backend, app, transport);
  const tracerProvider = new BasicTracerProvider();
  const f: InteropFixture = {
    flavour,
    backend,
    expiry: backend.expirySeconds,
    expiryTestMs: (backend.removalSeconds + 30) * 1000,
    tracerProvider,
    bin: '',
    server: undefined as unknown as StartedServer,
    registryUrl: '',
    registry: undefined as unknown as TsRegistry,
    goSvc: undefined as unknown as GoService,
    tsRelay: undefined as unknown as TsRelay,
    service,
    grpcClient: (o = {}) =>
      track(
        createGrpcClient({
          endpoint: `discovery:///${service('helloworld', 'grpc')}`,
          discovery: f.registry,
          logger: quiet,
          ...o,
        }),
      ),
    httpClient: (o = {}) =>
      track(
        createHttpClient({
          endpoint: `discovery:///${service('helloworld', 'http')}`,
          discovery: f.registry,
          logger: quiet,
          ...o,
        }),
      ),
    goCall: (o) => goCall(f.bin, { registry: f.registryUrl, ...o }),
    watchFromGo: (name) => startGoWatcher(f.bin, f.registryUrl, service(name)),
    goService: (o) =>
      startGoService(f.bin, {
        registry: f.registryUrl,
        ...(backend.serviceExpirySeconds ? { ttl: `${backend.serviceExpirySeconds}s` } : {}),
        ...o,
      }),
    async listed(app, count) {
      for (const t of lookups(backend)) {
        if ((await f.registry.getService(service(app, t))).length !== count) return false;
      }
      return true;
    },
    async keepOneOf(app) {
      if (backend.goSeesEmptySet) return { ids: [] as string[], async stop() {} };
      const keeper: ServiceInstance = {
        id: `keeper-${app}`,
        name: app,
        version: 'v1.0.0',
        metadata: { role: 'keeper' },
        endpoints: [`grpc://${f.tsRelay.address('grpc')}?isSecure=false`],
      };
      await f.registry.register(keeper);
      return {
        ids: [backend.readBack(keeper, 'grpc', 'go').id],
        stop: () => f.registry.deregister(keeper),
      };
    },
    goWatcherHolds: (watcher, want, timeoutMs) =>
      watcher.next((set) => ids(set).sort().join() === [...want].sort().join(), timeoutMs),
    async setUp() {
      // Settled one by one, so a server that started is stopped by tearDown even when the build failed.
      const [built, started] = await Promise.allSettled([buildGo(flavour), backend.start()]);
      if (started.status === 'fulfilled') ({ server: f.server, url: f.registryUrl } = started.value);
      if (built.status === 'rejected') throw built.reason;
      if (started.status === 'rejected') throw started.reason;
      f.bin = built.value;
      f.registry = openTsRegistry(f.registryUrl, {
        logger: quiet,
        expirySeconds: backend.serviceExpirySeconds,
      });
      [f.goSvc, f.tsRelay] = await Promise.all([
        f.goService({ name: 'helloworld' }),
        startTsRelay({
          name: 'ts-relay',
          registrar: f.registry,
          discovery: f.registry,
          discoveryName: service,
          serverMiddleware: [serverTracing({ tracerProvider })],
          clientMiddleware: [clientTracing({ tracerProvider })],
          traceIdOf: (ctx) => spanFromContext(ctx)?.spanContext().traceId,
        }),
      ]);
      // Listed once registered (etcd, nacos) or once their first health checks ran (consul).
      await waitFor(async () => (await f.listed('helloworld', 1)) && (await f.listed('ts-relay', 1)), {
        timeout: 20_000,
      });
    },
    async tearDown() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await Promise.allSettled([f.goSvc?.stop(), f.tsRelay?.stop()]);
      await f.registry?.close();
      await f.server?.stop();
    },
  };
  return f;
}
