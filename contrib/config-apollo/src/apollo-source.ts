import { createHmac } from 'node:crypto';
import { createLogHelper, defaultLogger, type KeyValue, type Logger, type Source } from '@kratos/core';
import { createSharedWatchSource, formatFromKey } from '@kratos/core/adapter';

/** Options of {@link createApolloSource}. */
export interface ApolloSourceOptions {
  /** The config service URL (Go Kratos' `WithEndpoint`), e.g. `http://127.0.0.1:8080`. */
  endpoint: string;
  /** The app id (Go Kratos' `WithAppID`). */
  appId: string;
  /** The cluster (Go Kratos' `WithCluster`). Default `default`. */
  cluster?: string;
  /**
   * Namespaces, in merge order (Go Kratos' `WithNamespace`, comma-separated there; a comma-separated
   * string is accepted too). Default `application`.
   */
  namespaces?: string | readonly string[];
  /** The app's access key secret (Go Kratos' `WithSecret`): requests are signed as Apollo clients do. */
  secret?: string;
  /**
   * Hand yaml/yml/json namespaces over as their original text (Go Kratos' `WithOriginalConfig`).
   * Default false, as Go: every namespace becomes a tree under the namespace's name (see README).
   */
  originalConfig?: boolean;
  /** The HTTP client: a `fetch` you built. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Bound of one read, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Bound of one notification long poll (Apollo holds it 60 s). Default 90000 ms. */
  pollTimeoutMs?: number;
  /** Where watch problems are logged. Default: core's default logger. */
  logger?: Logger;
}

/** An Apollo config source. */
export interface ApolloSource extends Source {
  /** Number of notification long polls running (one, shared by every watcher, or none). */
  readonly activeWatches: number;
  /** Stops every watcher. */
  close(): Promise<void>;
}

interface ApolloConfigs {
  configurations?: Record<string, string>;
  releaseKey?: string;
}

const TEXT_FORMATS = new Set(['yaml', 'yml', 'json']);

/** The extension of a namespace name if it is one Apollo knows (`app.yaml` -> `yaml`), else ''. */
function extensionOf(ns: string): string {
  const dot = ns.lastIndexOf('.');
  if (dot < 0) return '';
  const ext = ns.slice(dot + 1);
  return TEXT_FORMATS.has(ext) || ext === 'properties' ? ext : '';
}

/**
 * Go Kratos' genKey: a property `sub` of namespace `ns` is keyed `<ns without a known extension>.<sub>`.
 */
function genKey(ns: string, sub: string): string {
  if (ns === '') return sub;
  const ext = extensionOf(ns);
  return `${ext ? ns.slice(0, -(ext.length + 1)) : ns}.${sub}`;
}

/** Go Kratos' resolve: `a.b.c = v` becomes `{a: {b: {c: v}}}`; a key clashing with a value is dropped. */
function resolveInto(target: Record<string, unknown>, key: string, value: unknown): boolean {
  const parts = key.split('.');
  let cursor = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    const next = cursor[p];
    if (next === undefined) {
      const deeper: Record<string, unknown> = {};
      cursor[p] = deeper;
      cursor = deeper;
    } else if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      cursor = next as Record<string, unknown>;
    } else return false;
  }
  cursor[parts[parts.length - 1] as string] = value;
  return true;
}

/**
 * Indents YAML text under a dotted name, as Go's resolve nests it: `a: 1` under `my.app` is
 * `"my":\n  "app":\n    a: 1`.
 */
function nestYaml(name: string, text: string): string {
  const parts = name.split('.');
  const head = parts.map((p, i) => `${'  '.repeat(i)}${JSON.stringify(p)}:`).join('\n');
  const pad = '  '.repeat(parts.length);
  const body = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => (line === '' ? line : `${pad}${line}`))
    .join('\n');
  return `${head}\n${body}`;
}

/** `tree` under a dotted name: `my.app` gives `{my: {app: tree}}`. */
function nestTree(name: string, tree: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  resolveInto(out, name, tree);
  return out;
}

/**
 * Go Kratos' apollo config source over Apollo's HTTP API: each namespace of the app/cluster is one
 * document keyed by the namespace name. Changes come from the `/notifications/v2` long poll, shared
 * by every watcher; each notification re-reads the namespaces.
 */
export function createApolloSource(options: ApolloSourceOptions): ApolloSource {
  if (!options || typeof options.endpoint !== 'string' || !/^https?:\/\//.test(options.endpoint)) {
    throw new TypeError('createApolloSource needs an endpoint, e.g. { endpoint: "http://127.0.0.1:8080" }');
  }
  if (typeof options.appId !== 'string' || options.appId === '') {
    throw new TypeError('createApolloSource needs an appId');
  }
  const raw = options.namespaces ?? 'application';
  const namespaces = (typeof raw === 'string' ? raw.split(',') : [...raw])
    .map((n) => n.trim())
    .filter(Boolean);
  if (namespaces.length === 0) throw new TypeError('createApolloSource needs at least one namespace');
  const base = options.endpoint.replace(/\/+$/, '');
  const { appId } = options;
  const cluster = options.cluster ?? 'default';
  const original = options.originalConfig ?? false;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const pollTimeoutMs = options.pollTimeoutMs ?? 90_000;
  const log = createLogHelper(options.logger ?? defaultLogger());

  /** Apollo's access-key signature: HmacSHA1(secret, `<timestamp>\n<path?query>`), base64. */
  const headersFor = (pathWithQuery: string): Record<string, string> => {
    if (!options.secret) return {};
    const timestamp = String(Date.now());
    const signature = createHmac('sha1', options.secret)
      .update(`${timestamp}\n${pathWithQuery}`)
      .digest('base64');
    return { Authorization: `Apollo ${appId}:${signature}`, Timestamp: timestamp };
  };

  const get = async (pathWithQuery: string, ms: number, signal?: AbortSignal): Promise<Response> => {
    const bound = AbortSignal.timeout(ms);
    return doFetch(`${base}${pathWithQuery}`, {
      headers: headersFor(pathWithQuery),
      signal: signal ? AbortSignal.any([signal, bound]) : bound,
    });
  };

  const describeError = (e: unknown) => {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
  };

  /** One namespace as Go Kratos hands it over, or undefined when Apollo has no release of it. */
  const readNamespace = async (ns: string): Promise<KeyValue | undefined> => {
    const path = `/configs/${encodeURIComponent(appId)}/${encodeURIComponent(cluster)}/${encodeURIComponent(ns)}`;
    let body: ApolloConfigs;
    try {
      const res = await get(path, timeoutMs);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      body = (await res.json()) as ApolloConfigs;
    } catch (e) {
      throw new Error(
        `apollo config source: cannot read namespace "${ns}" of app "${appId}" cluster "${cluster}" from ${base}: ${describeError(e)}`,
        { cause: e },
      );
    }
    const configurations = body.configurations ?? {};
    const ext = extensionOf(ns);
    const isText = TEXT_FORMATS.has(ext);
    const encoder = new TextEncoder();
    if (isText && original) {
      return { key: ns, value: encoder.encode(configurations.content ?? ''), format: formatFromKey(ns) };
    }
    if (isText) {
      // Go (agollo) parses the text and nests the tree under the namespace's name.
      const content = configurations.content ?? '';
      const name = genKey(ns, '').slice(0, -1);
      if (ext === 'json') {
        let tree: unknown;
        try {
          tree = content.trim() === '' ? {} : JSON.parse(content);
        } catch {
          // Malformed: hand it over as is, so the config engine rejects it and names the key.
          return { key: ns, value: encoder.encode(content), format: 'json' };
        }
        return { key: ns, value: encoder.encode(JSON.stringify(nestTree(name, tree))), format: 'json' };
      }
      return { key: ns, value: encoder.encode(nestYaml(name, content)), format: 'yaml' };
    }
    // Properties: every property nested under the namespace's name, as JSON.
    const tree: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(configurations)) {
      if (!resolveInto(tree, genKey(ns, k), v))
        log.warnw('msg', 'apollo: duplicate key, dropped', 'namespace', ns, 'key', k);
    }
    return { key: ns, value: encoder.encode(JSON.stringify(tree)), format: 'json' };
  };

  const load = async (): Promise<KeyValue[]> => {
    const kvs = await Promise.all(namespaces.map(readNamespace));
    return kvs.filter((kv): kv is KeyValue => kv !== undefined);
  };

  return createSharedWatchSource({
    name: `apollo config source for app "${appId}"`,
    read: load,
    async start({ publish, signal, repeat }) {
      const ids = new Map<string, number>(namespaces.map((ns) => [ns, -1]));
      let needRead = true;
      // Each step either reads the namespaces (first, and after a notification or a failure) or
      // runs one notification long poll.
      const step = async () => {
        if (needRead) {
          publish(await load());
          needRead = false;
          return;
        }
        const notifications = JSON.stringify(
          namespaces.map((ns) => ({ namespaceName: ns, notificationId: ids.get(ns) ?? -1 })),
        );
        const q = new URLSearchParams({ appId, cluster, notifications });
        const res = await get(`/notifications/v2?${q}`, pollTimeoutMs, signal);
        if (res.status === 304) {
          await res.body?.cancel();
          return;
        }
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
        const changed = (await res.json()) as { namespaceName?: string; notificationId?: number }[];
        for (const n of changed) {
          if (n.namespaceName !== undefined && typeof n.notificationId === 'number')
            ids.set(n.namespaceName, n.notificationId);
        }
        needRead = true;
      };
      // A failing step ends the session; the shared watch starts a new one (fresh state) after its backoff.
      return repeat(step);
    },
    maxBackoffMs: 5000,
    onError(_phase, e) {
      log.warnw(
        'msg',
        'apollo config source unreachable, keeping the last good config',
        'appId',
        appId,
        'address',
        base,
        'error',
        describeError(e),
      );
    },
  }) satisfies ApolloSource;
}
