import { connect, createServer, type Socket } from 'node:net';
import { createWatchChannel } from '@kratos/core/adapter';
import { describe, expect, it } from 'vitest';
import {
  freePort,
  nextMatching,
  startTcpProxy,
  TimeoutError,
  uniqueName,
  waitFor,
  withTimeout,
} from './index.ts';

const never = () => new Promise<never>(() => {});

describe('withTimeout', () => {
  it('resolves with the value when the work finishes', async () => {
    expect(await withTimeout(Promise.resolve(42), 1000)).toBe(42);
  });

  it('passes the work rejection through', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });

  it('rejects with a TimeoutError naming the operation, and aborts the signal it handed out', async () => {
    let seen: AbortSignal | undefined;
    const p = withTimeout(
      (signal) => {
        seen = signal;
        return never();
      },
      10,
      'etcd get',
    );
    await expect(p).rejects.toThrow(TimeoutError);
    await expect(p).rejects.toThrow(/etcd get timed out after 10 ms/);
    expect(seen?.aborted).toBe(true);
  });

  it('turns a synchronous throw of the work function into a rejection', async () => {
    const p = withTimeout(() => {
      throw new Error('sync');
    }, 1000);
    await expect(p).rejects.toThrow('sync');
  });
});

describe('waitFor', () => {
  it('retries until the function stops throwing and returns its value', async () => {
    let n = 0;
    const v = await waitFor(
      () => {
        n++;
        if (n < 3) throw new Error('not yet');
        return `done after ${n}`;
      },
      { interval: 1 },
    );
    expect(v).toBe('done after 3');
  });

  it('retries while a predicate returns false', async () => {
    let n = 0;
    await waitFor(() => ++n >= 4, { interval: 1 });
    expect(n).toBe(4);
  });

  it('accepts async functions', async () => {
    let n = 0;
    expect(await waitFor(async () => (++n > 2 ? n : undefined), { interval: 1 })).toBe(3);
  });

  it('times out with the last failure as message and cause', async () => {
    const p = waitFor(
      () => {
        throw new Error('still 2 instances');
      },
      { timeout: 30, interval: 5, message: 'instance gone' },
    );
    await expect(p).rejects.toThrow(TimeoutError);
    const err = await p.catch((e: unknown) => e as Error);
    expect(err.message).toMatch(/instance gone not met within 30 ms .*still 2 instances/);
    expect((err.cause as Error).message).toBe('still 2 instances');
  });
});

describe('nextMatching', () => {
  it('skips snapshots until one matches', async () => {
    const ch = createWatchChannel<number[]>();
    const p = nextMatching(ch.watcher, (s) => s.length === 3, 1000);
    ch.push([1]);
    await Promise.resolve();
    ch.push([1, 2]);
    await new Promise((r) => setTimeout(r, 1));
    ch.push([1, 2, 3]);
    expect(await p).toEqual([1, 2, 3]);
  });

  it('times out naming the last snapshot, and keeps the pending read for the next call', async () => {
    const ch = createWatchChannel<string[]>();
    ch.push(['a']);
    const p = nextMatching(ch.watcher, (s) => s.includes('b'), 20);
    await expect(p).rejects.toThrow(TimeoutError);
    await expect(p).rejects.toThrow(/1 snapshots read; last: \["a"\]/);
    // The read started by the timed-out call gets this snapshot; the next call must see it.
    ch.push(['a', 'b']);
    expect(await nextMatching(ch.watcher, (s) => s.includes('b'), 1000)).toEqual(['a', 'b']);
  });

  it('rejects when the watcher ends first', async () => {
    const ch = createWatchChannel<number>();
    const p = nextMatching(ch.watcher, (n) => n > 10, 1000);
    ch.push(1);
    await new Promise((r) => setTimeout(r, 1));
    ch.close();
    await expect(p).rejects.toThrow(/watcher ended before a matching snapshot \(1 snapshots read\)/);
  });

  it('passes a watcher failure through', async () => {
    const ch = createWatchChannel<number>();
    const p = nextMatching(ch.watcher, () => true, 1000);
    ch.fail(new Error('connection lost'));
    await expect(p).rejects.toThrow('connection lost');
  });

  it('works on any async iterable, e.g. an async generator', async () => {
    async function* gen() {
      yield 1;
      yield 2;
      yield 3;
    }
    const g = gen();
    expect(await nextMatching(g, (n) => n === 2)).toBe(2);
    expect(await nextMatching(g, (n) => n === 3)).toBe(3);
  });
});

describe('freePort', () => {
  it('gives a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('startTcpProxy', () => {
  /** Sends `text` through a new connection to `port` and resolves with the echo, or the error. */
  const roundTrip = (port: number, text: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.setEncoding('utf8');
      s.once('data', (d) => {
        s.destroy();
        resolve(String(d));
      });
      s.once('error', reject);
      s.once('close', () => reject(new Error('closed before the echo')));
      s.write(text);
    });

  it('forwards both ways, resets every connection while cut, and forwards again once restored', async () => {
    const echo = createServer((s) => {
      s.on('error', () => {}); // the proxy resets its side when cut
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const addr = echo.address();
    const proxy = await startTcpProxy(`127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
    try {
      expect(await roundTrip(proxy.port, 'ping')).toBe('ping');
      const held: Socket = connect({ host: '127.0.0.1', port: proxy.port });
      await new Promise((resolve) => held.once('connect', resolve));
      await waitFor(() => proxy.forwarded === 2);
      const heldClosed = new Promise((resolve) => held.once('close', resolve));
      held.on('error', () => {});
      proxy.cut();
      await heldClosed;
      await expect(roundTrip(proxy.port, 'lost')).rejects.toThrow();
      expect(proxy.forwarded).toBe(2);
      proxy.restore();
      expect(await roundTrip(proxy.port, 'back')).toBe('back');
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });

  it('refuses a target that is not host:port', async () => {
    await expect(startTcpProxy('localhost')).rejects.toThrow(/host:port/);
  });
});

describe('uniqueName', () => {
  it('is unique and keeps the prefix', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('svc')));
    expect(names.size).toBe(100);
    for (const n of names) expect(n).toMatch(/^svc-[a-z0-9]+-[0-9a-f]{8}$/);
  });
});
