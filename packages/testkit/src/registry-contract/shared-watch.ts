import { expect, it } from 'vitest';
import { waitFor } from '../wait.ts';
import { nextMatching } from '../watch.ts';
import type { RegistryHarness } from './harness.ts';
import type { RegistrySubject } from './types.ts';

/** Shared watches (features.sharedWatch): late subscribers and the backend watch's lifetime. */
export function sharedWatchCases<S extends RegistrySubject>(h: RegistryHarness<S>): void {
  it(
    'gives a late watcher the current set at once',
    async () => {
      const svc = h.service();
      const early = await h.watch(svc);
      const a = h.instance(svc, 1);
      await h.register(a);
      await nextMatching(early, (s) => h.sameSet(s, [a]), h.wait);
      const late = await h.watch(svc);
      // The first snapshot a late subscriber reads is already the full current set.
      const first = await nextMatching(late, () => true, h.wait);
      expect(h.keys(first)).toEqual(h.keys([a]));
    },
    h.testTimeout,
  );

  const openWatches = h.features.openWatches;
  if (openWatches) {
    it(
      'opens one backend watch per service and closes it when the last watcher stops',
      async () => {
        const svc = h.service();
        const ws = await Promise.all([1, 2, 3, 4].map(() => h.watch(svc)));
        expect(openWatches(h.subject())).toBe(1);
        const other = await h.watch(`${svc}-other`);
        expect(openWatches(h.subject())).toBe(2);
        await other.stop();
        await Promise.all(ws.slice(0, 3).map((w) => w.stop()));
        expect(openWatches(h.subject())).toBe(1);
        await ws[3]?.stop();
        await waitFor(() => openWatches(h.subject()) === 0, {
          timeout: h.wait,
          message: 'backend watch closed',
        });
      },
      h.testTimeout,
    );
  }
}
