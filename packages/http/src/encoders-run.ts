import type { JsonValue } from '@bufbuild/protobuf';
import { KratosError } from '@kratos/core';
import type { CodecRegistry } from '@kratos/core/transport';
import type { FastifyRequest } from 'fastify';
import { codecError } from './binding.ts';
import type { RequestDecodeArgs, RequestDecoder } from './encoders.ts';
import type { CompiledRoute } from './route.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as JSON for a request decoder (`{}` when empty), 400 `CODEC` when it is not. */
function bodyJson(body: Uint8Array): JsonValue {
  if (body.length === 0) return {};
  try {
    return JSON.parse(utf8.decode(body)) as JsonValue;
  } catch (err) {
    throw codecError(`unmarshal body err: ${(err as Error).message}`, err);
  }
}

/** What a request decoder is given, for one request. Its non-Kratos errors become 400 `CODEC`. */
export function requestDecoderArgs(
  route: CompiledRoute,
  request: FastifyRequest,
  registry: CodecRegistry,
  contentType: string | undefined,
  body: Uint8Array,
): RequestDecodeArgs {
  return {
    request,
    route: route.desc,
    contentType,
    body,
    json: () => bodyJson(body),
    fromJson: (json) => route.bodyFromJson(json),
    decode: (bytes = body) => route.decodeBody(registry, contentType, bytes),
  };
}

/** Runs a request decoder; what it throws that is not a KratosError becomes a 400 `CODEC`. */
export function runRequestDecoder(
  decoder: RequestDecoder,
  route: CompiledRoute,
  request: FastifyRequest,
  registry: CodecRegistry,
  contentType: string | undefined,
  body: Uint8Array,
): unknown {
  try {
    return decoder(requestDecoderArgs(route, request, registry, contentType, body));
  } catch (err) {
    if (KratosError.is(err)) throw err;
    throw codecError(`decode request: ${(err as Error)?.message ?? String(err)}`, err);
  }
}
