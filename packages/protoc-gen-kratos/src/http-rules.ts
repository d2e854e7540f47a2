import type { DescField, DescMessage, DescMethod } from '@bufbuild/protobuf';
import { getOption, hasOption } from '@bufbuild/protobuf';
import { http } from './gen/google/api/annotations_pb.ts';
import type { HttpRule } from './gen/google/api/http_pb.ts';

/** One HTTP binding of one RPC, resolved from its `google.api.http` option. */
export interface HttpBinding {
  /** Upper-case verb: GET, POST, PUT, PATCH, DELETE or a custom kind. */
  method: string;
  /** The path template exactly as written. */
  path: string;
  /** `*`, a request field name, or undefined for no body. */
  body: string | undefined;
  /** A reply field name, or undefined for the whole reply. */
  responseBody: string | undefined;
  /** Path variables in order: their field paths (`name`, `book.id`). */
  pathVars: string[];
  /** 0 for the primary rule, 1.. for additional_bindings. */
  index: number;
}

/** Options that change which methods get bindings. */
export interface BindingOptions {
  /** When false, methods without `google.api.http` get `POST <prefix>/<pkg.Service>/<Method>` with body `*` (Go: `omitempty=false`). */
  omitEmpty: boolean;
  /** Path prefix for those default bindings (Go: `omitempty_prefix`). */
  omitEmptyPrefix: string;
}

/** Thrown for annotations that cannot work; protoc/buf show the message. */
export class HttpRuleError extends Error {
  override get name(): string {
    return 'HttpRuleError';
  }
}

/** True when the method streams in either direction. */
export function isStreaming(method: DescMethod): boolean {
  return method.methodKind !== 'unary';
}

/**
 * True when the method streams requests (client or bidi streaming): HTTP bindings ignore those,
 * as Go does. Server-streaming methods get bindings (streamed replies: SSE or NDJSON).
 */
export function streamsRequests(method: DescMethod): boolean {
  return method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
}

/**
 * The HTTP bindings of a method: the primary rule then its additional_bindings. Empty for
 * methods that stream requests and for unannotated methods (unless `omitEmpty` is false).
 */
export function httpBindings(method: DescMethod, options: BindingOptions): HttpBinding[] {
  if (streamsRequests(method)) return [];
  const where = `${method.parent.typeName}.${method.name}`;
  if (!hasOption(method, http)) {
    if (options.omitEmpty) return [];
    const path = `${options.omitEmptyPrefix}/${method.parent.typeName}/${method.name}`;
    return [{ method: 'POST', path, body: '*', responseBody: undefined, pathVars: [], index: 0 }];
  }
  const rule = getOption(method, http);
  const rules: HttpRule[] = [rule, ...rule.additionalBindings];
  const out: HttpBinding[] = [];
  rules.forEach((r, index) => {
    if (index > 0 && r.additionalBindings.length > 0) {
      throw new HttpRuleError(`${where}: additional_bindings must not nest further additional_bindings`);
    }
    const pattern = rulePattern(r, where);
    const pathVars = pathVariables(pattern.path, where);
    for (const v of pathVars) {
      if (!resolveFieldPath(method.input, v)) {
        throw new HttpRuleError(
          `${where}: path variable {${v}} in "${pattern.path}" does not name a field of ${method.input.typeName}`,
        );
      }
    }
    const body = r.body === '' ? undefined : r.body;
    if (body !== undefined && body !== '*' && !method.input.fields.some((f) => f.name === body)) {
      throw new HttpRuleError(`${where}: body "${body}" is not a field of ${method.input.typeName}`);
    }
    const responseBody = r.responseBody === '' ? undefined : r.responseBody;
    if (responseBody !== undefined && !method.output.fields.some((f) => f.name === responseBody)) {
      throw new HttpRuleError(
        `${where}: response_body "${responseBody}" is not a field of ${method.output.typeName}`,
      );
    }
    out.push({ method: pattern.method, path: pattern.path, body, responseBody, pathVars, index });
  });
  return out;
}

function rulePattern(rule: HttpRule, where: string): { method: string; path: string } {
  const p = rule.pattern;
  switch (p.case) {
    case 'get':
      return { method: 'GET', path: p.value };
    case 'put':
      return { method: 'PUT', path: p.value };
    case 'post':
      return { method: 'POST', path: p.value };
    case 'delete':
      return { method: 'DELETE', path: p.value };
    case 'patch':
      return { method: 'PATCH', path: p.value };
    case 'custom':
      if (p.value.kind === '' || p.value.path === '') {
        throw new HttpRuleError(`${where}: custom HTTP pattern needs both kind and path`);
      }
      return { method: p.value.kind.toUpperCase(), path: p.value.path };
    default:
      throw new HttpRuleError(`${where}: google.api.http needs one of get, put, post, delete, patch, custom`);
  }
}

/** Field paths of the `{var}` / `{var=pattern}` segments of a template, in order. */
export function pathVariables(template: string, where = template): string[] {
  if (!template.startsWith('/')) {
    throw new HttpRuleError(`${where}: path template "${template}" must start with "/"`);
  }
  const vars: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{') {
      if (depth > 0) throw new HttpRuleError(`${where}: nested "{" in path template "${template}"`);
      depth = 1;
      start = i + 1;
    } else if (c === '}') {
      if (depth === 0) throw new HttpRuleError(`${where}: unbalanced "}" in path template "${template}"`);
      depth = 0;
      const inner = template.slice(start, i);
      const name = (inner.split('=')[0] ?? '').trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) {
        throw new HttpRuleError(`${where}: bad path variable "{${inner}}" in "${template}"`);
      }
      vars.push(name);
    }
  }
  if (depth > 0) throw new HttpRuleError(`${where}: unbalanced "{" in path template "${template}"`);
  return vars;
}

/** `/v1/{name=messages/*}` -> `/v1/{name}` (the OpenAPI form of a template). */
export function simplifyTemplate(template: string): string {
  return template.replace(/\{([^}=]+)=[^}]*\}/g, '{$1}');
}

/** The field a dotted path names, walking nested messages; undefined when it names nothing. */
export function resolveFieldPath(message: DescMessage, path: string): DescField | undefined {
  let current: DescMessage | undefined = message;
  let field: DescField | undefined;
  for (const part of path.split('.')) {
    if (!current) return undefined;
    field = current.fields.find((f) => f.name === part);
    if (!field) return undefined;
    current = field.fieldKind === 'message' ? field.message : undefined;
  }
  return field;
}
