import type { ServiceInstance } from '@kratos/core';
import { expect, it } from 'vitest';
import { waitFor, withTimeout } from '../wait.ts';
import { expectStopEndsPendingRead, nextMatching } from '../watch.ts';
import type { RegistryHarness } from './harness.ts';
import type { RegistrySubject } from './types.ts';

/** watch: snapshots in order, for every watcher, until it stops. */
export function watchCases<S extends RegistrySubject>(h: RegistryHarness<S>): void {
  it(
    'yields the current set first',
    async () => {
      const svc = h.service();
      const a = h.instance(svc, 1);
      await h.register(a);
      await h.serviceIs(svc, [a], 'instance visible');
      const w = await h.watch(svc);
      const snap = await nextMatching(w, (s) => h.sameSet(s, [a]), h.wait);
      h.expectSameInstance(snap[0], a);
    },
    h.testTimeout,
  );

  it(
    'sees registrations and deregistrations in order',
    async () => {
      const svc = h.service();
      const w = await h.watch(svc);
      const a = h.instance(svc, 1);
      const b = h.instance(svc, 2);
      await h.register(a);
      const first = await nextMatching(w, (s) => h.sameSet(s, [a]), h.wait);
      h.expectSameInstance(first[0], a);
      await h.register(b);
      await nextMatching(w, (s) => h.sameSet(s, [a, b]), h.wait);
      await h.deregister(a);
      await nextMatching(w, (s) => h.sameSet(s, [b]), h.wait);
      await h.deregister(b);
      await nextMatching(w, (s) => s.length === 0, h.wait);
      // The watch keeps working after the service went empty.
      await h.register(a);
      await nextMatching(w, (s) => h.sameSet(s, [a]), h.wait);
    },
    h.testTimeout,
  );

  it(
    'brings many watchers of one service to the same final set',
    async () => {
      const svc = h.service();
      const ws = await Promise.all([1, 2, 3, 4, 5].map(() => h.watch(svc)));
      const all = [1, 2, 3].map((n) => h.instance(svc, n));
      await Promise.all(all.map(h.register));
      await Promise.all(ws.map((w) => nextMatching(w, (s) => h.sameSet(s, all), h.wait)));
      await h.deregister(all[1] as ServiceInstance);
      const rest = [all[0], all[2]] as ServiceInstance[];
      await Promise.all(ws.map((w) => nextMatching(w, (s) => h.sameSet(s, rest), h.wait)));
    },
    h.testTimeout,
  );

  it(
    'keeps other watchers working when one stops',
    async () => {
      const svc = h.service();
      const w1 = await h.watch(svc);
      const w2 = await h.watch(svc);
      const a = h.instance(svc, 1);
      await h.register(a);
      await nextMatching(w1, (s) => h.sameSet(s, [a]), h.wait);
      await nextMatching(w2, (s) => h.sameSet(s, [a]), h.wait);
      await w1.stop();
      const b = h.instance(svc, 2);
      await h.register(b);
      await nextMatching(w2, (s) => h.sameSet(s, [a, b]), h.wait);
      const w3 = await h.watch(svc);
      await nextMatching(w3, (s) => h.sameSet(s, [a, b]), h.wait);
    },
    h.testTimeout,
  );

  it(
    'shows a watcher only its own service',
    async () => {
      const svc = h.service();
      const other = `${svc}-2`;
      const w = await h.watch(svc);
      const seen: ServiceInstance[][] = [];
      await h.register(h.instance(other, 1));
      await h.register(h.instance(other, 2));
      const mine = h.instance(svc, 1);
      await h.register(mine);
      await nextMatching(
        w,
        (s) => {
          seen.push(s);
          return h.sameSet(s, [mine]);
        },
        h.wait,
      );
      for (const snap of seen) for (const i of snap) expect(i.name).toBe(svc);
    },
    h.testTimeout,
  );

  it(
    'ends a for-await loop when stopped',
    async () => {
      const svc = h.service();
      await h.register(h.instance(svc, 1));
      const w = await h.watch(svc);
      let count = 0;
      const loop = (async () => {
        for await (const _ of w) count++;
      })();
      await waitFor(() => count > 0, { timeout: h.wait, message: 'first snapshot in the loop' });
      await w.stop();
      await withTimeout(loop, h.wait, 'for-await loop ending after stop()');
    },
    h.testTimeout,
  );

  it(
    'resolves a pending next() as done when stopped, and stays done',
    async () => {
      const svc = h.service();
      const a = h.instance(svc, 1);
      await h.register(a);
      const w = await h.watch(svc);
      await nextMatching(w, (s) => h.sameSet(s, [a]), h.wait);
      await expectStopEndsPendingRead(w, h.wait);
    },
    h.testTimeout,
  );

  it(
    'removes a deregistered instance from every watcher',
    async () => {
      const svc = h.service();
      const a = h.instance(svc, 1);
      const b = h.instance(svc, 2);
      await h.register(a);
      await h.register(b);
      const ws = [await h.watch(svc), await h.watch(svc)];
      for (const w of ws) await nextMatching(w, (s) => h.sameSet(s, [a, b]), h.wait);
      await h.deregister(a);
      for (const w of ws) {
        const snap = await nextMatching(w, (s) => h.sameSet(s, [b]), h.wait);
        expect(h.keys(snap)).not.toContain(h.keyOf(a));
      }
      await h.serviceIs(svc, [b], 'getService agrees');
    },
    h.testTimeout,
  );
}
