// Message compression: gzip and identity, as every gRPC and Connect implementation offers.
import { gunzipSync, gzipSync } from 'node:zlib';
import { MessageTooLarge } from './envelope.ts';

export type Encoding = 'identity' | 'gzip';

/** The encodings this server accepts, as sent in `grpc-accept-encoding` and friends. */
export const ACCEPTED_ENCODINGS = 'gzip';

/** The encoding named by a request header; undefined for one this server does not support. */
export function encodingOf(value: string | undefined | null): Encoding | undefined {
  if (value === undefined || value === null || value === '' || value === 'identity') return 'identity';
  if (value === 'gzip') return 'gzip';
  return undefined;
}

/** True when an accept-encoding style header lists gzip. */
export function acceptsGzip(value: string | undefined): boolean {
  return value?.includes('gzip') === true;
}

export function compress(data: Uint8Array): Buffer {
  return gzipSync(data);
}

/** Gunzips, refusing output larger than `limit` bytes. */
export function decompress(data: Uint8Array, limit: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, Math.min(limit + 1, 2 ** 32)) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new MessageTooLarge(limit + 1, limit);
    throw e;
  }
}
