import type { Context, Middleware, Selector } from '@kratos/core';
import { createGrpcClient } from '@kratos/grpc';
import { createHttpClient } from '@kratos/http';
import { createSelector } from '@kratos/selector';
import {
  GreeterGrpcClient,
  GreeterService,
} from '../../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import { GreeterHttpClient } from '../../../examples/helloworld/api/helloworld/v1/greeter_http.js';
import type { OwnedDiscovery } from './registries.ts';

/** Header carrying the harness' call number (sent to the server too, which ignores it). */
const CALL_HEADER = 'x-reliability-call';

export type Transport = 'http' | 'grpc';
export const transports: readonly Transport[] = ['http', 'grpc'];

/** One call of the load, as far as the harness saw it. */
interface Call {
  /** performance.now() when the call was issued. */
  start: number;
  /** Nodes the client's selector picked for it, in order (more than one when the client retried). */
  picks: string[];
  /** Index of the phase the call started in. */
  phase: number;
}

/** What a load run counted, per phase and in all. */
export interface LoadResult {
  transport: Transport;
  calls: number;
  failed: number;
  /** Error kind (code, reason, message with addresses and numbers blanked) -> count. */
  errors: Record<string, number>;
  /** Calls per node they were last sent to (`none` when the client picked none). */
  perNode: Record<string, number>;
  /** Calls still unfinished when the load stopped (they should not exist: every call has a deadline). */
  hung: number;
  phases: PhaseCount[];
  /** Set when {@link Load.markCrash} was used. */
  crash?: CrashCount;
}

export interface PhaseCount {
  name: string;
  calls: number;
  failed: number;
}

/** Calls around a crash of one instance. */
export interface CrashCount {
  /** The crashed node's address for this transport. */
  address: string;
  /** Calls the client had sent (picked) to the crashed node and not finished when it was killed. */
  inFlight: number;
  /** ... of which failed. */
  inFlightFailed: number;
  /** Failed calls that were not in flight on the crashed node: they never reached the dead process. */
  neverReachedFailed: number;
  /** Kinds of the never-reached failures. */
  neverReachedErrors: Record<string, number>;
}

export interface LoadOptions {
  transport: Transport;
  discovery: OwnedDiscovery;
  /** Service name (discovery:///<name>). */
  service: string;
  /** Calls in flight at all times. */
  concurrency: number;
  /** Per-call timeout in ms. */
  timeoutMs: number;
}

/** A closed loop of `concurrency` callers through the project's discovery client and p2c selector. */
export interface Load {
  readonly transport: Transport;
  /** Waits for the first successful call (the client found the service). */
  ready(boundMs: number): Promise<void>;
  /** Starts a new phase: calls issued from now on count in it. */
  phase(name: string): void;
  /** Marks the moment `address` (this transport's address of the instance) is killed. */
  markCrash(address: string): void;
  /** Stops issuing calls, waits for the ones in flight (bounded), closes the client. */
  stop(): Promise<LoadResult>;
}

/** Error kind for the table: code, reason and the message with ports, ids and numbers blanked. */
export function errorKind(err: unknown): string {
  const e = err as { code?: unknown; reason?: unknown; message?: unknown };
  const message = String(e?.message ?? err)
    .replace(/127\.0\.0\.1:\d+/g, '@loopback@')
    .replace(/\d+(\.\d+)?/g, '*')
    .replaceAll('@loopback@', '127.0.0.1:*')
    .replace(/\s+/g, ' ')
    .slice(0, 90);
  const code = typeof e?.code === 'number' || typeof e?.code === 'string' ? String(e.code) : '?';
  const reason = typeof e?.reason === 'string' && e.reason !== '' ? ` ${e.reason}` : '';
  return `${code}${reason}: ${message}`;
}

function add(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function startLoad(o: LoadOptions): Load {
  const calls = new WeakMap<Context, Call>();
  // The selector the client balances with (p2c), watched: every pick is written on its call.
  // A Proxy keeps every other member (node health and whatever the client looks for) intact.
  const inner = createSelector({ balancer: 'p2c' });
  const selector = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'select') {
        return (ctx: Context, options?: Parameters<Selector['select']>[1]) => {
          const picked = target.select(ctx, options);
          const call = calls.get(ctx) ?? findCall(ctx);
          call?.picks.push(picked.node.address);
          return picked;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const findCall = (ctx: Context): Call | undefined => {
    for (let c: Context | undefined = ctx; c !== undefined; c = (c as { parent?: Context }).parent) {
      const call = calls.get(c);
      if (call !== undefined) return call;
    }
    return undefined;
  };

  // Each call carries its number in a header; this client middleware ties its context to it, so
  // the picks the selector sees land on the right call whatever the client awaits in between.
  const byId = new Map<string, Call>();
  const tag: Middleware = (next) => (ctx, req) => {
    const id = ctx.requestHeader.get(CALL_HEADER);
    const call = id === undefined ? undefined : byId.get(id);
    if (call !== undefined) calls.set(ctx, call);
    return next(ctx, req);
  };

  const endpoint = `discovery:///${o.service}`;
  const quiet = { log() {} };
  const common = {
    endpoint,
    discovery: o.discovery,
    selector,
    middleware: [tag],
    timeout: o.timeoutMs,
    logger: quiet,
  };
  let invoke: (id: string) => Promise<unknown>;
  let closeClient: () => Promise<void>;
  if (o.transport === 'http') {
    const client = createHttpClient(common);
    const greeter = new GreeterHttpClient(client);
    invoke = (id) => greeter.sayHello({ name: `c${id}` }, { header: { [CALL_HEADER]: id } });
    closeClient = () => client.close();
  } else {
    // SayHello has no side effects (the example binds it to GET): the client may send it again
    // when its connection dropped before any reply, as the HTTP client does for a GET. Without
    // this (RELIABILITY_GRPC_IDEMPOTENT=0) such calls fail, as with grpc-go and Go Kratos.
    const idempotent = process.env.RELIABILITY_GRPC_IDEMPOTENT === '0' ? [] : [GreeterService.sayHello!.path];
    const client = createGrpcClient({ ...common, idempotent });
    const greeter = new GreeterGrpcClient(client);
    invoke = (id) => greeter.sayHello({ name: `c${id}` }, { header: { [CALL_HEADER]: id } });
    closeClient = () => client.close();
  }

  const phases: PhaseCount[] = [{ name: 'load start', calls: 0, failed: 0 }];
  const errors: Record<string, number> = {};
  const perNode: Record<string, number> = {};
  const active = new Set<Call>();
  let total = 0;
  let failed = 0;
  let crash: (CrashCount & { inFlightSet: Set<Call>; at: number }) | undefined;
  let running = true;
  let firstOk: (() => void) | undefined;
  const firstOkSeen = new Promise<void>((resolve) => {
    firstOk = resolve;
  });
  let seq = 0;

  const one = async (): Promise<void> => {
    const call: Call = { start: performance.now(), picks: [], phase: phases.length - 1 };
    const id = String(++seq);
    active.add(call);
    byId.set(id, call);
    let error: unknown;
    let ok = false;
    try {
      await invoke(id);
      ok = true;
    } catch (err) {
      error = err;
    } finally {
      byId.delete(id);
      active.delete(call);
    }
    total++;
    add(perNode, call.picks.at(-1) ?? 'none');
    const phase = phases[call.phase]!;
    phase.calls++;
    if (ok) {
      firstOk?.();
      firstOk = undefined;
      return;
    }
    failed++;
    phase.failed++;
    const kind = errorKind(error);
    add(errors, kind);
    if (crash !== undefined) {
      if (crash.inFlightSet.has(call)) crash.inFlightFailed++;
      else {
        if (process.env.RELIABILITY_DEBUG && crash.neverReachedFailed < 10)
          console.error(
            `[debug ${o.transport}] never-reached failure: started ${(call.start - crash.at).toFixed(1)} ms from the kill, ` +
              `ended ${(performance.now() - crash.at).toFixed(1)} ms, picks ${call.picks.join(' ') || 'none'}, ${kind}`,
          );
        crash.neverReachedFailed++;
        add(crash.neverReachedErrors, kind);
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (running) await one();
  };
  const workers = Array.from({ length: o.concurrency }, worker);

  return {
    transport: o.transport,
    async ready(boundMs) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${o.transport}: no successful call within ${boundMs} ms`)),
          boundMs,
        );
      });
      try {
        await Promise.race([firstOkSeen, bound]);
      } finally {
        clearTimeout(timer);
      }
    },
    phase(name) {
      phases.push({ name, calls: 0, failed: 0 });
    },
    markCrash(address) {
      const inFlightSet = new Set<Call>();
      for (const call of active) if (call.picks.at(-1) === address) inFlightSet.add(call);
      crash = {
        at: performance.now(),
        address,
        inFlight: inFlightSet.size,
        inFlightFailed: 0,
        neverReachedFailed: 0,
        neverReachedErrors: {},
        inFlightSet,
      };
    },
    async stop() {
      running = false;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'bound'>((resolve) => {
        timer = setTimeout(() => resolve('bound'), o.timeoutMs + 5_000);
      });
      await Promise.race([Promise.all(workers), bound]);
      clearTimeout(timer);
      const hung = active.size;
      await closeClient();
      await o.discovery.close();
      const result: LoadResult = {
        transport: o.transport,
        calls: total,
        failed,
        errors,
        perNode,
        hung,
        phases: phases.filter((p) => p.calls > 0 || p.name !== 'load start'),
      };
      if (crash !== undefined) {
        const { inFlightSet: _, at: __, ...count } = crash;
        result.crash = count;
      }
      return result;
    },
  };
}
