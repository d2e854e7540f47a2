import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from '../middleware/middleware.ts';
import type { Context } from './context.ts';

let storage: AsyncLocalStorage<Context> | undefined;

/**
 * The context of the call running now, for code that cannot be handed it (log valuers, tracing).
 * Only set inside chains that include {@link asyncContext}; undefined elsewhere.
 */
export function currentContext(): Context | undefined {
  return storage?.getStore();
}

/** Runs `fn` with `ctx` as the {@link currentContext}. */
export function runWithContext<R>(ctx: Context, fn: () => R): R {
  storage ??= new AsyncLocalStorage<Context>();
  return storage.run(ctx, fn);
}

/**
 * Middleware that makes the call's context reachable through {@link currentContext} for the rest
 * of the chain. Off by default: `AsyncLocalStorage.run` per request costs 3-7% of throughput, so
 * only chains that need it (log valuers reading trace ids, tracing) pay for it.
 */
export function asyncContext(): Middleware {
  storage ??= new AsyncLocalStorage<Context>();
  const als = storage;
  return (next) => (ctx, req) => als.run(ctx, next, ctx, req);
}
