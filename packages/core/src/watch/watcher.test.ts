import { describe, expect, it } from 'vitest';
import { createFanout, createWatchChannel } from '../adapter.ts';

describe('createWatchChannel', () => {
  it('delivers the latest value once, waits for the next, ends on close', async () => {
    const ch = createWatchChannel<number>();
    const it = ch.watcher[Symbol.asyncIterator]();
    ch.push(1);
    ch.push(2);
    expect(await it.next()).toEqual({ value: 2, done: false });
    const pending = it.next();
    ch.push(3);
    expect(await pending).toEqual({ value: 3, done: false });
    ch.close();
    expect(ch.closed).toBe(true);
    expect(await it.next()).toEqual({ value: undefined, done: true });
    ch.push(4);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('concurrent reads each get a later value, and all end on close', async () => {
    const ch = createWatchChannel<number>();
    const it = ch.watcher[Symbol.asyncIterator]();
    const first = it.next();
    const second = it.next();
    const third = it.next();
    ch.push(1);
    ch.push(2);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await second).toEqual({ value: 2, done: false });
    ch.close();
    expect(await third).toEqual({ value: undefined, done: true });
  });

  it('fail ends iteration with the error', async () => {
    const ch = createWatchChannel<number>();
    const it = ch.watcher[Symbol.asyncIterator]();
    const pending = it.next();
    ch.fail(new Error('backend lost'));
    await expect(pending).rejects.toThrow('backend lost');
    const ch2 = createWatchChannel<number>();
    ch2.fail(new Error('early'));
    await expect(ch2.watcher[Symbol.asyncIterator]().next()).rejects.toThrow('early');
  });

  it('stop runs onStop once and ends a pending read', async () => {
    let stops = 0;
    const ch = createWatchChannel<number>(() => {
      stops++;
    });
    const it = ch.watcher[Symbol.asyncIterator]();
    const pending = it.next();
    await Promise.all([ch.watcher.stop(), ch.watcher.stop()]);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(stops).toBe(1);
  });
});

describe('createFanout', () => {
  it('gives each subscriber the latest value and every later one; onEmpty after the last stops', async () => {
    let empty = 0;
    const fan = createFanout<string>(() => {
      empty++;
    });
    fan.publish('a');
    const w1 = fan.subscribe();
    const w2 = fan.subscribe();
    expect(fan.subscribers).toBe(2);
    expect(fan.latest).toBe('a');
    const i1 = w1[Symbol.asyncIterator]();
    const i2 = w2[Symbol.asyncIterator]();
    expect((await i1.next()).value).toBe('a');
    expect((await i2.next()).value).toBe('a');
    fan.publish('b');
    expect((await i1.next()).value).toBe('b');
    expect((await i2.next()).value).toBe('b');
    await w1.stop();
    expect(empty).toBe(0);
    await w2.stop();
    expect(empty).toBe(1);
    expect(fan.subscribers).toBe(0);
  });

  it('close ends every subscriber', async () => {
    const fan = createFanout<number>();
    const w = fan.subscribe();
    const it = w[Symbol.asyncIterator]();
    const pending = it.next();
    fan.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
