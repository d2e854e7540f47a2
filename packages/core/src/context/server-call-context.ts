import type { Metadata } from '../metadata/metadata.ts';
import { CallContext } from './context.ts';

/**
 * The server-side Context of an RPC transport's call (@kratos/grpc, @kratos/rpc). The request
 * headers are split into `requestHeader` and Kratos `metadata` only when the chain reads them,
 * and the peer going away is watched only once someone reads `signal` or `aborted`, or the
 * transport asks for it ({@link watchCancel}, for streams). The deadline entry on the transport's
 * shared timer (`armDeadline`) is disarmed once the call is finished or its peer is gone.
 *
 * A transport says how its headers split and how it sees the peer go away; a close reported
 * after {@link finish} (a normal end) is not a cancellation.
 */
export abstract class ServerCallContext extends CallContext {
  #split: { header: Metadata; kratos: Metadata } | undefined;
  #watching = false;
  #finished = false;

  /** All request headers (`header`) and the Kratos metadata among them (`kratos`). */
  protected abstract splitHeaders(): { header: Metadata; kratos: Metadata };
  /** True when the peer has already gone (the stream closed, the call was cancelled). */
  protected abstract peerClosed(): boolean;
  /** Calls `gone` once when the peer goes away (or the stream closes at all). */
  protected abstract onPeerClose(gone: () => void): void;

  override get requestHeader(): Metadata {
    this.#split ??= this.splitHeaders();
    return this.#split.header;
  }

  override get metadata(): Metadata {
    this.#split ??= this.splitHeaders();
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

  /** Cancels the context when the peer goes away before the call is finished. Idempotent. */
  watchCancel(): void {
    if (this.#watching) return;
    this.#watching = true;
    if (this.#finished) return;
    if (this.peerClosed()) this.peerGone();
    else this.onPeerClose(() => this.#finished || this.peerGone());
  }

  /** The peer went away: disarms the deadline and cancels. */
  peerGone(): void {
    this.disarmDeadline();
    this.cancel();
  }

  /** The call was answered (or given up): disarms the deadline; a later close is not a cancellation. */
  finish(): void {
    this.#finished = true;
    this.disarmDeadline();
  }
}
