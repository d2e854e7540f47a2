import type { ServiceInstance } from '@kratos/core';
import { expect, it } from 'vitest';
import { waitFor } from '../wait.ts';
import { nextMatching } from '../watch.ts';
import type { RegistryHarness } from './harness.ts';
import type { RegistrySubject } from './types.ts';

/**
 * Registry outages (features.restart): the server restarts under open watchers, and the set
 * changes after it is back; every watcher must deliver the change, and then follow later ones.
 * The case waits for states, never for time: how fast a watcher catches up is a product
 * behaviour (reconnect backoff, re-list on reconnect) that `onRestartTimings` reports.
 */
export function restartCases<S extends RegistrySubject>(h: RegistryHarness<S>): void {
  const restart = h.features.restart;
  if (!restart) return;
  // A client reconnects on its own schedule after the connection loss; each wait below is
  // bounded generously so only a watcher that never catches up fails.
  const converge = h.features.restartTimeoutMs ?? 60_000;
  it(
    'follows changes made after the server restarts',
    async () => {
      const svc = h.service('restart');
      const [a, b, c] = [1, 2, 3].map((n) => h.instance(svc, n)) as [
        ServiceInstance,
        ServiceInstance,
        ServiceInstance,
      ];
      await h.register(a);
      await h.register(b);
      const ws = [await h.watch(svc), await h.watch(svc)];
      for (const w of ws) await nextMatching(w, (s) => h.sameSet(s, [a, b]), h.wait);

      await restart(h.subject());
      const back = performance.now();
      // Calls are refused until the client has reconnected: retry each change until it is accepted.
      const retry = (what: string, call: () => Promise<void>) =>
        waitFor(() => call().then(() => true), { timeout: converge, interval: 200, message: what });
      await retry('deregistering after the restart', () => h.deregister(a));
      await retry('registering after the restart', () => h.register(c));
      const accepted = performance.now();
      // When a watcher first showed the change itself (`c` in, `a` out), and when every watcher
      // had the whole set (on backends that forget registrations on restart, `b` comes back
      // through the adapter's own re-registration, which may take longer).
      let changeSeen: number | undefined;
      const keyA = h.keyOf(a);
      const keyC = h.keyOf(c);
      await Promise.all(
        ws.map((w) =>
          nextMatching(
            w,
            (s) => {
              const keys = h.keys(s);
              if (changeSeen === undefined && keys.includes(keyC) && !keys.includes(keyA))
                changeSeen = performance.now();
              return h.sameSet(s, [b, c]);
            },
            converge,
          ),
        ),
      );
      const allSeen = performance.now();
      h.features.onRestartTimings?.({
        changeAcceptedMs: Math.round(accepted - back),
        changeSeenMs: Math.round((changeSeen ?? allSeen) - back),
        convergedMs: Math.round(allSeen - back),
      });

      // And the watch keeps following: a later change shows too.
      await retry('deregistering later', () => h.deregister(b));
      for (const w of ws) {
        const snap = await nextMatching(w, (s) => h.sameSet(s, [c]), converge);
        expect(h.keys(snap)).toEqual(h.keys([c]));
      }
      await h.serviceIs(svc, [c], 'getService agrees after the restart');
    },
    Math.max(h.testTimeout, 4 * converge),
  );
}
