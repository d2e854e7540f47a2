import { openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { currentContext, type LogLevel, type Valuer } from '@kratos/core';
import { type ChildLogger, type FlushableLogger, isValuer } from '@kratos/core/adapter';
import * as onExit from 'on-exit-leak-free';
import { type DestinationStream, type LoggerOptions, type Logger as Pino, pino } from 'pino';
import { childLine, type FastLine, fastLine, isPlainField, PLAIN_OPTIONS, writePlainLine } from './line.ts';

/** Options of {@link createPinoLogger}. */
export interface PinoLoggerOptions {
  /** A ready pino logger to log through (its level, serializers, transport are used as they are). */
  pino?: Pino;
  /** pino options for a logger made here when `pino` is not given (`level`, `transport`, `redact`, ...). */
  options?: LoggerOptions;
  /**
   * Where a logger made here writes: a stream (`pino.destination(...)`, a transport, any
   * writable), a file path or a file descriptor (written in synchronous batches of `minLength`
   * bytes, the rest on `flush()` and at exit).
   * Default pino's: synchronous stdout. Ignored with `pino` or `options.transport`.
   */
  destination?: DestinationStream | string | number;
  /**
   * For a file path or descriptor `destination`: bytes gathered before one write (sonic-boom's
   * `minLength`), each batch written synchronously by the log call that fills it. Default 4096: one
   * write per ~15 request lines instead of one each; what is buffered is written by `flush()` (the
   * App's stop) and at process exit. `0` writes every line.
   */
  minLength?: number;
  /** The Kratos key whose value becomes pino's message. Default `msg`. */
  messageKey?: string;
}

/** A core Logger over pino: children with `with`, and a `flush` the App awaits on stop. */
export interface PinoLogger extends ChildLogger, FlushableLogger {
  /** A child logger with these fields on every line (valuers are computed per line). */
  with(...keyvals: unknown[]): PinoLogger;
  /** The pino logger underneath. */
  readonly pino: Pino;
}

const UNPAIRED = 'KEYVALS UNPAIRED';

/** An Error under any key but pino's `err` would serialize as `{}`: log its message, as Go does. */
function plain(key: string, value: unknown): unknown {
  return value instanceof Error && key !== 'err' ? value.message : value;
}

/** Stores one field of a line; true when it can take the fast line (see line.ts). */
function putField(obj: Record<string, unknown>, key: string, value: unknown): boolean {
  const v = plain(key, value);
  obj[key] = v;
  return isPlainField(key, v);
}

/** The pino logger, and the destination when it was given here (pino keeps its own out of reach). */
function makePino(options: PinoLoggerOptions): { pino: Pino; stream?: DestinationStream } {
  if (options.pino) return { pino: options.pino };
  const opts = options.options ?? {};
  const dest = options.destination;
  if (dest === undefined || opts.transport !== undefined) return { pino: pino(opts) };
  const stream =
    typeof dest === 'string' || typeof dest === 'number'
      ? fileDestination(dest, options.minLength ?? 4096)
      : dest;
  return { pino: pino(opts, stream), stream };
}

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * A file path or descriptor as pino's own sonic-boom, gathering `minLength` bytes and then writing
 * them synchronously, in its buffer mode with each line handed over as a Buffer; what is gathered
 * is written at process exit (pino registers that only for asynchronous sonic-booms, so it is
 * registered here, through the same on-exit-leak-free pino uses: a weak reference, so a logger
 * that is dropped does not stay alive for its exit hook).
 *
 * Synchronous batches: with asynchronous writes a batch could still be in the thread pool when
 * `process.exit()` ran pino's exit flush, which then wrote the later lines first (the file held
 * them out of order, about one exit in twenty here) or the pending batch was lost; and a 4 KiB
 * `writeSync` costs less CPU than handing the write to the pool (~2.4 against ~2.8 µs per access
 * line, writes included). Buffer mode: in its default string mode sonic-boom measures the whole
 * pending string (up to 16 KiB) on every line while a write is in flight (~2.4 µs per line).
 */
function fileDestination(dest: string | number, minLength: number): DestinationStream {
  // Opened here, synchronously: sonic-boom would open a path in the background, and lines logged
  // before that finished were lost when the process exited (its exit flush needs an open file).
  const fd = typeof dest === 'number' ? dest : openSync(dest, 'a');
  const sonic = pino.destination({ fd, sync: true, minLength, contentMode: 'buffer' } as Parameters<
    typeof pino.destination
  >[0]);
  const lines = new BufferLines(sonic);
  onExit.register(lines, flushAtExit);
  return lines;
}

function flushAtExit(lines: BufferLines): void {
  try {
    lines.flushSync();
  } catch (err) {
    // Nothing can be retried at exit: say that the buffered lines were lost, in one line, and exit as asked.
    process.stderr.write(`log-pino: lines buffered for the log file were lost at exit: ${String(err)}\n`);
  }
}

class BufferLines implements DestinationStream {
  readonly #sonic: SonicBoom;
  constructor(sonic: SonicBoom) {
    this.#sonic = sonic;
  }
  write(line: string): void {
    (this.#sonic as unknown as { write(chunk: Buffer): boolean }).write(Buffer.from(line));
  }
  flush(cb: (err?: Error) => void): void {
    this.#sonic.flush(cb);
  }
  flushSync(): void {
    this.#sonic.flushSync();
  }
}

/** True while a Node writable still holds data it has not handed to the sink. */
function pendingWritable(stream: unknown): Writable | undefined {
  const w = stream as Partial<Writable> | undefined;
  if (
    w !== undefined &&
    typeof w.once === 'function' &&
    typeof w.writableLength === 'number' &&
    w.writableLength > 0 &&
    !w.destroyed
  ) {
    return w as Writable;
  }
  return undefined;
}

function flushPino(p: Pino, stream: DestinationStream | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      p.flush((err) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err);
    }
  }).then(() => {
    // pino only flushes streams with a `flush` (sonic-boom, transports); a plain writable given
    // as `destination` is drained by waiting for it.
    const w = pendingWritable(stream);
    if (w === undefined) return;
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        w.off('drain', done);
        w.off('close', done);
        w.off('error', fail);
        resolve();
      };
      const fail = (e: Error) => {
        w.off('drain', done);
        w.off('close', done);
        reject(e);
      };
      w.once('drain', done);
      w.once('close', done);
      w.once('error', fail);
    });
  });
}

class KratosPinoLogger implements PinoLogger {
  readonly pino: Pino;
  readonly #messageKey: string;
  /** Fields of `with(...)` whose values are valuers, computed per line (pairs key, valuer). */
  readonly #dynamic: readonly unknown[];
  /** Set for a logger made here whose lines may skip pino's object (line.ts). */
  readonly #fast: FastLine | undefined;
  /** The destination given here, drained by `flush()` when it is a plain writable. */
  readonly #stream: DestinationStream | undefined;

  constructor(
    p: Pino,
    messageKey: string,
    dynamic: readonly unknown[],
    fast: FastLine | undefined,
    stream: DestinationStream | undefined,
  ) {
    this.pino = p;
    this.#messageKey = messageKey;
    this.#dynamic = dynamic;
    this.#fast = fast;
    this.#stream = stream;
  }

  log(level: LogLevel, ...keyvals: unknown[]): void {
    const p = this.pino;
    if (!p.isLevelEnabled(level)) return;
    let msg: string | undefined;
    const obj: Record<string, unknown> = {};
    const fast = this.#fast;
    let plainLine = fast !== undefined;
    const dynamic = this.#dynamic;
    const messageKey = this.#messageKey;
    let ctx: ReturnType<typeof currentContext> | null = null;
    for (let i = 0; i < dynamic.length; i += 2) {
      ctx ??= currentContext();
      const key = String(dynamic[i]);
      const value = (dynamic[i + 1] as Valuer)(ctx);
      if (key === messageKey) msg = String(value);
      else plainLine = putField(obj, key, value) && plainLine;
    }
    for (let i = 0; i < keyvals.length; i += 2) {
      const key = String(keyvals[i]);
      let value = i + 1 < keyvals.length ? keyvals[i + 1] : UNPAIRED;
      if (isValuer(value)) {
        if (ctx === null) ctx = currentContext();
        value = value(ctx);
      }
      if (key === messageKey) msg = value === undefined ? '' : String(value);
      else plainLine = putField(obj, key, value) && plainLine;
    }
    if (plainLine && fast !== undefined) {
      writePlainLine(fast, p.levels.values[level]!, obj, msg);
      return;
    }
    if (msg === undefined) p[level](obj);
    else p[level](obj, msg);
  }

  /** pino's `isLevelEnabled`: callers skip building lines pino would drop. */
  enabled(level: LogLevel): boolean {
    return this.pino.isLevelEnabled(level);
  }

  with(...keyvals: unknown[]): PinoLogger {
    if (keyvals.length === 0) return this;
    const bindings: Record<string, unknown> = {};
    const dynamic = [...this.#dynamic];
    let hasBindings = false;
    for (let i = 0; i < keyvals.length; i += 2) {
      const key = String(keyvals[i]);
      const value = i + 1 < keyvals.length ? keyvals[i + 1] : UNPAIRED;
      if (isValuer(value)) dynamic.push(key, value);
      else {
        bindings[key] = plain(key, value);
        hasBindings = true;
      }
    }
    const fast = this.#fast;
    return new KratosPinoLogger(
      hasBindings ? this.pino.child(bindings) : this.pino,
      this.#messageKey,
      dynamic,
      hasBindings && fast !== undefined ? childLine(fast, bindings) : fast,
      this.#stream,
    );
  }

  flush(): Promise<void> {
    return flushPino(this.pino, this.#stream);
  }
}

/**
 * A core `Logger` over pino. Key/values become fields of the JSON line (`msg` becomes pino's
 * message), values made with core's `valuer` (timestamps, trace ids) are computed per line,
 * `with` makes a pino child, and `flush` resolves once buffered lines are written, so an App that
 * flushes on stop (core's `createApp` does) never loses its last lines.
 */
export function createPinoLogger(options: PinoLoggerOptions = {}): PinoLogger {
  const made = makePino(options);
  const opts = options.options ?? {};
  const fast =
    options.pino === undefined && Object.keys(opts).every((k) => PLAIN_OPTIONS.has(k))
      ? fastLine(opts, made.stream)
      : undefined;
  return new KratosPinoLogger(made.pino, options.messageKey ?? 'msg', [], fast, made.stream);
}
