import { createMemoryRegistry, type Discovery, type Logger, type ServiceInstance } from '@kratos/core';
import { createWatchChannel } from '@kratos/core/adapter';
import { describe, expect, it } from 'vitest';
import { createNodeResolver } from './resolver.ts';
import { createSelector } from './selector.ts';

function captureLogger() {
  const lines: { level: string; msg: string }[] = [];
  const logger: Logger = {
    log(level, ...kv) {
      const i = kv.indexOf('msg');
      lines.push({ level, msg: i === -1 ? '' : String(kv[i + 1]) });
    },
  };
  return { logger, lines };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not met');
}

function instance(id: string, port: number): ServiceInstance {
  return {
    id,
    name: 'helloworld',
    version: 'v1',
    metadata: {},
    endpoints: [`http://127.0.0.1:${port}?isSecure=false`, `grpc://127.0.0.1:${port + 1000}?isSecure=false`],
  };
}

const addresses = (s: ReturnType<typeof createSelector>) => s.nodes().map((n) => n.address);

describe('createNodeResolver with discovery', () => {
  it('follows registrations and refuses an empty set', async () => {
    const registry = createMemoryRegistry();
    const { logger, lines } = captureLogger();
    await registry.register(instance('a', 8001));
    const selector = createSelector();
    const resolver = createNodeResolver({
      target: 'discovery:///helloworld',
      scheme: 'grpc',
      discovery: registry,
      selector,
      logger,
    });
    await resolver.ready(AbortSignal.timeout(5000));
    expect(addresses(selector)).toEqual(['127.0.0.1:9001']);

    await registry.register(instance('b', 8002));
    await until(() => selector.nodes().length === 2);
    expect(addresses(selector)).toEqual(['127.0.0.1:9001', '127.0.0.1:9002']);

    await registry.deregister(instance('a', 8001));
    await until(() => selector.nodes().length === 1);
    expect(addresses(selector)).toEqual(['127.0.0.1:9002']);

    await registry.deregister(instance('b', 8002));
    await until(() => lines.some((l) => l.level === 'warn' && l.msg.includes('zero endpoint found')));
    expect(addresses(selector)).toEqual(['127.0.0.1:9002']);

    await resolver.close();
    expect(registry.activeWatches).toBe(0);
  });

  it('with secure set, takes only TLS endpoints (grpcs:// or isSecure=true), or only plaintext ones', async () => {
    const registry = createMemoryRegistry();
    const one = (id: string, endpoint: string): ServiceInstance => ({
      id,
      name: 'mixed',
      version: 'v1',
      metadata: {},
      endpoints: [endpoint],
    });
    await registry.register(one('go', 'grpcs://127.0.0.1:9443'));
    await registry.register(one('old', 'grpc://127.0.0.1:9444?isSecure=true'));
    await registry.register(one('plain', 'grpc://127.0.0.1:9000'));
    const resolve = async (secure: boolean) => {
      const selector = createSelector();
      const resolver = createNodeResolver({
        target: 'discovery:///mixed',
        scheme: 'grpc',
        discovery: registry,
        selector,
        secure,
      });
      await resolver.ready(AbortSignal.timeout(5000));
      await resolver.close();
      return addresses(selector);
    };
    expect(await resolve(true)).toEqual(['127.0.0.1:9443', '127.0.0.1:9444']);
    expect(await resolve(false)).toEqual(['127.0.0.1:9000']);
  });

  it('waits for the first non-empty set', async () => {
    const registry = createMemoryRegistry();
    const selector = createSelector();
    const { logger, lines } = captureLogger();
    const resolver = createNodeResolver({
      target: 'discovery:///helloworld',
      scheme: 'http',
      discovery: registry,
      selector,
      logger,
    });
    let ready = false;
    const waiting = resolver.ready().then(() => {
      ready = true;
    });
    // The resolver has seen the registry's empty set (and refused it) before this check.
    await until(() => lines.some((l) => l.level === 'warn' && l.msg.includes('zero endpoint found')));
    expect(ready).toBe(false);
    await registry.register(instance('a', 8001));
    await waiting;
    expect(addresses(selector)).toEqual(['127.0.0.1:8001']);
    await resolver.close();
  });

  it('rejects ready() on abort and on close', async () => {
    const registry = createMemoryRegistry();
    const resolver = createNodeResolver({
      target: 'discovery:///nothing',
      scheme: 'http',
      discovery: registry,
      selector: createSelector(),
      logger: captureLogger().logger,
    });
    const ac = new AbortController();
    const aborted = resolver.ready(ac.signal);
    ac.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    const pending = resolver.ready();
    await resolver.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(resolver.ready()).rejects.toThrow(/closed/);
  });

  it('keeps the last set while the registry is broken and watches again', async () => {
    const registry = createMemoryRegistry();
    await registry.register(instance('a', 8001));
    const { logger, lines } = captureLogger();
    let calls = 0;
    const flaky: Discovery = {
      getService: (name) => registry.getService(name),
      async watch(name, options) {
        calls++;
        if (calls === 1) {
          // Yields one good set, then breaks.
          const ch = createWatchChannel<ServiceInstance[]>();
          ch.push(await registry.getService(name));
          setTimeout(() => ch.fail(new Error('connection lost')), 10);
          return ch.watcher;
        }
        if (calls === 2) throw new Error('registry unreachable');
        return registry.watch(name, options);
      },
    };
    const selector = createSelector();
    const resolver = createNodeResolver({
      target: 'discovery:///helloworld',
      scheme: 'http',
      discovery: flaky,
      selector,
      logger,
      backoff: { initialMs: 5, maxMs: 20 },
    });
    await resolver.ready();
    expect(addresses(selector)).toEqual(['127.0.0.1:8001']);
    await until(() => calls >= 3);
    expect(addresses(selector)).toEqual(['127.0.0.1:8001']);
    expect(lines.filter((l) => l.level === 'error' && l.msg.includes('failed to watch'))).toHaveLength(2);

    await registry.register(instance('b', 8002));
    await until(() => selector.nodes().length === 2);
    await resolver.close();
    expect(registry.activeWatches).toBe(0);
  });

  it('close ends the resolver during a backoff pause, without waiting it out', async () => {
    let calls = 0;
    const down: Discovery = {
      getService: async () => [],
      async watch() {
        calls++;
        throw new Error('registry unreachable');
      },
    };
    const resolver = createNodeResolver({
      target: 'discovery:///helloworld',
      scheme: 'http',
      discovery: down,
      selector: createSelector(),
      logger: captureLogger().logger,
      backoff: { initialMs: 600_000, maxMs: 600_000 },
    });
    await until(() => calls === 1);
    // The loop now pauses 10 minutes before watching again: close must cut that short.
    await resolver.close();
    expect(calls).toBe(1);
  });

  it('needs a discovery and a service name', () => {
    const selector = createSelector();
    expect(() => createNodeResolver({ target: 'discovery:///helloworld', scheme: 'grpc', selector })).toThrow(
      /needs a discovery/,
    );
    expect(() =>
      createNodeResolver({
        target: 'discovery:///',
        scheme: 'grpc',
        selector,
        discovery: createMemoryRegistry(),
      }),
    ).toThrow(/no service name/);
  });
});

describe('createNodeResolver with fixed addresses', () => {
  it('applies direct targets at once', async () => {
    const selector = createSelector({ balancer: 'wrr' });
    const resolver = createNodeResolver({
      target: 'direct:///127.0.0.1:9000, 127.0.0.2:9000',
      scheme: 'grpc',
      selector,
    });
    await resolver.ready();
    expect(addresses(selector)).toEqual(['127.0.0.1:9000', '127.0.0.2:9000']);
    expect(selector.nodes()[0]!.scheme).toBe('grpc');
    await resolver.close();
  });

  it('applies http(s) and bare targets, adding default ports', async () => {
    const s1 = createSelector();
    createNodeResolver({ target: 'https://example.com', scheme: 'http', selector: s1 });
    expect(addresses(s1)).toEqual(['example.com:443']);
    const s2 = createSelector();
    createNodeResolver({ target: 'http://[::1]:8000', scheme: 'http', selector: s2 });
    expect(addresses(s2)).toEqual(['[::1]:8000']);
    const s3 = createSelector();
    createNodeResolver({ target: '127.0.0.1:8000', scheme: 'http', selector: s3 });
    expect(addresses(s3)).toEqual(['127.0.0.1:8000']);
  });

  it('rejects bad addresses and unknown schemes with a clear error', () => {
    const selector = createSelector();
    expect(() => createNodeResolver({ target: 'direct:///nohost', scheme: 'grpc', selector })).toThrow(
      /invalid address "nohost"/,
    );
    expect(() => createNodeResolver({ target: 'direct:///', scheme: 'grpc', selector })).toThrow(
      /no address/,
    );
    expect(() => createNodeResolver({ target: 'consul:///svc', scheme: 'grpc', selector })).toThrow(
      /unsupported target scheme "consul"/,
    );
  });
});
