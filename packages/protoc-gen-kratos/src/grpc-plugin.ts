import type { DescFile, DescMethod, DescService } from '@bufbuild/protobuf';
import { createEcmaScriptPlugin, type GeneratedFile, type Plugin, type Schema } from '@bufbuild/protoplugin';
import { pluginVersion, withKratosDefaults } from './plugin-support.ts';

function parseOptions(raw: { key: string; value: string }[]): object {
  for (const { key } of raw) throw new Error(`unknown option "${key}"`);
  return {};
}

function generateTs(schema: Schema): void {
  for (const file of schema.files) {
    if (file.services.length === 0) continue;
    const f = schema.generateFile(`${file.name}_grpc.ts`);
    f.preamble(file);
    for (const service of file.services) generateService(f, file, service);
    f.print('function toBuffer(bytes: Uint8Array): Buffer {');
    f.print('  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);');
    f.print('}');
    const streamsIn = file.services.some((s) =>
      s.methods.some((m) => m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming'),
    );
    if (streamsIn) {
      f.print();
      f.print(
        'async function* createEach<S, T>(make: (init: S) => T, inits: AsyncIterable<S>): AsyncIterable<T> {',
      );
      f.print('  for await (const init of inits) yield make(init);');
      f.print('}');
    }
  }
}

function generateService(f: GeneratedFile, file: DescFile, service: DescService): void {
  const Context = f.import('Context', '@kratos/core', true);
  const CallOptions = f.import('CallOptions', '@kratos/core', true);
  const GrpcServer = f.import('GrpcServer', '@kratos/grpc', true);
  const GrpcClient = f.import('GrpcClient', '@kratos/grpc', true);
  const MethodDefinition = f.import('MethodDefinition', '@grpc/grpc-js', true);
  const MessageInitShape = f.import('MessageInitShape', '@bufbuild/protobuf', true);
  const name = service.name;
  const defName = `${name}Service`;

  f.print(
    f.jsDoc(
      `The grpc-js definition of ${service.typeName}: paths, stream kinds and protobuf-es serializers.`,
    ),
  );
  // An explicit type rather than `satisfies ServiceDefinition`: TypeScript's declaration emit
  // (target=js+dts) wrote `ServiceDefinition` into the .d.ts without its import.
  f.print(f.export('const', defName), ': {');
  for (const method of service.methods) {
    const I = f.importShape(method.input);
    const O = f.importShape(method.output);
    f.print('  readonly ', method.localName, ': ', MethodDefinition, '<', I, ', ', O, '>;');
  }
  f.print('} = {');
  for (const method of service.methods) {
    const I = f.importShape(method.input);
    const O = f.importShape(method.output);
    const IS = f.importSchema(method.input);
    const OS = f.importSchema(method.output);
    f.print('  ', method.localName, ': {');
    f.print('    path: ', f.string(`/${service.typeName}/${method.name}`), ',');
    f.print(
      '    requestStream: ',
      method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      ',',
    );
    f.print(
      '    responseStream: ',
      method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      ',',
    );
    f.print('    requestSerialize: (m: ', I, ') => toBuffer(', f.runtime.toBinary, '(', IS, ', m)),');
    f.print('    requestDeserialize: (b: Uint8Array) => ', f.runtime.fromBinary, '(', IS, ', b),');
    f.print('    responseSerialize: (m: ', O, ') => toBuffer(', f.runtime.toBinary, '(', OS, ', m)),');
    f.print('    responseDeserialize: (b: Uint8Array) => ', f.runtime.fromBinary, '(', OS, ', b),');
    f.print('    originalName: ', f.string(method.name), ',');
    f.print('  },');
  }
  f.print('};');
  f.print();

  f.print(f.jsDoc(service));
  f.print(f.export('interface', `${name}GrpcServer`), ' {');
  for (const method of service.methods) {
    const I = f.importShape(method.input);
    const O = f.importShape(method.output);
    f.print(f.jsDoc(method, '  '));
    switch (method.methodKind) {
      case 'unary':
        f.print('  ', method.localName, '(ctx: ', Context, ', req: ', I, '): Promise<', O, '>;');
        break;
      case 'server_streaming':
        f.print('  ', method.localName, '(ctx: ', Context, ', req: ', I, '): AsyncIterable<', O, '>;');
        break;
      case 'client_streaming':
        f.print(
          '  ',
          method.localName,
          '(ctx: ',
          Context,
          ', reqs: AsyncIterable<',
          I,
          '>): Promise<',
          O,
          '>;',
        );
        break;
      case 'bidi_streaming':
        f.print(
          '  ',
          method.localName,
          '(ctx: ',
          Context,
          ', reqs: AsyncIterable<',
          I,
          '>): AsyncIterable<',
          O,
          '>;',
        );
        break;
    }
  }
  f.print('}');
  f.print();

  f.print(
    f.jsDoc(
      `Registers \`impl\` as ${service.typeName} (its file descriptor goes along for reflection) on a @kratos/grpc or @kratos/rpc server.`,
    ),
  );
  f.print(
    f.export('function', `register${name}GrpcServer`),
    '(server: Pick<',
    GrpcServer,
    ', "registerService">, impl: ',
    name,
    'GrpcServer): void {',
  );
  f.print('  server.registerService(');
  f.print('    ', defName, ',');
  f.print('    {');
  for (const method of service.methods) {
    f.print('      ', method.localName, ': impl.', method.localName, '.bind(impl),');
  }
  f.print('    },');
  f.print('    { file: ', f.importSchema(file), ' },');
  f.print('  );');
  f.print('}');
  f.print();

  f.print(f.jsDoc(`Typed gRPC client of ${service.typeName}.`));
  f.print(f.export('class', `${name}GrpcClient`), ' {');
  f.print('  readonly #client: ', GrpcClient, ';');
  f.print();
  f.print('  constructor(client: ', GrpcClient, ') {');
  f.print('    this.#client = client;');
  f.print('  }');
  for (const method of service.methods) {
    f.print();
    printClientMethod(f, defName, method, CallOptions, MessageInitShape);
  }
  f.print('}');
  f.print();
}

function printClientMethod(
  f: GeneratedFile,
  defName: string,
  method: DescMethod,
  CallOptions: ReturnType<GeneratedFile['import']>,
  MessageInitShape: ReturnType<GeneratedFile['import']>,
): void {
  const I = f.importShape(method.input);
  const O = f.importShape(method.output);
  const IS = f.importSchema(method.input);
  const init = [MessageInitShape, '<typeof ', f.importSchema(method.input, true), '>'] as const;
  const def = `${defName}.${method.localName}`;
  f.print(f.jsDoc(method, '  '));
  switch (method.methodKind) {
    case 'unary':
      f.print(
        '  ',
        method.localName,
        '(req: ',
        ...init,
        ', options?: ',
        CallOptions,
        '): Promise<',
        O,
        '> {',
      );
      f.print(
        '    return this.#client.unary<',
        I,
        ', ',
        O,
        '>(',
        def,
        ', ',
        f.runtime.create,
        '(',
        IS,
        ', req), options);',
      );
      break;
    case 'server_streaming':
      f.print(
        '  ',
        method.localName,
        '(req: ',
        ...init,
        ', options?: ',
        CallOptions,
        '): AsyncIterable<',
        O,
        '> {',
      );
      f.print(
        '    return this.#client.serverStream<',
        I,
        ', ',
        O,
        '>(',
        def,
        ', ',
        f.runtime.create,
        '(',
        IS,
        ', req), options);',
      );
      break;
    case 'client_streaming':
      f.print(
        '  ',
        method.localName,
        '(reqs: AsyncIterable<',
        ...init,
        '>, options?: ',
        CallOptions,
        '): Promise<',
        O,
        '> {',
      );
      f.print(
        '    return this.#client.clientStream<',
        I,
        ', ',
        O,
        '>(',
        def,
        ', createEach((r: ',
        ...init,
        ') => ',
        f.runtime.create,
        '(',
        IS,
        ', r), reqs), options);',
      );
      break;
    case 'bidi_streaming':
      f.print(
        '  ',
        method.localName,
        '(reqs: AsyncIterable<',
        ...init,
        '>, options?: ',
        CallOptions,
        '): AsyncIterable<',
        O,
        '> {',
      );
      f.print(
        '    return this.#client.bidiStream<',
        I,
        ', ',
        O,
        '>(',
        def,
        ', createEach((r: ',
        ...init,
        ') => ',
        f.runtime.create,
        '(',
        IS,
        ', r), reqs), options);',
      );
      break;
  }
  f.print('  }');
}

/** protoc-gen-kratos-grpc: grpc-js service definitions, server interfaces and typed clients. */
export const grpcPlugin: Plugin = withKratosDefaults(
  createEcmaScriptPlugin({
    name: 'protoc-gen-kratos-grpc',
    version: pluginVersion(),
    parseOptions,
    generateTs,
  }),
);
