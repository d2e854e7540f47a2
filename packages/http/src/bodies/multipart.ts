// multipart/form-data uploads, streamed: @fastify/multipart (busboy) parses the body as it
// arrives; a handler reads the parts one at a time (`formParts`) or has the files written to disk
// (`saveFormFiles`). Nothing is buffered whole. Limits come from the server's `multipart` option.
import { PassThrough, type Readable } from 'node:stream';
import type { Context } from '@kratos/core';
import { KratosError } from '@kratos/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { codecError } from '../binding.ts';
import { statusError } from '../errors.ts';
import { httpRequestOf } from '../native.ts';

/** The `multipart` option of `createHttpServer`: limits of one multipart/form-data request. */
export interface MultipartOptions {
  /** Largest file, bytes (413 past it). Default the server's `bodyLimit` (4 MiB). */
  fileSize?: number;
  /** Most files per request. Default 10. */
  files?: number;
  /** Most non-file fields per request. Default 100. */
  fields?: number;
  /** Largest non-file field value, bytes. Default 1 MiB. */
  fieldSize?: number;
  /** Most parts (files + fields) per request. Default 1000. */
  parts?: number;
  /** Most header pairs per part. Default 2000. */
  headerPairs?: number;
}

/** One part of a multipart request: a field (its value) or a file (its stream). */
export type FormPart = FormField | FormFile;

export interface FormField {
  kind: 'field';
  /** The form field's name. */
  name: string;
  value: string;
  contentType: string;
}

export interface FormFile {
  kind: 'file';
  name: string;
  filename: string;
  contentType: string;
  /**
   * The file's bytes as they arrive. Read it to the end before asking for the next part. A file
   * over `fileSize` fails the stream with a 413 KratosError.
   */
  stream: Readable;
}

/** A file {@link saveFormFiles} wrote. */
export interface SavedFile {
  name: string;
  filename: string;
  contentType: string;
  /** Where it is on disk; removed once the reply is sent. */
  path: string;
}

interface MultipartPart {
  type: 'file' | 'field';
  fieldname: string;
  filename?: string;
  mimetype: string;
  value?: unknown;
  file?: Readable & { truncated?: boolean };
}

interface MultipartRequest {
  isMultipart?: () => boolean;
  parts?: (options?: object) => AsyncIterableIterator<MultipartPart>;
  saveRequestFiles?: (options?: object) => Promise<{
    files: Array<MultipartPart & { filepath: string }>;
    values: Record<string, unknown>;
  }>;
}

/** Registers @fastify/multipart (loaded now, only for servers that take uploads) with our limits. */
export function registerMultipart(
  fastify: FastifyInstance,
  options: MultipartOptions,
  bodyLimit: number,
): void {
  const limits = {
    fileSize: options.fileSize ?? bodyLimit,
    files: options.files ?? 10,
    fields: options.fields ?? 100,
    fieldSize: options.fieldSize ?? 1024 * 1024,
    parts: options.parts ?? 1000,
    headerPairs: options.headerPairs ?? 2000,
  };
  fastify.register(import('@fastify/multipart'), { limits, throwFileSizeLimit: true });
}

/** The fastify request of a server call, checked to be multipart. */
function multipartRequest(ctx: Context): FastifyRequest & MultipartRequest {
  const request = httpRequestOf(ctx) as (FastifyRequest & MultipartRequest) | undefined;
  if (request === undefined || typeof request.parts !== 'function') {
    throw new KratosError(
      500,
      'MULTIPART_DISABLED',
      'multipart uploads are not enabled on this server (createHttpServer({ multipart }))',
    );
  }
  if (!request.isMultipart!()) throw statusError(415, 'want a multipart/form-data body');
  return request;
}

/** A multipart failure as a Kratos error: limits 413, anything malformed 400 `CODEC`. */
export function multipartError(err: unknown): KratosError {
  if (KratosError.is(err)) return err;
  const e = err as { statusCode?: unknown; message?: unknown } | null;
  const message = String(e?.message ?? err);
  if (e?.statusCode === 413) return statusError(413, message);
  return codecError(`multipart: ${message}`, err);
}

/**
 * A file's stream as the handler reads it: fails with a 413 KratosError past the size limit and
 * with a 400 `CODEC` one when the body is malformed (busboy's own errors are plain Errors).
 */
function guard(file: Readable, filename: string): Readable {
  const out = new PassThrough();
  file.once('limit', () => {
    out.destroy(statusError(413, `file ${filename} is over the size limit`));
    file.destroy();
  });
  file.on('error', (err) => out.destroy(multipartError(err)));
  // a handler that stops reading early lets the parser move on (or end)
  out.once('close', () => {
    if (!file.readableEnded) file.destroy();
  });
  file.pipe(out);
  return out;
}

/**
 * The parts of a multipart/form-data request, in order, as they arrive (the server needs the
 * `multipart` option). Read each file's stream to the end (or `resume()` it) before the next part.
 * Throws 415 when the request is not multipart, 413 past a limit, 400 `CODEC` for a malformed body.
 */
export async function* formParts(ctx: Context): AsyncGenerator<FormPart, void, undefined> {
  const request = multipartRequest(ctx);
  const iterator = request.parts!();
  for (;;) {
    let next: IteratorResult<MultipartPart>;
    try {
      next = await iterator.next();
    } catch (err) {
      throw multipartError(err);
    }
    if (next.done) return;
    const p = next.value;
    if (p.type === 'file') {
      const filename = p.filename ?? '';
      yield {
        kind: 'file',
        name: p.fieldname,
        filename,
        contentType: p.mimetype,
        stream: guard(p.file!, filename),
      };
    } else {
      yield {
        kind: 'field',
        name: p.fieldname,
        value: typeof p.value === 'string' ? p.value : JSON.stringify(p.value),
        contentType: p.mimetype,
      };
    }
  }
}

/**
 * Streams every file of a multipart request to disk (in `dir`, default the OS temp dir) and
 * returns them with the form's fields. The files are removed once the reply is sent; move them
 * to keep them. Errors as {@link formParts}; on an error the files written so far are removed.
 */
export async function saveFormFiles(
  ctx: Context,
  options: { dir?: string } = {},
): Promise<{ files: SavedFile[]; fields: Record<string, string> }> {
  const request = multipartRequest(ctx);
  let saved: Awaited<ReturnType<NonNullable<MultipartRequest['saveRequestFiles']>>>;
  try {
    saved = await request.saveRequestFiles!(options.dir === undefined ? {} : { tmpdir: options.dir });
  } catch (err) {
    throw multipartError(err);
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(saved.values)) {
    const one = (Array.isArray(v) ? v[0] : v) as MultipartPart | undefined;
    if (one?.type === 'field') fields[k] = String(one.value);
  }
  return {
    files: saved.files.map((f) => ({
      name: f.fieldname,
      filename: f.filename ?? '',
      contentType: f.mimetype,
      path: f.filepath,
    })),
    fields,
  };
}
