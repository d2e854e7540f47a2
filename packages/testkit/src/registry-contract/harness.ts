import type { Discovery, Registrar, ServiceInstance, ServiceWatcher } from '@kratos/core';
import { afterEach, beforeEach, expect } from 'vitest';
import { uniqueName } from '../unique-name.ts';
import { waitFor } from '../wait.ts';
import type { RegistryFeatures, RegistrySubject, RegistrySubjectParts } from './types.ts';

/**
 * What every case of the registry contract works with: the subject of the running test (made
 * fresh before each one), instance and service makers, and the waits the cases share. Registered
 * instances and open watchers are cleaned up after every test.
 */
export interface RegistryHarness<S extends RegistrySubject> {
  readonly features: RegistryFeatures<S>;
  readonly watchOn: boolean;
  readonly metadataMode: boolean | 'superset';
  readonly preservesId: boolean;
  /** Bound of each wait for a change to show (ms). */
  readonly wait: number;
  /** Timeout of each test (ms). */
  readonly testTimeout: number;
  /** The running test's subject and its two sides. */
  subject(): S;
  registrar(): Registrar;
  discovery(): Discovery;
  /** A service name no other test uses. */
  service(tag?: string): string;
  /** Instance `n` of `svc` at fresh ports. */
  instance(svc: string, n: number, over?: Partial<ServiceInstance>): ServiceInstance;
  /** The key instances are told apart by: the id, or the first endpoint where ids are not kept. */
  keyOf(i: ServiceInstance): string;
  keys(list: readonly ServiceInstance[]): string[];
  sameSet(list: readonly ServiceInstance[], expected: readonly ServiceInstance[]): boolean;
  /** Registers (and deregisters after the test). */
  register(i: ServiceInstance): Promise<void>;
  deregister(i: ServiceInstance): Promise<void>;
  /** Opens a watcher (stopped after the test). */
  watch(svc: string): Promise<ServiceWatcher>;
  /** Waits until getService of `svc` returns exactly `expected`. */
  serviceIs(svc: string, expected: readonly ServiceInstance[], what: string): Promise<unknown>;
  expectSameInstance(got: ServiceInstance | undefined, want: ServiceInstance): void;
}

function parts(s: RegistrySubject): RegistrySubjectParts {
  if ('registrar' in s && 'discovery' in s) return s;
  const both = s as Registrar & Discovery & { close?(): void | Promise<void> };
  return { registrar: both, discovery: both, close: both.close?.bind(both) };
}

/** Builds the harness and registers its beforeEach/afterEach in the calling describe block. */
export function registryHarness<S extends RegistrySubject>(
  factory: () => S | Promise<S>,
  features: RegistryFeatures<S>,
): RegistryHarness<S> {
  const preservesId = features.preservesId ?? true;
  const metadataMode = features.metadata ?? true;
  const multi = features.multipleEndpoints ?? true;
  const wait = features.timeoutMs ?? 3000 + 5 * (features.propagationDelayMs ?? 0);
  const prefix = features.servicePrefix ?? 'kt';

  let current: { subject: S; parts: RegistrySubjectParts } | undefined;
  let registered = new Map<string, ServiceInstance>();
  let watchers: ServiceWatcher[] = [];
  let port = 20000;

  beforeEach(async () => {
    const subject = await factory();
    current = { subject, parts: parts(subject) };
    registered = new Map();
    watchers = [];
  });

  afterEach(async () => {
    // Leave shared servers clean: stop watchers, deregister what this test left behind.
    const p = current?.parts;
    if (!p) return;
    await Promise.allSettled(watchers.map((w) => w.stop()));
    await Promise.allSettled([...registered.values()].map((i) => p.registrar.deregister(i)));
    await p.close?.();
    current = undefined;
  });

  const now = () => {
    if (!current) throw new Error('registry contract: no subject outside a test');
    return current;
  };
  const keyOf = (i: ServiceInstance) => (preservesId ? i.id : (i.endpoints[0] ?? ''));
  const keys = (list: readonly ServiceInstance[]) => list.map(keyOf).sort();

  return {
    features,
    watchOn: features.watch ?? true,
    metadataMode,
    preservesId,
    wait,
    testTimeout: Math.max(10_000, wait * 4),
    subject: () => now().subject,
    registrar: () => now().parts.registrar,
    discovery: () => now().parts.discovery,
    service: (tag = 'svc') => uniqueName(`${prefix}-${tag}`),
    instance(svc, n, over = {}) {
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
    },
    keyOf,
    keys,
    sameSet(list, expected) {
      const a = keys(list);
      const b = keys(expected);
      return a.length === b.length && a.every((k, i) => k === b[i]);
    },
    async register(i) {
      await now().parts.registrar.register(i);
      registered.set(i.id, i);
    },
    async deregister(i) {
      await now().parts.registrar.deregister(i);
      registered.delete(i.id);
    },
    async watch(svc) {
      const w = await now().parts.discovery.watch(svc);
      watchers.push(w);
      return w;
    },
    serviceIs: (svc, expected, what) =>
      waitFor(
        async () => {
          const got = await now().parts.discovery.getService(svc);
          expect(keys(got)).toEqual(keys(expected));
          return true;
        },
        { timeout: wait, message: what },
      ),
    expectSameInstance(got, want) {
      expect(got).toBeDefined();
      if (!got) return;
      if (preservesId) expect(got.id).toBe(want.id);
      expect(got.name).toBe(want.name);
      expect(got.version).toBe(want.version);
      expect(got.endpoints).toEqual(want.endpoints);
      if (metadataMode === true) expect(got.metadata).toEqual(want.metadata);
      else if (metadataMode === 'superset') expect(got.metadata).toMatchObject(want.metadata);
    },
  };
}
