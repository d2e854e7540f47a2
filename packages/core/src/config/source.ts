import type { Watcher } from '../watch/watcher.ts';

/** One document of configuration: a file, a KV key, a ConfigMap entry. */
export interface KeyValue {
  /** Where it came from (file path, etcd key, ...); also used in error messages. */
  key: string;
  value: Uint8Array;
  /** The codec name that decodes `value`: `yaml`, `json`, `toml`, ... (usually the key's extension). */
  format: string;
}

/**
 * A source of configuration. `watch()` yields the source's full set of KeyValues after every
 * change, so a deleted key is one that is no longer in the set.
 */
export interface Source {
  load(): Promise<KeyValue[]>;
  watch(): Promise<Watcher<KeyValue[]>>;
}

/** The format of a key from its extension (`app.yaml` -> `yaml`, `yml` -> `yaml`); '' if none. */
export function formatFromKey(key: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  if (dot <= slash || dot === key.length - 1) return '';
  const ext = key.slice(dot + 1).toLowerCase();
  return ext === 'yml' ? 'yaml' : ext;
}
