import type { ServerResponse } from 'node:http';
import { createContextKey, type KratosError } from '@kratos/core';
import type { FastifyReply } from 'fastify';
import { NDJSON_TYPES, SSE_TYPE, type StreamFormat } from './negotiate.ts';

/**
 * Writes one streamed reply: the status line and headers go out with the first message (so an
 * error raised before it is an ordinary Kratos error reply with its HTTP status), then one frame
 * per message, then (on failure) a final frame carrying the Kratos error.
 *
 * Frames, by format:
 * - `sse`: `data: <message JSON>` per message; `event: error` + `data: <Kratos error body>` on
 *   failure; `event: end` + `data: {}` on success (so an EventSource can close instead of
 *   reconnecting).
 * - `ndjson`: `{"result": <message JSON>}` per line; `{"error": <Kratos error body>}` as the last
 *   line on failure (the shape grpc-gateway streams in).
 */
export class StreamWriter {
  readonly format: StreamFormat;
  readonly #reply: FastifyReply;
  readonly #head: () => Record<string, string | string[]>;
  /** A HEAD request: the status line and headers only, no frames (the handler is not run). */
  readonly headOnly: boolean;
  readonly #encode: (message: unknown) => string;
  #res: ServerResponse | undefined;

  /**
   * `head` gives the headers to add when the stream starts (the call's reply metadata);
   * `encode` turns one message (or init object) into its JSON text.
   */
  constructor(
    format: StreamFormat,
    reply: FastifyReply,
    head: () => Record<string, string | string[]>,
    encode: (message: unknown) => string,
    headOnly = false,
  ) {
    this.format = format;
    this.#reply = reply;
    this.#head = head;
    this.#encode = encode;
    this.headOnly = headOnly;
  }

  /** True once the head is written: errors from now on travel in the stream. */
  get started(): boolean {
    return this.#res !== undefined;
  }

  /**
   * Writes one message; returns a promise when the socket's buffer is full, settled when it
   * drains or closes (backpressure), else undefined. Throws what encoding the message throws.
   */
  write(message: unknown): Promise<void> | undefined {
    const json = this.#encode(message);
    const res = this.#start();
    const frame = this.format === 'sse' ? `data: ${json}\n\n` : `{"result":${json}}\n`;
    if (res.destroyed || res.write(frame)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  /**
   * Ends the stream: with a final error frame when `err` is given. `closeConnection` (the server
   * is stopping) closes the connection once the reply is written, which the head, sent before
   * the stop, could not announce with `Connection: close`.
   */
  end(err?: KratosError, closeConnection = false): void {
    const res = this.#start();
    if (res.destroyed) return;
    const socket = res.socket;
    const done = closeConnection && socket !== null ? () => socket.end(() => socket.destroy()) : undefined;
    if (this.headOnly) {
      res.end(done);
      return;
    }
    const body = err === undefined ? undefined : JSON.stringify(err.toJSON());
    const last =
      this.format === 'sse'
        ? body === undefined
          ? 'event: end\ndata: {}\n\n'
          : `event: error\ndata: ${body}\n\n`
        : body === undefined
          ? ''
          : `{"error":${body}}\n`;
    res.end(last, done);
  }

  #start(): ServerResponse {
    if (this.#res !== undefined) return this.#res;
    const reply = this.#reply;
    // From here on fastify no longer writes this reply; headers set so far (filters, CORS) go along.
    reply.hijack();
    const res = reply.raw;
    this.#res = res;
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string | string[]>),
        ...this.#head(),
        'content-type': this.format === 'sse' ? SSE_TYPE : NDJSON_TYPES[0]!,
        'cache-control': 'no-cache',
        // reverse proxies (nginx) would otherwise buffer the stream
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
    }
    return res;
  }
}

/** Where a stream route's handler finds the writer of its request. */
export const STREAM_WRITER = createContextKey<StreamWriter>('kratos.http.streamWriter');
