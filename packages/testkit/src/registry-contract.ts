import type { Discovery, Registrar, ServiceInstance, ServiceWatcher } from '@kratos/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uniqueName } from './unique-name.ts';
import { waitFor, withTimeout } from './wait.ts';
import { nextMatching } from './watch.ts';

/** A registry under test given as two parts (e.g. two clients, so discovery sees another client's writes). */
export interface RegistrySubjectParts {
  registrar: Registrar;
  discovery: Discovery;
  /** Releases the clients; called after every test. */
  close?(): void | Promise<void>;
}

/** What a registry factory returns: one object doing both, or the two parts. */
export type RegistrySubject =
  | (Registrar & Discovery & { close?(): void | Promise<void> })
  | RegistrySubjectParts;

/** Optional behaviour a registry declares, so the suite runs only the cases that apply. */
export interface RegistryFeatures<S extends RegistrySubject = RegistrySubject> {
  /** `discovery.watch` is implemented. Default true. */
  watch?: boolean;
  /**
   * Watchers of one service share one backend watch (a fan-out). Adds cases for late
   * subscribers and for tearing the backend watch down when the last watcher stops. Default false.
   */
  sharedWatch?: boolean;
  /**
   * Metadata round-trips: `true` exactly, `'superset'` the given keys come back but the backend
   * may add its own (nacos adds `kind` and `version`), `false` not checked. Default true.
   */
  metadata?: boolean | 'superset';
  /** Discovered instances keep the registered id (nacos reports its own instance id). Default true. */
  preservesId?: boolean;
  /** One instance may carry several endpoints (nacos splits them per scheme). Default true. */
  multipleEndpoints?: boolean;
  /** How long a change takes to become visible to getService and watchers. Default 0. */
  propagationDelayMs?: number;
  /** Bound of each wait for a change to show. Default 3000 + 5 x propagationDelayMs. */
  timeoutMs?: number;
  /** Number of backend watches the subject holds open; enables the teardown case. */
  openWatches?(subject: S): number;
  /** Prefix of the unique service names. Default `kt`. */
  servicePrefix?: string;
}

function parts(s: RegistrySubject): RegistrySubjectParts {
  if ('registrar' in s && 'discovery' in s) return s;
  const both = s as Registrar & Discovery & { close?(): void | Promise<void> };
  return { registrar: both, discovery: both, close: both.close?.bind(both) };
}

/**
 * Defines a vitest suite checking that a Registrar + Discovery implementation behaves like the
 * Go Kratos registries. `factory` runs before every test; service names are unique per test so
 * the suite can run against a shared real server.
 */
export function describeRegistryContract<S extends RegistrySubject>(
  name: string,
  factory: () => S | Promise<S>,
  features: RegistryFeatures<S> = {},
): void {
  const watchOn = features.watch ?? true;
  const metadataMode = features.metadata ?? true;
  const preservesId = features.preservesId ?? true;
  const multi = features.multipleEndpoints ?? true;
  const wait = features.timeoutMs ?? 3000 + 5 * (features.propagationDelayMs ?? 0);
  const testTimeout = Math.max(10_000, wait * 4);
  const prefix = features.servicePrefix ?? 'kt';

  describe(`registry contract: ${name}`, () => {
    let subject: S;
    let reg: Registrar;
    let disc: Discovery;
    let closeSubject: (() => void | Promise<void>) | undefined;
    let registered: Map<string, ServiceInstance>;
    let watchers: ServiceWatcher[];
    let port = 20000;

    beforeEach(async () => {
      subject = await factory();
      const p = parts(subject);
      reg = p.registrar;
      disc = p.discovery;
      closeSubject = p.close;
      registered = new Map();
      watchers = [];
    });

    afterEach(async () => {
      // Leave shared servers clean: stop watchers, deregister what this test left behind.
      await Promise.allSettled(watchers.map((w) => w.stop()));
      await Promise.allSettled([...registered.values()].map((i) => reg.deregister(i)));
      await closeSubject?.();
    });

    const service = (tag = 'svc') => uniqueName(`${prefix}-${tag}`);
    const instance = (svc: string, n: number, over: Partial<ServiceInstance> = {}): ServiceInstance => {
      const p = port++;
      return {
        id: `${svc}-${n}`,
        name: svc,
        version: 'v1.0.0',
        metadata: { region: 'eu-west-1', weight: '100' },
        endpoints: multi
          ? [`http://127.0.0.1:${p}?isSecure=false`, `grpc://127.0.0.1:${p + 10000}?isSecure=false`]
          : [`grpc://127.0.0.1:${p + 10000}?isSecure=false`],
        ...over,
      };
    };
    // With preservesId false instances are told apart by their first endpoint.
    const keyOf = (i: ServiceInstance) => (preservesId ? i.id : (i.endpoints[0] ?? ''));
    const keys = (list: readonly ServiceInstance[]) => list.map(keyOf).sort();
    const sameSet = (list: readonly ServiceInstance[], expected: readonly ServiceInstance[]) => {
      const a = keys(list);
      const b = keys(expected);
      return a.length === b.length && a.every((k, i) => k === b[i]);
    };
    const register = async (i: ServiceInstance) => {
      await reg.register(i);
      registered.set(i.id, i);
    };
    const deregister = async (i: ServiceInstance) => {
      await reg.deregister(i);
      registered.delete(i.id);
    };
    const watch = async (svc: string) => {
      const w = await disc.watch(svc);
      watchers.push(w);
      return w;
    };
    const serviceIs = (svc: string, expected: readonly ServiceInstance[], what: string) =>
      waitFor(
        async () => {
          const got = await disc.getService(svc);
          expect(keys(got)).toEqual(keys(expected));
          return true;
        },
        { timeout: wait, message: what },
      );
    const expectSameInstance = (got: ServiceInstance | undefined, want: ServiceInstance) => {
      expect(got).toBeDefined();
      if (!got) return;
      if (preservesId) expect(got.id).toBe(want.id);
      expect(got.name).toBe(want.name);
      expect(got.version).toBe(want.version);
      expect(got.endpoints).toEqual(want.endpoints);
      if (metadataMode === true) expect(got.metadata).toEqual(want.metadata);
      else if (metadataMode === 'superset') expect(got.metadata).toMatchObject(want.metadata);
    };

    describe('getService', () => {
      it(
        'returns a registered instance with every field intact',
        async () => {
          const svc = service();
          const inst = instance(svc, 1, {
            version: 'v2.3.4-rc.1',
            metadata: { region: 'eu-west-1', weight: '100', zone: 'a/b c', note: 'héllo ✓ "quoted"' },
          });
          await register(inst);
          await serviceIs(svc, [inst], 'registered instance visible');
          const [got] = await disc.getService(svc);
          expectSameInstance(got, inst);
        },
        testTimeout,
      );

      if (metadataMode === true) {
        it(
          'gives empty metadata back as {}',
          async () => {
            const svc = service();
            const inst = instance(svc, 1, { metadata: {} });
            await register(inst);
            await serviceIs(svc, [inst], 'registered instance visible');
            const [got] = await disc.getService(svc);
            expect(got?.metadata).toEqual({});
          },
          testTimeout,
        );
      }

      it(
        'is empty for a service nobody registered',
        async () => {
          expect(await disc.getService(service('nobody'))).toEqual([]);
        },
        testTimeout,
      );

      it(
        'stops returning a deregistered instance',
        async () => {
          const svc = service();
          const a = instance(svc, 1);
          const b = instance(svc, 2);
          await register(a);
          await register(b);
          await serviceIs(svc, [a, b], 'both instances visible');
          await deregister(a);
          await serviceIs(svc, [b], 'deregistered instance gone');
          await deregister(b);
          await serviceIs(svc, [], 'service empty');
        },
        testTimeout,
      );

      it(
        'ends register/deregister sequences in the right set',
        async () => {
          const svc = service();
          const [a, b, c, d] = [1, 2, 3, 4].map((n) => instance(svc, n)) as [
            ServiceInstance,
            ServiceInstance,
            ServiceInstance,
            ServiceInstance,
          ];
          await register(a);
          await register(b);
          await deregister(a);
          await register(c);
          await register(d);
          await deregister(d);
          await register(a);
          await serviceIs(svc, [a, b, c], 'final set {a, b, c}');
        },
        testTimeout,
      );

      it(
        'registers concurrently without losing instances',
        async () => {
          const svc = service();
          const all = [1, 2, 3, 4, 5, 6].map((n) => instance(svc, n));
          await Promise.all(all.map(register));
          await serviceIs(svc, all, 'all six instances visible');
          await Promise.all(all.slice(0, 3).map(deregister));
          await serviceIs(svc, all.slice(3), 'three left');
        },
        testTimeout,
      );

      if (preservesId) {
        it(
          'replaces an instance registered again with the same id, never duplicates it',
          async () => {
            const svc = service();
            const first = instance(svc, 1);
            await register(first);
            await serviceIs(svc, [first], 'first registration visible');
            const second = { ...first, version: 'v1.1.0', metadata: { ...first.metadata, weight: '50' } };
            await register(second);
            await waitFor(
              async () => {
                const got = await disc.getService(svc);
                expect(got).toHaveLength(1);
                expectSameInstance(got[0], second);
                return true;
              },
              { timeout: wait, message: 'updated instance visible' },
            );
          },
          testTimeout,
        );
      }

      it(
        'keeps services apart, also when one name is a prefix of the other',
        async () => {
          const svc = service();
          const longer = `${svc}-2`;
          const a = instance(svc, 1);
          const b = instance(longer, 1);
          await register(a);
          await register(b);
          await serviceIs(svc, [a], 'only a under its service');
          await serviceIs(longer, [b], 'only b under the longer name');
          for (const i of await disc.getService(svc)) expect(i.name).toBe(svc);
          await deregister(b);
          await serviceIs(longer, [], 'longer service empty');
          await serviceIs(svc, [a], 'a still there');
        },
        testTimeout,
      );

      it(
        'hands out copies: changing a returned instance does not change the registry',
        async () => {
          const svc = service();
          const inst = instance(svc, 1);
          await register(inst);
          // The caller's object must not be aliased either.
          inst.metadata.region = 'changed-by-caller';
          await serviceIs(svc, [inst], 'instance visible');
          const [got] = await disc.getService(svc);
          if (!got) throw new Error('instance missing');
          got.endpoints.push('http://10.9.9.9:1?isSecure=false');
          got.metadata.region = 'changed-by-reader';
          const [again] = await disc.getService(svc);
          expect(again?.endpoints).toEqual(inst.endpoints);
          if (metadataMode !== false) expect(again?.metadata.region).toBe('eu-west-1');
        },
        testTimeout,
      );
    });

    describe('bad input', () => {
      const rejection = (call: () => Promise<unknown>) => {
        let p: Promise<unknown> | undefined;
        expect(() => {
          p = call();
        }, 'must reject, not throw synchronously').not.toThrow();
        return p as Promise<unknown>;
      };

      it('rejects register without an id', async () => {
        const inst = instance(service(), 1, { id: '' });
        await expect(rejection(() => reg.register(inst))).rejects.toThrow(/\bid\b/i);
      });

      it('rejects register without a name', async () => {
        const inst = instance(service(), 1, { name: '' });
        await expect(rejection(() => reg.register(inst))).rejects.toThrow(/name/i);
      });

      it(
        'resolves deregister of an instance that was never registered',
        async () => {
          await reg.deregister(instance(service('never'), 1));
        },
        testTimeout,
      );

      if (watchOn) {
        it('rejects watch of an empty service name', async () => {
          await expect(rejection(() => disc.watch(''))).rejects.toThrow();
        });
      }
    });

    if (!watchOn) return;

    describe('watch', () => {
      it(
        'yields the current set first',
        async () => {
          const svc = service();
          const a = instance(svc, 1);
          await register(a);
          await serviceIs(svc, [a], 'instance visible');
          const w = await watch(svc);
          const snap = await nextMatching(w, (s) => sameSet(s, [a]), wait);
          expectSameInstance(snap[0], a);
        },
        testTimeout,
      );

      it(
        'sees registrations and deregistrations in order',
        async () => {
          const svc = service();
          const w = await watch(svc);
          const a = instance(svc, 1);
          const b = instance(svc, 2);
          await register(a);
          const first = await nextMatching(w, (s) => sameSet(s, [a]), wait);
          expectSameInstance(first[0], a);
          await register(b);
          await nextMatching(w, (s) => sameSet(s, [a, b]), wait);
          await deregister(a);
          await nextMatching(w, (s) => sameSet(s, [b]), wait);
          await deregister(b);
          await nextMatching(w, (s) => s.length === 0, wait);
          // The watch keeps working after the service went empty.
          await register(a);
          await nextMatching(w, (s) => sameSet(s, [a]), wait);
        },
        testTimeout,
      );

      it(
        'brings many watchers of one service to the same final set',
        async () => {
          const svc = service();
          const ws = await Promise.all([1, 2, 3, 4, 5].map(() => watch(svc)));
          const all = [1, 2, 3].map((n) => instance(svc, n));
          await Promise.all(all.map(register));
          await Promise.all(ws.map((w) => nextMatching(w, (s) => sameSet(s, all), wait)));
          await deregister(all[1] as ServiceInstance);
          const rest = [all[0], all[2]] as ServiceInstance[];
          await Promise.all(ws.map((w) => nextMatching(w, (s) => sameSet(s, rest), wait)));
        },
        testTimeout,
      );

      it(
        'keeps other watchers working when one stops',
        async () => {
          const svc = service();
          const w1 = await watch(svc);
          const w2 = await watch(svc);
          const a = instance(svc, 1);
          await register(a);
          await nextMatching(w1, (s) => sameSet(s, [a]), wait);
          await nextMatching(w2, (s) => sameSet(s, [a]), wait);
          await w1.stop();
          const b = instance(svc, 2);
          await register(b);
          await nextMatching(w2, (s) => sameSet(s, [a, b]), wait);
          const w3 = await watch(svc);
          await nextMatching(w3, (s) => sameSet(s, [a, b]), wait);
        },
        testTimeout,
      );

      it(
        'shows a watcher only its own service',
        async () => {
          const svc = service();
          const other = `${svc}-2`;
          const w = await watch(svc);
          const seen: ServiceInstance[][] = [];
          await register(instance(other, 1));
          await register(instance(other, 2));
          const mine = instance(svc, 1);
          await register(mine);
          await nextMatching(
            w,
            (s) => {
              seen.push(s);
              return sameSet(s, [mine]);
            },
            wait,
          );
          for (const snap of seen) for (const i of snap) expect(i.name).toBe(svc);
        },
        testTimeout,
      );

      it(
        'ends a for-await loop when stopped',
        async () => {
          const svc = service();
          await register(instance(svc, 1));
          const w = await watch(svc);
          let count = 0;
          const loop = (async () => {
            for await (const _ of w) count++;
          })();
          await waitFor(() => count > 0, { timeout: wait, message: 'first snapshot in the loop' });
          await w.stop();
          await withTimeout(loop, wait, 'for-await loop ending after stop()');
        },
        testTimeout,
      );

      it(
        'resolves a pending next() as done when stopped, and stays done',
        async () => {
          const svc = service();
          const a = instance(svc, 1);
          await register(a);
          const w = await watch(svc);
          await nextMatching(w, (s) => sameSet(s, [a]), wait);
          const iter = w[Symbol.asyncIterator]();
          // Skip snapshots already delivered, so the read below is really pending.
          let pending = iter.next();
          for (let i = 0; i < 10; i++) {
            const early = await Promise.race([pending, Promise.resolve('pending' as const)]);
            if (early === 'pending') break;
            pending = iter.next();
          }
          await w.stop();
          const r = await withTimeout(pending, wait, 'pending next() after stop()');
          expect(r.done).toBe(true);
          expect((await iter.next()).done).toBe(true);
          await w.stop();
        },
        testTimeout,
      );

      it(
        'removes a deregistered instance from every watcher',
        async () => {
          const svc = service();
          const a = instance(svc, 1);
          const b = instance(svc, 2);
          await register(a);
          await register(b);
          const ws = [await watch(svc), await watch(svc)];
          for (const w of ws) await nextMatching(w, (s) => sameSet(s, [a, b]), wait);
          await deregister(a);
          for (const w of ws) {
            const snap = await nextMatching(w, (s) => sameSet(s, [b]), wait);
            expect(keys(snap)).not.toContain(keyOf(a));
          }
          await serviceIs(svc, [b], 'getService agrees');
        },
        testTimeout,
      );
    });

    if (!features.sharedWatch) return;

    describe('shared watch', () => {
      it(
        'gives a late watcher the current set at once',
        async () => {
          const svc = service();
          const early = await watch(svc);
          const a = instance(svc, 1);
          await register(a);
          await nextMatching(early, (s) => sameSet(s, [a]), wait);
          const late = await watch(svc);
          // The first snapshot a late subscriber reads is already the full current set.
          const first = await nextMatching(late, () => true, wait);
          expect(keys(first)).toEqual(keys([a]));
        },
        testTimeout,
      );

      const openWatches = features.openWatches;
      if (openWatches) {
        it(
          'opens one backend watch per service and closes it when the last watcher stops',
          async () => {
            const svc = service();
            const ws = await Promise.all([1, 2, 3, 4].map(() => watch(svc)));
            expect(openWatches(subject)).toBe(1);
            const other = await watch(`${svc}-other`);
            expect(openWatches(subject)).toBe(2);
            await other.stop();
            await Promise.all(ws.slice(0, 3).map((w) => w.stop()));
            expect(openWatches(subject)).toBe(1);
            await ws[3]?.stop();
            await waitFor(() => openWatches(subject) === 0, {
              timeout: wait,
              message: 'backend watch closed',
            });
          },
          testTimeout,
        );
      }
    });
  });
}
