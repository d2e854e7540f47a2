// The HTTP client's connection-aware picking and transparent retry: which failed requests may go
// to another node, and the TCP probe that brings a node back into rotation.
import { connect } from 'node:net';
import type { Context, Node, NodeFilter, Selector } from '@kratos/core';
import { type DoneFunc, type SelectOptions, splitHostPort } from '@kratos/core/transport';

/**
 * Errors of a connection that was never made: the request provably never reached a server, so
 * any method may be sent to another node, and the node leaves rotation until a probe connects.
 */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Errors of a connection lost before the response began (the peer closed or reset a kept-alive
 * socket: it crashed, restarted, or closed an idle connection as we wrote to it). The request may
 * or may not have reached the server: only idempotent methods go to another node.
 */
const LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** RFC 9110 idempotent methods: sending one twice has the effect of sending it once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

function codeOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_CONNECTED.has(code) || LOST.has(code))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * What a request error says about the connection: `not-connected` (never reached a server),
 * `lost` (a connection closed or reset before any response byte), or undefined (anything else:
 * a timeout, an abort, a bad reply).
 */
export function connectionFailure(err: unknown): 'not-connected' | 'lost' | undefined {
  const code = codeOf(err);
  if (code === undefined) return undefined;
  return NOT_CONNECTED.has(code) ? 'not-connected' : 'lost';
}

/** Per-pick options leaving out the nodes a request already tried. */
function excluding(tried: readonly Node[]): SelectOptions {
  const filter: NodeFilter = (_ctx, nodes) =>
    nodes.filter((n) => !tried.some((t) => t.address === n.address));
  return { filters: [filter] };
}

/** Per-pick options keeping only `node` (picked even when marked down: panic mode). */
function only(node: Node): SelectOptions {
  const filter: NodeFilter = (_ctx, nodes) => nodes.filter((n) => n.address === node.address);
  return { filters: [filter] };
}

/** One request's transparent retries so far; made only after its first failure. */
export interface RetryState {
  tried: Node[];
  /** Attempts sent again to the same node after a lost reused connection. */
  sameNode: number;
}

/** Most attempts of one request sent again to the same node (each finds another stale connection). */
const MAX_SAME_NODE = 8;

/**
 * Whether the connection that failed had carried an earlier response (undici's SocketError
 * carries the socket's byte counts): a kept-alive connection reused for this request.
 */
export function onReusedConnection(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e !== null && typeof e === 'object'; depth++) {
    const read = (e as { socket?: { bytesRead?: unknown } }).socket?.bytesRead;
    if (typeof read === 'number') return read > 0;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The node for the next attempt of a request whose attempt on `failed` failed with `failure`:
 * a node it has not tried; with none left, `failed` again when the attempt died on a reused
 * kept-alive connection (undici then takes another connection or opens one, as Go's
 * http.Transport retries a request that failed on a reused connection). Undefined when there is
 * nothing left to try.
 */
export function pickRetry(
  selector: Selector,
  ctx: Context,
  failed: Node,
  reused: boolean,
  state: RetryState,
): { node: Node; done: DoneFunc } | undefined {
  if (!state.tried.includes(failed)) state.tried.push(failed);
  try {
    return selector.select(ctx, excluding(state.tried));
  } catch {
    // every other node tried
  }
  if (reused && state.sameNode < MAX_SAME_NODE) {
    state.sameNode++;
    try {
      return selector.select(ctx, only(failed));
    } catch {
      // gone from the set
    }
  }
  return undefined;
}

/** Resolves true when a TCP connection to the node's address opens within `timeoutMs`. */
export function tcpProbe(node: Node, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let host: string;
    let port: number;
    try {
      const hp = splitHostPort(node.address);
      host = hp.host;
      port = hp.port;
    } catch {
      resolve(false);
      return;
    }
    const socket = connect({ host, port, timeout: timeoutMs });
    const finish = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
