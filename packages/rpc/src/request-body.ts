// Reading request bodies: the frames of enveloped protocols (through base64 for gRPC-Web text),
// or the whole body of a Connect unary call, with the size limit applied as bytes arrive.
import type { Readable } from 'node:stream';
import { EnvelopeReader, type FrameTarget, MessageTooLarge } from './envelope.ts';

/** Decodes base64 that may arrive split anywhere and as several padded segments. */
export class Base64Decoder {
  #rest = '';
  push(chunk: Buffer): Buffer {
    let text = this.#rest + chunk.toString('latin1').replace(/\s+/g, '');
    // Each padded segment ends a group of four: decode up to and including every '='-run.
    let out: Buffer[] | undefined;
    for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=')) {
      let end = eq;
      while (text.charCodeAt(end) === 61 /* = */) end++;
      const part = Buffer.from(text.slice(0, end), 'base64');
      if (out) out.push(part);
      else out = [part];
      text = text.slice(end);
    }
    const whole = text.length - (text.length % 4);
    this.#rest = text.slice(whole);
    const tail = Buffer.from(text.slice(0, whole), 'base64');
    if (!out) return tail;
    out.push(tail);
    return Buffer.concat(out);
  }
  /** True when bytes of an unfinished group remain. */
  get pending(): boolean {
    return this.#rest.length > 0;
  }
}

/** Callbacks of {@link readFrames} (one object per call, so reading a body makes no closures). */
export interface FrameSink extends FrameTarget {
  /** The body ended; `truncated` when a partial frame was left. */
  end(truncated: boolean): void;
  /** A frame over the limit, or a decoding failure. */
  fail(error: unknown): void;
  /** The peer went away before the body ended. */
  gone(): void;
}

/**
 * Reads envelopes from `body` into `sink` (back-pressure is the sink's: it may pause `body`).
 * After a failure the rest of the body is drained and ignored. 'end' and 'close' come once per
 * body, so their listeners are added with `on` (`once` wraps each in a closure).
 *
 * The listeners let go of the sink and the reader once the body is done: node:http2 streams are
 * only collected by a full GC (the young-generation collector keeps them), so everything their
 * listeners reach would be promoted with them (the call, its context, its reply).
 */
export function readFrames(body: Readable, limit: number, text: boolean, sink: FrameSink): void {
  let target: FrameSink | undefined = sink;
  let reader: EnvelopeReader | undefined = new EnvelopeReader(limit);
  let b64 = text ? new Base64Decoder() : undefined;
  body.on('data', (chunk: Buffer) => {
    const t = target;
    if (t === undefined || reader === undefined) return;
    try {
      reader.push(b64 ? b64.push(chunk) : chunk, t);
    } catch (e) {
      target = reader = b64 = undefined;
      t.fail(e);
    }
  });
  body.on('end', () => {
    const t = target;
    if (t === undefined || reader === undefined) return;
    const truncated = reader.pending > 0 || (b64?.pending ?? false);
    target = reader = b64 = undefined;
    t.end(truncated);
  });
  body.on('close', () => {
    const t = target;
    if (t === undefined) return;
    target = reader = b64 = undefined;
    t.gone();
  });
}

/** Reads a whole body (Connect unary) up to `limit` bytes (letting go of `done` once called). */
export function readWhole(
  body: Readable,
  limit: number,
  done: (error: unknown, data: Buffer | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let pending: typeof done | undefined = done;
  const settle = (error: unknown, data: Buffer | undefined) => {
    const d = pending;
    if (d === undefined) return;
    pending = undefined;
    chunks.length = 0;
    d(error, data);
  };
  body.on('data', (chunk: Buffer) => {
    if (pending === undefined) return;
    length += chunk.length;
    if (length > limit) {
      settle(new MessageTooLarge(length, limit), undefined);
      return;
    }
    chunks.push(chunk);
  });
  body.on('end', () => {
    if (pending === undefined) return;
    settle(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
  });
  body.on('close', () => {
    // 'close' follows every body's 'end' too: the error (a stack trace) only when it is one.
    if (pending !== undefined) settle(new DOMException('The peer went away.', 'AbortError'), undefined);
  });
}

/** The request messages of a client/bidi stream, as an AsyncIterable with back-pressure on the body. */
export class RequestStream<T> implements AsyncIterable<T>, AsyncIterator<T> {
  readonly #body: Readable;
  #queue: T[] = [];
  #done = false;
  #error: unknown;
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;

  constructor(body: Readable) {
    this.#body = body;
  }

  push(message: T): void {
    if (this.#done) return;
    const w = this.#waiting;
    if (w) {
      this.#waiting = undefined;
      w.resolve({ done: false, value: message });
      return;
    }
    this.#queue.push(message);
    if (this.#queue.length >= 16) this.#body.pause();
  }

  end(): void {
    this.#settle(undefined);
  }

  fail(error: unknown): void {
    this.#settle(error ?? new Error('request stream failed'));
  }

  #settle(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    const w = this.#waiting;
    if (!w) return;
    this.#waiting = undefined;
    if (error === undefined) w.resolve({ done: true, value: undefined });
    else w.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#queue.length > 0) {
      const value = this.#queue.shift() as T;
      if (this.#queue.length < 4 && this.#body.isPaused()) this.#body.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.#done) {
      return this.#error === undefined
        ? Promise.resolve({ done: true, value: undefined })
        : Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** The handler stopped reading: the rest of the body is drained and dropped. */
  return(): Promise<IteratorResult<T>> {
    this.#queue.length = 0;
    this.#done = true;
    this.#body.resume();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }
}
