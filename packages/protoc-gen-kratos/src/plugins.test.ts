import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KratosError } from '@kratos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageDir, testRequest } from '../testdata/request.ts';
import { errorsPlugin } from './errors-plugin.ts';
import { grpcPlugin } from './grpc-plugin.ts';
import { httpPlugin } from './http-plugin.ts';
import { HttpRuleError, pathVariables, simplifyTemplate } from './http-rules.ts';
import { reasonToCamel } from './names.ts';
import { openapiPlugin } from './openapi-plugin.ts';

const outDir = join(packageDir, '.generated', `plugins-${process.pid}`);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function files(res: { file: { name?: string; content?: string }[] }): Map<string, string> {
  return new Map(res.file.map((f) => [f.name ?? '', f.content ?? '']));
}

describe('path templates', () => {
  it('finds variables in simple, pattern, nested and ** templates', () => {
    expect(pathVariables('/helloworld/{name}')).toEqual(['name']);
    expect(pathVariables('/v1/{name=messages/*}')).toEqual(['name']);
    expect(pathVariables('/v1/{book.name=shelves/*/books/*}')).toEqual(['book.name']);
    expect(pathVariables('/files/{path=**}')).toEqual(['path']);
    expect(pathVariables('/v1/{parent=shelves/*}/books/{id}')).toEqual(['parent', 'id']);
  });

  it('rejects malformed templates with a clear error', () => {
    expect(() => pathVariables('/v1/{name')).toThrow(HttpRuleError);
    expect(() => pathVariables('/v1/name}')).toThrow(/unbalanced/);
    expect(() => pathVariables('v1/{name}')).toThrow(/must start with/);
    expect(() => pathVariables('/v1/{9x}')).toThrow(/bad path variable/);
  });

  it('simplifies templates to the OpenAPI form', () => {
    expect(simplifyTemplate('/v1/{name=messages/*}')).toBe('/v1/{name}');
    expect(simplifyTemplate('/files/{path=**}')).toBe('/files/{path}');
    expect(simplifyTemplate('/v1/{parent=shelves/*}/books/{id}')).toBe('/v1/{parent}/books/{id}');
  });
});

describe('reason names (Go case2Camel)', () => {
  it('camel-cases enum value names like protoc-gen-go-errors', () => {
    expect(reasonToCamel('USER_NOT_FOUND')).toBe('UserNotFound');
    expect(reasonToCamel('GREETER_UNSPECIFIED')).toBe('GreeterUnspecified');
    expect(reasonToCamel('ABC')).toBe('Abc');
    expect(reasonToCamel('userNotFound')).toBe('UserNotFound');
    expect(reasonToCamel('Foo_BAR')).toBe('FooBar');
  });
});

// js+dts runs protoplugin's TypeScript transpiler: seconds, not milliseconds.
describe('protoc-gen-kratos-http', { timeout: 120_000 }, () => {
  it('skips request-streaming and unannotated methods by default; routes server streaming', () => {
    const out = files(httpPlugin.run(testRequest('')));
    const greeter = out.get('helloworld/v1/greeter_http.ts') ?? '';
    expect(greeter).toContain('GreeterSayHello0HttpRoute');
    expect(greeter).toContain('GreeterSayHello1HttpRoute');
    expect(greeter).toContain('streamHellos(ctx: Context, req: HelloRequest): AsyncIterable<HelloReply>;');
    expect(greeter).toContain('serverStreaming: true');
    expect(greeter).not.toContain('collectHellos');
    expect(greeter).not.toContain('chat(');
    expect(greeter).not.toContain('ping');
    expect(out.has('helloworld/v1/error_reason_http.ts')).toBe(false);
  });

  it('with omitempty=false routes unannotated methods as POST /<pkg.Service>/<Method>', () => {
    const out = files(httpPlugin.run(testRequest('omitempty=false,omitempty_prefix=/rpc')));
    const greeter = out.get('helloworld/v1/greeter_http.ts') ?? '';
    expect(greeter).toContain('path: "/rpc/helloworld.v1.Greeter/Ping"');
    expect(greeter).not.toContain('chat(');
  });

  it('emits js + dts on target=js+dts', () => {
    const out = files(httpPlugin.run(testRequest('target=js+dts')));
    expect(out.get('helloworld/v1/greeter_http.js')).toContain('export function registerGreeterHttpServer');
    expect(out.get('helloworld/v1/greeter_http.d.ts')).toContain('export declare class GreeterHttpClient');
  });

  it('keeps the import extension it is given', () => {
    const out = files(httpPlugin.run(testRequest('import_extension=ts')));
    expect(out.get('helloworld/v1/greeter_http.ts')).toContain('from "./greeter_pb.ts"');
  });

  it('rejects unknown options', () => {
    expect(() => httpPlugin.run(testRequest('bogus=1'))).toThrow(/bogus/);
  });
});

describe('protoc-gen-kratos-grpc', () => {
  it('declares every method with its stream kind', () => {
    const out = files(grpcPlugin.run(testRequest('')));
    const greeter = out.get('helloworld/v1/greeter_grpc.ts') ?? '';
    expect(greeter).toMatch(
      /chat: \{\n\s+path: "\/helloworld.v1.Greeter\/Chat",\n\s+requestStream: true,\n\s+responseStream: true/,
    );
    expect(greeter).toContain('{ file: file_helloworld_v1_greeter }');
    expect(out.has('helloworld/v1/error_reason_grpc.ts')).toBe(false);
  });
});

describe('protoc-gen-kratos-errors', () => {
  it('generates helpers that build and recognise Kratos errors by reason and code', async () => {
    const out = files(errorsPlugin.run(testRequest('', ['helloworld/v1/error_reason.proto'])));
    expect([...out.keys()]).toEqual(['helloworld/v1/error_reason_errors.ts']);
    const file = join(outDir, 'errors', 'error_reason_errors.ts');
    mkdirSync(join(outDir, 'errors'), { recursive: true });
    writeFileSync(file, out.get('helloworld/v1/error_reason_errors.ts') ?? '');
    const mod = (await import(file)) as Record<string, (...args: unknown[]) => unknown>;

    const err = mod.errorUserNotFound!('user %d not found', 7) as KratosError;
    expect(err).toBeInstanceOf(KratosError);
    expect(err.toJSON()).toEqual({
      code: 404,
      reason: 'USER_NOT_FOUND',
      message: 'user 7 not found',
      metadata: {},
    });
    expect(mod.isUserNotFound!(err)).toBe(true);
    // What a client gets back from the wire is recognised too.
    expect(mod.isUserNotFound!(KratosError.fromBody(err.toJSON()))).toBe(true);
    // Same reason, other code: no match (Go checks both).
    expect(mod.isUserNotFound!(new KratosError(500, 'USER_NOT_FOUND', ''))).toBe(false);
    expect(mod.isUserNotFound!(new Error('USER_NOT_FOUND'))).toBe(false);
    expect(mod.isUserNotFound!(undefined)).toBe(false);
    // A message without args is kept verbatim (no % processing).
    expect((mod.errorContentMissing!('100% missing') as KratosError).message).toBe('100% missing');
    // Values without their own code take the enum's default_code.
    expect((mod.errorGreeterUnspecified!('x') as KratosError).code).toBe(500);
    expect(mod.isMoodHappy).toBeUndefined();
  });
});

describe('protoc-gen-kratos-openapi', () => {
  it('describes what the server answers: streamed replies, HttpBody bytes, binding and codec errors, the reasons', () => {
    const res = openapiPlugin.run(
      testRequest('', [
        'helloworld/v1/greeter.proto',
        'helloworld/v1/error_reason.proto',
        'library/v1/library.proto',
      ]),
    );
    const doc = parse(res.file[0]?.content ?? '');
    const stream = doc.paths['/helloworld/{name}/stream'].get.responses;
    expect(Object.keys(stream['200'].content)).toEqual(['application/x-ndjson', 'text/event-stream']);
    expect(stream['200'].content['application/x-ndjson'].schema.properties).toEqual({
      result: { $ref: '#/components/schemas/helloworld.v1.HelloReply' },
      error: { $ref: '#/components/schemas/KratosError' },
    });
    expect(stream['406'].content['application/json'].schema.$ref).toBe('#/components/schemas/KratosError');

    const cover = doc.paths['/v1/{name}/cover'].put;
    const binary = { '*/*': { schema: { type: 'string', format: 'binary' } } };
    expect(cover.requestBody.content).toEqual(binary);
    expect(cover.responses['200'].content).toEqual(binary);
    expect(cover.responses['415']).toBeUndefined(); // HttpBody takes any Content-Type
    expect(doc.components.schemas['google.api.HttpBody']).toBeUndefined();

    const post = doc.paths['/v1/greeter/say_hello'].post.responses;
    expect(Object.keys(post)).toEqual(['200', '400', '415', 'default']);
    expect(post.default.description).toContain('USER_NOT_FOUND (404)');
  });

  it('with envelope=true describes the { code, message, data } envelope of the encoder recipe', () => {
    const doc = parse(
      openapiPlugin.run(testRequest('envelope=true', ['helloworld/v1/greeter.proto'])).file[0]!.content,
    );
    const post = doc.paths['/v1/greeter/say_hello'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { data: { $ref: '#/components/schemas/helloworld.v1.HelloRequest' } },
    });
    const ok = post.responses['200'].content['application/json'].schema;
    expect(Object.keys(ok.properties)).toEqual(['code', 'message', 'data']);
    expect(ok.properties.data.anyOf[0]).toEqual({ $ref: '#/components/schemas/helloworld.v1.HelloReply' });
    const err = post.responses.default.content['application/json'].schema.$ref;
    expect(err).toBe('#/components/schemas/KratosEnvelopeError');
    expect(doc.components.schemas.KratosEnvelopeError.properties.data).toEqual({ type: 'null' });
  });

  it('names the document after its only service and can write JSON', () => {
    const res = openapiPlugin.run(testRequest('format=json,version=1.2.3', ['helloworld/v1/greeter.proto']));
    expect(res.file.map((f) => f.name)).toEqual(['openapi.json']);
    const doc = JSON.parse(res.file[0]?.content ?? '');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({
      title: 'Greeter API',
      description: 'The greeting service definition.',
      version: '1.2.3',
    });
    expect(Object.keys(doc.paths)).toEqual([
      '/helloworld/{name}',
      '/v1/greeter/say_hello',
      '/helloworld/{name}/stream',
    ]);
    expect(doc.paths['/helloworld/{name}'].get.operationId).toBe('Greeter_SayHello');
  });

  it('maps custom verbs, response_body, path patterns and the proto naming option', () => {
    const res = openapiPlugin.run(testRequest('naming=proto', ['library/v1/library.proto']));
    const doc = parse(res.file[0]?.content ?? '');
    expect(doc.paths['/v1/books']['x-search'].operationId).toBe('LibraryService_SearchBooks');
    expect(doc.paths['/files/{path}'].get.responses['200'].content['application/json'].schema).toEqual({
      type: 'string',
      format: 'byte',
    });
    const param = doc.paths['/v1/{name}'].get.parameters[0];
    expect(param.description).toContain('shelves/*/books/*');
    const book = doc.components.schemas['library.v1.Book'].properties;
    expect(book.create_time).toEqual({ type: 'string', format: 'date-time' });
    expect(book.ean).toEqual({ type: 'string', format: 'int64' });
    expect(doc.components.schemas.KratosError.properties.reason).toMatchObject({ type: 'string' });
  });

  it('rejects unknown options', () => {
    expect(() => openapiPlugin.run(testRequest('nope=1'))).toThrow(/nope/);
  });
});
