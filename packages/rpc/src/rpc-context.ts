import type { Metadata } from '@kratos/core';
import { type ContextInit, ServerCallContext } from '@kratos/core/transport';
import type { Exchange } from './exchange.ts';
import { splitHeaders } from './metadata.ts';

/**
 * The server-side Context of one call (core's ServerCallContext over an Exchange): request
 * headers are copied into Metadata only when the chain reads them; the peer going away is the
 * stream (or HTTP/1.1 response) closing before the call finished.
 */
export class RpcContext extends ServerCallContext {
  readonly #exchange: Exchange;

  constructor(init: ContextInit, exchange: Exchange) {
    super(init);
    this.#exchange = exchange;
  }

  protected override splitHeaders(): { header: Metadata; kratos: Metadata } {
    return splitHeaders(this.#exchange.headers);
  }

  protected override peerClosed(): boolean {
    return this.#exchange.closed;
  }

  protected override onPeerClose(gone: () => void): void {
    this.#exchange.drainable.once('close', gone);
  }
}
