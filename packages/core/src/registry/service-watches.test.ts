import { describe, expect, it } from 'vitest';
import { createServiceWatches } from '../adapter.ts';
import type { ServiceInstance } from '../index.ts';

const inst = (id: string): ServiceInstance => ({ id, name: 'svc', version: '', metadata: {}, endpoints: [] });

/** A backend whose opens, stops and first sets the test controls. */
function fakeBackend() {
  const opened: string[] = [];
  const stopped: string[] = [];
  const fans = new Map<string, { publish(v: ServiceInstance[]): void }>();
  let failNext: Error | undefined;
  const watches = createServiceWatches({
    backend: 'fake',
    serviceLabel: (name) => `<${name}>`,
    open(name, fan) {
      opened.push(name);
      fans.set(name, fan);
      const fail = failNext;
      failNext = undefined;
      return {
        ready: fail ? Promise.reject(fail) : Promise.resolve().then(() => fan.publish([inst(`${name}-1`)])),
        stop: () => {
          stopped.push(name);
        },
      };
    },
  });
  return { watches, opened, stopped, fans, failWith: (e: Error) => (failNext = e) };
}

/** The next set a watcher hands out (without stopping it, as `break` in `for await` would). */
async function next<T>(w: AsyncIterable<T>): Promise<T> {
  const r = await w[Symbol.asyncIterator]().next();
  if (r.done) throw new Error('ended');
  return r.value;
}

describe('createServiceWatches', () => {
  it('opens one backend watch per service, shared by its watchers, and stops it with the last', async () => {
    const b = fakeBackend();
    const w1 = await b.watches.watch('a');
    const w2 = await b.watches.watch('a');
    expect(b.opened).toEqual(['a']);
    expect(b.watches.size).toBe(1);
    expect(b.watches.backends()).toHaveLength(1);
    expect(b.watches.fanOf('a')).toBe(b.fans.get('a'));
    expect(b.watches.fanOf('b')).toBeUndefined();
    expect((await next(w2)).map((i) => i.id)).toEqual(['a-1']);
    b.fans.get('a')!.publish([inst('a-2')]);
    expect((await next(w1)).map((i) => i.id)).toEqual(['a-2']);
    await w1.stop();
    expect(b.stopped).toEqual([]);
    await w2.stop();
    expect(b.stopped).toEqual(['a']);
    expect(b.watches.size).toBe(0);
    expect(b.watches.backends()).toEqual([]);
    expect(b.watches.fanOf('a')).toBeUndefined();
    await b.watches.watch('a');
    expect(b.opened).toEqual(['a', 'a']);
  });

  it('a failed start throws a named error, stops that backend and leaves nothing open', async () => {
    const b = fakeBackend();
    b.failWith(new Error('connection refused'));
    const err = await b.watches.watch('x').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('fake watch of <x> failed: connection refused');
    expect(((err as Error).cause as Error).message).toBe('connection refused');
    expect(b.stopped).toEqual(['x']);
    expect(b.watches.size).toBe(0);
    await expect(b.watches.watch('')).rejects.toThrow(TypeError);
    const w = await b.watches.watch('x');
    expect((await next(w)).map((i) => i.id)).toEqual(['x-1']);
  });

  it('close ends every watcher and stops every backend once', async () => {
    const b = fakeBackend();
    const wa = await b.watches.watch('a');
    const wb = await b.watches.watch('b');
    await b.watches.close();
    expect(b.stopped.sort()).toEqual(['a', 'b']);
    expect(b.watches.size).toBe(0);
    const seen: number[] = [];
    for await (const set of wa) seen.push(set.length); // the set it had, then the end
    expect(seen.length).toBeLessThanOrEqual(1);
    await wb.stop();
    expect(b.stopped.sort()).toEqual(['a', 'b']);
  });
});
