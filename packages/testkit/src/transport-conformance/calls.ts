import { KratosError } from '@kratos/core';
import { expect, it } from 'vitest';
import { waitFor } from '../wait.ts';
import { type ConformanceHarness, greet, latch, untilAborted } from './harness.ts';

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

export function callCases(h: ConformanceHarness): void {
  it('answers a unary call', async () => {
    const { client } = await h.serve();
    expect((await client.unary('conformance')).message).toBe(greet('conformance'));
  });

  it.each([400, 401, 403, 404, 409])(
    'a KratosError %i reaches the client with its reason, message and metadata',
    async (code) => {
      const { client } = await h.serve({
        unary: async () => {
          throw new KratosError(code, 'CONFORMANCE_REASON', `failed with ${code}`, {
            metadata: { key: 'value', other: 'x y' },
          });
        },
      });
      const err = await rejection(client.unary('x'));
      expect(KratosError.is(err)).toBe(true);
      const k = err as KratosError;
      expect({ code: k.code, reason: k.reason, message: k.message, metadata: k.metadata }).toEqual({
        code,
        reason: 'CONFORMANCE_REASON',
        message: `failed with ${code}`,
        metadata: { key: 'value', other: 'x y' },
      });
    },
  );

  it('an error that is not a KratosError reaches the client as 500 with an empty reason', async () => {
    const { client } = await h.serve({
      unary: async () => {
        throw new Error('boom');
      },
    });
    const err = await rejection(client.unary('x'));
    expect(KratosError.is(err)).toBe(true);
    expect((err as KratosError).code).toBe(500);
    expect((err as KratosError).reason).toBe('');
  });

  it('request metadata (x-md-global-*) reaches the handler as ctx.metadata, other headers as ctx.requestHeader', async () => {
    const { client } = await h.serve({
      unary: async (ctx) =>
        `${ctx.metadata.get('x-md-global-caller')}|${ctx.requestHeader.get('x-conformance')}|${ctx.metadata.has('x-conformance')}`,
    });
    const reply = await client.unary('x', {
      header: { 'x-md-global-caller': 'suite', 'x-conformance': 'plain' },
    });
    expect(reply.message).toBe('suite|plain|false');
  });

  it('reply headers the handler sets reach the client', async () => {
    const { client } = await h.serve({
      unary: async (ctx) => {
        ctx.replyHeader.set('x-md-global-replied', 'yes');
        ctx.replyHeader.set('x-conformance-reply', 'plain');
        return 'ok';
      },
    });
    const reply = await client.unary('x');
    expect(reply.replyHeader['x-md-global-replied']).toBe('yes');
    expect(reply.replyHeader['x-conformance-reply']).toBe('plain');
  });

  it('a call past its client timeout fails with 504 and the server side is cancelled', async () => {
    const started = latch();
    let sawDeadline: number | undefined;
    let serverAborted = false;
    const { client } = await h.serve({
      unary: async (ctx) => {
        sawDeadline = ctx.deadline;
        started.open();
        await untilAborted(ctx.signal, h.release);
        serverAborted = ctx.signal.aborted;
        return 'late';
      },
    });
    const err = await rejection(client.unary('x', { timeout: 300 }));
    expect((err as KratosError).code).toBe(504);
    await started.promise;
    await waitFor(() => serverAborted, {
      timeout: 20_000,
      message: 'server context cancelled after the client deadline',
    });
    if (h.subject.features?.deadlinePropagation) expect(sawDeadline).toBeTypeOf('number');
  });

  it('a cancelled call fails at the client and cancels the server side', async () => {
    const started = latch();
    let serverAborted = false;
    const { client } = await h.serve({
      unary: async (ctx) => {
        started.open();
        await untilAborted(ctx.signal, h.release);
        serverAborted = ctx.signal.aborted;
        return 'late';
      },
    });
    const controller = new AbortController();
    const call = rejection(client.unary('x', { signal: controller.signal }));
    await started.promise;
    controller.abort();
    const err = await call;
    expect(err).toBeDefined();
    await waitFor(() => serverAborted, {
      timeout: 20_000,
      message: 'server context cancelled after the client cancelled',
    });
  });
}
