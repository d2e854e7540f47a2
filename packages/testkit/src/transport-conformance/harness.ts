import type { Context } from '@kratos/core';
import { afterEach } from 'vitest';
import type { ConformanceHandlers, ConformanceServer, TransportSubject } from './subject.ts';

/** A promise with its resolve function, for "the handler started" and "let it finish" events. */
export interface Latch {
  readonly promise: Promise<void>;
  open(): void;
}

export function latch(): Latch {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Resolves when `signal` aborts, or when `release` opens (so no handler outlives its test). */
export function untilAborted(signal: AbortSignal, release: Latch): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return Promise.race([
    new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    release.promise,
  ]);
}

/** The greeting both the unary and the streaming defaults answer with. */
export const greet = (name: string): string => `Hello ${name}`;

const defaults: ConformanceHandlers = {
  unary: async (_ctx: Context, name: string) => greet(name),
  async *stream(_ctx: Context, name: string) {
    yield greet(name);
  },
};

/** What the cases use: `serve(handlers)` starts a server for the current test; all stop after it. */
export interface ConformanceHarness {
  readonly subject: TransportSubject;
  /** Opened after each test: every handler still waiting returns. */
  readonly release: Latch;
  serve(handlers?: Partial<ConformanceHandlers>): Promise<ConformanceServer>;
}

export function conformanceHarness(subject: TransportSubject): ConformanceHarness {
  const started: ConformanceServer[] = [];
  const h: { release: Latch } = { release: latch() };
  afterEach(async () => {
    h.release.open();
    h.release = latch();
    for (const s of started.splice(0)) {
      await s.close?.();
      await s.stop();
    }
  });
  return {
    subject,
    get release() {
      return h.release;
    },
    async serve(handlers = {}) {
      const s = await subject.start({ ...defaults, ...handlers });
      started.push(s);
      return s;
    },
  };
}
