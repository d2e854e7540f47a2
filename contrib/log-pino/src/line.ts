import { type Logger as Pino, pino } from 'pino';

// The fast path of a line: `JSON.stringify` of the line's fields in one call, framed as pino frames
// them (`{"level":..,"time":..,<bindings>,<fields>,"msg":..}\n`), instead of pino encoding field by
// field. Byte for byte what pino writes for the same fields (tested against pino itself), and only
// taken where that holds: a logger made here with options that cannot change a line
// (PLAIN_OPTIONS below), fields that are all strings, numbers, booleans, null or undefined, no
// `socket` field (pino takes method + headers + socket for a request to map), and a destination
// that does not read per-line metadata (pino.multistream). Anything else goes through pino.

/** pino options that leave the shape of a line alone: a logger made with only these may take the fast path. */
export const PLAIN_OPTIONS: ReadonlySet<string> = new Set(['level', 'name', 'base', 'enabled', 'transport']);

const { chindingsSym, streamSym } = pino.symbols as unknown as { chindingsSym: symbol; streamSym: symbol };
/** Set on destinations (pino.multistream) that read per-line metadata from the logger. */
const needsMetadata = Symbol.for('pino.metadata');

/** True for a field pino would write exactly as `JSON.stringify` does. */
export function isPlainField(key: string, value: unknown): boolean {
  const t = typeof value;
  return (
    (t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined' || value === null) &&
    key !== 'socket'
  );
}

type Stream = { write(line: string): unknown } & Record<symbol, unknown>;

/**
 * Writes one line of plain fields (see {@link isPlainField}); `msg` is the message or undefined.
 * False when the destination needs pino's own path (nothing written).
 */
export function writePlainLine(
  p: Pino,
  levelNumber: number,
  fields: Record<string, unknown>,
  msg: string | undefined,
): boolean {
  const own = p as unknown as Record<symbol, unknown>;
  const stream = own[streamSym] as Stream | undefined;
  if (stream === undefined || stream[needsMetadata] === true) return false;
  const json = JSON.stringify(fields);
  const props = json.length > 2 ? `,${json.slice(1, -1)}` : '';
  const message = msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`;
  stream.write(
    `{"level":${levelNumber},"time":${Date.now()}${own[chindingsSym] as string}${props}${message}}\n`,
  );
  return true;
}
