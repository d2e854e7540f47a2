import { describe, expect, it } from 'vitest';
import {
  type AppInfo,
  createApp,
  createMemoryRegistry,
  type Logger,
  type Registrar,
  type Server,
  type ServiceInstance,
} from '../index.ts';
import {
  type Endpointer,
  newEndpoint,
  type ServerStartOptions,
  type ServerStopOptions,
} from '../transport.ts';

/** A server that records its lifecycle in a shared log and can be told to fail or hang. */
class FakeServer implements Server, Endpointer {
  readonly name: string;
  readonly events: string[];
  readonly behaviour: {
    failStart?: string;
    failStop?: string;
    holdStart?: Promise<void>;
    holdStop?: Promise<void>;
    hangStop?: boolean;
    /** Advertises a TLS endpoint. */
    tls?: boolean;
  };
  running = false;
  startOptions: ServerStartOptions | undefined;
  stopSignal: AbortSignal | undefined;
  constructor(name: string, events: string[], behaviour: FakeServer['behaviour'] = {}) {
    this.name = name;
    this.events = events;
    this.behaviour = behaviour;
  }
  async start(options?: ServerStartOptions): Promise<void> {
    this.startOptions = options;
    this.events.push(`start ${this.name}`);
    await this.behaviour.holdStart;
    if (this.behaviour.failStart) throw new Error(this.behaviour.failStart);
    this.running = true;
    this.events.push(`listening ${this.name}`);
  }
  async stop(options?: ServerStopOptions): Promise<void> {
    this.stopSignal = options?.signal;
    this.events.push(`stop ${this.name}`);
    await this.behaviour.holdStop;
    if (this.behaviour.hangStop) {
      // Drains forever: only the app's force signal ends it.
      await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
      this.events.push(`forced ${this.name}`);
    }
    this.running = false;
    if (this.behaviour.failStop) throw new Error(this.behaviour.failStop);
  }
  endpoint(): URL {
    return newEndpoint(
      this.name.startsWith('grpc') ? 'grpc' : 'http',
      `10.0.0.5:${this.name.length}000`,
      this.behaviour.tls,
    );
  }
}

class FailingServer extends FakeServer {}

/** A registrar that records calls, checking what was running at each. */
function recordingRegistrar(events: string[], servers: FakeServer[], extra: Partial<Registrar> = {}) {
  const registered: ServiceInstance[] = [];
  const registrar: Registrar = {
    async register(instance, options) {
      events.push(`register (all running: ${servers.every((s) => s.running)})`);
      registered.push(instance);
      await extra.register?.(instance, options);
    },
    async deregister(instance, options) {
      events.push(`deregister (all running: ${servers.every((s) => s.running)})`);
      await extra.deregister?.(instance, options);
    },
  };
  return { registrar, registered };
}

const quiet: Logger = { log() {} };
const hook = (events: string[], name: string) => (app: AppInfo) => {
  events.push(`${name} ${app.name}`);
};

describe('createApp', () => {
  it('runs hooks, servers and registration in Go Kratos order', async () => {
    const events: string[] = [];
    const servers = [new FakeServer('http', events), new FakeServer('grpc', events)];
    const { registrar, registered } = recordingRegistrar(events, servers);
    const app = createApp({
      id: 'id-1',
      name: 'helloworld',
      version: 'v1.0.0',
      metadata: { zone: 'a' },
      servers,
      registrar,
      signals: [],
      logger: quiet,
      beforeStart: hook(events, 'before-start'),
      afterStart: [hook(events, 'after-start'), hook(events, 'after-start-2')],
      beforeStop: hook(events, 'before-stop'),
      afterStop: hook(events, 'after-stop'),
    });
    const running = app.run();
    await new Promise<void>((resolve) => {
      const check = () => (events.includes('after-start-2 helloworld') ? resolve() : setImmediate(check));
      check();
    });
    await app.stop();
    await running;
    expect(events).toEqual([
      'before-start helloworld',
      'start http',
      'start grpc',
      'listening http',
      'listening grpc',
      'register (all running: true)',
      'after-start helloworld',
      'after-start-2 helloworld',
      'before-stop helloworld',
      'deregister (all running: true)',
      'stop http',
      'stop grpc',
      'after-stop helloworld',
    ]);
    expect(registered).toEqual([
      {
        id: 'id-1',
        name: 'helloworld',
        version: 'v1.0.0',
        metadata: { zone: 'a' },
        endpoints: ['http://10.0.0.5:4000?isSecure=false', 'grpc://10.0.0.5:4000?isSecure=false'],
      },
    ]);
    expect(app.info.endpoints).toEqual(registered[0]!.endpoints);
    expect(servers[0]!.startOptions?.app).toBe(app.info);
  });

  it('registers the configured endpoints instead of the servers own, and makes an id', async () => {
    const registry = createMemoryRegistry();
    const app = createApp({
      name: 'svc',
      endpoints: ['grpcs://public.example:443?isSecure=true'],
      servers: [new FakeServer('grpc', [])],
      registrar: registry,
      signals: [],
      logger: quiet,
    });
    expect(app.info.id).toMatch(/^[0-9a-f-]{36}$/);
    const running = app.run();
    const w = await registry.watch('svc');
    for await (const set of w) {
      if (set.length === 1) {
        expect(set[0]!.endpoints).toEqual(['grpcs://public.example:443?isSecure=true']);
        expect(set[0]!.id).toBe(app.info.id);
        break;
      }
    }
    await app.stop();
    await running;
    expect(await registry.getService('svc')).toEqual([]);
  });

  it('registers TLS servers with grpcs:// and https:// endpoints, as Go Kratos writes them', async () => {
    const registry = createMemoryRegistry();
    const app = createApp({
      id: 'tls-1',
      name: 'tls',
      servers: [new FakeServer('https', [], { tls: true }), new FakeServer('grpc', [], { tls: true })],
      registrar: registry,
      signals: [],
      logger: quiet,
    });
    const running = app.run();
    const w = await registry.watch('tls');
    for await (const set of w) {
      if (set.length === 1) {
        expect(set[0]!.endpoints).toEqual([
          'https://10.0.0.5:5000?isSecure=true',
          'grpcs://10.0.0.5:4000?isSecure=true',
        ]);
        break;
      }
    }
    await app.stop();
    await running;
  });

  it('an app without servers or registrar runs and stops', async () => {
    const app = createApp({ signals: [], logger: quiet });
    const running = app.run();
    await app.stop();
    await expect(running).resolves.toBeUndefined();
    await expect(app.stop()).resolves.toBeUndefined();
    await expect(app.run()).rejects.toThrow(/cannot run: it is stopped/);
  });

  it('a server failing to start stops those that started; run rejects naming the server', async () => {
    const events: string[] = [];
    const ok = new FakeServer('http', events);
    const bad = new FailingServer('grpc', events, { failStart: 'listen EADDRINUSE 0.0.0.0:9000' });
    const { registrar } = recordingRegistrar(events, [ok, bad]);
    const app = createApp({
      name: 'svc',
      servers: [ok, bad],
      registrar,
      signals: [],
      logger: quiet,
      afterStart: hook(events, 'after-start'),
      afterStop: hook(events, 'after-stop'),
    });
    await expect(app.run()).rejects.toThrow(
      'server #1 (FailingServer) failed to start: listen EADDRINUSE 0.0.0.0:9000',
    );
    expect(events).toEqual(['start http', 'start grpc', 'listening http', 'stop http']);
    expect(ok.running).toBe(false);
    await expect(app.stop()).resolves.toBeUndefined();
    expect(events).toHaveLength(4);
  });

  it('a server throwing synchronously from start is reported the same way', async () => {
    const sync: Server = {
      start() {
        throw new Error('bad options');
      },
      stop: async () => {},
    };
    const app = createApp({ servers: [sync], signals: [], logger: quiet });
    await expect(app.run()).rejects.toThrow('server #0 failed to start: bad options');
  });

  it('a stop() requested during start-up stops the app once it is up', async () => {
    const events: string[] = [];
    let release!: () => void;
    const server = new FakeServer('http', events, { holdStart: new Promise<void>((r) => (release = r)) });
    const app = createApp({ servers: [server], signals: [], logger: quiet });
    const running = app.run();
    const stopping = app.stop();
    release();
    await Promise.all([running, stopping]);
    expect(events).toEqual(['start http', 'listening http', 'stop http']);
  });

  it('a stop() requested during a start-up that fails resolves too', async () => {
    let release!: () => void;
    const server = new FakeServer('http', [], {
      holdStart: new Promise<void>((r) => (release = r)),
      failStart: 'nope',
    });
    const app = createApp({ servers: [server], signals: [], logger: quiet });
    const running = app.run();
    const stopping = app.stop();
    release();
    await expect(running).rejects.toThrow('nope');
    await expect(stopping).resolves.toBeUndefined();
  });

  it('registration is bounded by registrarTimeout; the registrar sees its signal aborted', async () => {
    const events: string[] = [];
    const server = new FakeServer('http', events);
    let registerSignal: AbortSignal | undefined;
    const registrar: Registrar = {
      register: (_i, options) => {
        registerSignal = options?.signal;
        return new Promise(() => {});
      },
      deregister: async () => {
        events.push('deregister');
      },
    };
    const app = createApp({
      name: 'slow',
      servers: [server],
      registrar,
      registrarTimeout: 20,
      signals: [],
      logger: quiet,
    });
    await expect(app.run()).rejects.toThrow('register "slow" failed: register timed out after 20 ms');
    expect(registerSignal?.aborted).toBe(true);
    expect(events).toEqual(['start http', 'listening http', 'stop http']);
  });

  it('a registrar error fails the start and stops the servers', async () => {
    const events: string[] = [];
    const server = new FakeServer('http', events);
    const registrar: Registrar = {
      register: async () => {
        throw new Error('etcd unreachable');
      },
      deregister: async () => {},
    };
    const app = createApp({ name: 'svc', servers: [server], registrar, signals: [], logger: quiet });
    await expect(app.run()).rejects.toThrow('register "svc" failed: etcd unreachable');
    expect(server.running).toBe(false);
  });

  it('a throwing after-start hook deregisters and stops what started', async () => {
    const events: string[] = [];
    const server = new FakeServer('http', events);
    const { registrar } = recordingRegistrar(events, [server]);
    const app = createApp({
      servers: [server],
      registrar,
      signals: [],
      logger: quiet,
      afterStart: () => {
        throw new Error('warm-up failed');
      },
    });
    await expect(app.run()).rejects.toThrow('warm-up failed');
    expect(events).toEqual([
      'start http',
      'listening http',
      'register (all running: true)',
      'deregister (all running: true)',
      'stop http',
    ]);
  });

  it('a throwing before-start hook starts nothing', async () => {
    const events: string[] = [];
    const app = createApp({
      servers: [new FakeServer('http', events)],
      signals: [],
      logger: quiet,
      beforeStart: () => {
        throw new Error('config missing');
      },
    });
    await expect(app.run()).rejects.toThrow('config missing');
    expect(events).toEqual([]);
  });

  it('stopTimeout forces servers that do not drain in time, through the stop signal', async () => {
    const events: string[] = [];
    const slow = new FakeServer('http', events, { hangStop: true });
    const fast = new FakeServer('grpc', events);
    const app = createApp({ servers: [slow, fast], stopTimeout: 20, signals: [], logger: quiet });
    const running = app.run();
    await app.stop();
    await running;
    expect(slow.stopSignal?.aborted).toBe(true);
    expect(String((slow.stopSignal?.reason as Error | undefined)?.message)).toMatch(/stop timeout 20 ms/);
    expect(events).toContain('forced http');
  });

  it('stop errors are collected: run and stop reject, every server still gets stopped', async () => {
    const events: string[] = [];
    const bad = new FakeServer('http', events, { failStop: 'socket stuck' });
    const good = new FakeServer('grpc', events);
    const lines: unknown[][] = [];
    const app = createApp({
      name: 'svc',
      servers: [bad, good],
      signals: [],
      logger: { log: (_l, ...kv) => lines.push(kv) },
      afterStop: hook(events, 'after-stop'),
    });
    const running = app.run();
    running.catch(() => {});
    await expect(app.stop()).rejects.toThrow('app "svc" stopped with errors');
    const err = await running.catch((e: AggregateError) => e);
    expect((err as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      'server #0 (FakeServer) failed to stop: socket stuck',
    ]);
    expect(events).toContain('stop grpc');
    expect(events).toContain('after-stop svc');
    expect(lines.some((kv) => kv.includes('server #0 (FakeServer) failed to stop: socket stuck'))).toBe(true);
  });

  it('drainDelay: tells the servers, deregisters, serves on while watchers hear of it, then stops the servers', async () => {
    const events: string[] = [];
    const times: Record<string, number> = {};
    const servers = [
      new (class extends FakeServer {
        beginDrain() {
          events.push(`drain ${this.name} (running: ${this.running})`);
        }
        override async stop(options?: ServerStopOptions) {
          times.stop = performance.now();
          await super.stop(options);
        }
      })('http', events),
    ];
    const registry = createMemoryRegistry();
    const { registrar } = recordingRegistrar(events, servers, {
      async register(i, o) {
        await registry.register(i, o);
      },
      async deregister(i, o) {
        await registry.deregister(i, o);
        times.deregistered = performance.now();
      },
    });
    const app = createApp({
      name: 'drained',
      servers,
      registrar,
      signals: [],
      logger: quiet,
      drainDelay: 150,
    });
    const running = app.run();
    const watcher = (await registry.watch('drained'))[Symbol.asyncIterator]();
    while ((await watcher.next()).value.length === 0);
    const stopped = app.stop();
    // The watcher learns of the deregistration while every server still runs.
    expect((await watcher.next()).value).toHaveLength(0);
    expect(servers[0]!.running).toBe(true);
    await stopped;
    await running;
    expect(events.slice(-3)).toEqual([
      'drain http (running: true)',
      'deregister (all running: true)',
      'stop http',
    ]);
    // timers never fire early: the servers were stopped no sooner than drainDelay after it
    expect(times.stop! - times.deregistered!).toBeGreaterThanOrEqual(149);
    await watcher.return?.();
  });

  it('stop is idempotent and flushes the logger', async () => {
    let flushed = 0;
    const logger = {
      log() {},
      async flush() {
        flushed++;
      },
    };
    const app = createApp({ servers: [new FakeServer('http', [])], signals: [], logger });
    const running = app.run();
    await Promise.all([app.stop(), app.stop()]);
    await running;
    expect(flushed).toBe(1);
  });

  it('a signal during start-up stops the app once it is up', async () => {
    const events: string[] = [];
    let release!: () => void;
    const server = new FakeServer('http', events, { holdStart: new Promise<void>((r) => (release = r)) });
    const app = createApp({ servers: [server], signals: ['SIGUSR2'], logger: quiet, onForceExit: () => {} });
    const running = app.run();
    await new Promise<void>((resolve) => {
      const check = () => (events.includes('start http') ? resolve() : setImmediate(check));
      check();
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    release();
    await running;
    expect(events).toEqual(['start http', 'listening http', 'stop http']);
  });

  it('a signal stops the app; a second one calls onForceExit', async () => {
    const events: string[] = [];
    let forced = 0;
    let release!: () => void;
    const server = new FakeServer('http', events, { holdStop: new Promise<void>((r) => (release = r)) });
    const app = createApp({
      servers: [server],
      signals: ['SIGUSR2'],
      stopTimeout: 60_000,
      logger: quiet,
      onForceExit: () => {
        forced++;
      },
    });
    const before = process.listenerCount('SIGUSR2');
    const running = app.run();
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    await new Promise<void>((resolve) => {
      const check = () => (server.running ? resolve() : setImmediate(check));
      check();
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    await new Promise<void>((resolve) => {
      const check = () => (events.includes('stop http') ? resolve() : setImmediate(check));
      check();
    });
    expect(forced).toBe(0);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(forced).toBe(1);
    release();
    await running;
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
