import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

// fastify makes its JSON-schema compilers (ajv and fast-json-stringify, ~100 modules, ~35 ms of
// start-up) when an instance is created, unless `schemaController.compilersFactory` supplies them.
// kratos-ts routes never use fastify schemas (messages are bound by protobuf-es), so these
// factories load fastify's own compilers only when a route added through the `fastify` escape
// hatch has a schema; such a route behaves exactly as in plain fastify.

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type Factory<K extends keyof CompilersFactory> = NonNullable<CompilersFactory[K]>;

const fromFastify = (id: string): unknown => {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('fastify'))(id);
};

let validator: Factory<'buildValidator'> | undefined;
let serializer: Factory<'buildSerializer'> | undefined;

/** fastify's default schema compilers, loaded on first use. */
export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: ((...args: unknown[]) => {
    validator ??= (fromFastify('@fastify/ajv-compiler') as () => Factory<'buildValidator'>)();
    return (validator as (...a: unknown[]) => unknown)(...args);
  }) as Factory<'buildValidator'>,
  buildSerializer: ((...args: unknown[]) => {
    serializer ??= (
      fromFastify('@fastify/fast-json-stringify-compiler') as () => Factory<'buildSerializer'>
    )();
    return (serializer as (...a: unknown[]) => unknown)(...args);
  }) as Factory<'buildSerializer'>,
};
