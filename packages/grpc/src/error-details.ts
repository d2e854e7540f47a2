// google.rpc.Status and google.rpc.ErrorInfo on the wire, as Go Kratos writes them into the
// `grpc-status-details-bin` trailer. No @grpc/grpc-js here: @kratos/rpc uses these too.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** The trailer carrying a serialized `google.rpc.Status`. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** `Any.type_url` of `google.rpc.ErrorInfo`. */
export const ERROR_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.ErrorInfo';

/** `google.rpc.ErrorInfo`, as Go Kratos fills it (reason and metadata; domain stays empty). */
export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/** A decoded `google.protobuf.Any`. */
export interface AnyMessage {
  typeUrl: string;
  value: Uint8Array;
}

/** A decoded `google.rpc.Status`. */
export interface RpcStatus {
  code: number;
  message: string;
  details: AnyMessage[];
}

// The three messages are tiny and fixed, so they are written with the wire primitives instead of
// pulling descriptor registries into every error path.

/** Encodes `google.rpc.ErrorInfo{reason = 1, domain = 2, map<string,string> metadata = 3}`. */
export function encodeErrorInfo(info: Partial<ErrorInfo>): Uint8Array {
  const w = new BinaryWriter();
  if (info.reason) w.tag(1, WireType.LengthDelimited).string(info.reason);
  if (info.domain) w.tag(2, WireType.LengthDelimited).string(info.domain);
  for (const [k, v] of Object.entries(info.metadata ?? {})) {
    w.tag(3, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(k);
    w.tag(2, WireType.LengthDelimited).string(v);
    w.join();
  }
  return w.finish();
}

/** Decodes `google.rpc.ErrorInfo`; throws on malformed bytes. */
export function decodeErrorInfo(bytes: Uint8Array): ErrorInfo {
  const r = new BinaryReader(bytes);
  const out: ErrorInfo = { reason: '', domain: '', metadata: {} };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.LengthDelimited) out.reason = r.string();
    else if (no === 2 && wt === WireType.LengthDelimited) out.domain = r.string();
    else if (no === 3 && wt === WireType.LengthDelimited) {
      const e = new BinaryReader(r.bytes());
      let key = '';
      let value = '';
      while (e.pos < e.len) {
        const [eno, ewt] = e.tag();
        if (eno === 1 && ewt === WireType.LengthDelimited) key = e.string();
        else if (eno === 2 && ewt === WireType.LengthDelimited) value = e.string();
        else e.skip(ewt, eno);
      }
      out.metadata[key] = value;
    } else r.skip(wt, no);
  }
  return out;
}

/** Encodes `google.rpc.Status{int32 code = 1, string message = 2, repeated Any details = 3}`. */
export function encodeRpcStatus(status: RpcStatus): Uint8Array {
  const w = new BinaryWriter();
  if (status.code !== 0) w.tag(1, WireType.Varint).int32(status.code);
  if (status.message) w.tag(2, WireType.LengthDelimited).string(status.message);
  for (const d of status.details) {
    w.tag(3, WireType.LengthDelimited).fork();
    if (d.typeUrl) w.tag(1, WireType.LengthDelimited).string(d.typeUrl);
    if (d.value.length > 0) w.tag(2, WireType.LengthDelimited).bytes(d.value);
    w.join();
  }
  return w.finish();
}

/** Decodes `google.rpc.Status`; throws on malformed bytes. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const r = new BinaryReader(bytes);
  const out: RpcStatus = { code: 0, message: '', details: [] };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.Varint) out.code = r.int32();
    else if (no === 2 && wt === WireType.LengthDelimited) out.message = r.string();
    else if (no === 3 && wt === WireType.LengthDelimited) {
      const a = new BinaryReader(r.bytes());
      const any: AnyMessage = { typeUrl: '', value: new Uint8Array(0) };
      while (a.pos < a.len) {
        const [ano, awt] = a.tag();
        if (ano === 1 && awt === WireType.LengthDelimited) any.typeUrl = a.string();
        else if (ano === 2 && awt === WireType.LengthDelimited) any.value = a.bytes();
        else a.skip(awt, ano);
      }
      out.details.push(any);
    } else r.skip(wt, no);
  }
  return out;
}
