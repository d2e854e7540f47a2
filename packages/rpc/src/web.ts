// The browser side of a Kratos error: what @connectrpc/connect-web hands a page (a ConnectError
// whose details hold google.rpc.ErrorInfo) read back as the Kratos reason and metadata. This
// module imports nothing from Node or from @kratos/core, so it bundles for browsers.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** The Kratos view of an error a Connect or gRPC-Web client received. */
export interface KratosErrorDetail {
  /** The gRPC / Connect status code (`ConnectError.code`). */
  code: number;
  /** The message without Connect's `[code]` prefix (`ConnectError.rawMessage`). */
  message: string;
  /** `ErrorInfo.reason`: the Kratos reason (`USER_NOT_FOUND`). */
  reason: string;
  /** `ErrorInfo.metadata`: the Kratos error metadata. */
  metadata: Record<string, string>;
}

/** What this module reads of a ConnectError: its code, message and the details as they arrived. */
export interface ReceivedError {
  readonly code: number;
  readonly rawMessage?: string;
  readonly message: string;
  readonly details: ReadonlyArray<object>;
}

const ERROR_INFO = 'google.rpc.ErrorInfo';

/**
 * The Kratos reason and metadata of an error received by a Connect client (`ConnectError` from
 * `@connectrpc/connect`, over Connect or gRPC-Web), or undefined when it carries no ErrorInfo
 * (not an error a Kratos server sent).
 */
export function kratosErrorOf(error: unknown): KratosErrorDetail | undefined {
  if (!isReceivedError(error)) return undefined;
  for (const d of error.details) {
    const detail = d as { type?: unknown; value?: unknown };
    if (detail.type !== ERROR_INFO || !(detail.value instanceof Uint8Array)) continue;
    const info = decodeErrorInfo(detail.value);
    return {
      code: error.code,
      message: error.rawMessage ?? error.message,
      reason: info.reason,
      metadata: info.metadata,
    };
  }
  return undefined;
}

function isReceivedError(e: unknown): e is ReceivedError {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Partial<ReceivedError>;
  return typeof r.code === 'number' && Array.isArray(r.details);
}

/** google.rpc.ErrorInfo: reason = 1, domain = 2, metadata = 3 (map<string, string>). */
function decodeErrorInfo(bytes: Uint8Array): { reason: string; metadata: Record<string, string> } {
  const r = new BinaryReader(bytes);
  let reason = '';
  const metadata: Record<string, string> = {};
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) reason = r.string();
    else if (field === 3 && wire === WireType.LengthDelimited) {
      const entry = new BinaryReader(r.bytes());
      let key = '';
      let value = '';
      while (entry.pos < entry.len) {
        const [f, w] = entry.tag();
        if (f === 1 && w === WireType.LengthDelimited) key = entry.string();
        else if (f === 2 && w === WireType.LengthDelimited) value = entry.string();
        else entry.skip(w, f);
      }
      metadata[key] = value;
    } else r.skip(wire, field);
  }
  return { reason, metadata };
}
