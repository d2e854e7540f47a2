import { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { Metadata, type MetadataInit } from '@kratos/core';
import { isMetadataKey } from '@kratos/core/transport';

/**
 * Splits incoming gRPC metadata into the request header (every key) and the Kratos metadata
 * (`x-md-*` keys). Binary (`-bin`) values are kept as base64, since core Metadata holds strings.
 */
export function fromGrpcMetadata(md: GrpcMetadata): { header: Metadata; kratos: Metadata } {
  const header = new Metadata();
  const kratos = new Metadata();
  // grpc-js keeps a Map of lower-cased keys; reading it directly saves the copy toJSON() makes.
  const repr = (md as unknown as { internalRepr?: unknown }).internalRepr;
  const entries: Iterable<[string, Array<string | Buffer>]> =
    repr instanceof Map ? (repr as Map<string, Array<string | Buffer>>) : Object.entries(md.toJSON());
  for (const [key, values] of entries) {
    const propagated = isMetadataKey(key);
    for (const v of values) {
      const s = typeof v === 'string' ? v : v.toString('base64');
      header.add(key, s);
      if (propagated) kratos.add(key, s);
    }
  }
  return { header, kratos };
}

/** Copies core Metadata into gRPC metadata; `-bin` keys are base64-decoded to bytes. */
export function toGrpcMetadata(md: Metadata, into: GrpcMetadata = new GrpcMetadata()): GrpcMetadata {
  for (const [key, values] of md) {
    const bin = key.endsWith('-bin');
    for (const v of values) {
      if (bin) into.add(key, Buffer.from(v, 'base64'));
      else into.add(key, v);
    }
  }
  return into;
}

/** gRPC metadata from a {@link MetadataInit}. */
export function grpcMetadataFrom(init: MetadataInit | undefined): GrpcMetadata {
  if (init === undefined) return new GrpcMetadata();
  return toGrpcMetadata(init instanceof Metadata ? init : new Metadata(init));
}
