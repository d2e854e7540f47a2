import type { LoggerOptions, Logger as Pino } from 'pino';
import { pino } from 'pino';

// The fast path of a line: `JSON.stringify` of the line's fields in one call, framed as pino frames
// them (`{"level":..,"time":..,<base and bindings>,<fields>,"msg":..}\n`), instead of pino encoding
// field by field. Public API only: it is taken for a destination this package was given (so it
// holds the stream), and what pino writes between `time` and a line's own fields (base, name,
// child bindings) is learnt by logging one probe line through a pino logger made with the same
// options and bindings into a capturing stream. The probe also checks the framing; if pino ever
// frames a line otherwise, the fast path is off and pino writes every line. Taken only where the
// bytes are pino's own (tested against pino itself): a logger made here with options that cannot
// change a line (PLAIN_OPTIONS), fields that are all strings, numbers, booleans, null or
// undefined, no `socket` field (pino takes method + headers + socket for a request to map), and
// a destination that does not read per-line metadata (pino.multistream).

/** pino options that leave the shape of a line alone: a logger made with only these may take the fast path. */
export const PLAIN_OPTIONS: ReadonlySet<string> = new Set(['level', 'name', 'base', 'enabled']);

/** Set on destinations (pino.multistream) that read per-line metadata from the logger (pino's API: "Metadata"). */
const needsMetadata = Symbol.for('pino.metadata');

/** True for a field pino would write exactly as `JSON.stringify` does. */
export function isPlainField(key: string, value: unknown): boolean {
  const t = typeof value;
  return (
    (t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined' || value === null) &&
    key !== 'socket'
  );
}

interface LineStream {
  write(line: string): unknown;
}

/** Keeps the last line a probe logger wrote. */
class Capture implements LineStream {
  line = '';
  write(line: string): void {
    this.line = line;
  }
}

/** What the fast path of one logger (root or child) needs. */
export interface FastLine {
  /** The destination pino writes to as well. */
  readonly stream: LineStream;
  /** What pino writes between `time` and a line's own fields: base, name, child bindings. */
  readonly prefix: string;
  readonly probe: Pino;
  readonly capture: Capture;
}

/** The fast path of a root logger made with `options` writing to `stream`; undefined where it cannot be taken. */
export function fastLine(options: LoggerOptions, stream: unknown): FastLine | undefined {
  const s = stream as (Partial<LineStream> & Record<symbol, unknown>) | undefined;
  if (s === undefined || typeof s.write !== 'function' || s[needsMetadata] === true) return undefined;
  const capture = new Capture();
  const probe = pino({ ...options, level: 'info', enabled: true }, capture);
  return framed(s as LineStream, probe, capture);
}

/** The fast path of a child with these bindings. */
export function childLine(parent: FastLine, bindings: Record<string, unknown>): FastLine | undefined {
  return framed(parent.stream, parent.probe.child(bindings), parent.capture);
}

const FRAME = /^\{"level":30,"time":(\d+)(.*)\}\n$/s;

function framed(stream: LineStream, probe: Pino, capture: Capture): FastLine | undefined {
  probe.info({});
  const empty = FRAME.exec(capture.line);
  if (empty === null) return undefined;
  const prefix = empty[2] as string;
  // The framing holds for a line with a field and a message too.
  probe.info({ k: 1 }, 'm');
  const time = FRAME.exec(capture.line)?.[1];
  if (capture.line !== `{"level":30,"time":${time}${prefix},"k":1,"msg":"m"}\n`) return undefined;
  return { stream, prefix, probe, capture };
}

/** Writes one line of plain fields (see {@link isPlainField}); `msg` is the message or undefined. */
export function writePlainLine(
  fast: FastLine,
  levelNumber: number,
  fields: Record<string, unknown>,
  msg: string | undefined,
): void {
  const json = JSON.stringify(fields);
  const props = json.length > 2 ? `,${json.slice(1, -1)}` : '';
  const message = msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`;
  fast.stream.write(`{"level":${levelNumber},"time":${Date.now()}${fast.prefix}${props}${message}}\n`);
}
