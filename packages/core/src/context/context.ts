import type { AppInfo } from '../app/app-info.ts';
import { Metadata } from '../metadata/metadata.ts';
import type { DeadlineHandle, DeadlineTimer } from './deadline-timer.ts';

/** Which transport carried a call: `http`, `grpc`, or a third party's. */
export type TransportKind = 'http' | 'grpc' | (string & {});

/** Whether the context belongs to a server handling a call or a client making one. */
export type CallSide = 'server' | 'client';

/** A typed key for values that middleware attach to a context (claims, spans, ...). */
export interface ContextKey<T> {
  readonly name: string;
  /** Phantom field carrying the value type. */
  readonly __type?: T;
}

/** Makes a {@link ContextKey}; each call gives a distinct key. */
export function createContextKey<T>(name: string): ContextKey<T> {
  return Object.freeze({ name });
}

/**
 * The one value handed to every middleware and handler of a call.
 *
 * It is passed explicitly rather than read from `AsyncLocalStorage` because that is free on the
 * hot path; code that cannot be handed it (log valuers, tracing hooks) reaches it through
 * {@link currentContext} once the `asyncContext()` middleware is in the chain.
 */
export interface Context {
  /** Transport kind (`http`, `grpc`). */
  readonly kind: TransportKind;
  /** Server side or client side. */
  readonly side: CallSide;
  /** The operation, `/package.Service/Method` for both transports. */
  readonly operation: string;
  /** Server: the server's endpoint URL; client: the target (then the picked node). */
  readonly endpoint: string;
  /** Headers of the request (HTTP headers or gRPC metadata). */
  readonly requestHeader: Metadata;
  /** Headers to send (server) or received (client) with the reply. */
  readonly replyHeader: Metadata;
  /** Kratos metadata (`x-md-global-*`, `x-md-local-*`) of this call. */
  readonly metadata: Metadata;
  /** The running application's identity, when the call runs inside an App. */
  readonly app: AppInfo | undefined;
  /** Epoch milliseconds at which the call's deadline passes, if it has one. */
  readonly deadline: number | undefined;
  /** Fires at the deadline or when the caller goes away. Created on first read. */
  readonly signal: AbortSignal;
  /** The context this one was derived from (a server call's context for an outgoing client call). */
  readonly parent: Context | undefined;
  /** Reads a value attached with {@link Context.set}, looking through parents. */
  get<T>(key: ContextKey<T>): T | undefined;
  /** Attaches a value. */
  set<T>(key: ContextKey<T>, value: T): void;
}

/** What {@link createContext} takes; everything is optional. */
export interface ContextInit {
  kind?: TransportKind | undefined;
  side?: CallSide | undefined;
  operation?: string | undefined;
  endpoint?: string | undefined;
  /** The request headers, or a function making them on first read (transports defer the copy). */
  requestHeader?: Metadata | (() => Metadata) | undefined;
  replyHeader?: Metadata | undefined;
  /** The call's Kratos metadata, or a function making it on first read. */
  metadata?: Metadata | (() => Metadata) | undefined;
  app?: AppInfo | undefined;
  /** Absolute deadline, epoch ms. Ignored when later than the parent's. */
  deadline?: number | undefined;
  /** Relative timeout in ms from now; combined with `deadline`, the earlier wins. */
  timeout?: number | undefined;
  parent?: Context | undefined;
  /** An outside signal that cancels this context too. */
  signal?: AbortSignal | undefined;
  /**
   * The transport's native object (fastify request, grpc-js call, ...). Not on {@link Context}:
   * each transport hands it out typed through its own accessor (`httpRequestOf`, `grpcCallOf`).
   */
  raw?: unknown;
}

/**
 * The runtime's Context. Transports hold it to cancel calls; handlers only see {@link Context}.
 * The AbortController is created lazily: a call whose signal nobody reads costs no controller.
 */
export class CallContext implements Context {
  readonly kind: TransportKind;
  readonly side: CallSide;
  operation: string;
  endpoint: string;
  #requestHeader: Metadata | (() => Metadata) | undefined;
  #replyHeader: Metadata | undefined;
  #metadata: Metadata | (() => Metadata) | undefined;
  readonly app: AppInfo | undefined;
  readonly deadline: number | undefined;
  readonly parent: Context | undefined;
  /** The transport's native object (see {@link ContextInit.raw}); read it through {@link nativeOf}. */
  readonly raw: unknown;
  #controller: AbortController | undefined;
  #signal: AbortSignal | undefined;
  #reason: unknown;
  #aborted = false;
  #values: Map<ContextKey<unknown>, unknown> | undefined;
  readonly #outer: AbortSignal | undefined;

  constructor(init: ContextInit = {}) {
    const parent = init.parent;
    this.kind = init.kind ?? parent?.kind ?? 'http';
    this.side = init.side ?? 'server';
    this.operation = init.operation ?? '';
    this.endpoint = init.endpoint ?? '';
    this.#requestHeader = init.requestHeader;
    this.#replyHeader = init.replyHeader;
    this.#metadata = init.metadata;
    this.app = init.app ?? parent?.app;
    this.parent = parent;
    this.raw = init.raw;
    let deadline = init.deadline;
    if (init.timeout !== undefined && init.timeout >= 0) {
      const d = Date.now() + init.timeout;
      deadline = deadline === undefined ? d : Math.min(deadline, d);
    }
    if (parent?.deadline !== undefined) {
      deadline = deadline === undefined ? parent.deadline : Math.min(deadline, parent.deadline);
    }
    this.deadline = deadline;
    this.#outer = init.signal;
  }

  // Header maps are made on first read: a call whose chain never looks at them allocates none.
  get requestHeader(): Metadata {
    const h = this.#requestHeader;
    if (h instanceof Metadata) return h;
    const made = h === undefined ? new Metadata() : h();
    this.#requestHeader = made;
    return made;
  }

  get replyHeader(): Metadata {
    this.#replyHeader ??= new Metadata();
    return this.#replyHeader;
  }

  get metadata(): Metadata {
    const m = this.#metadata;
    if (m instanceof Metadata) return m;
    const made = m === undefined ? new Metadata() : m();
    this.#metadata = made;
    return made;
  }

  /** The reply headers if any were set, without making an empty map (for transports). */
  replyHeaderIfAny(): Metadata | undefined {
    return this.#replyHeader !== undefined && this.#replyHeader.size > 0 ? this.#replyHeader : undefined;
  }

  get signal(): AbortSignal {
    if (this.#signal === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#reason ?? abortReason());
      // AbortSignal.any links to the parent without adding a listener to it: a long-lived parent
      // (a background context used for many outgoing calls) would otherwise keep every child alive.
      const sources: AbortSignal[] = [controller.signal];
      if (this.parent) sources.push(this.parent.signal);
      if (this.#outer) sources.push(this.#outer);
      const signal = sources.length === 1 ? controller.signal : AbortSignal.any(sources);
      this.#signal = signal;
      if (this.deadline !== undefined && !signal.aborted && !this.#timerOwned) {
        const left = this.deadline - Date.now();
        if (left <= 0) this.expire();
        else {
          const t = setTimeout(() => this.expire(), left);
          t.unref?.();
          signal.addEventListener('abort', () => clearTimeout(t), { once: true });
        }
      }
    }
    return this.#signal;
  }

  #timerOwned = false;
  #deadlineEntry: DeadlineHandle | undefined;

  /**
   * Marks the deadline as enforced by the caller (a transport's shared deadline timer), so
   * reading `signal` does not start a timer of its own.
   */
  ownDeadline(): this {
    this.#timerOwned = true;
    return this;
  }

  /**
   * Enforces the deadline (if there is one) on a transport's shared timer: `onExpire(arg)` runs at
   * the deadline unless {@link disarmDeadline} ran first. Marks the deadline as owned, like
   * {@link ownDeadline}: reading `signal` starts no timer of its own.
   */
  armDeadline<T>(timer: DeadlineTimer, onExpire: (arg: T) => void, arg: T): this {
    this.#timerOwned = true;
    if (this.deadline !== undefined) this.#deadlineEntry = timer.schedule(this.deadline, onExpire, arg);
    return this;
  }

  /** Takes the deadline off the shared timer (the call was answered or its caller went away). Idempotent. */
  disarmDeadline(): void {
    this.#deadlineEntry?.cancel();
  }

  /** True once cancelled or expired (or, when `signal` has been read, once a parent or outer signal fired). */
  get aborted(): boolean {
    return this.#aborted || (this.#signal?.aborted ?? false);
  }

  /**
   * Cancels the call (the caller went away, the server is stopping, ...). Idempotent. Without a
   * reason the signal's reason is an `AbortError`, made only if someone reads the signal.
   */
  cancel(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason ?? abortReason());
  }

  /** Cancels the call because its deadline passed. */
  expire(): void {
    this.cancel(new DOMException('The operation timed out.', 'TimeoutError'));
  }

  /** Milliseconds until the deadline (never negative), or undefined without one. */
  remaining(): number | undefined {
    return this.deadline === undefined ? undefined : Math.max(0, this.deadline - Date.now());
  }

  get<T>(key: ContextKey<T>): T | undefined {
    const own = this.#values?.get(key as ContextKey<unknown>);
    if (own !== undefined) return own as T;
    return this.parent?.get(key);
  }

  set<T>(key: ContextKey<T>, value: T): void {
    this.#values ??= new Map();
    this.#values.set(key as ContextKey<unknown>, value);
  }
}

function abortReason(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * The transport's native object behind `ctx` (what its transport passed as `raw`), or undefined
 * for a context no transport made. For a transport's typed accessor (`httpRequestOf(ctx)`,
 * `grpcCallOf(ctx)`), which checks `kind` and `side` and gives the object its type.
 */
export function nativeOf(ctx: Context): unknown {
  return ctx instanceof CallContext ? ctx.raw : undefined;
}

/** Makes a context: for tests, for background work, or as the parent of outgoing calls. */
export function createContext(init: ContextInit = {}): CallContext {
  return new CallContext(init);
}
