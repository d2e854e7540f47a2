// JSON Schemas of protobuf's scalar and well-known types, as their protobuf JSON mapping writes them.
import type { DescMessage } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';

/** A JSON Schema object. */
export type Schema = Record<string, unknown>;

/** The schema of a scalar field's JSON (64-bit integers are strings). */
export function scalarSchema(t: ScalarType): Schema {
  switch (t) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', format: 'byte' };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', format: 'int32' };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', format: 'uint32' };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: 'string', format: 'int64' };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: 'string', format: 'uint64' };
    case ScalarType.FLOAT:
      return { type: 'number', format: 'float' };
    case ScalarType.DOUBLE:
      return { type: 'number', format: 'double' };
  }
}

/** The protobuf JSON mapping of the well-known types, inlined rather than referenced. */
export function wellKnown(m: DescMessage): Schema | undefined {
  switch (m.typeName) {
    case 'google.protobuf.Timestamp':
      return { type: 'string', format: 'date-time' };
    case 'google.protobuf.Duration':
      return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$' };
    case 'google.protobuf.Struct':
      return { type: 'object', additionalProperties: true };
    case 'google.protobuf.Value':
      return {};
    case 'google.protobuf.ListValue':
      return { type: 'array', items: {} };
    case 'google.protobuf.Empty':
      return { type: 'object' };
    case 'google.protobuf.FieldMask':
      return { type: 'string', format: 'field-mask' };
    case 'google.protobuf.Any':
      return { type: 'object', properties: { '@type': { type: 'string' } }, additionalProperties: true };
    case 'google.protobuf.DoubleValue':
      return { type: ['number', 'null'], format: 'double' };
    case 'google.protobuf.FloatValue':
      return { type: ['number', 'null'], format: 'float' };
    case 'google.protobuf.Int64Value':
      return { type: ['string', 'null'], format: 'int64' };
    case 'google.protobuf.UInt64Value':
      return { type: ['string', 'null'], format: 'uint64' };
    case 'google.protobuf.Int32Value':
      return { type: ['integer', 'null'], format: 'int32' };
    case 'google.protobuf.UInt32Value':
      return { type: ['integer', 'null'], format: 'uint32' };
    case 'google.protobuf.BoolValue':
      return { type: ['boolean', 'null'] };
    case 'google.protobuf.StringValue':
      return { type: ['string', 'null'] };
    case 'google.protobuf.BytesValue':
      return { type: ['string', 'null'], format: 'byte' };
    default:
      return undefined;
  }
}
