import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Codec, KeyValue, Logger, Source } from '@kratos/core';

/** One issue reported by a Standard Schema validator. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The result of a Standard Schema validation. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/**
 * The Standard Schema v1 interface (https://standardschema.dev), implemented by zod, valibot,
 * arktype, effect schema, ... Declared here (types only) so no validator library is a dependency.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** What `scan` accepts: a Standard Schema v1 validator or a protobuf-es message descriptor. */
export type ScanSchema = StandardSchemaV1 | DescMessage;

/** What `scan(schema)` yields for a schema: the message type, or the validator's output type. */
export type ScanOutput<S> = S extends DescMessage
  ? MessageShape<S>
  : S extends StandardSchemaV1<unknown, infer O>
    ? O
    : never;

/**
 * Turns one document's bytes into a tree. Throw on malformed input; a thrown error with
 * numeric `line` and `column` properties has its position named in the config error.
 */
export type DecodeFunc = (data: Uint8Array, key: string) => unknown;

/** A decoder: a function, or any core {@link Codec} (its `unmarshal` is used). */
export type Decoder = DecodeFunc | Codec;

/** Options of {@link createConfig}. */
export interface ConfigOptions {
  /** Sources merged in order: a key in a later source wins. */
  sources: readonly Source[];
  /** Where rejected updates and observer failures are logged. Default: core's `defaultLogger()`. */
  logger?: Logger;
  /** Extra or replacement decoders by format name (`xml`, `ini`, ...); built in: yaml, yml, json, toml. */
  decoders?: Readonly<Record<string, Decoder>> | undefined;
  /**
   * What `${KEY}` without a default becomes when KEY is nowhere in the config:
   * `'empty'` (Go Kratos: an empty string), `'keep'` (the placeholder text stays), `'error'`
   * (load fails, an update is rejected). Default `'empty'`; each miss is logged at warn.
   */
  missingPlaceholder?: 'empty' | 'keep' | 'error';
}

/**
 * One config value, fixed to the snapshot it was read from. Accessors convert like Go Kratos
 * (`"true"` is a bool, `"8000"` an int) and throw a `KratosError` (reason `CONFIG_TYPE` /
 * `CONFIG_NOT_FOUND`) naming the key and the wanted type. An accessor given a fallback returns it
 * when the key does not exist (a value of the wrong type still throws).
 */
export interface Value {
  /** The dotted key this value was read at. */
  readonly key: string;
  /** False when the key is not in the config (or was deleted, in a watch callback). */
  readonly exists: boolean;
  /** The decoded value as is (deeply frozen); `undefined` when it does not exist. */
  readonly raw: unknown;
  bool(fallback?: boolean): boolean;
  /** A safe integer; integral strings are parsed, fractional numbers are rejected. */
  int(fallback?: number): number;
  float(fallback?: number): number;
  /** Strings as is; numbers and booleans formatted. */
  string(fallback?: string): string;
  /**
   * Milliseconds. Strings in Go's `time.Duration` syntax (`1h30m`, `1.5s`, `500ms`, `250us`);
   * a bare number is milliseconds (Go reads it as nanoseconds: write units in shared files).
   */
  duration(fallback?: number): number;
  /** The elements of an array, keyed `<key>.<index>`. */
  array(): Value[];
  /** The entries of a mapping, keyed `<key>.<name>`. */
  map(): ReadonlyMap<string, Value>;
  /** Validates a copy of this value with a Standard Schema or decodes it as a protobuf message. */
  scan<S extends ScanSchema>(schema: S): Promise<ScanOutput<S>>;
  /** Like {@link Value.scan}, but throws if the validator is asynchronous. */
  scanSync<S extends ScanSchema>(schema: S): ScanOutput<S>;
}

/** An immutable view of the whole configuration at one moment. */
export interface ConfigSnapshot {
  /** Increases by one with every applied update. */
  readonly version: number;
  /** The merged, resolved tree (deeply frozen). */
  readonly tree: Readonly<Record<string, unknown>>;
  /** The value at a dotted key (`server.http.addr`, `servers.0.host`); `''` is the whole tree. */
  value(key: string): Value;
  has(key: string): boolean;
  /** Every dotted key that holds a scalar, array element or empty container, in document order. */
  keys(): string[];
  scan<S extends ScanSchema>(schema: S): Promise<ScanOutput<S>>;
  scanSync<S extends ScanSchema>(schema: S): ScanOutput<S>;
}

/** The second argument of a watch observer. */
export interface ConfigChange {
  readonly key: string;
  /** True when the key no longer exists (the observer's value has `exists: false`). */
  readonly deleted: boolean;
  /** The value before the change (`exists: false` when the key has just appeared). */
  readonly previous: Value;
  /** The snapshot the new value belongs to. */
  readonly snapshot: ConfigSnapshot;
}

/** Called after an update changed the value of a watched key. */
export type Observer = (value: Value, change: ConfigChange) => void;

/** Layered configuration (Go Kratos' `config.Config`). */
export interface Config {
  /** Loads every source, merges, resolves placeholders, then starts watching the sources. */
  load(): Promise<void>;
  /** The value at a dotted key in the current snapshot. Throws before `load()` resolved. */
  value(key: string): Value;
  /** Validates/decodes the whole tree (see {@link Value.scan}). */
  scan<S extends ScanSchema>(schema: S): Promise<ScanOutput<S>>;
  scanSync<S extends ScanSchema>(schema: S): ScanOutput<S>;
  /**
   * Calls `observer` after an update changed the value at `key` (compared deeply, so a rewrite
   * with the same content does not fire). The key need not exist yet. Returns an unsubscribe.
   */
  watch(key: string, observer: Observer): () => void;
  /** The current snapshot: read several keys from it to see one consistent version. */
  snapshot(): ConfigSnapshot;
  /** Stops watching every source. */
  close(): Promise<void>;
}

export type { KeyValue, Source };
