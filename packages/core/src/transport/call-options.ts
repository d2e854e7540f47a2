import type { Context } from '../context/context.ts';
import type { MetadataInit } from '../metadata/metadata.ts';

/** Per-call options of every generated and hand-written client (HTTP and gRPC alike). */
export interface CallOptions {
  /**
   * The context the call is made from (a server handler's `ctx`): its deadline, cancellation and
   * `x-md-global-*` metadata carry over to the outgoing call.
   */
  ctx?: Context | undefined;
  /** Timeout in ms for this call; the earlier of this and the parent's deadline wins. */
  timeout?: number | undefined;
  /** Cancels the call. */
  signal?: AbortSignal | undefined;
  /** Extra headers / gRPC metadata sent with the call. */
  header?: MetadataInit | undefined;
}
