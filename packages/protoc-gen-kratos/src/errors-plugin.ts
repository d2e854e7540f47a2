import type { DescEnum, DescFile } from '@bufbuild/protobuf';
import { getOption, hasOption } from '@bufbuild/protobuf';
import { createEcmaScriptPlugin, getComments, type Plugin, type Schema } from '@bufbuild/protoplugin';
import { code, default_code } from './gen/errors/errors_pb.ts';
import { reasonToCamel } from './names.ts';
import { pluginVersion, withKratosDefaults } from './plugin-support.ts';

function parseOptions(raw: { key: string; value: string }[]): object {
  for (const { key } of raw) throw new Error(`unknown option "${key}"`);
  return {};
}

export interface ErrorReason {
  /** The enum value name, sent as the error's reason. */
  reason: string;
  /** The HTTP status. */
  code: number;
  comment: string | undefined;
}

/** Error enums are those with `(errors.default_code)`, as in protoc-gen-go-errors. */
export function errorEnums(file: DescFile): DescEnum[] {
  const out: DescEnum[] = [];
  const visit = (enums: readonly DescEnum[]) => {
    for (const e of enums) if (hasOption(e, default_code)) out.push(e);
  };
  visit(file.enums);
  const walk = (messages: DescFile['messages']) => {
    for (const m of messages) {
      visit(m.nestedEnums);
      walk(m.nestedMessages);
    }
  };
  walk(file.messages);
  return out;
}

export function reasons(e: DescEnum): ErrorReason[] {
  const defaultCode = getOption(e, default_code);
  const out: ErrorReason[] = [];
  for (const value of e.values) {
    const own = getOption(value, code);
    const status = own !== 0 ? own : defaultCode;
    if (status < 0 || status > 600) {
      throw new Error(
        `${e.typeName}.${value.name}: error code ${status} is outside 0..600 (the range Go Kratos accepts)`,
      );
    }
    // As in Go Kratos: a value that ends up with code 0 gets no helpers.
    if (status === 0) continue;
    const comment = getComments(value).leading?.trim() || getComments(value).trailing?.trim() || undefined;
    out.push({ reason: value.name, code: status, comment });
  }
  return out;
}

function generateTs(schema: Schema): void {
  for (const file of schema.files) {
    const enums = errorEnums(file);
    const all = enums.flatMap(reasons);
    if (all.length === 0) continue;
    const f = schema.generateFile(`${file.name}_errors.ts`);
    f.preamble(file);
    const KratosError = f.import('KratosError', '@kratos/core');
    const format = f.import('format', 'node:util');
    for (const r of all) {
      const camel = reasonToCamel(r.reason);
      const doc = r.comment ? `${r.comment}\n\n` : '';
      f.print(
        f.jsDoc(
          `${doc}True when \`err\` is ${r.reason} with code ${r.code} (reason and code must both match).`,
        ),
      );
      f.print(f.export('function', `is${camel}`), '(err: unknown): boolean {');
      f.print('  if (err === null || err === undefined) return false;');
      f.print('  const e = ', KratosError, '.fromError(err);');
      f.print('  return e.reason === ', f.string(r.reason), ' && e.code === ', r.code, ';');
      f.print('}');
      f.print();
      f.print(
        f.jsDoc(
          `${doc}A ${r.code} ${r.reason} error; \`message\` is formatted with \`args\` like util.format (Go: fmt.Sprintf).`,
        ),
      );
      f.print(
        f.export('function', `error${camel}`),
        '(message: string, ...args: unknown[]): ',
        KratosError,
        ' {',
      );
      f.print(
        '  return new ',
        KratosError,
        '(',
        r.code,
        ', ',
        f.string(r.reason),
        ', args.length === 0 ? message : ',
        format,
        '(message, ...args));',
      );
      f.print('}');
      f.print();
    }
  }
}

/** protoc-gen-kratos-errors: `isXxx` / `errorXxx` helpers for enums with `(errors.default_code)`. */
export const errorsPlugin: Plugin = withKratosDefaults(
  createEcmaScriptPlugin({
    name: 'protoc-gen-kratos-errors',
    version: pluginVersion(),
    parseOptions,
    generateTs,
  }),
);
