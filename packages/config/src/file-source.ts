import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLogger, type KeyValue, type Logger, type Source, type Watcher } from '@kratos/core';
import { createCoalescedTask, createWatchChannel, formatFromKey } from '@kratos/core/adapter';
import { decodeKeyValue, decoderTable } from './decoders.ts';
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
  /**
   * The quiet period, in milliseconds: files are read this long after the last file event, and a
   * change is published when a second read, this long later with no file event between, agrees
   * (so a change takes about twice this to arrive). Default `100`.
   */
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function sameSet(a: readonly KeyValue[] | undefined, b: readonly KeyValue[]): boolean {
  return (
    a !== undefined &&
    a.length === b.length &&
    a.every((kv, i) => {
      const o = b[i] as KeyValue;
      return kv.key === o.key && sameBytes(kv.value, o.value);
    })
  );
}

/** One read of the watched files while watching, and whether it may be published. */
interface Read {
  /** The set read; absent when it could not be read. */
  kvs?: KeyValue[];
  /** Why the set must not be published (absent: it may be). */
  problem?: string;
  /** The file the problem is in. */
  path?: string;
  /** The warning logged when the problem stays. */
  message?: string;
}

function sameRead(a: Read, b: Read): boolean {
  if (a.problem !== b.problem) return false;
  if (a.kvs === undefined || b.kvs === undefined) return a.kvs === b.kvs;
  return sameSet(a.kvs, b.kvs);
}

const builtins = decoderTable();

/**
 * Reads the set and checks each file that changed since `last`: one that was not empty and now
 * is (a writer that truncated and has not written yet), or a yaml/json/toml file that does not
 * parse (a writer half-way), makes the set unpublishable. Formats without a built-in decoder are
 * covered by the quiet-period check alone.
 */
async function readSet(
  load: () => Promise<KeyValue[]>,
  last: readonly KeyValue[] | undefined,
): Promise<Read> {
  let kvs: KeyValue[];
  try {
    kvs = await load();
  } catch (e) {
    return {
      problem: (e as Error).message,
      message: 'config: file reload failed, keeping the last good config',
    };
  }
  for (const kv of kvs) {
    const before = last?.find((o) => o.key === kv.key);
    if (before && sameBytes(before.value, kv.value)) continue;
    if (kv.value.length === 0) {
      if (before === undefined || before.value.length === 0) continue;
      return {
        kvs,
        path: kv.key,
        problem: `config: ${kv.key} is empty`,
        message:
          'config: a config file became empty (a writer half-way?), keeping the last good config; delete the file to drop its keys',
      };
    }
    if (!builtins.has(kv.format.toLowerCase())) continue;
    try {
      decodeKeyValue(kv, builtins);
    } catch (e) {
      return {
        kvs,
        path: kv.key,
        problem: (e as Error).message,
        message: 'config: a config file does not parse (a writer half-way?), keeping the last good config',
      };
    }
  }
  return { kvs };
}

/**
 * Makes a file source (Go Kratos' `file.NewSource`): a file (format from its extension) or a
 * directory (each file with a known extension, hidden files skipped, sorted by name; not
 * recursive). KeyValue keys are absolute paths, so decode errors name the file. Watching uses
 * `fs.watch` on the folder, so editors that save by rename and Kubernetes ConfigMap symlink swaps
 * are both seen; a set is pushed only when some file's content really changed.
 *
 * A file being written in pieces is never published half-way: a set is published only when two
 * reads a quiet period apart agree, and never while a file that had content is empty or a
 * yaml/json/toml file does not parse (the last good set stays; a file that stays so is logged
 * once). Only a writer that stops longer than the quiet period at a point where the file parses
 * can be seen half-way; write such files to a temporary name and rename them.
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

  const watch = async (): Promise<Watcher<KeyValue[]>> => {
    let fsw: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    /** The set last published. */
    let last: KeyValue[] | undefined;
    /** File events seen so far: a read is only trusted if none arrived while it ran. */
    let events = 0;
    /** The previous read, waiting for a second one `debounce` ms later to agree. */
    let candidate: { read: Read; events: number } | undefined;
    /** The problem last logged, so a file that stays broken is reported once. */
    let reported: string | undefined;
    const ch = createWatchChannel<KeyValue[]>(() => {
      if (timer) clearTimeout(timer);
      fsw?.close();
    });

    const schedule = () => {
      if (ch.closed) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void check.run();
      }, debounce);
      timer.unref();
    };

    // One read at a time; a timer firing during a read asks for one more after it.
    const check = createCoalescedTask(
      async () => {
        if (ch.closed) return;
        const seen = events;
        const read = await readSet(load, last);
        // A file event during the read: what was read may be mid-write; that event's own
        // timer reads again once the files are quiet.
        if (ch.closed || events !== seen) return;
        if (read.kvs && read.problem === undefined && sameSet(last, read.kvs)) {
          candidate = undefined;
          reported = undefined;
          return;
        }
        // Trust a read only when a second one, `debounce` ms later with no file event
        // between, agrees: a writer that stops between two pieces for less than that is
        // never seen half-way.
        const confirmed =
          candidate !== undefined && candidate.events === seen && sameRead(candidate.read, read);
        if (!confirmed) {
          candidate = { read, events: seen };
          schedule();
          return;
        }
        candidate = undefined;
        if (read.kvs && read.problem === undefined) {
          reported = undefined;
          last = read.kvs;
          ch.push(read.kvs);
          return;
        }
        const problem = read.problem as string;
        if (problem === reported) return;
        reported = problem;
        logger.log('warn', 'msg', read.message, 'path', read.path ?? abs, 'error', problem);
      },
      { stopped: () => ch.closed },
    );

    if (options.watch === false) return ch.watcher;
    let dir = abs;
    try {
      if (!(await stat(abs)).isDirectory()) dir = dirname(abs);
    } catch {
      dir = dirname(abs);
    }
    try {
      fsw = fsWatch(dir, { persistent: false }, () => {
        events++;
        candidate = undefined;
        schedule();
      });
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
    void check.run();
    return ch.watcher;
  };

  return { path: abs, load, watch } satisfies FileSource;
}
