// Connection-aware picking: nodes whose connection is refused or lost leave rotation at once and
// come back when a probe (with backoff) reaches them again: grpc-go's subchannel model, where a
// subchannel in TRANSIENT_FAILURE is not picked and reconnects with backoff, and Envoy's outlier
// ejection. The selector holds the state (see createSelector); this file holds the contract the
// clients use and the prober that brings nodes back.
import type { Node, Selector } from '@kratos/core';

/**
 * Takes nodes out of rotation and puts them back. {@link createSelector}'s selectors implement it;
 * the HTTP and gRPC clients call it when a connection is refused or lost, and when it is back.
 */
export interface NodeHealth {
  /** Leaves `node` out of picks until {@link markUp}. True when it was up; false when unknown or already down. */
  markDown(node: Node): boolean;
  /** Puts `node` back into rotation. True when it was down. */
  markUp(node: Node): boolean;
  /** Whether `node` is marked down (false for a node not in the current set). */
  isDown(node: Node): boolean;
}

/** True for a selector that can take nodes out of rotation ({@link createSelector}'s can). */
export function hasNodeHealth(selector: Selector): selector is Selector & NodeHealth {
  const s = selector as Partial<NodeHealth>;
  return typeof s.markDown === 'function' && typeof s.markUp === 'function' && typeof s.isDown === 'function';
}

/** Delays between probes of a node that is down: `initialMs`, then x `multiplier` up to `maxMs`, ±`jitter`. */
export interface ProbeBackoff {
  /** Default 1000 (grpc-go's initial reconnect backoff). */
  initialMs?: number;
  /** Default 30000. */
  maxMs?: number;
  /** Default 1.6 (grpc-go). */
  multiplier?: number;
  /** Fraction of random spread either way. Default 0.2 (grpc-go). */
  jitter?: number;
}

/** Options of {@link createNodeProber}. */
export interface NodeProberOptions {
  /** Receives `markDown` / `markUp`. */
  health: NodeHealth;
  /**
   * Resolves true when `node` accepts connections again (e.g. a TCP connect), false (or rejects)
   * when it does not. Should give up by itself in bounded time.
   */
  probe(node: Node): Promise<boolean>;
  backoff?: ProbeBackoff | undefined;
  /** Uniform [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/** Brings nodes that are down back into rotation. */
export interface NodeProber {
  /**
   * The node's connection was refused: marks it down at once and probes it with backoff until a
   * probe succeeds, then marks it up.
   */
  eject(node: Node): void;
  /**
   * A connection to the node was lost, perhaps cleanly (a server closing an idle keep-alive
   * connection looks the same): probes it now and ejects it only if that probe fails.
   */
  check(node: Node): void;
  /** Stops every probe. */
  close(): void;
}

interface Probing {
  node: Node;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Probes nodes that are down with exponential backoff (defaults as grpc-go's reconnect backoff:
 * 1 s, x1.6, ±20 %, here capped at 30 s) and marks them up on the first probe that succeeds.
 * A node that left the selector's set (or was marked up by a call that reached it) is no longer
 * probed. One probe at a time per node.
 */
export function createNodeProber(options: NodeProberOptions): NodeProber {
  const { health, probe } = options;
  const initial = options.backoff?.initialMs ?? 1000;
  const max = Math.max(initial, options.backoff?.maxMs ?? 30_000);
  const multiplier = options.backoff?.multiplier ?? 1.6;
  const jitter = options.backoff?.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  /** By node address and scheme; one entry while a node is being checked or is down. */
  const probing = new Map<string, Probing>();
  let closed = false;

  const keyOf = (node: Node) => `${node.scheme}://${node.address}`;
  const delay = (attempt: number) => {
    const base = Math.min(max, initial * multiplier ** attempt);
    return base * (1 - jitter + 2 * jitter * random());
  };

  const schedule = (key: string, p: Probing) => {
    p.timer = setTimeout(
      () => {
        p.timer = undefined;
        void run(key, p, true);
      },
      delay(p.attempt++),
    );
    p.timer.unref();
  };

  const run = async (key: string, p: Probing, ejected: boolean) => {
    // Marked up meanwhile (a call reached it), or gone from the set: nothing to bring back.
    if (closed || (ejected && !health.isDown(p.node))) {
      probing.delete(key);
      return;
    }
    let ok = false;
    try {
      ok = await probe(p.node);
    } catch {
      ok = false;
    }
    if (closed) return;
    if (ok) {
      probing.delete(key);
      health.markUp(p.node);
      return;
    }
    // A check that failed turns into an ejection; an ejection that failed waits longer.
    if (!ejected && !health.markDown(p.node) && !health.isDown(p.node)) {
      probing.delete(key); // not in the set any more
      return;
    }
    schedule(key, p);
  };

  return {
    eject(node) {
      if (closed) return;
      const wasUp = health.markDown(node);
      const key = keyOf(node);
      if (probing.has(key)) return;
      if (!wasUp && !health.isDown(node)) return; // unknown node
      const p: Probing = { node, attempt: 0, timer: undefined };
      probing.set(key, p);
      schedule(key, p);
    },
    check(node) {
      if (closed) return;
      const key = keyOf(node);
      if (probing.has(key)) return;
      const p: Probing = { node, attempt: 0, timer: undefined };
      probing.set(key, p);
      void run(key, p, false);
    },
    close() {
      closed = true;
      for (const p of probing.values()) if (p.timer) clearTimeout(p.timer);
      probing.clear();
    },
  };
}
