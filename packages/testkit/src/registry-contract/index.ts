import { describe } from 'vitest';
import { badInputCases } from './bad-input.ts';
import { getServiceCases } from './get-service.ts';
import { registryHarness } from './harness.ts';
import { restartCases } from './restart.ts';
import { sharedWatchCases } from './shared-watch.ts';
import type { RegistryFeatures, RegistrySubject } from './types.ts';
import { watchCases } from './watch.ts';

export type { RegistryFeatures, RegistrySubject, RegistrySubjectParts, RestartTimings } from './types.ts';

/**
 * Defines a vitest suite checking that a Registrar + Discovery implementation behaves like the
 * Go Kratos registries. `factory` runs before every test; service names are unique per test so
 * the suite can run against a shared real server. The cases live by subject next to this file
 * (`get-service.ts`, `bad-input.ts`, `watch.ts`, `shared-watch.ts`, `restart.ts`) over one harness.
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
    if (features.restart) describe('server restart', () => restartCases(h));
  });
}
