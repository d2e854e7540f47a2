// A method's kind and service from its grpc-js definition and path (no grpc-js at run time:
// @kratos/rpc uses these too).
import type { MethodDefinition } from '@grpc/grpc-js';
import type { GrpcMethodKind } from './types.ts';

/** The kind of a method from its stream flags. */
export function methodKind(
  m: Pick<MethodDefinition<unknown, unknown>, 'requestStream' | 'responseStream'>,
): GrpcMethodKind {
  if (m.requestStream) return m.responseStream ? 'bidi' : 'clientStream';
  return m.responseStream ? 'serverStream' : 'unary';
}

/** `pkg.Service` from `/pkg.Service/Method`. */
export function serviceNameOf(path: string): string {
  const slash = path.indexOf('/', 1);
  return path.slice(1, slash < 0 ? undefined : slash);
}
