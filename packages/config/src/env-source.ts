import type { KeyValue, Source, Watcher } from '@kratos/core';
import { createWatchChannel } from '@kratos/core/adapter';

/** Options of {@link createEnvSource}. */
export interface EnvSourceOptions {
  /**
   * Only variables starting with one of these are read; the prefix and one `_` after it are
   * stripped (`KRATOS_A=1` -> key `A`), and a variable named exactly as the prefix is skipped.
   * Default: none (every variable, keys as is).
   */
  prefix?: string | readonly string[];
  /** The variables to read. Default `process.env`, read at each `load()`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Makes an env source matching Go Kratos' `env.NewSource(prefixes...)`: each variable is one
 * KeyValue with an empty format, so `A=1` becomes key `A` holding the string `"1"` (case kept; a
 * dotted name such as `server.http.addr` nests). Typical use is through placeholders in files:
 * `addr: ${ADDR:0.0.0.0:8000}`. The environment does not change at run time, so watch yields nothing.
 */
export function createEnvSource(options: EnvSourceOptions = {}): Source {
  const prefixes =
    options.prefix === undefined
      ? []
      : typeof options.prefix === 'string'
        ? [options.prefix]
        : [...options.prefix];
  return {
    async load() {
      const env = options.env ?? process.env;
      const kvs: KeyValue[] = [];
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined || name === '') continue;
        let key = name;
        if (prefixes.length > 0) {
          const p = prefixes.find((x) => name.startsWith(x));
          if (p === undefined || name === p) continue;
          key = name.slice(p.length);
          if (key.startsWith('_')) key = key.slice(1);
        }
        if (key !== '') kvs.push({ key, value: new TextEncoder().encode(value), format: '' });
      }
      return kvs;
    },
    async watch(): Promise<Watcher<KeyValue[]>> {
      return createWatchChannel<KeyValue[]>().watcher;
    },
  };
}
