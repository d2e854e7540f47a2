/** How a streamed reply is framed on the wire. */
export type StreamFormat = 'sse' | 'ndjson';

/** Media types of each format (the first is what the server answers with). */
export const SSE_TYPE = 'text/event-stream';
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

/** The format a media range asks for and how specific it is (2 exact, 1 `type/*`, 0 `*\/*`). */
function formatOf(type: string): [StreamFormat, number] | undefined {
  if (type === SSE_TYPE) return ['sse', 2];
  if (NDJSON_TYPES.includes(type) || type === 'application/json') return ['ndjson', 2];
  if (type === 'text/*') return ['sse', 1];
  if (type === 'application/*') return ['ndjson', 1];
  if (type === '*/*') return ['ndjson', 0];
  return undefined;
}

/**
 * Picks the framing of a streamed reply from an Accept header: Server-Sent Events for
 * `text/event-stream`, newline-delimited JSON for `application/x-ndjson` (also `application/json`,
 * `*\/*` or no Accept at all). The highest q-value wins, then the most specific range, then the
 * first listed; undefined when the header names neither (the server answers 406).
 */
export function negotiateStream(accept: string | undefined): StreamFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'ndjson';
  let best: StreamFormat | undefined;
  let bestQ = 0;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.split(';');
    const match = formatOf(rawType!.trim().toLowerCase());
    if (match === undefined) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q') q = Number(v?.trim());
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    if (q > bestQ || (q === bestQ && match[1] > bestSpecificity)) {
      [best, bestSpecificity] = match;
      bestQ = q;
    }
  }
  return best;
}
