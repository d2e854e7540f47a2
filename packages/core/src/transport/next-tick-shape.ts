import { executionAsyncResource } from 'node:async_hooks';

// Works around a V8 inline-cache trap on Node's hottest internal call, `process.nextTick`.
//
// `nextTick` builds its queue entry as an object literal with computed symbol keys
// (`{ [async_id_symbol]: id, [trigger_async_id_symbol]: tid, callback, args }`). V8 caches each
// of those property definitions on the hidden class (map) it saw first, and that cache cannot be
// polymorphic: when the chain of maps it recorded is gone (it is only held weakly, and no tick
// object was alive when a full GC ran around start-up) the next definition sees a new map and
// the sites turn megamorphic for the life of the process. From then on every `nextTick` makes
// four calls into the V8 runtime. A fastify server then spends ~3 µs more CPU per request
// (~18.5 µs instead of ~15 µs, 0.8x the throughput); whether a process falls into it depends on
// how much it loaded and when its first full GC ran (bench/analysis.md, "process.nextTick").
//
// Holding one tick object for the life of the process keeps that map chain alive, so the sites
// stay monomorphic. The transport servers call this on start; it costs one small object.

let held: Promise<void> | undefined;
let pinned: object | undefined;

/**
 * Keeps one of Node's own `process.nextTick` queue entries alive for the life of the process, so
 * V8's caches for the hidden class of those entries are never invalidated by a GC (see the note
 * above). Idempotent; the transport servers call it on start, before they listen. Custom
 * transports should call it too.
 */
export function pinNextTickShape(): Promise<void> {
  held ??= new Promise<void>((resolve) => {
    process.nextTick(() => {
      // Inside a nextTick callback the execution resource is the tick object itself.
      pinned = executionAsyncResource();
      resolve();
    });
  });
  return held;
}

/** The tick object held by `pinNextTickShape`, once it has run (for tests and diagnostics). */
export function pinnedTickObject(): object | undefined {
  return pinned;
}
