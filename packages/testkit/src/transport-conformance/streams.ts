import { KratosError } from '@kratos/core';
import { expect, it } from 'vitest';
import { waitFor } from '../wait.ts';
import { rejection } from './calls.ts';
import { type ConformanceHarness, greet, untilAborted } from './harness.ts';

async function collect(it: AsyncIterable<string>, into: string[] = []): Promise<string[]> {
  for await (const m of it) into.push(m);
  return into;
}

export function streamCases(h: ConformanceHarness): void {
  it('streams the replies in order', async () => {
    const { client } = await h.serve({
      async *stream(_ctx, name) {
        for (let i = 1; i <= 3; i++) yield `${greet(name)} ${i}`;
      },
    });
    expect(await collect(client.stream!('s'))).toEqual(['Hello s 1', 'Hello s 2', 'Hello s 3']);
  });

  it('a KratosError after some replies reaches the reader after them, with its reason and metadata', async () => {
    const { client } = await h.serve({
      async *stream(_ctx, name) {
        yield greet(name);
        throw new KratosError(409, 'STREAM_CONFLICT', 'mid-stream', { metadata: { at: '1' } });
      },
    });
    const seen: string[] = [];
    const err = await rejection(collect(client.stream!('s'), seen));
    expect(seen).toEqual(['Hello s']);
    expect(KratosError.is(err)).toBe(true);
    const k = err as KratosError;
    expect({ code: k.code, reason: k.reason, metadata: k.metadata }).toEqual({
      code: 409,
      reason: 'STREAM_CONFLICT',
      metadata: { at: '1' },
    });
  });

  it('request metadata reaches a streaming handler', async () => {
    const { client } = await h.serve({
      async *stream(ctx) {
        yield String(ctx.metadata.get('x-md-global-caller'));
      },
    });
    expect(await collect(client.stream!('s', { header: { 'x-md-global-caller': 'suite' } }))).toEqual([
      'suite',
    ]);
  });

  it('a reader that stops early cancels the server side', async () => {
    let serverAborted = false;
    const { client } = await h.serve({
      async *stream(ctx, name) {
        yield greet(name);
        await untilAborted(ctx.signal, h.release);
        serverAborted = ctx.signal.aborted;
      },
    });
    for await (const m of client.stream!('s')) {
      expect(m).toBe('Hello s');
      break;
    }
    await waitFor(() => serverAborted, {
      timeout: 20_000,
      message: 'server stream cancelled after the reader stopped',
    });
  });
}
