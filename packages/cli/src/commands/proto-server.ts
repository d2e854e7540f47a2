import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CliError, type Output } from '../errors.ts';

/** One RPC of a service, as far as stubs need it. */
export interface ProtoMethod {
  name: string;
  input: string;
  output: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

/** A service declared in a proto file. */
export interface ProtoService {
  name: string;
  methods: ProtoMethod[];
}

/**
 * Reads the services of a proto file. Like Go Kratos' `proto server` (which uses a proto parser,
 * not protoc), it needs no imports resolved: comments are stripped and `service` / `rpc`
 * declarations read from the text.
 */
export function parseServices(text: string): { pkg: string; services: ProtoService[] } {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const pkg = /\bpackage\s+([\w.]+)\s*;/.exec(src)?.[1] ?? '';
  const services: ProtoService[] = [];
  const svcRe = /\bservice\s+(\w+)\s*\{/g;
  for (let m = svcRe.exec(src); m; m = svcRe.exec(src)) {
    let depth = 1;
    let i = svcRe.lastIndex;
    for (; i < src.length && depth > 0; i++) depth += src[i] === '{' ? 1 : src[i] === '}' ? -1 : 0;
    const body = src.slice(svcRe.lastIndex, i - 1);
    const methods: ProtoMethod[] = [];
    const rpcRe =
      /\brpc\s+(\w+)\s*\(\s*(stream\s+)?([\w.]+)\s*\)\s*returns\s*\(\s*(stream\s+)?([\w.]+)\s*\)/g;
    for (let r = rpcRe.exec(body); r; r = rpcRe.exec(body)) {
      const short = (t: string) => t.split('.').pop()!;
      methods.push({
        name: r[1]!,
        clientStreaming: Boolean(r[2]),
        input: short(r[3]!),
        serverStreaming: Boolean(r[4]),
        output: short(r[5]!),
      });
    }
    services.push({ name: m[1]!, methods });
  }
  return { pkg, services };
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** The stub source of one service. */
export function serviceStub(svc: ProtoService, pkg: string, pbImport: string): string {
  const types = [...new Set(svc.methods.flatMap((m) => [m.input, m.output]))].sort();
  const methods = svc.methods
    .map((m) => {
      const param = m.clientStreaming ? `_reqs: AsyncIterable<${m.input}>` : `_req: ${m.input}`;
      const ret = m.serverStreaming ? `AsyncIterable<${m.output}>` : `Promise<${m.output}>`;
      const head = m.serverStreaming ? `async *${lowerFirst(m.name)}` : `async ${lowerFirst(m.name)}`;
      return `    ${head}(_ctx: Context, ${param}): ${ret} {\n      throw new KratosError(501, 'UNIMPLEMENTED', 'method ${m.name} not implemented');\n    },`;
    })
    .join('\n');
  return `import { type Context, KratosError } from '@kratos/core';
import type { ${types.join(', ')} } from '${pbImport}';

/** Implements ${pkg ? `${pkg}.` : ''}${svc.name}; every method answers 501 until written. */
export function create${svc.name}Service() {
  return {
${methods}
  };
}
`;
}

/**
 * `kratos proto server <proto> -t internal/service`: one stub file per service. An existing file
 * is never overwritten.
 */
export async function protoServer(
  path: string,
  targetDir: string,
  cwd: string,
  output: Output,
): Promise<void> {
  const proto = resolve(cwd, path);
  if (!existsSync(proto) || !proto.endsWith('.proto')) throw new CliError(`no such proto file: ${proto}`);
  const { pkg, services } = parseServices(readFileSync(proto, 'utf8'));
  if (services.length === 0) throw new CliError(`${path} declares no service`);
  const outDir = resolve(cwd, targetDir);
  let pbImport = relative(outDir, join(dirname(proto), `${basename(proto, '.proto')}_pb.js`)).replace(
    /\\/g,
    '/',
  );
  if (!pbImport.startsWith('.')) pbImport = `./${pbImport}`;
  for (const svc of services) {
    const file = join(outDir, `${kebab(svc.name)}.ts`);
    if (existsSync(file)) {
      output.out(`SKIPPED ${relative(cwd, file)} (exists; never overwritten)`);
      continue;
    }
    const text = serviceStub(svc, pkg, pbImport);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(file, text);
    output.out(`CREATED ${relative(cwd, file)} (${Buffer.byteLength(text)} bytes)`);
  }
}
