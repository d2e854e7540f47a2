// The method table: grpc-js ServiceDefinitions (what generated code passes) resolved once into
// entries with their middleware chain, codecs and message descriptors.
import { createRegistry, type DescFile, type DescMethod } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { Handler, Middleware } from '@kratos/core';
import { applyMiddleware } from '@kratos/core/transport';
import {
  type GrpcBidiStreamHandler,
  type GrpcMethodHandler,
  type GrpcServerStreamHandler,
  methodKind,
  serviceNameOf,
} from '@kratos/grpc/services';
import { callOf, type MethodEntry } from './call.ts';
import { Code, RpcError } from './status.ts';

/** Writes every reply of `replies` to the call; stops when the call is over. */
async function pump(ctx: Parameters<Handler>[0], replies: AsyncIterable<unknown>): Promise<void> {
  const call = callOf(ctx);
  for await (const msg of replies) {
    if (!(await call.send(msg))) return;
  }
}

/** `file` and everything it imports, transitively. */
function filesOf(file: DescFile, seen = new Set<DescFile>()): DescFile[] {
  if (!seen.has(file)) {
    seen.add(file);
    for (const d of file.dependencies) filesOf(d, seen);
  }
  return [...seen];
}

function descMethodOf(file: DescFile | undefined, path: string): DescMethod | undefined {
  if (!file) return undefined;
  const service = serviceNameOf(path);
  const name = path.slice(path.lastIndexOf('/') + 1);
  return file.services.find((s) => s.typeName === service)?.methods.find((m) => m.name === name);
}

/** Builds the entries of one service. */
export function methodEntries(
  definition: ServiceDefinition,
  handlers: Record<string, GrpcMethodHandler>,
  file: DescFile | undefined,
  middleware: Middleware[],
  streamMiddleware: Middleware[],
): { service: string; entries: MethodEntry[] } {
  let service: string | undefined;
  const registry = file ? createRegistry(...filesOf(file)) : undefined;
  const jsonRead = { ignoreUnknownFields: true, registry };
  const jsonWrite = { registry };
  const entries: MethodEntry[] = [];
  for (const [key, method] of Object.entries(definition) as [string, MethodDefinition<unknown, unknown>][]) {
    const operation = method.path;
    service ??= serviceNameOf(operation);
    const kind = methodKind(method);
    let handler = handlers[key] ?? (method.originalName ? handlers[method.originalName] : undefined);
    if (handler === undefined) {
      // A bare UNIMPLEMENTED, as gRPC servers answer for methods they do not serve.
      handler = (() => {
        throw new RpcError(Code.UNIMPLEMENTED, `method ${operation} not implemented`);
      }) as GrpcMethodHandler;
    } else if (typeof handler !== 'function') {
      throw new TypeError(`rpc server: handler for ${operation} is not a function`);
    }
    const fn = handler as (...args: unknown[]) => unknown;
    let chained: Handler;
    if (kind === 'unary') chained = applyMiddleware(fn as Handler, middleware, operation);
    else {
      const inner: Handler =
        kind === 'clientStream'
          ? async (ctx, req) => fn(ctx, req)
          : async (ctx, req) => {
              await pump(
                ctx,
                (fn as GrpcServerStreamHandler<unknown> | GrpcBidiStreamHandler<unknown>)(ctx, req as never),
              );
              return undefined;
            };
      chained = applyMiddleware(inner, streamMiddleware, operation);
    }
    const desc = descMethodOf(file, operation);
    entries.push({
      operation,
      kind,
      deserialize: method.requestDeserialize as (b: Buffer) => unknown,
      serialize: method.responseSerialize as (m: unknown) => Buffer,
      input: desc?.input,
      output: desc?.output,
      jsonRead,
      jsonWrite,
      idempotent: desc?.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS,
      handler: chained,
    });
  }
  if (service === undefined)
    throw new TypeError('rpc server: registerService needs a definition with methods');
  return { service, entries };
}
