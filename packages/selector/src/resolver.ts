import {
  createLogHelper,
  type Discovery,
  defaultLogger,
  type Logger,
  type Node,
  type Selector,
  type ServiceInstance,
  type ServiceWatcher,
} from '@kratos/core';
import { repeatWithBackoff } from '@kratos/core/adapter';
import { splitHostPort } from '@kratos/core/transport';
import { createNode, nodesFromInstances } from './node.ts';
import { parseTarget, type Target } from './target.ts';

/** Options of {@link createNodeResolver}. */
export interface NodeResolverOptions {
  /** `discovery:///<service>`, `direct:///host:port[,host:port]`, `http(s)://host[:port]`, or `host:port`. */
  target: string;
  /** The endpoint scheme to take from instances, and the scheme of the nodes. */
  scheme: 'http' | 'grpc' | (string & {});
  /** Required for `discovery:///` targets. */
  discovery?: Discovery | undefined;
  /** Receives every node set. */
  selector: Selector;
  /**
   * Only TLS endpoints (`grpcs://`, `https://` or `isSecure=true`) when true, only plaintext ones
   * when false; default any.
   */
  secure?: boolean | undefined;
  /** Default core's `defaultLogger()`. */
  logger?: Logger | undefined;
  /** Delay before watching again after the watch failed: doubles from `initialMs` (1000) up to `maxMs` (30000). */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** Feeds a selector with a target's nodes. */
export interface NodeResolver {
  readonly target: Target;
  /**
   * Resolves once a non-empty node set has been applied (at once for direct targets). Rejects
   * with `signal.reason` when the signal aborts, or when the resolver is closed first.
   */
  ready(signal?: AbortSignal): Promise<void>;
  /** Stops watching. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

function fixedNodes(target: Target, scheme: string, raw: string): Node[] {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) {
    throw new TypeError(`invalid target "${raw}": no address, want e.g. direct:///127.0.0.1:9000`);
  }
  const defaultPort = DEFAULT_PORTS[target.scheme];
  return parts.map((part) => {
    let address = part;
    if (defaultPort !== undefined && !/:\d+$/.test(part)) address = `${part}:${defaultPort}`;
    try {
      splitHostPort(address);
    } catch {
      throw new TypeError(`invalid address "${part}" in target: want host:port, e.g. 127.0.0.1:9000`);
    }
    return createNode({ scheme, address });
  });
}

/** Ends a watch attempt that ended or failed (already logged): the loop pauses, then watches again. */
const WATCH_AGAIN = new Error('watch again');

/**
 * Resolves a target into nodes for a selector. Direct and `http(s)://` targets apply their fixed
 * addresses once. `discovery:///<name>` targets watch the service and apply every set, as Go
 * Kratos' resolvers do: a set with no endpoint of the scheme is refused (a warning is logged and
 * the last set stays), and when the watch fails the last set stays while the resolver watches
 * again with backoff.
 */
export function createNodeResolver(options: NodeResolverOptions): NodeResolver {
  const target = parseTarget(options.target);
  const { selector, scheme } = options;
  const log = createLogHelper(options.logger ?? defaultLogger());

  let isReady = false;
  let closed = false;
  const waiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  const markReady = () => {
    if (isReady) return;
    isReady = true;
    for (const w of waiters) w.resolve();
    waiters.clear();
  };

  let loop: Promise<void> | undefined;
  let watcher: ServiceWatcher | undefined;
  const abort = new AbortController();

  if (target.scheme === 'discovery') {
    const name = target.endpoint;
    const discovery = options.discovery;
    if (!discovery) {
      throw new TypeError(`target "${options.target}" needs a discovery (pass options.discovery)`);
    }
    if (name === '') throw new TypeError(`invalid target "${options.target}": no service name`);
    const initial = options.backoff?.initialMs ?? 1000;
    const max = Math.max(initial, options.backoff?.maxMs ?? 30_000);

    const update = (instances: readonly ServiceInstance[]): boolean => {
      const nodes = nodesFromInstances(Array.isArray(instances) ? instances : [], scheme, options.secure);
      if (nodes.length === 0) {
        log.warnw(
          'msg',
          '[resolver] zero endpoint found, refused to write',
          'target',
          options.target,
          'instances',
          Array.isArray(instances) ? instances.length : 0,
        );
        return false;
      }
      selector.apply(nodes);
      log.infow(
        'msg',
        '[resolver] update instances',
        'target',
        options.target,
        'nodes',
        nodes.map((n) => n.address).join(','),
      );
      markReady();
      return true;
    };

    // One watch per attempt; after it fails or ends, a pause (starting over once a set was
    // applied), then a new watch.
    loop = repeatWithBackoff(
      async (progressed) => {
        try {
          watcher = await discovery.watch(name, { signal: abort.signal });
          if (closed) return;
          for await (const instances of watcher) {
            if (closed) return;
            if (update(instances)) progressed();
          }
          if (closed) return;
          log.warnw('msg', '[resolver] watcher ended, watching again', 'target', options.target);
        } catch (error) {
          if (closed) return;
          log.errorw(
            'msg',
            '[resolver] failed to watch discovery endpoint',
            'target',
            options.target,
            'error',
            error,
          );
        } finally {
          const w = watcher;
          watcher = undefined;
          await w?.stop().catch((error: unknown) => {
            log.errorw('msg', '[resolver] failed to stop watcher', 'target', options.target, 'error', error);
          });
        }
        if (!closed) throw WATCH_AGAIN;
      },
      {
        signal: abort.signal,
        initialBackoffMs: initial,
        maxBackoffMs: max,
        jitter: 0.2,
        unref: true,
        onError: () => {}, // logged above
      },
    );
  } else if (target.scheme === 'direct') {
    selector.apply(fixedNodes(target, scheme, target.endpoint));
    markReady();
  } else if (target.scheme === 'http' || target.scheme === 'https' || target.scheme === scheme) {
    selector.apply(fixedNodes(target, scheme, target.authority));
    markReady();
  } else {
    throw new TypeError(
      `unsupported target scheme "${target.scheme}" in "${options.target}": want discovery:///, direct:/// or http(s)://`,
    );
  }

  return {
    target,
    ready(signal) {
      if (isReady) return Promise.resolve();
      if (closed) return Promise.reject(new Error(`resolver of "${options.target}" is closed`));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          waiters.delete(waiter);
          reject(signal!.reason);
        };
        const waiter = {
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          reject: (e: unknown) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        waiters.add(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async close() {
      if (closed) return loop;
      closed = true;
      abort.abort();
      const closedError = new Error(`resolver of "${options.target}" is closed`);
      for (const w of waiters) w.reject(closedError);
      waiters.clear();
      await watcher?.stop().catch(() => {});
      await loop;
    },
  };
}
