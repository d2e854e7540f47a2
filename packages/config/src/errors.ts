import { KratosError } from '@kratos/core';

/** Reasons of the `KratosError`s this package throws (all with code 500: a config bug is a server bug). */
export const ConfigReason = {
  /** `load()` not awaited before reading. */
  NOT_LOADED: 'CONFIG_NOT_LOADED',
  /** The key is not in the config. */
  NOT_FOUND: 'CONFIG_NOT_FOUND',
  /** The value cannot be read as the wanted type. */
  TYPE: 'CONFIG_TYPE',
  /** A document could not be decoded (metadata: key, format, line, column). */
  DECODE: 'CONFIG_DECODE',
  /** A source could not be read (metadata: path). */
  SOURCE: 'CONFIG_SOURCE',
  /** A placeholder could not be resolved (metadata: key, placeholder). */
  PLACEHOLDER: 'CONFIG_PLACEHOLDER',
  /** `scan` failed validation or decoding (metadata: key, path). */
  SCAN: 'CONFIG_SCAN',
} as const;

/** One of {@link ConfigReason}'s values. */
export type ConfigReasonName = (typeof ConfigReason)[keyof typeof ConfigReason];

export function configError(
  reason: ConfigReasonName,
  message: string,
  metadata: Record<string, string> = {},
  cause?: unknown,
): KratosError {
  return new KratosError(500, reason, message, { metadata, cause });
}

/** True when `err` is a config error with this reason (any reason when omitted). */
export function isConfigError(err: unknown, reason?: ConfigReasonName): err is KratosError {
  if (!KratosError.is(err)) return false;
  if (reason !== undefined) return err.reason === reason;
  return Object.values(ConfigReason).includes(err.reason as ConfigReasonName);
}

/** A short, quoted rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `${JSON.stringify(s)} (string)`;
  }
  return `${String(value)} (${typeof value})`;
}
