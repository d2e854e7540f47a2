import type { Metadata } from '@kratos/core';
import { CallContext, type ContextInit } from '@kratos/core/transport';
import type { Exchange } from './exchange.ts';
import { splitHeaders } from './metadata.ts';

/**
 * The server-side Context of one call. Request headers are copied into Metadata only when the
 * chain reads them; the peer going away is watched only once someone reads `signal` or `aborted`,
 * or the transport asks for it (streams).
 */
export class RpcContext extends CallContext {
  readonly #exchange: Exchange;
  #split: { header: Metadata; kratos: Metadata } | undefined;
  #watching = false;
  #finished = false;

  constructor(init: ContextInit, exchange: Exchange) {
    super(init);
    this.#exchange = exchange;
  }

  override get requestHeader(): Metadata {
    this.#split ??= splitHeaders(this.#exchange.headers);
    return this.#split.header;
  }

  override get metadata(): Metadata {
    this.#split ??= splitHeaders(this.#exchange.headers);
    return this.#split.kratos;
  }

  override get signal(): AbortSignal {
    this.watchCancel();
    return super.signal;
  }

  override get aborted(): boolean {
    this.watchCancel();
    return super.aborted;
  }

  /** Cancels the context when the peer resets the stream or drops the connection before the call finished. Idempotent. */
  watchCancel(): void {
    if (this.#watching) return;
    this.#watching = true;
    if (this.#finished) return;
    if (this.#exchange.closed) this.peerGone();
    else this.#exchange.drainable.once('close', () => this.#finished || this.peerGone());
  }

  /** The peer went away: disarms the deadline and cancels. */
  peerGone(): void {
    this.disarmDeadline();
    this.cancel();
  }

  /** The call was answered: the deadline is disarmed; a later close is not a cancellation. */
  finish(): void {
    this.#finished = true;
    this.disarmDeadline();
  }
}
