import type { DescFile, DescMethod, DescService } from '@bufbuild/protobuf';
import { createEcmaScriptPlugin, type GeneratedFile, type Plugin, type Schema } from '@bufbuild/protoplugin';
import { type BindingOptions, type HttpBinding, httpBindings } from './http-rules.ts';
import { upperFirst } from './names.ts';
import { parseBool, pluginVersion, withKratosDefaults } from './plugin-support.ts';

/** Options of protoc-gen-kratos-http (besides protoplugin's standard ones). */
export interface HttpPluginOptions {
  /** `omitempty` (default true): skip methods without google.api.http, as Go does. */
  omitEmpty: boolean;
  /** `omitempty_prefix` (default ''): path prefix of the default POST binding when omitempty=false. */
  omitEmptyPrefix: string;
}

function parseOptions(raw: { key: string; value: string }[]): HttpPluginOptions {
  const options: HttpPluginOptions = { omitEmpty: true, omitEmptyPrefix: '' };
  for (const { key, value } of raw) {
    if (key === 'omitempty') options.omitEmpty = parseBool(key, value);
    else if (key === 'omitempty_prefix') options.omitEmptyPrefix = value.replace(/\/+$/, '');
    else throw new Error(`unknown option "${key}"`);
  }
  return options;
}

interface ServiceBindings {
  service: DescService;
  methods: { method: DescMethod; bindings: HttpBinding[] }[];
}

function collect(file: DescFile, options: BindingOptions): ServiceBindings[] {
  const out: ServiceBindings[] = [];
  for (const service of file.services) {
    const methods = service.methods
      .map((method) => ({ method, bindings: httpBindings(method, options) }))
      .filter((m) => m.bindings.length > 0);
    if (methods.length > 0) out.push({ service, methods });
  }
  return out;
}

function generateTs(schema: Schema<HttpPluginOptions>): void {
  for (const file of schema.files) {
    const services = collect(file, schema.options);
    if (services.length === 0) continue;
    const f = schema.generateFile(`${file.name}_http.ts`);
    f.preamble(file);
    for (const s of services) generateService(f, s);
  }
}

function generateService(f: GeneratedFile, { service, methods }: ServiceBindings): void {
  const Context = f.import('Context', '@kratos/core', true);
  const CallOptions = f.import('CallOptions', '@kratos/core', true);
  const HttpServer = f.import('HttpServer', '@kratos/http', true);
  const HttpClient = f.import('HttpClient', '@kratos/http', true);
  const HttpRouteDesc = f.import('HttpRouteDesc', '@kratos/http', true);
  const HttpReply = f.import('HttpReply', '@kratos/http', true);
  const HttpRouteOptions = f.import('HttpRouteOptions', '@kratos/http', true);
  const MessageInitShape = f.import('MessageInitShape', '@bufbuild/protobuf', true);
  const name = service.name;

  for (const { method, bindings } of methods) {
    const op = `${name}${upperFirst(method.name)}`;
    f.print(f.export('const', `Operation${op}`), ' = ', f.string(operation(method)), ';');
    f.print();
    for (const b of bindings) {
      f.print(f.jsDoc(`${b.method} ${b.path}${b.index > 0 ? ' (additional binding)' : ''}`));
      f.print(f.export('const', routeConst(service, method, b)), ': ', HttpRouteDesc, ' = {');
      f.print('  method: ', f.string(b.method), ',');
      f.print('  path: ', f.string(b.path), ',');
      f.print('  operation: ', `Operation${op}`, ',');
      f.print('  input: ', f.importSchema(method.input), ',');
      f.print('  output: ', f.importSchema(method.output), ',');
      if (b.body !== undefined) f.print('  body: ', f.string(b.body), ',');
      if (b.responseBody !== undefined) f.print('  responseBody: ', f.string(b.responseBody), ',');
      if (streamsReplies(method)) f.print('  serverStreaming: true,');
      f.print('};');
      f.print();
    }
  }

  f.print(f.jsDoc(service));
  f.print(f.export('interface', `${name}HttpServer`), ' {');
  for (const { method } of methods) {
    f.print(f.jsDoc(method, '  '));
    f.print(
      '  ',
      method.localName,
      '(ctx: ',
      Context,
      ', req: ',
      f.importShape(method.input),
      ...(streamsReplies(method)
        ? ['): AsyncIterable<', f.importShape(method.output), '>;']
        : // A unary method may also answer with a redirect (newRedirect) or a streamed body (streamReply).
          ['): Promise<', f.importShape(method.output), ' | ', HttpReply, '>;']),
    );
  }
  f.print('}');
  f.print();

  f.print(
    f.jsDoc(
      `Route options (deadline, encoders) per method of ${service.typeName}; each wins over the server's.`,
    ),
  );
  f.print(f.export('type', `${name}HttpRouteOptions`), ' = {');
  for (const { method } of methods) f.print('  readonly ', method.localName, '?: ', HttpRouteOptions, ';');
  f.print('};');
  f.print();

  f.print(
    f.jsDoc(
      `Routes every HTTP binding of ${service.typeName} to \`impl\`, each with its method's \`options\`.`,
    ),
  );
  f.print(
    f.export('function', `register${name}HttpServer`),
    '(server: ',
    HttpServer,
    ', impl: ',
    name,
    'HttpServer, options?: ',
    name,
    'HttpRouteOptions): void {',
  );
  for (const { method, bindings } of methods) {
    for (const b of bindings) {
      f.print(
        '  server.route<',
        f.importShape(method.input),
        ', ',
        f.importShape(method.output),
        ...(streamsReplies(method) ? [] : [' | ', HttpReply]),
        '>(',
        routeConst(service, method, b),
        ', (ctx, req) => impl.',
        method.localName,
        '(ctx, req), options?.',
        method.localName,
        ');',
      );
    }
  }
  f.print('}');
  f.print();

  f.print(f.jsDoc(`Typed HTTP client of ${service.typeName}.`));
  f.print(f.export('class', `${name}HttpClient`), ' {');
  f.print('  readonly #client: ', HttpClient, ';');
  f.print();
  f.print('  constructor(client: ', HttpClient, ') {');
  f.print('    this.#client = client;');
  f.print('  }');
  for (const { method, bindings } of methods) {
    const primary = bindings[0]!;
    f.print();
    f.print(f.jsDoc(method, '  '));
    f.print(
      '  ',
      method.localName,
      '(req: ',
      MessageInitShape,
      '<typeof ',
      f.importSchema(method.input, true),
      '>, options?: ',
      CallOptions,
      streamsReplies(method) ? '): AsyncIterable<' : '): Promise<',
      f.importShape(method.output),
      '> {',
    );
    f.print(
      streamsReplies(method) ? '    return this.#client.stream<' : '    return this.#client.invoke<',
      f.importShape(method.input),
      ', ',
      f.importShape(method.output),
      '>(',
      routeConst(service, method, primary),
      ', ',
      f.runtime.create,
      '(',
      f.importSchema(method.input),
      ', req), options);',
    );
    f.print('  }');
  }
  f.print('}');
  f.print();
}

/** A server-streaming method: its replies stream over HTTP (SSE or NDJSON, read as an async iterable). */
function streamsReplies(method: DescMethod): boolean {
  return method.methodKind === 'server_streaming';
}

function operation(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function routeConst(service: DescService, method: DescMethod, b: HttpBinding): string {
  return `${service.name}${upperFirst(method.name)}${b.index}HttpRoute`;
}

/** protoc-gen-kratos-http: HTTP server interfaces, route registration and typed clients. */
export const httpPlugin: Plugin = withKratosDefaults(
  createEcmaScriptPlugin<HttpPluginOptions>({
    name: 'protoc-gen-kratos-http',
    version: pluginVersion(),
    parseOptions,
    generateTs,
  }),
);
