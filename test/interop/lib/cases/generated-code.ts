import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type InteropFixture, openapiPath } from '../fixture.ts';

/** The OpenAPI document kratos-ts generates describes what the Go service serves. */
export function describeGeneratedCode(f: InteropFixture): void {
  describe('generated code', () => {
    it('the OpenAPI document kratos-ts generates describes the HTTP routes the Go service serves', async () => {
      const doc = parseYaml(readFileSync(openapiPath, 'utf8')) as OpenApi;
      const base = `http://${f.goSvc.address('http')}`;
      let routes = 0;
      for (const [template, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          routes++;
          const pathFor = (value: string) =>
            template.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_m, name: string) => {
              const p = op.parameters?.find((x) => x.in === 'path' && x.name === name);
              expect(p, `path parameter ${name} of ${template} is documented`).toBeDefined();
              return encodeURIComponent(value);
            });
          const ok = await fetch(base + pathFor('openapi'), { method: method.toUpperCase() });
          expect(ok.status, `${method} ${template}`).toBe(200);
          expectSchema(doc, await ok.json(), op.responses['200']?.content?.['application/json']?.schema);
          const failed = await fetch(base + pathFor('unknown'), { method: method.toUpperCase() });
          expect(failed.status).toBe(404);
          const body = await failed.json();
          expectSchema(doc, body, op.responses.default?.content?.['application/json']?.schema);
          expect(body).toMatchObject({ code: 404, reason: 'USER_NOT_FOUND' });
        }
      }
      expect(routes).toBeGreaterThan(0);
    });
  });
}

interface OpenApiSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
}
interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> } | undefined>;
}
interface OpenApi {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** Checks `value` against the small schema subset protoc-gen-kratos-openapi emits. */
function expectSchema(doc: OpenApi, value: unknown, schema: OpenApiSchema | undefined, at = '$'): void {
  expect(schema, `${at}: a schema is documented`).toBeDefined();
  let s = schema as OpenApiSchema;
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] as OpenApiSchema;
    expect(s, `${at}: ${name} is defined`).toBeDefined();
  }
  switch (s.type) {
    case 'object': {
      expect(typeof value, at).toBe('object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const prop = s.properties?.[k] ?? s.additionalProperties;
        expect(prop, `${at}.${k} is documented`).toBeDefined();
        expectSchema(doc, v, prop, `${at}.${k}`);
      }
      break;
    }
    case 'string':
      expect(typeof value, at).toBe('string');
      break;
    case 'integer':
      expect(Number.isInteger(value), at).toBe(true);
      break;
    default:
      break;
  }
}
