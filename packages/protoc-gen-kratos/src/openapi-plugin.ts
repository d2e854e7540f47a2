import type { DescEnum, DescField, DescFile, DescMessage, DescMethod, DescService } from '@bufbuild/protobuf';
import { create, createFileRegistry } from '@bufbuild/protobuf';
import {
  type CodeGeneratorRequest,
  CodeGeneratorResponse_Feature,
  CodeGeneratorResponseSchema,
  Edition,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import { getComments, type Plugin } from '@bufbuild/protoplugin';
import { stringify } from 'yaml';
import { errorEnums, reasons } from './errors-plugin.ts';
import { type HttpBinding, httpBindings, resolveFieldPath, simplifyTemplate } from './http-rules.ts';
import { type OpenApiOptions, parseOptions } from './openapi-options.ts';
import { type Schema, scalarSchema, wellKnown } from './openapi-schemas.ts';
import { pluginVersion } from './plugin-support.ts';

export type { OpenApiOptions } from './openapi-options.ts';

const ERROR_SCHEMA = 'KratosError';
const ERROR_REF = { $ref: `#/components/schemas/${ERROR_SCHEMA}` };
const HTTP_BODY = 'google.api.HttpBody';
/** Raw bytes of any type: a google.api.HttpBody on the wire (its data, with its content_type). */
const BINARY = { '*/*': { schema: { type: 'string', format: 'binary' } } };

const ENVELOPE_ERROR = 'KratosEnvelopeError';
const OPENAPI_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function comment(desc: Parameters<typeof getComments>[0]): string | undefined {
  const c = getComments(desc);
  const text = (c.leading ?? c.trailing ?? '').trim();
  return text === '' ? undefined : text;
}

/** Builds an OpenAPI 3.1 document from the google.api.http annotations of the given files. */
export function buildOpenApi(files: readonly DescFile[], options: OpenApiOptions): Record<string, unknown> {
  const schemas = new Map<string, Schema>();
  const pending: DescMessage[] = [];
  const enumSchemas = new Map<string, Schema>();

  // A response carrying the error body (the Kratos one, or the envelope's).
  const errorRef = options.envelope ? { $ref: `#/components/schemas/${ENVELOPE_ERROR}` } : ERROR_REF;
  const errorResponse = (description: string): Schema => ({
    description,
    content: { 'application/json': { schema: errorRef } },
  });
  const inEnvelope = (data: Schema): Schema =>
    options.envelope
      ? {
          type: 'object',
          properties: {
            code: { type: 'integer', format: 'int32', description: '0, or the error code.' },
            message: { type: 'string' },
            data: { anyOf: [data, { type: 'null' }] },
          },
        }
      : data;

  const fieldName = (f: DescField) => (options.naming === 'json' ? f.jsonName : f.name);

  const refMessage = (m: DescMessage): Schema => {
    const wkt = wellKnown(m);
    if (wkt) return wkt;
    if (!schemas.has(m.typeName) && !pending.includes(m)) pending.push(m);
    return { $ref: `#/components/schemas/${m.typeName}` };
  };
  const enumSchema = (e: DescEnum): Schema => {
    if (e.typeName === 'google.protobuf.NullValue') return { type: 'null' };
    if (!enumSchemas.has(e.typeName)) {
      const s: Schema = { type: 'string', enum: e.values.map((v) => v.name) };
      const d = comment(e);
      if (d) s.description = d;
      enumSchemas.set(e.typeName, s);
    }
    return { $ref: `#/components/schemas/${e.typeName}` };
  };
  const singular = (f: DescField): Schema => {
    switch (f.fieldKind) {
      case 'scalar':
        return scalarSchema(f.scalar);
      case 'enum':
        return enumSchema(f.enum);
      case 'message':
        return refMessage(f.message);
      case 'list':
        if (f.listKind === 'scalar') return scalarSchema(f.scalar);
        if (f.listKind === 'enum') return enumSchema(f.enum);
        return refMessage(f.message);
      case 'map':
        if (f.mapKind === 'scalar') return scalarSchema(f.scalar);
        if (f.mapKind === 'enum') return enumSchema(f.enum);
        return refMessage(f.message);
    }
  };
  const fieldSchema = (f: DescField): Schema => {
    let s: Schema;
    if (f.fieldKind === 'list') s = { type: 'array', items: singular(f) };
    else if (f.fieldKind === 'map') s = { type: 'object', additionalProperties: singular(f) };
    else s = singular(f);
    const d = comment(f);
    if (d) s = { ...s, description: d };
    return s;
  };
  const messageSchema = (m: DescMessage): Schema => {
    const properties: Record<string, Schema> = {};
    for (const f of m.fields) properties[fieldName(f)] = fieldSchema(f);
    const s: Schema = { type: 'object', properties };
    const d = comment(m);
    if (d) s.description = d;
    return s;
  };

  // The error reasons this API's error enums define (errors.proto), named in every default response.
  const defined = files.flatMap((f) => errorEnums(f).flatMap(reasons));
  const reasonList =
    defined.length === 0
      ? ''
      : `; this API's reasons: ${defined.map((r) => `${r.reason} (${r.code})`).join(', ')}`;

  const paths: Record<string, Record<string, unknown>> = {};
  const tags: { name: string; description?: string }[] = [];
  const services: DescService[] = [];
  for (const file of files) {
    for (const service of file.services) {
      const methods = service.methods
        .map((method) => ({ method, bindings: httpBindings(method, options) }))
        .filter((m) => m.bindings.length > 0);
      if (methods.length === 0) continue;
      services.push(service);
      const tag: { name: string; description?: string } = { name: service.name };
      const d = comment(service);
      if (d) tag.description = d;
      tags.push(tag);
      for (const { method, bindings } of methods) {
        for (const b of bindings) {
          const path = simplifyTemplate(b.path);
          const item = paths[path] ?? {};
          paths[path] = item;
          // OpenAPI 3.1 has no place for other verbs: they go under an extension key.
          const verb = b.method.toLowerCase();
          item[OPENAPI_METHODS.has(verb) ? verb : `x-${verb}`] = operation(service, method, b);
        }
      }
    }
  }

  function operation(service: DescService, method: DescMethod, b: HttpBinding): Record<string, unknown> {
    const op: Record<string, unknown> = { tags: [service.name] };
    const d = comment(method);
    if (d) op.description = d;
    op.operationId = `${service.name}_${method.name}${b.index > 0 ? `_${b.index}` : ''}`;
    const parameters: Schema[] = [];
    const patterns = pathPatterns(b.path);
    for (const v of b.pathVars) {
      const field = resolveFieldPath(method.input, v)!;
      const p: Schema = { name: v, in: 'path', required: true, schema: singular(field) };
      const notes = [comment(field), patterns.get(v) ? `Matches \`${patterns.get(v)}\`.` : undefined];
      const fd = notes.filter((n) => n !== undefined).join('\n\n');
      if (fd) p.description = fd;
      parameters.push(p);
    }
    if (b.body !== '*') {
      const skip = new Set<string>(b.pathVars);
      if (b.body !== undefined) skip.add(b.body);
      queryParameters(method.input, '', skip, parameters, 0);
    }
    if (parameters.length > 0) op.parameters = parameters;
    const bodyField =
      b.body === undefined || b.body === '*'
        ? undefined
        : method.input.fields.find((f) => f.name === b.body)!;
    const bodyIsHttpBody =
      b.body !== undefined &&
      (bodyField === undefined ? method.input : bodyField.message)?.typeName === HTTP_BODY;
    if (b.body !== undefined) {
      op.requestBody = bodyIsHttpBody
        ? { content: BINARY, required: true }
        : {
            content: {
              'application/json': {
                schema: ((data: Schema) =>
                  options.envelope ? { type: 'object', properties: { data } } : data)(
                  bodyField === undefined ? refMessage(method.input) : fieldSchema(bodyField),
                ),
              },
            },
            required: true,
          };
    }
    const replyField =
      b.responseBody === undefined ? undefined : method.output.fields.find((f) => f.name === b.responseBody)!;
    const replyIsHttpBody =
      (replyField === undefined ? method.output : replyField.message)?.typeName === HTTP_BODY;
    const replySchema = () =>
      replyField === undefined ? refMessage(method.output) : fieldSchema(replyField);
    const responses: Record<string, Schema> = {};
    if (method.methodKind === 'server_streaming') {
      responses['200'] = {
        description:
          `A stream of ${method.output.name}, by Accept: newline-delimited JSON (the default), one ` +
          '`{"result": <reply>}` per line and, when the stream fails after its first message, a last ' +
          '`{"error": <KratosError>}` line; or Server-Sent Events (`text/event-stream`), `data: <reply>` ' +
          'per event, then `event: end` or `event: error` with the KratosError. An error before the first ' +
          'message is an ordinary error reply.',
        content: {
          'application/x-ndjson': {
            schema: { type: 'object', properties: { result: replySchema(), error: ERROR_REF } },
          },
          'text/event-stream': { schema: { type: 'string' } },
        },
      };
    } else if (replyIsHttpBody) {
      responses['200'] = {
        description: 'OK: the bytes of the reply, with their Content-Type.',
        content: BINARY,
      };
    } else {
      responses['200'] = {
        description: 'OK',
        content: { 'application/json': { schema: inEnvelope(replySchema()) } },
      };
    }
    if (parameters.length > 0 || (b.body !== undefined && !bodyIsHttpBody)) {
      responses['400'] = errorResponse(
        'The request could not be bound: a path, query or body value does not parse (reason `CODEC`).',
      );
    }
    if (method.methodKind === 'server_streaming') {
      responses['406'] = errorResponse('Accept names neither application/x-ndjson nor text/event-stream.');
    }
    if (b.body !== undefined && !bodyIsHttpBody) {
      responses['415'] = errorResponse("The body's Content-Type has no codec on the server.");
    }
    responses.default = errorResponse(
      `Any other Kratos error: the HTTP status is its \`code\` (504 past the server's deadline${reasonList}).`,
    );
    op.responses = responses;
    return op;
  }

  function queryParameters(m: DescMessage, prefix: string, skip: Set<string>, out: Schema[], depth: number) {
    for (const f of m.fields) {
      const path = prefix + f.name;
      if (skip.has(path) || f.fieldKind === 'map') continue;
      const name = prefix + fieldName(f);
      if (f.fieldKind === 'message' && !wellKnown(f.message)) {
        // Nested fields bind with dotted names (`page.size`), as Go Kratos' query decoder does.
        if (depth < 3) queryParameters(f.message, `${path}.`, skip, out, depth + 1);
        continue;
      }
      if (f.fieldKind === 'list' && f.listKind === 'message' && !wellKnown(f.message)) continue;
      const p: Schema = { name, in: 'query', schema: fieldSchema(f) };
      const s = p.schema as Schema;
      if (s.description) {
        p.description = s.description;
        const { description: _, ...rest } = s;
        p.schema = rest;
      }
      out.push(p);
    }
  }

  // Message schemas, including every message they reach.
  for (let m = pending.shift(); m; m = pending.shift()) {
    if (!schemas.has(m.typeName)) schemas.set(m.typeName, messageSchema(m));
  }
  const components: Record<string, Schema> = {};
  const names = [...schemas.keys(), ...enumSchemas.keys()].sort();
  for (const n of names) components[n] = (schemas.get(n) ?? enumSchemas.get(n))!;
  components[ERROR_SCHEMA] = {
    type: 'object',
    description: 'The Kratos error body (status = code).',
    properties: {
      code: { type: 'integer', format: 'int32', description: 'HTTP status code.' },
      reason: { type: 'string', description: 'Stable UPPER_SNAKE error reason.' },
      message: { type: 'string', description: 'Human-readable message.' },
      metadata: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra details.' },
    },
  };

  if (options.envelope) {
    components[ENVELOPE_ERROR] = {
      type: 'object',
      description:
        "An error in the envelope: `code` is the Kratos error's (the status too, unless the error encoder answers 200).",
      properties: {
        code: { type: 'integer', format: 'int32' },
        message: { type: 'string' },
        data: { type: 'null' },
      },
    };
  }

  const only = services.length === 1 ? services[0] : undefined;
  const info: Record<string, unknown> = {
    title: options.title ?? (only ? `${only.name} API` : 'API'),
  };
  const description = options.description ?? (only ? comment(only) : undefined);
  if (description) info.description = description;
  info.version = options.version;
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: { schemas: components },
    tags,
  };
}

/** `{name=shelves/*}` -> name => `shelves/*` (the segment pattern a simplified template loses). */
function pathPatterns(template: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of template.matchAll(/\{([^}=]+)=([^}]*)\}/g)) out.set(m[1]!.trim(), m[2]!);
  return out;
}

function run(request: CodeGeneratorRequest) {
  const options = parseOptions(request.parameter ?? '');
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: request.protoFile }));
  const files = request.fileToGenerate.map((name) => {
    const file = registry.getFile(name);
    if (!file) throw new Error(`file ${name} is not in the request`);
    return file;
  });
  const doc = buildOpenApi(files, options);
  const header = '# Generated with protoc-gen-kratos-openapi (kratos-ts). Do not edit.\n\n';
  const content =
    options.format === 'json'
      ? `${JSON.stringify(doc, null, 2)}\n`
      : header + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  return create(CodeGeneratorResponseSchema, {
    supportedFeatures: BigInt(
      CodeGeneratorResponse_Feature.PROTO3_OPTIONAL | CodeGeneratorResponse_Feature.SUPPORTS_EDITIONS,
    ),
    minimumEdition: Edition.EDITION_PROTO2,
    maximumEdition: Edition.EDITION_2024,
    file: [{ name: options.filename ?? `openapi.${options.format}`, content }],
  });
}

/** protoc-gen-kratos-openapi: one OpenAPI 3.1 document per invocation from google.api.http. */
export const openapiPlugin: Plugin = {
  name: 'protoc-gen-kratos-openapi',
  version: pluginVersion(),
  run,
};
