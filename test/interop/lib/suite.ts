import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, KratosError, type ServiceInstance } from '@kratos/core';
import { createGrpcClient, type GrpcClient } from '@kratos/grpc';
import { createHttpClient, type HttpClient } from '@kratos/http';
import { clientMetadata } from '@kratos/middleware';
import { clientTracing, SPAN_KEY, serverTracing, spanFromContext } from '@kratos/middleware-tracing';
import { createSelector } from '@kratos/selector';
import { nextMatching, type StartedServer, waitFor } from '@kratos/testkit';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isUserNotFound } from '../../../examples/helloworld/api/helloworld/v1/error_reason_errors.js';
import { GreeterGrpcClient } from '../../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import { GreeterHttpClient } from '../../../examples/helloworld/api/helloworld/v1/greeter_http.js';
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
  type GoFlavour,
  type GoService,
  type GoServiceOptions,
  type GoWatcher,
  goCall,
  startGoService,
  startGoWatcher,
} from './go.ts';
import {
  parseReport,
  quiet,
  startRegisteredChild,
  startTsHelloworld,
  startTsRelay,
  type TsRelay,
} from './ts.ts';

const openapiPath = fileURLToPath(new URL('../../../examples/helloworld/api/openapi.yaml', import.meta.url));
const ids = (set: ServiceInstance[]) => set.map((i) => i.id);
/** Endpoints sorted: Go's consul reader lists them in map (random) order. */
const sorted = (i: ServiceInstance | undefined) => i && { ...i, endpoints: [...i.endpoints].sort() };

/**
 * Registries examples/helloworld's `-registry` flag accepts (memory, etcd, zookeeper): the tests
 * running the example as a user does exist only for these.
 */
const helloworldRegistries = ['etcd'];

/**
 * Whether the Go build runs Go Kratos' tracing middleware: v3 moved it to contrib/otel/v3, which the
 * Go module proxy refuses (403), so the v3 build has none (docs/interop.md).
 */
const goTracing = (flavour: GoFlavour) => flavour === 'v2';

/**
 * The interop suite: a Go Kratos service (built against `flavour`) and kratos-ts services share
 * one registry `backend`, find each other by name and call each other over HTTP and gRPC.
 */
export function describeInterop(flavour: GoFlavour, backend: Backend): void {
  const expiry = backend.expirySeconds;
  /** The registry service a `transport` client discovers for the app `app`. */
  const service = (app: string, transport: Transport = 'grpc') => discoveryName(backend, app, transport);
  /** Bound of the tests that wait for an expiry. */
  const expiryTestMs = (backend.removalSeconds + 30) * 1000;
  describe(`Go Kratos ${flavour} and kratos-ts sharing ${backend.name}`, () => {
    let bin: string;
    let server: StartedServer;
    let registryUrl: string;
    let registry: TsRegistry;
    let goSvc: GoService;
    let tsRelay: TsRelay;
    const clients: { close(): Promise<void> }[] = [];
    // An OTel SDK provider that samples everything and exports nothing: ids are all the tests need.
    const tracerProvider = new BasicTracerProvider();
    const grpcClient = (o: Partial<Parameters<typeof createGrpcClient>[0]> = {}): GrpcClient => {
      const c = createGrpcClient({
        endpoint: `discovery:///${service('helloworld', 'grpc')}`,
        discovery: registry,
        logger: quiet,
        ...o,
      });
      clients.push(c);
      return c;
    };
    const httpClient = (o: Partial<Parameters<typeof createHttpClient>[0]> = {}): HttpClient => {
      const c = createHttpClient({
        endpoint: `discovery:///${service('helloworld', 'http')}`,
        discovery: registry,
        logger: quiet,
        ...o,
      });
      clients.push(c);
      return c;
    };

    /** Go Kratos' watcher of the app `name` (its gRPC service on nacos). */
    const watchFromGo = (name: string) => startGoWatcher(bin, registryUrl, service(name));
    /** A Go Kratos service registered with the suite's settings. */
    const goService = (o: Omit<GoServiceOptions, 'registry'>) =>
      startGoService(bin, {
        registry: registryUrl,
        ...(backend.serviceExpirySeconds ? { ttl: `${backend.serviceExpirySeconds}s` } : {}),
        ...o,
      });
    /** Every registry service of `app` (one per transport on nacos) lists `count` instances. */
    const listed = async (app: string, count: number) => {
      for (const t of lookups(backend)) {
        if ((await registry.getService(service(app, t))).length !== count) return false;
      }
      return true;
    };
    /**
     * Where Go Kratos' watcher never reports an empty set (consul, nacos), a second instance of
     * `app` stays registered while another leaves, so the leaving shows as the set shrinking to it.
     * Its endpoint is the ts-relay's gRPC address (consul's TCP check needs a listener).
     */
    const keepOneOf = async (app: string) => {
      if (backend.goSeesEmptySet) return { ids: [] as string[], async stop() {} };
      const keeper: ServiceInstance = {
        id: `keeper-${app}`,
        name: app,
        version: 'v1.0.0',
        metadata: { role: 'keeper' },
        endpoints: [`grpc://${tsRelay.address('grpc')}?isSecure=false`],
      };
      await registry.register(keeper);
      return {
        ids: [backend.readBack(keeper, 'grpc', 'go').id],
        stop: () => registry.deregister(keeper),
      };
    };
    /** The Go watcher lists exactly `want` (ids, sorted). */
    const goWatcherHolds = (watcher: GoWatcher, want: string[], timeoutMs: number) =>
      watcher.next((set) => ids(set).sort().join() === [...want].sort().join(), timeoutMs);

    beforeAll(async () => {
      // Settled one by one, so a server that started is stopped by afterAll even when the build failed.
      const [built, started] = await Promise.allSettled([buildGo(flavour), backend.start()]);
      if (started.status === 'fulfilled') ({ server, url: registryUrl } = started.value);
      if (built.status === 'rejected') throw built.reason;
      if (started.status === 'rejected') throw started.reason;
      bin = built.value;
      registry = openTsRegistry(registryUrl, { logger: quiet, expirySeconds: backend.serviceExpirySeconds });
      [goSvc, tsRelay] = await Promise.all([
        goService({ name: 'helloworld' }),
        startTsRelay({
          name: 'ts-relay',
          registrar: registry,
          discovery: registry,
          discoveryName: service,
          serverMiddleware: [serverTracing({ tracerProvider })],
          clientMiddleware: [clientTracing({ tracerProvider })],
          traceIdOf: (ctx) => spanFromContext(ctx)?.spanContext().traceId,
        }),
      ]);
      // Listed once registered (etcd, nacos) or once their first health checks ran (consul).
      await waitFor(async () => (await listed('helloworld', 1)) && (await listed('ts-relay', 1)), {
        timeout: 20_000,
      });
    }, 900_000);

    afterAll(async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
      await Promise.allSettled([goSvc?.stop(), tsRelay?.stop()]);
      await registry?.close();
      await server?.stop();
    });

    it(`is built against github.com/go-kratos/kratos/${flavour}`, () => {
      expect(goSvc.kratos).toMatch(new RegExp(`^github\\.com/go-kratos/kratos/${flavour}@${flavour}\\.`));
    });

    describe('discovery', () => {
      it(`a Go service registered by Go Kratos is found by kratos-ts through discovery:///${service('helloworld')} and called over gRPC and HTTP`, async () => {
        const registered = {
          id: goSvc.id,
          name: 'helloworld',
          version: 'v1.0.0',
          metadata: { lang: 'go' },
          endpoints: goSvc.endpoints,
        };
        for (const t of lookups(backend)) {
          expect(await registry.getService(service('helloworld', t))).toEqual([
            backend.readBack(registered, t, 'ts'),
          ]);
        }
        expect((await new GreeterGrpcClient(grpcClient()).sayHello({ name: 'grpc' })).message).toBe(
          'Hello grpc',
        );
        expect((await new GreeterHttpClient(httpClient()).sayHello({ name: 'http' })).message).toBe(
          'Hello http',
        );
      });

      it('a kratos-ts App registered by kratos-ts is found and called by Go Kratos clients', async () => {
        expect(tsRelay.instance).toMatchObject({
          id: tsRelay.id,
          name: 'ts-relay',
          metadata: { lang: 'ts' },
        });
        for (const t of lookups(backend)) {
          expect(await registry.getService(service('ts-relay', t))).toEqual([
            backend.readBack(tsRelay.instance, t, 'ts'),
          ]);
        }
        const results = await goCall(bin, {
          registry: registryUrl,
          target: 'discovery:///ts-relay',
          names: ['world'],
        });
        expect(results).toEqual([
          { transport: 'grpc', name: 'world', message: 'Hello world' },
          { transport: 'http', name: 'world', message: 'Hello world' },
        ]);
      });

      if (backend.goAuthorityRefused) {
        it(`Go Kratos' gRPC client reaches a kratos-ts service through ${backend.name} only with grpc.WithAuthority: Node's HTTP/2 refuses its default :authority`, async () => {
          const [refused] = await goCall(bin, {
            registry: registryUrl,
            target: 'discovery:///ts-relay',
            transports: ['grpc'],
            names: ['world'],
            fixAuthority: false,
          });
          // :authority `DEFAULT_GROUP@@ts-relay.grpc` (the nacos instance's name): stream reset.
          expect(refused?.error).toMatchObject({ code: 503, reason: '' });
          expect(refused?.error?.message).toMatch(/PROTOCOL_ERROR/);
          // grpc-go's server accepts the same :authority.
          expect(
            await goCall(bin, {
              registry: registryUrl,
              target: 'discovery:///helloworld',
              transports: ['grpc'],
              names: ['world'],
              fixAuthority: false,
            }),
          ).toEqual([{ transport: 'grpc', name: 'world', message: 'Hello world' }]);
          // With grpc.WithAuthority(<app name>), what the other tests run, it works.
          expect(
            await goCall(bin, {
              registry: registryUrl,
              target: 'discovery:///ts-relay',
              transports: ['grpc'],
              names: ['world'],
            }),
          ).toEqual([{ transport: 'grpc', name: 'world', message: 'Hello world' }]);
        });
      }

      it('Go and kratos-ts instances of one service form one pool that clients of both languages balance over', async () => {
        const [goNode, tsNode] = await Promise.all([
          goService({ name: 'mixed' }),
          startTsRelay({ name: 'mixed', registrar: registry, discovery: registry, discoveryName: service }),
        ]);
        const calls = 20;
        const sides = (messages: (string | undefined)[]) =>
          [...new Set(messages.map((m) => parseReport(m).side))].sort();
        try {
          await waitFor(() => listed('mixed', 2), { timeout: 20_000 });
          // Go Kratos' clients with their default balancer (wrr). A new gRPC subconnection needs a
          // moment (~100 ms) before the balancer may pick it: calls are spaced, and a run that only
          // reached the first-connected node is tried again (at most 3 runs).
          for (const transport of ['grpc', 'http'] as const) {
            let seen: string[] = [];
            for (let run = 0; run < 3 && seen.length < 2; run++) {
              const results = await goCall(bin, {
                registry: registryUrl,
                target: 'discovery:///mixed',
                transports: [transport],
                names: Array(calls).fill('echo'),
                intervalMs: 50,
              });
              expect(
                results.every((r) => r.error === undefined),
                JSON.stringify(results),
              ).toBe(true);
              seen = sides(results.map((r) => r.message));
            }
            expect(seen, transport).toEqual(['go', 'ts']);
          }
          // kratos-ts clients with wrr (p2c would also spread, but only as fast as its probing).
          const grpcGreeter = new GreeterGrpcClient(
            grpcClient({
              endpoint: `discovery:///${service('mixed', 'grpc')}`,
              selector: createSelector({ balancer: 'wrr' }),
            }),
          );
          const httpGreeter = new GreeterHttpClient(
            httpClient({
              endpoint: `discovery:///${service('mixed', 'http')}`,
              selector: createSelector({ balancer: 'wrr' }),
            }),
          );
          for (const greeter of [grpcGreeter, httpGreeter]) {
            const messages: (string | undefined)[] = [];
            for (let i = 0; i < calls; i++) messages.push((await greeter.sayHello({ name: 'echo' })).message);
            expect(sides(messages)).toEqual(['go', 'ts']);
          }
        } finally {
          await Promise.all([goNode.stop(), tsNode.stop()]);
        }
      });

      if (helloworldRegistries.includes(backend.name)) {
        it('the kratos-ts helloworld example (-registry) is found and called by Go Kratos clients', async () => {
          const hw = await startTsHelloworld(registryUrl, 'helloworld-ts');
          try {
            await waitFor(async () => (await registry.getService('helloworld-ts')).length === 1, {
              timeout: 20_000,
            });
            const results = await goCall(bin, {
              registry: registryUrl,
              target: 'discovery:///helloworld-ts',
              names: ['world', 'unknown'],
            });
            for (const transport of ['grpc', 'http'] as const) {
              expect(results).toContainEqual({ transport, name: 'world', message: 'Hello world' });
              const failed = results.find((r) => r.transport === transport && r.name === 'unknown');
              expect(failed?.error).toMatchObject({
                code: 404,
                reason: 'USER_NOT_FOUND',
                message: 'user unknown not found',
              });
              expect(failed?.error?.metadata ?? {}).toEqual({});
            }
          } finally {
            expect(await hw.stop()).toBe(0);
          }
        });
      }
    });

    describe('errors', () => {
      it('USER_NOT_FOUND raised by Go arrives in kratos-ts with the same code, reason, message and metadata', async () => {
        const want = {
          code: 404,
          reason: 'USER_NOT_FOUND',
          message: 'user unknown-7 not found',
          metadata: { name: 'unknown-7', side: 'go' },
        };
        for (const greeter of [new GreeterGrpcClient(grpcClient()), new GreeterHttpClient(httpClient())]) {
          const err = await greeter.sayHello({ name: 'unknown-7' }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(KratosError.is(err)).toBe(true);
          expect(isUserNotFound(err)).toBe(true);
          expect((err as KratosError).toJSON()).toEqual(want);
        }
      });

      it('USER_NOT_FOUND raised by kratos-ts arrives in Go Kratos with the same code, reason, message and metadata', async () => {
        const results = await goCall(bin, {
          registry: registryUrl,
          target: 'discovery:///ts-relay',
          names: ['unknown-8'],
        });
        expect(results.map((r) => [r.transport, r.error])).toEqual(
          (['grpc', 'http'] as const).map((t) => [
            t,
            {
              code: 404,
              reason: 'USER_NOT_FOUND',
              message: 'user unknown-8 not found',
              metadata: { name: 'unknown-8', side: 'ts' },
            },
          ]),
        );
      });

      it('an error crosses a relay in the other language unchanged (Go -> TS -> Go and TS -> Go -> TS)', async () => {
        const viaTs = await goCall(bin, {
          registry: registryUrl,
          target: 'discovery:///ts-relay',
          names: ['relay~grpc~helloworld~unknown-go', 'relay~http~helloworld~unknown-go'],
        });
        expect(viaTs).toHaveLength(4);
        for (const r of viaTs) {
          expect(r.error).toEqual({
            code: 404,
            reason: 'USER_NOT_FOUND',
            message: 'user unknown-go not found',
            metadata: { name: 'unknown-go', side: 'go' },
          });
        }
        for (const greeter of [new GreeterGrpcClient(grpcClient()), new GreeterHttpClient(httpClient())]) {
          for (const inner of ['grpc', 'http']) {
            await expect(
              greeter.sayHello({ name: `relay~${inner}~ts-relay~unknown-ts` }),
            ).rejects.toMatchObject({
              code: 404,
              reason: 'USER_NOT_FOUND',
              message: 'user unknown-ts not found',
              metadata: { name: 'unknown-ts', side: 'ts' },
            });
          }
        }
      });
    });

    describe('metadata', () => {
      it('x-md-global-* set by a Go caller reaches a kratos-ts handler and travels on to a Go service; x-md-local-* stops after one hop', async () => {
        const results = await goCall(bin, {
          registry: registryUrl,
          target: 'discovery:///ts-relay',
          names: ['relay~grpc~helloworld~echo', 'relay~http~helloworld~echo'],
          metadata: { 'x-md-global-user': 'alice', 'x-md-local-hop': 'first' },
        });
        expect(results).toHaveLength(4);
        for (const r of results) {
          expect(r.error).toBeUndefined();
          const ts = parseReport(r.message);
          expect(ts).toMatchObject({
            side: 'ts',
            transport: r.transport,
            operation: '/helloworld.v1.Greeter/SayHello',
          });
          expect(ts.metadata).toEqual({ 'x-md-global-user': 'alice', 'x-md-local-hop': 'first' });
          expect(ts.next).toMatchObject({ side: 'go', transport: r.name.split('~')[1] });
          expect(ts.next?.metadata).toEqual({ 'x-md-global-user': 'alice' });
        }
      });

      it('x-md-global-* set by a kratos-ts caller reaches a Go handler and travels on to a kratos-ts service', async () => {
        const middleware = [
          clientMetadata({ constants: { 'x-md-global-user': 'bob', 'x-md-local-hop': 'first' } }),
        ];
        for (const greeter of [
          new GreeterGrpcClient(grpcClient({ middleware })),
          new GreeterHttpClient(httpClient({ middleware })),
        ]) {
          for (const inner of ['grpc', 'http']) {
            const go = parseReport(
              (await greeter.sayHello({ name: `relay~${inner}~ts-relay~echo` })).message,
            );
            expect(go).toMatchObject({ side: 'go', operation: '/helloworld.v1.Greeter/SayHello' });
            expect(go.metadata).toEqual({ 'x-md-global-user': 'bob', 'x-md-local-hop': 'first' });
            expect(go.next).toMatchObject({ side: 'ts', transport: inner });
            // Go Kratos' tracing client middleware also sends x-md-service-name (its Metadata
            // propagator names the calling app), a local key kratos-ts copies like any other.
            expect(go.next?.metadata).toEqual({
              'x-md-global-user': 'bob',
              ...(goTracing(flavour) ? { 'x-md-service-name': 'helloworld' } : {}),
            });
          }
        }
      });
    });

    if (goTracing(flavour))
      describe('tracing', () => {
        it('a trace started by a Go caller continues through a kratos-ts service into a Go service (same trace id)', async () => {
          const results = await goCall(bin, {
            registry: registryUrl,
            target: 'discovery:///ts-relay',
            names: ['relay~grpc~helloworld~echo', 'relay~http~helloworld~echo'],
            trace: true,
          });
          expect(results).toHaveLength(4);
          for (const r of results) {
            expect(r.traceId).toMatch(/^[0-9a-f]{32}$/);
            const ts = parseReport(r.message);
            expect(ts).toMatchObject({ side: 'ts', traceId: r.traceId });
            expect(ts.next).toMatchObject({ side: 'go', traceId: r.traceId });
          }
        });

        it('a trace started in kratos-ts continues through a Go service into a kratos-ts service (same trace id)', async () => {
          const root = tracerProvider.getTracer('interop').startSpan('interop.call');
          const traceId = root.spanContext().traceId;
          // The calls are made within this (server-side) context, as a handler's would be.
          const parent = createContext({ kind: 'http', side: 'server', operation: '/interop/root' });
          parent.set(SPAN_KEY, root);
          const middleware = [clientTracing({ tracerProvider })];
          try {
            for (const greeter of [
              new GreeterGrpcClient(grpcClient({ middleware })),
              new GreeterHttpClient(httpClient({ middleware })),
            ]) {
              for (const inner of ['grpc', 'http']) {
                const reply = await greeter.sayHello(
                  { name: `relay~${inner}~ts-relay~echo` },
                  { ctx: parent },
                );
                const go = parseReport(reply.message);
                expect(go).toMatchObject({ side: 'go', traceId });
                expect(go.next).toMatchObject({ side: 'ts', transport: inner, traceId });
              }
            }
          } finally {
            root.end();
          }
        });
      });

    describe('generated code', () => {
      it('the OpenAPI document kratos-ts generates describes the HTTP routes the Go service serves', async () => {
        const doc = parseYaml(readFileSync(openapiPath, 'utf8')) as OpenApi;
        const base = `http://${goSvc.address('http')}`;
        let routes = 0;
        for (const [template, item] of Object.entries(doc.paths)) {
          for (const [method, op] of Object.entries(item)) {
            routes++;
            const pathFor = (value: string) =>
              template.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_m, name: string) => {
                const p = op.parameters?.find((x) => x.in === 'path' && x.name === name);
                expect(p, `path parameter ${name} of ${template} is documented`).toBeDefined();
                return encodeURIComponent(value);
              });
            const ok = await fetch(base + pathFor('openapi'), { method: method.toUpperCase() });
            expect(ok.status, `${method} ${template}`).toBe(200);
            expectSchema(doc, await ok.json(), op.responses['200']?.content?.['application/json']?.schema);
            const failed = await fetch(base + pathFor('unknown'), { method: method.toUpperCase() });
            expect(failed.status).toBe(404);
            const body = await failed.json();
            expectSchema(doc, body, op.responses.default?.content?.['application/json']?.schema);
            expect(body).toMatchObject({ code: 404, reason: 'USER_NOT_FOUND' });
          }
        }
        expect(routes).toBeGreaterThan(0);
      });
    });

    describe('deregistration and removal', () => {
      /** The instance a Go service registered. */
      const goInstance = (svc: GoService, name: string): ServiceInstance => ({
        id: svc.id,
        name,
        version: 'v1.0.0',
        metadata: { lang: 'go' },
        endpoints: svc.endpoints,
      });
      /** The id under which kratos-ts discovery lists `instance` (nacos: the server's instance id). */
      const tsId = (instance: ServiceInstance) => backend.readBack(instance, 'grpc', 'ts').id;

      // App.Stop is what Go Kratos' SIGTERM handler calls; the fixture calls it when stdin closes.
      // (A SIGTERM sent right after start-up can kill a Go Kratos app before it deregisters: App.Run
      // installs its signal handler only after the after-start hooks, see docs/interop.md.)
      it('a Go service stopping (App.Stop, as on SIGTERM) deregisters and leaves the kratos-ts watcher', async () => {
        const watcher = await registry.watch(service('dereg-go'));
        const svc = await goService({ name: 'dereg-go' });
        try {
          const id = tsId(goInstance(svc, 'dereg-go'));
          await nextMatching(watcher, (set) => ids(set).includes(id), 10_000);
          expect(await svc.stop()).toBe(0);
          expect(svc.lines.map((l) => l.event)).toEqual(['started', 'stopped']);
          await nextMatching(watcher, (set) => set.length === 0, 5_000);
        } finally {
          await svc.stop(1000);
          await watcher.stop();
        }
      });

      it(
        `a killed Go service leaves the kratos-ts watcher when its ${backend.name} registration expires (${expiry} s)`,
        async () => {
          const watcher = await registry.watch(service('killed-go'));
          const svc = await goService({ name: 'killed-go', ttl: `${expiry}s` });
          try {
            const id = tsId(goInstance(svc, 'killed-go'));
            await nextMatching(watcher, (set) => ids(set).includes(id), 10_000);
            await svc.signal('SIGKILL');
            await nextMatching(watcher, (set) => set.length === 0, backend.removalSeconds * 1000);
          } finally {
            await watcher.stop();
          }
        },
        expiryTestMs,
      );

      if (helloworldRegistries.includes(backend.name)) {
        it('the kratos-ts helloworld deregistering on SIGTERM leaves the Go Kratos watcher', async () => {
          const watcher = await watchFromGo('dereg-ts');
          const hw = await startTsHelloworld(registryUrl, 'dereg-ts');
          try {
            const [instance] = await watcher.next((set) => set.length === 1, 20_000);
            expect(instance).toMatchObject({ name: 'dereg-ts', version: 'v1.0.0' });
            expect(instance?.endpoints.map((e) => e.replace(/:\d+.*$/, ''))).toEqual([
              'http://127.0.0.1',
              'grpc://127.0.0.1',
            ]);
            expect(await hw.stop()).toBe(0);
            await watcher.next((set) => set.length === 0, 5_000);
          } finally {
            await hw.stop();
            await watcher.stop();
          }
        });
      }

      it('a kratos-ts App deregistering on stop leaves the Go Kratos watcher', async () => {
        const keeper = await keepOneOf('dereg-app');
        const watcher = await watchFromGo('dereg-app');
        const app = await startTsRelay({
          name: 'dereg-app',
          registrar: registry,
          discovery: registry,
          discoveryName: service,
        });
        try {
          const want = backend.readBack(app.instance, 'grpc', 'go');
          const set = await goWatcherHolds(watcher, [...keeper.ids, want.id], 20_000);
          expect(sorted(set.find((i) => i.id === want.id))).toEqual(sorted(want));
          await app.stop();
          await goWatcherHolds(watcher, keeper.ids, 5_000);
        } finally {
          await app.stop();
          await watcher.stop();
          await keeper.stop();
        }
      });

      it(
        `a killed kratos-ts process leaves the Go Kratos watcher when its ${backend.name} registration expires (${expiry} s)`,
        async () => {
          const keeper = await keepOneOf('killed-ts');
          const watcher = await watchFromGo('killed-ts');
          // Port 0: the child listens on a port of its own (consul's TCP check connects to it).
          const child = await startRegisteredChild(
            registryUrl,
            {
              id: 'killed-ts-1',
              name: 'killed-ts',
              version: 'v1.0.0',
              metadata: {},
              endpoints: ['grpc://127.0.0.1:0?isSecure=false'],
            },
            expiry,
          );
          try {
            const id = backend.readBack(child.instance, 'grpc', 'go').id;
            await goWatcherHolds(watcher, [...keeper.ids, id], 20_000);
            await child.kill();
            await goWatcherHolds(watcher, keeper.ids, backend.removalSeconds * 1000);
          } finally {
            await child.kill();
            await watcher.stop();
            await keeper.stop();
          }
        },
        expiryTestMs,
      );
    });
  });
}

interface OpenApiSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
}
interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> } | undefined>;
}
interface OpenApi {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** Checks `value` against the small schema subset protoc-gen-kratos-openapi emits. */
function expectSchema(doc: OpenApi, value: unknown, schema: OpenApiSchema | undefined, at = '$'): void {
  expect(schema, `${at}: a schema is documented`).toBeDefined();
  let s = schema as OpenApiSchema;
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] as OpenApiSchema;
    expect(s, `${at}: ${name} is defined`).toBeDefined();
  }
  switch (s.type) {
    case 'object': {
      expect(typeof value, at).toBe('object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const prop = s.properties?.[k] ?? s.additionalProperties;
        expect(prop, `${at}.${k} is documented`).toBeDefined();
        expectSchema(doc, v, prop, `${at}.${k}`);
      }
      break;
    }
    case 'string':
      expect(typeof value, at).toBe('string');
      break;
    case 'integer':
      expect(Number.isInteger(value), at).toBe(true);
      break;
    default:
      break;
  }
}
