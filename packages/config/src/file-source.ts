import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createWatchChannel,
  defaultLogger,
  formatFromKey,
  type KeyValue,
  type Logger,
  type Source,
  type Watcher,
} from '@kratos/core';
import { configError } from './errors.ts';

/** Options of {@link createFileSource}. */
export interface FileSourceOptions {
  /**
   * The folder a relative `path` is resolved against. Default: `process.cwd()`. Pass
   * `import.meta.dirname` (or `import.meta.url`) of your entry file so the service starts from
   * any working directory.
   */
  base?: string | URL;
  /** Reload when a file changes. Default `true`. */
  watch?: boolean;
  /** Milliseconds to wait after the last file event before reloading. Default `100`. */
  debounce?: number;
  /** In a directory, the extensions read (others are skipped). Default `yaml`, `yml`, `json`, `toml`. */
  extensions?: readonly string[];
  /** Where watch problems (an unreadable file) are logged. Default: core's `defaultLogger()`. */
  logger?: Logger;
}

/** A config source reading one file or every config file of a directory. */
export interface FileSource extends Source {
  /** The absolute path read. */
  readonly path: string;
}

const DEFAULT_EXTENSIONS = ['yaml', 'yml', 'json', 'toml'];

function toDir(base: string | URL | undefined): string {
  if (base === undefined) return process.cwd();
  if (base instanceof URL || base.startsWith('file:')) {
    const p = fileURLToPath(base);
    // A module URL (import.meta.url) names a file: take its folder.
    return p.endsWith('/') || !/\.[cm]?[jt]sx?$/.test(p) ? p : dirname(p);
  }
  return base;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Makes a file source (Go Kratos' `file.NewSource`): a file (format from its extension) or a
 * directory (each file with a known extension, hidden files skipped, sorted by name; not
 * recursive). KeyValue keys are absolute paths, so decode errors name the file. Watching uses
 * `fs.watch` on the folder, so editors that save by rename and Kubernetes ConfigMap symlink swaps
 * are both seen; a set is pushed only when some file's content really changed.
 */
export function createFileSource(path: string, options: FileSourceOptions = {}): FileSource {
  const baseDir = toDir(options.base);
  const abs = isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
  const debounce = options.debounce ?? 100;
  const extensions = new Set(
    (options.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.replace(/^\./, '').toLowerCase()),
  );
  const logger = options.logger ?? defaultLogger();

  const readOne = async (file: string): Promise<KeyValue> => {
    try {
      const value = new Uint8Array(await readFile(file));
      return { key: file, value, format: formatFromKey(file) };
    } catch (e) {
      throw configError(
        'CONFIG_SOURCE',
        `config: cannot read ${file}: ${(e as Error).message}`,
        { path: file },
        e,
      );
    }
  };

  const load = async (): Promise<KeyValue[]> => {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(abs);
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') {
        const how = isAbsolute(path)
          ? ''
          : ` ("${path}" resolved against ${options.base === undefined ? `the working directory ${baseDir}; pass \`base: import.meta.dirname\` to resolve against your entry file instead` : baseDir})`;
        throw configError(
          'CONFIG_SOURCE',
          `config: no such file or directory: ${abs}${how}`,
          { path: abs },
          e,
        );
      }
      throw configError(
        'CONFIG_SOURCE',
        `config: cannot read ${abs}: ${(e as Error).message}`,
        { path: abs },
        e,
      );
    }
    if (!info.isDirectory()) return [await readOne(abs)];
    const names = (await readdir(abs)).filter((n) => !n.startsWith('.')).sort();
    const kvs: KeyValue[] = [];
    for (const name of names) {
      const file = join(abs, name);
      if (
        !extensions.has(formatFromKey(name)) &&
        !extensions.has(name.slice(name.lastIndexOf('.') + 1).toLowerCase())
      )
        continue;
      // stat follows symlinks (ConfigMap mounts link every file through `..data`).
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile()) continue;
      kvs.push(await readOne(file));
    }
    return kvs;
  };

  const sameSet = (a: KeyValue[] | undefined, b: KeyValue[]) =>
    a !== undefined &&
    a.length === b.length &&
    a.every((kv, i) => {
      const o = b[i] as KeyValue;
      return kv.key === o.key && Buffer.from(kv.value).equals(Buffer.from(o.value));
    });

  const watch = async (): Promise<Watcher<KeyValue[]>> => {
    let fsw: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let last: KeyValue[] | undefined;
    let reloading = false;
    let again = false;
    const ch = createWatchChannel<KeyValue[]>(() => {
      if (timer) clearTimeout(timer);
      fsw?.close();
    });

    const reload = async () => {
      if (ch.closed) return;
      if (reloading) {
        again = true;
        return;
      }
      reloading = true;
      try {
        const kvs = await load();
        if (!ch.closed && !sameSet(last, kvs)) {
          last = kvs;
          ch.push(kvs);
        }
      } catch (e) {
        // Mid-save (a file briefly missing) or unreadable: wait for the next event.
        if (!ch.closed)
          logger.log(
            'warn',
            'msg',
            'config: file reload failed, keeping the last good config',
            'path',
            abs,
            'error',
            (e as Error).message,
          );
      } finally {
        reloading = false;
        if (again && !ch.closed) {
          again = false;
          schedule();
        }
      }
    };
    const schedule = () => {
      if (ch.closed) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void reload();
      }, debounce);
      timer.unref();
    };

    if (options.watch === false) return ch.watcher;
    let dir = abs;
    try {
      if (!(await stat(abs)).isDirectory()) dir = dirname(abs);
    } catch {
      dir = dirname(abs);
    }
    try {
      fsw = fsWatch(dir, { persistent: false }, () => schedule());
      fsw.on('error', (e) => {
        logger.log('warn', 'msg', 'config: file watch failed', 'path', dir, 'error', e.message);
      });
    } catch (e) {
      throw configError(
        'CONFIG_SOURCE',
        `config: cannot watch ${dir}: ${(e as Error).message}`,
        { path: dir },
        e,
      );
    }
    // The current set, so a change between load() and watch() is not missed.
    void reload();
    return ch.watcher;
  };

  return { path: abs, load, watch } satisfies FileSource;
}
