import type { Discovery, Registrar } from '@kratos/core';
import { describe } from 'vitest';
import { badInputCases } from './bad-input.ts';
import { getServiceCases } from './get-service.ts';
import { registryHarness } from './harness.ts';
import { sharedWatchCases } from './shared-watch.ts';
import { watchCases } from './watch.ts';

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

/**
 * Defines a vitest suite checking that a Registrar + Discovery implementation behaves like the
 * Go Kratos registries. `factory` runs before every test; service names are unique per test so
 * the suite can run against a shared real server. The cases live by subject next to this file
 * (`get-service.ts`, `bad-input.ts`, `watch.ts`, `shared-watch.ts`) over one harness.
 */
export function describeRegistryContract<S extends RegistrySubject>(
  name: string,
  factory: () => S | Promise<S>,
  features: RegistryFeatures<S> = {},
): void {
  describe(`registry contract: ${name}`, () => {
    const h = registryHarness(factory, features);
    describe('getService', () => getServiceCases(h));
    describe('bad input', () => badInputCases(h));
    if (!h.watchOn) return;
    describe('watch', () => watchCases(h));
    if (features.sharedWatch) describe('shared watch', () => sharedWatchCases(h));
  });
}
