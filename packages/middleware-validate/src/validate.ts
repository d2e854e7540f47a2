import type { DescMessage, Registry } from '@bufbuild/protobuf';
import { createValidator, type Validator, type Violation } from '@bufbuild/protovalidate';
import { KratosError, type Middleware } from '@kratos/core';

/** Reason of a request that breaks its rules, as Go Kratos' validate middleware. */
export const VALIDATOR_REASON = 'VALIDATOR';

/** Metadata key of violations that belong to the whole message (message-level CEL rules). */
export const MESSAGE_VIOLATION_KEY = '*';

/** Options of {@link validate}. */
export interface ValidateOptions {
  /**
   * Where request schemas are found by the message's `$typeName` (protobuf-es messages do not
   * carry their descriptor): a protobuf-es Registry (`createRegistry(file_x, ...)`), or a list of
   * message schemas. Requests of other types, and non-message requests, pass unchecked.
   */
  registry?: Registry;
  schemas?: readonly DescMessage[];
  /** Stop at the first violation. Default false (all violations are reported). */
  failFast?: boolean;
  /** A protovalidate validator of your own (shared, with custom options); wins over `failFast`. */
  validator?: Validator;
}

/** Dotted field path of a violation: `user.email`, `tags[2]`, `labels["k"]`. */
function fieldPath(v: Violation): string {
  let out = '';
  for (const step of v.field) {
    switch (step.kind) {
      case 'field':
      case 'oneof':
        out += out === '' ? step.name : `.${step.name}`;
        break;
      case 'list_sub':
        out += `[${step.index}]`;
        break;
      case 'map_sub':
        out += `[${JSON.stringify(typeof step.key === 'bigint' ? step.key.toString() : step.key)}]`;
        break;
      case 'extension':
        out += `${out === '' ? '' : '.'}[${step.typeName}]`;
        break;
    }
  }
  return out === '' ? MESSAGE_VIOLATION_KEY : out;
}

/**
 * The 400 `VALIDATOR` error of a set of violations: the message is protovalidate's summary (the
 * first violation, "and N more"), the metadata has one key per field path whose value is that
 * field's violation message(s) (joined with `; `), e.g. `{ "name": "value length must be at least
 * 3 characters" }`; violations of the whole message are under `*`.
 */
export function violationsError(
  message: string,
  violations: readonly Violation[],
  cause?: unknown,
): KratosError {
  const metadata: Record<string, string> = {};
  for (const v of violations) {
    const key = fieldPath(v);
    metadata[key] = metadata[key] === undefined ? v.message : `${metadata[key]}; ${v.message}`;
  }
  return new KratosError(400, VALIDATOR_REASON, message, { metadata, cause });
}

/**
 * Server (or client) middleware that checks request messages against their `buf.validate` rules
 * with protovalidate before the handler, like Go Kratos' `validate.Validator()`: a request that
 * breaks them fails with 400 `VALIDATOR` (INVALID_ARGUMENT on gRPC) and never reaches the handler.
 */
export function validate(options: ValidateOptions = {}): Middleware {
  const validator =
    options.validator ??
    createValidator({
      ...(options.registry !== undefined && { registry: options.registry }),
      failFast: options.failFast ?? false,
    });
  const byName = new Map<string, DescMessage>();
  for (const s of options.schemas ?? []) byName.set(s.typeName, s);
  const registry = options.registry;
  const schemaOf = (typeName: string): DescMessage | undefined =>
    byName.get(typeName) ?? registry?.getMessage(typeName);

  return (next) => async (ctx, req) => {
    const typeName = (req as { $typeName?: unknown } | null | undefined)?.$typeName;
    if (typeof typeName === 'string') {
      const schema = schemaOf(typeName);
      if (schema !== undefined) {
        const result = validator.validate(schema, req as never);
        if (result.kind === 'invalid')
          throw violationsError(result.error.message, result.violations, result.error);
        if (result.kind === 'error') {
          // Rules that do not compile are the service's bug, not the caller's.
          throw new KratosError(500, '', `validate ${typeName}: ${result.error.message}`, {
            cause: result.error,
          });
        }
      }
    }
    return next(ctx, req);
  };
}
