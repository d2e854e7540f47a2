import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  type AppInfo,
  asyncContext,
  type Context,
  createContext,
  createContextKey,
  currentContext,
  Metadata,
} from '../index.ts';
import { applyMiddleware, type CallContext, createDeadlineTimer, runWithContext } from '../transport.ts';

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });

describe('createContext', () => {
  it('carries transport info, headers, metadata and the app', () => {
    const app: AppInfo = { id: '1', name: 'svc', version: 'v1', metadata: {}, endpoints: [] };
    const requestHeader = new Metadata({ 'x-md-global-user': 'ann' });
    const ctx = createContext({
      kind: 'grpc',
      side: 'server',
      operation: '/helloworld.v1.Greeter/SayHello',
      endpoint: 'grpc://10.0.0.1:9000?isSecure=false',
      requestHeader,
      metadata: requestHeader.withPrefix('x-md-'),
      app,
      raw: 'native',
    });
    expect(ctx.kind).toBe('grpc');
    expect(ctx.side).toBe('server');
    expect(ctx.operation).toBe('/helloworld.v1.Greeter/SayHello');
    expect(ctx.endpoint).toBe('grpc://10.0.0.1:9000?isSecure=false');
    expect(ctx.requestHeader.get('X-MD-GLOBAL-USER')).toBe('ann');
    expect(ctx.metadata.get('x-md-global-user')).toBe('ann');
    expect(ctx.replyHeader.size).toBe(0);
    expect(ctx.app).toBe(app);
    expect(ctx.raw).toBe('native');
    expect(ctx.deadline).toBeUndefined();
    expect(ctx.remaining()).toBeUndefined();
    expect(ctx.parent).toBeUndefined();
  });

  it('has defaults and inherits kind and app from its parent', () => {
    const d = createContext();
    expect(d.kind).toBe('http');
    expect(d.side).toBe('server');
    expect(d.operation).toBe('');
    const app: AppInfo = { id: '1', name: 'svc', version: '', metadata: {}, endpoints: [] };
    const child = createContext({ parent: createContext({ kind: 'grpc', app }), side: 'client' });
    expect(child.kind).toBe('grpc');
    expect(child.app).toBe(app);
    expect(child.side).toBe('client');
  });

  it('values are typed, per key, and looked up through parents', () => {
    const user = createContextKey<string>('user');
    const other = createContextKey<string>('user');
    const parent = createContext();
    parent.set(user, 'ann');
    const child = createContext({ parent });
    expect(child.get(user)).toBe('ann');
    expect(child.get(other)).toBeUndefined();
    child.set(user, 'bob');
    expect(child.get(user)).toBe('bob');
    expect(parent.get(user)).toBe('ann');
  });

  it('the deadline is the earliest of own deadline, own timeout and the parent deadline', () => {
    const now = Date.now();
    const parent = createContext({ deadline: now + 50_000 });
    expect(createContext({ parent, timeout: 100_000 }).deadline).toBe(now + 50_000);
    expect(createContext({ parent, deadline: now + 10_000 }).deadline).toBe(now + 10_000);
    const t = createContext({ parent, timeout: 1000, deadline: now + 60_000 });
    expect(t.deadline).toBeGreaterThanOrEqual(now + 1000);
    expect(t.deadline).toBeLessThan(now + 50_000);
    expect(createContext({ timeout: -1 }).deadline).toBeUndefined();
    expect(parent.remaining()).toBeGreaterThan(0);
    expect(createContext({ deadline: now - 5 }).remaining()).toBe(0);
  });

  it('creates its AbortController lazily and cancel before the first read is remembered', () => {
    const ctx = createContext();
    expect(ctx.aborted).toBe(false);
    ctx.cancel(new Error('went away'));
    ctx.cancel(new Error('second reason ignored'));
    expect(ctx.aborted).toBe(true);
    expect(ctx.signal.aborted).toBe(true);
    expect((ctx.signal.reason as Error).message).toBe('went away');
    expect(ctx.signal).toBe(ctx.signal);
  });

  it('cancel after the signal was read aborts it with an AbortError by default', async () => {
    const ctx = createContext();
    const done = aborted(ctx.signal);
    ctx.cancel();
    const reason = (await done) as DOMException;
    expect(reason.name).toBe('AbortError');
  });

  it('expire aborts with a TimeoutError', async () => {
    const ctx = createContext();
    const done = aborted(ctx.signal);
    ctx.expire();
    expect(((await done) as DOMException).name).toBe('TimeoutError');
  });

  it('reading the signal of a context past its deadline gives an expired signal', () => {
    const ctx = createContext({ deadline: Date.now() - 1 });
    expect(ctx.signal.aborted).toBe(true);
    expect((ctx.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('its own deadline fires the signal when nobody enforces it', async () => {
    const ctx = createContext({ timeout: 5 });
    expect(((await aborted(ctx.signal)) as DOMException).name).toBe('TimeoutError');
    expect(ctx.aborted).toBe(true);
  });

  it('armDeadline: the shared timer calls back at the deadline, unless disarmed first', async () => {
    const timer = createDeadlineTimer({ resolution: 1 });
    try {
      const fired: string[] = [];
      const onExpire = (c: CallContext) => {
        fired.push(c.operation);
        c.expire();
      };
      const armed = createContext({ operation: '/a.A/Armed', timeout: 5 });
      armed.armDeadline(timer, onExpire, armed);
      const answered = createContext({ operation: '/a.A/Answered', timeout: 5 });
      answered.armDeadline(timer, onExpire, answered);
      answered.disarmDeadline();
      answered.disarmDeadline(); // idempotent
      // Owned like ownDeadline: reading the signal starts no timer of its own.
      const signal = answered.signal;
      // Armed after `answered` with a later deadline: the timer fires deadlines in order, so by
      // the time this one fires, `answered` would have fired too had it still been armed.
      const later = createContext({ operation: '/a.A/Later', timeout: 10 });
      later.armDeadline(timer, onExpire, later);
      await aborted(later.signal);
      expect(fired).toEqual(['/a.A/Armed', '/a.A/Later']);
      expect(signal.aborted).toBe(false);
      expect(timer.size).toBe(0);
      // Without a deadline nothing is scheduled.
      const none = createContext({ operation: '/a.A/None' });
      none.armDeadline(timer, onExpire, none);
      expect(timer.size).toBe(0);
    } finally {
      timer.close();
    }
  });

  it('ownDeadline: reading the signal starts no timer; the owner calls expire()', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    try {
      // What the check sees: a context that enforces its own deadline starts a timer when read.
      const plain = createContext({ timeout: 1 });
      expect(plain.signal.aborted).toBe(false);
      expect(vi.getTimerCount()).toBe(1);
      vi.clearAllTimers();

      const ctx = createContext({ timeout: 1 }).ownDeadline();
      const signal = ctx.signal;
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(signal.aborted).toBe(false);
      ctx.expire();
      expect((signal.reason as DOMException).name).toBe('TimeoutError');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a parent cancel propagates to children, whenever their signal is read', async () => {
    const parent = createContext();
    const early = createContext({ parent });
    const earlySignal = early.signal;
    parent.cancel(new Error('parent gone'));
    expect(((await aborted(earlySignal)) as Error).message).toBe('parent gone');
    expect(early.aborted).toBe(true);
    const late = createContext({ parent });
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as Error).message).toBe('parent gone');
  });

  it('a child cancel does not reach the parent', () => {
    const parent = createContext();
    const child = createContext({ parent });
    void child.signal;
    child.cancel();
    expect(child.signal.aborted).toBe(true);
    expect(parent.signal.aborted).toBe(false);
  });

  it('an outside signal cancels the context', async () => {
    const outside = new AbortController();
    const ctx = createContext({ signal: outside.signal });
    const done = aborted(ctx.signal);
    outside.abort(new Error('user pressed stop'));
    expect(((await done) as Error).message).toBe('user pressed stop');
    const already = createContext({ signal: AbortSignal.abort('x') });
    expect(already.signal.aborted).toBe(true);
  });

  it('many children of one long-lived parent add no listeners to it', () => {
    const parent = createContext();
    for (let i = 0; i < 200; i++) void createContext({ parent, side: 'client' }).signal;
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});

describe('async context', () => {
  it('currentContext is undefined outside a chain with asyncContext()', async () => {
    expect(currentContext()).toBeUndefined();
    const seen: Array<Context | undefined> = [];
    const h = applyMiddleware(async () => seen.push(currentContext()), []);
    await h(createContext(), {});
    expect(seen).toEqual([undefined]);
  });

  it('asyncContext() makes the call context reachable across awaits, per call', async () => {
    const handler = applyMiddleware(
      async (ctx) => {
        await new Promise((r) => setTimeout(r, 1));
        return currentContext() === ctx ? ctx.operation : 'wrong';
      },
      [asyncContext()],
    );
    const results = await Promise.all(
      ['/a.A/One', '/a.A/Two', '/a.A/Three'].map((operation) => handler(createContext({ operation }), {})),
    );
    expect(results).toEqual(['/a.A/One', '/a.A/Two', '/a.A/Three']);
    expect(currentContext()).toBeUndefined();
  });

  it('runWithContext sets the context for a function', () => {
    const ctx = createContext({ operation: '/x.Y/Z' });
    expect(runWithContext(ctx, () => currentContext()?.operation)).toBe('/x.Y/Z');
    expect(currentContext()).toBeUndefined();
  });
});
