import { type GrpcStatusCode, httpToGrpcCode } from './codes.ts';

const BRAND: unique symbol = Symbol.for('@kratos/core/KratosError') as never;

/** The status Go Kratos gives an error it knows nothing about. */
export const UNKNOWN_CODE = 500;
/** The reason Go Kratos gives an error it knows nothing about. */
export const UNKNOWN_REASON = '';

/** Options for {@link KratosError}'s constructor. */
export interface KratosErrorOptions {
  /** Extra string key/values carried on the wire (HTTP body `metadata`, gRPC `ErrorInfo.metadata`). */
  metadata?: Readonly<Record<string, string>>;
  /** The underlying error. Logged, never sent to a caller. */
  cause?: unknown;
}

/** The wire shape of an error: the HTTP body Go Kratos writes. */
export interface KratosErrorBody {
  code: number;
  reason: string;
  message: string;
  metadata: Record<string, string>;
}

/**
 * The one error type of kratos-ts, wire-compatible with Go Kratos' `errors.Error`.
 *
 * `code` is an HTTP status (mapped to a gRPC code on gRPC), `reason` a stable UPPER_SNAKE identifier.
 * Recognised across duplicate copies of `@kratos/core` through a `Symbol.for` brand, so
 * `instanceof KratosError` and {@link KratosError.is} work even when two versions are installed.
 */
export class KratosError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly metadata: Readonly<Record<string, string>>;
  declare readonly [BRAND]: true;

  constructor(code: number, reason: string, message: string, options: KratosErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.metadata = options.metadata ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return 'KratosError';
  }

  /** True for any KratosError, from this or any other copy of the package. */
  static is(value: unknown): value is KratosError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses (generated error types) keep ordinary instanceof: a plain notFound() is not one.
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class instanceof was asked about
    if (this !== KratosError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return KratosError.is(value);
  }

  /**
   * Turns anything thrown into a KratosError: a KratosError is returned as is, an `AbortError`
   * becomes 499 and a `TimeoutError` 504; anything else becomes 500 with an empty reason, the
   * original kept as `cause` (and its message, as Go Kratos does).
   */
  static fromError(error: unknown): KratosError {
    if (KratosError.is(error)) return error;
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
      const e = error as Error;
      if (e.name === 'TimeoutError') return new KratosError(504, UNKNOWN_REASON, e.message, { cause: e });
      if (e.name === 'AbortError') return new KratosError(499, UNKNOWN_REASON, e.message, { cause: e });
      return new KratosError(UNKNOWN_CODE, UNKNOWN_REASON, String(e.message), { cause: e });
    }
    return new KratosError(UNKNOWN_CODE, UNKNOWN_REASON, String(error), { cause: error });
  }

  /** Rebuilds an error from its wire body; malformed bodies give a 500 carrying the status. */
  static fromBody(body: unknown, fallbackCode = UNKNOWN_CODE): KratosError {
    if (typeof body !== 'object' || body === null) {
      return new KratosError(fallbackCode, UNKNOWN_REASON, typeof body === 'string' ? body : '');
    }
    const b = body as Partial<KratosErrorBody>;
    const code = typeof b.code === 'number' && Number.isInteger(b.code) ? b.code : fallbackCode;
    const metadata: Record<string, string> = {};
    if (b.metadata && typeof b.metadata === 'object') {
      for (const [k, v] of Object.entries(b.metadata)) metadata[k] = String(v);
    }
    return new KratosError(
      code,
      typeof b.reason === 'string' ? b.reason : UNKNOWN_REASON,
      typeof b.message === 'string' ? b.message : '',
      { metadata },
    );
  }

  /** Two errors match when code and reason match (Go Kratos' `errors.Is`). */
  matches(other: unknown): boolean {
    if (!KratosError.is(other)) return false;
    return other.code === this.code && other.reason === this.reason;
  }

  /** The gRPC status code this error travels as. */
  get grpcCode(): GrpcStatusCode {
    return httpToGrpcCode(this.code);
  }

  /** A copy with metadata replaced. */
  withMetadata(metadata: Readonly<Record<string, string>>): KratosError {
    return new KratosError(this.code, this.reason, this.message, { metadata, cause: this.cause });
  }

  /** A copy with a cause. */
  withCause(cause: unknown): KratosError {
    return new KratosError(this.code, this.reason, this.message, { metadata: this.metadata, cause });
  }

  /** The wire body (no stack, no cause). */
  toJSON(): KratosErrorBody {
    return { code: this.code, reason: this.reason, message: this.message, metadata: { ...this.metadata } };
  }

  override toString(): string {
    return `error: code = ${this.code} reason = ${this.reason} message = ${this.message} metadata = ${JSON.stringify(this.metadata)}`;
  }
}

/** The HTTP status of any error (500 for unknown errors). */
export function errorCode(error: unknown): number {
  if (error == null) return 200;
  return KratosError.fromError(error).code;
}

/** The reason of any error (empty for unknown errors). */
export function errorReason(error: unknown): string {
  if (error == null) return UNKNOWN_REASON;
  return KratosError.fromError(error).reason;
}
