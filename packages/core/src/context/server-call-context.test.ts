import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Metadata } from '../index.ts';
import { type ContextInit, ServerCallContext } from '../transport.ts';

/** A transport's call as small as it gets: headers, and a stream that closes. */
class Peer extends EventEmitter {
  closed = false;
  splits = 0;
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

class TestContext extends ServerCallContext {
  readonly #peer: Peer;
  constructor(init: ContextInit, peer: Peer) {
    super(init);
    this.#peer = peer;
  }
  protected override splitHeaders() {
    this.#peer.splits++;
    return {
      header: new Metadata({ a: '1', 'x-md-global-u': 'ann' }),
      kratos: new Metadata({ 'x-md-global-u': 'ann' }),
    };
  }
  protected override peerClosed() {
    return this.#peer.closed;
  }
  protected override onPeerClose(gone: () => void) {
    this.#peer.once('close', gone);
  }
}

describe('ServerCallContext', () => {
  it('splits the request headers once, on first read', () => {
    const peer = new Peer();
    const ctx = new TestContext({ kind: 'grpc', side: 'server' }, peer);
    expect(peer.splits).toBe(0);
    expect(ctx.metadata.get('x-md-global-u')).toBe('ann');
    expect(ctx.requestHeader.get('a')).toBe('1');
    expect(peer.splits).toBe(1);
  });

  it('watches the peer only once signal is read; a close before finish cancels', () => {
    const peer = new Peer();
    const ctx = new TestContext({}, peer);
    expect(peer.listenerCount('close')).toBe(0);
    const signal = ctx.signal;
    expect(peer.listenerCount('close')).toBe(1);
    peer.close();
    expect(signal.aborted).toBe(true);
    expect(ctx.aborted).toBe(true);
  });

  it('a close after finish is not a cancellation', () => {
    const peer = new Peer();
    const ctx = new TestContext({}, peer);
    ctx.watchCancel();
    ctx.finish();
    peer.close();
    expect(ctx.aborted).toBe(false);
  });

  it('a peer already gone when watching starts cancels at once', () => {
    const peer = new Peer();
    peer.closed = true;
    const ctx = new TestContext({}, peer);
    expect(ctx.aborted).toBe(true);
  });
});
