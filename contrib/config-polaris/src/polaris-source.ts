import { setTimeout as sleep } from 'node:timers/promises';
import { createLogHelper, defaultLogger, type KeyValue, type Logger, type Source } from '@kratos/core';
import { createSharedWatchSource, formatFromKey } from '@kratos/core/adapter';

/** Options of {@link createPolarisSource}. */
export interface PolarisSourceOptions {
  /** Base URL of the Polaris server's HTTP API, e.g. `http://127.0.0.1:8090`. */
  address: string;
  /** Config namespace (Go Kratos' `WithNamespace`). Default `default`. */
  namespace?: string;
  /** Config file group (Go Kratos' `WithFileGroup`, required there too). */
  group: string;
  /** The config file (Go Kratos' `WithFileName`), e.g. `helloworld.yaml`; or several, in order. */
  fileName: string | readonly string[];
  /** Sent as `X-Polaris-Token` when the server has auth on. */
  token?: string;
  /** The HTTP client: a `fetch` you built (proxy, TLS, tracing). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Bound of one read, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Bound of one watch long poll (the server answers "no change" after 30 s). Default 60000 ms. */
  watchTimeoutMs?: number;
  /** Where watch problems are logged. Default: core's default logger. */
  logger?: Logger;
}

/** A Polaris config-file source. */
export interface PolarisSource extends Source {
  /** Number of long polls running (one, shared by every watcher, or none). */
  readonly activeWatches: number;
  /** Stops every watcher. */
  close(): Promise<void>;
}

/** Polaris' response codes (apimodel.Code). */
const EXECUTE_SUCCESS = 200000;
const DATA_NO_CHANGE = 200001;
const NOT_FOUND_RESOURCE = 400202;

interface ClientConfigFile {
  fileName?: string;
  content?: string | null;
  version?: string | number;
}
interface ConfigClientResponse {
  code?: number;
  info?: string | null;
  configFile?: ClientConfigFile | null;
}

interface FileState {
  name: string;
  /** Content, or undefined when the file has no release. */
  content: string | undefined;
  version: number;
}

/**
 * Go Kratos' polaris config source: the released content of config files of a namespace/group,
 * each reported under its file name with the format from its extension. Polaris' client HTTP API
 * is used directly (`GET /config/v1/GetConfigFile`, long poll `POST /config/v1/WatchConfigFile`);
 * watchers share one long poll and get the full set after every release or deletion.
 */
export function createPolarisSource(options: PolarisSourceOptions): PolarisSource {
  if (!options || typeof options.address !== 'string' || !/^https?:\/\//.test(options.address)) {
    throw new TypeError('createPolarisSource needs an address, e.g. { address: "http://127.0.0.1:8090" }');
  }
  if (typeof options.group !== 'string' || options.group === '') {
    throw new TypeError('createPolarisSource needs a group (the config file group)');
  }
  const files = typeof options.fileName === 'string' ? [options.fileName] : [...(options.fileName ?? [])];
  if (files.length === 0 || files.some((f) => typeof f !== 'string' || f === '')) {
    throw new TypeError('createPolarisSource needs a fileName, e.g. { fileName: "helloworld.yaml" }');
  }
  const base = options.address.replace(/\/+$/, '');
  const namespace = options.namespace ?? 'default';
  const { group } = options;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const watchTimeoutMs = options.watchTimeoutMs ?? 60_000;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers['x-polaris-token'] = options.token;
  const log = createLogHelper(options.logger ?? defaultLogger());

  const call = async (
    path: string,
    init: RequestInit,
    ms: number,
    signal?: AbortSignal,
  ): Promise<ConfigClientResponse> => {
    const bound = AbortSignal.timeout(ms);
    const res = await doFetch(`${base}${path}`, {
      ...init,
      headers,
      signal: signal ? AbortSignal.any([signal, bound]) : bound,
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as ConfigClientResponse;
    } catch {
      throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
  };

  const readFile = async (name: string): Promise<FileState> => {
    const q = new URLSearchParams({ namespace, group, fileName: name });
    let body: ConfigClientResponse;
    try {
      body = await call(`/config/v1/GetConfigFile?${q}`, { method: 'GET' }, timeoutMs);
      if (body.code !== EXECUTE_SUCCESS && body.code !== NOT_FOUND_RESOURCE) {
        throw new Error(`polaris code ${body.code}: ${body.info ?? ''}`);
      }
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new Error(
        `polaris config source: cannot read file "${namespace}/${group}/${name}" from ${base}: ${
          (e as Error).message
        }${cause ? ` (${cause})` : ''}`,
        { cause: e },
      );
    }
    if (body.code === NOT_FOUND_RESOURCE) return { name, content: undefined, version: 0 };
    return {
      name,
      content: body.configFile?.content ?? '',
      version: Number(body.configFile?.version ?? 0),
    };
  };

  const toSet = (states: FileState[]): KeyValue[] =>
    states
      .filter((s) => s.content !== undefined)
      .map((s) => ({
        key: s.name,
        value: new TextEncoder().encode(s.content),
        format: formatFromKey(s.name),
      }));

  const readAll = () => Promise.all(files.map(readFile));
  const load = async () => toSet(await readAll());

  return createSharedWatchSource({
    name: `polaris config source for group "${group}"`,
    read: load,
    async start({ publish, signal, repeat }) {
      // The version of each file this source has seen; the poll asks for anything newer.
      const known = new Map<string, number>();
      // Files named by the last notification, with their new versions.
      let notified = new Map<string, number>();
      let needRead = true;
      // Each step either reads the files (first, and after a notification or a failure) or runs
      // one watch long poll.
      const step = async () => {
        if (needRead) {
          // A notification can run ahead of the file cache that reads are served from (seen right
          // after a server restart: the new release is announced, then reads miss it for a moment).
          // Read again, 200 ms apart and 15 times at most, until every notified file shows its new
          // version; a file still absent after that was deleted.
          const lagging = (states: FileState[]) =>
            states.some((st) => {
              const v = notified.get(st.name);
              return v !== undefined && (st.content === undefined || st.version < v);
            });
          let states = await readAll();
          for (let i = 0; i < 15 && lagging(states); i++) {
            await sleep(200, undefined, { signal });
            states = await readAll();
          }
          for (const st of states) {
            // A deleted file reads as absent: watch it from the version of its deletion, or the
            // deletion would be announced again at once.
            known.set(st.name, st.content === undefined ? (notified.get(st.name) ?? 0) : st.version);
          }
          publish(toSet(states));
          notified = new Map();
          needRead = false;
          return;
        }
        const body = await call(
          '/config/v1/WatchConfigFile',
          {
            method: 'POST',
            body: JSON.stringify({
              watch_files: files.map((f) => ({
                namespace,
                group,
                file_name: f,
                version: known.get(f) ?? 0,
              })),
            }),
          },
          watchTimeoutMs,
          signal,
        );
        if (body.code === DATA_NO_CHANGE) {
          // Nothing announced for 30 s. Read anyway: it costs one request per file every 30 s and
          // repairs a notification lost to a race between the poll and a release.
          needRead = true;
          return;
        }
        if (body.code !== EXECUTE_SUCCESS) throw new Error(`polaris code ${body.code}: ${body.info ?? ''}`);
        const changed = body.configFile;
        if (changed?.fileName) notified.set(changed.fileName, Number(changed.version ?? 0));
        needRead = true;
      };
      // A failing step ends the session; the shared watch starts a new one (fresh state) after its backoff.
      return repeat(step);
    },
    maxBackoffMs: 5000,
    onError(_phase, e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      log.warnw(
        'msg',
        'polaris config source unreachable, keeping the last good config',
        'group',
        group,
        'address',
        base,
        'error',
        `${(e as Error).message}${cause ? ` (${cause})` : ''}`,
      );
    },
  }) satisfies PolarisSource;
}
