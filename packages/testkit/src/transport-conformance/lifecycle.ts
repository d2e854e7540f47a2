import { expect, it } from 'vitest';
import { waitFor } from '../wait.ts';
import { rejection } from './calls.ts';
import { type ConformanceHarness, latch, untilAborted } from './harness.ts';

export function lifecycleCases(h: ConformanceHarness): void {
  it('stop waits for a call in flight, which completes', async () => {
    const started = latch();
    const finish = latch();
    const server = await h.serve({
      unary: async () => {
        started.open();
        await Promise.race([finish.promise, h.release.promise]);
        return 'finished';
      },
    });
    const call = server.client.unary('x');
    await started.promise;
    let stopped = false;
    const stopping = server.stop().then(() => {
      stopped = true;
    });
    // The stop must still be waiting on the call: it can only end once the handler returns.
    finish.open();
    expect((await call).message).toBe('finished');
    await stopping;
    expect(stopped).toBe(true);
  });

  it('a stopped server refuses new calls', async () => {
    const server = await h.serve();
    expect((await server.client.unary('before')).message).toBe('Hello before');
    await server.stop();
    const err = await rejection(server.client.unary('after', { timeout: 5000 }));
    expect(err).toBeDefined();
  });

  it("stop's signal cancels the calls still in flight, and stop returns", async () => {
    const started = latch();
    let serverAborted = false;
    const server = await h.serve({
      unary: async (ctx) => {
        started.open();
        await untilAborted(ctx.signal, h.release);
        serverAborted = ctx.signal.aborted;
        return 'late';
      },
    });
    const call = rejection(server.client.unary('x')).catch(() => undefined);
    await started.promise;
    const controller = new AbortController();
    const stopping = server.stop({ signal: controller.signal });
    controller.abort();
    await stopping;
    await waitFor(() => serverAborted, {
      timeout: 20_000,
      message: 'calls in flight cancelled by the forced stop',
    });
    await call;
  });
}
