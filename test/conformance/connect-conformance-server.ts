// The server under test of Connect's conformance runner (connectconformance --mode server):
// reads a size-delimited ServerCompatRequest from stdin, starts connectrpc.conformance.v1.
// ConformanceService on @kratos/rpc as asked, and answers a ServerCompatResponse on stdout.
// Handlers follow docs/testing_servers.md of connectrpc.com/conformance.
import { create, type DescMessage, fromBinary, type Message, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import type { Context } from '@kratos/core';
import { createRpcServer, RpcError, replyTrailer, rpcRequestOf, sendReplyHeader } from '@kratos/rpc';
import { definitionOf, loadRegistry } from './lib/descriptors.ts';

const registry = loadRegistry('connect-conformance');
const schema = (name: string) => registry.getMessage(`connectrpc.conformance.v1.${name}`) as DescMessage;
const service = registry.getService('connectrpc.conformance.v1.ConformanceService')!;

interface Header {
  name: string;
  value: string[];
}
interface ErrorDef {
  code: number;
  message?: string;
  details: { typeUrl: string; value: Uint8Array }[];
}
interface ResponseDefinition {
  responseHeaders: Header[];
  responseTrailers: Header[];
  responseDelayMs: number;
  // unary: oneof response; stream: repeated data + error
  response?:
    | { case: 'responseData'; value: Uint8Array }
    | { case: 'error'; value: ErrorDef }
    | { case: undefined };
  responseData?: Uint8Array[];
  error?: ErrorDef;
}
type Request = Message & {
  responseDefinition?: ResponseDefinition;
  requestData: Uint8Array;
  fullDuplex?: boolean;
};

const RequestInfo = schema('ConformancePayload.RequestInfo');

const sleep = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : resolve()));

function requestInfo(ctx: Context, reqs: Request[]) {
  const headers: Header[] = [];
  for (const [name, value] of ctx.requestHeader) headers.push({ name, value: [...value] });
  const info: Record<string, unknown> = {
    requestHeaders: headers,
    requests: reqs.map((r) =>
      anyPack(r.$typeName ? registry.getMessage(r.$typeName)! : schema('UnaryRequest'), r),
    ),
  };
  if (ctx.deadline !== undefined) info.timeoutMs = BigInt(Math.max(0, Math.round(ctx.deadline - Date.now())));
  const raw = rpcRequestOf(ctx)!;
  if (raw.method === 'GET') {
    const params: Header[] = [];
    for (const [name, value] of new URLSearchParams(raw.query ?? '')) {
      const h = params.find((p) => p.name === name);
      if (h) h.value.push(value);
      else params.push({ name, value: [value] });
    }
    info.connectGetInfo = { queryParams: params };
  }
  return create(RequestInfo, info as never);
}

function setHeaders(ctx: Context, def: ResponseDefinition | undefined): void {
  if (!def) return;
  for (const h of def.responseHeaders) for (const v of h.value) ctx.replyHeader.add(h.name, v);
  const trailer = def.responseTrailers.length > 0 ? replyTrailer(ctx) : undefined;
  for (const h of def.responseTrailers) for (const v of h.value) trailer!.add(h.name, v);
}

function errorOf(def: ErrorDef, info: Message | undefined): RpcError {
  const details = info ? [anyPack(RequestInfo, info), ...def.details] : def.details;
  return new RpcError(def.code, def.message ?? '', { details });
}

const payload = (data: Uint8Array | undefined, info: Message | undefined) => ({
  payload: { data: data ?? new Uint8Array(0), ...(info ? { requestInfo: info } : {}) },
});

async function unaryLike(ctx: Context, reqs: Request[], responseSchema: DescMessage) {
  const def = reqs[0]?.responseDefinition;
  setHeaders(ctx, def);
  const info = requestInfo(ctx, reqs);
  await sleep(def?.responseDelayMs ?? 0);
  if (def?.response?.case === 'error') throw errorOf(def.response.value, info);
  const data = def?.response?.case === 'responseData' ? def.response.value : undefined;
  return create(responseSchema, payload(data, info) as never);
}

async function collect(reqs: AsyncIterable<Request>): Promise<Request[]> {
  const all: Request[] = [];
  for await (const r of reqs) all.push(r);
  return all;
}

const handlers = {
  unary: (ctx: Context, req: Request) => unaryLike(ctx, [req], schema('UnaryResponse')),
  idempotentUnary: (ctx: Context, req: Request) => unaryLike(ctx, [req], schema('IdempotentUnaryResponse')),
  clientStream: async (ctx: Context, reqs: AsyncIterable<Request>) =>
    unaryLike(ctx, await collect(reqs), schema('ClientStreamResponse')),
  serverStream: async function* (ctx: Context, req: Request) {
    const def = req.responseDefinition;
    setHeaders(ctx, def);
    sendReplyHeader(ctx);
    let info: Message | undefined = requestInfo(ctx, [req]);
    for (const data of def?.responseData ?? []) {
      await sleep(def?.responseDelayMs ?? 0);
      yield create(schema('ServerStreamResponse'), payload(data, info) as never);
      info = undefined;
    }
    if (def?.error) throw errorOf(def.error, info);
  },
  bidiStream: async function* (ctx: Context, reqs: AsyncIterable<Request>) {
    const Response = schema('BidiStreamResponse');
    let def: ResponseDefinition | undefined;
    let sent = 0;
    let pending: Request[] = [];
    let first = true;
    let fullDuplex = false;
    for await (const req of reqs) {
      if (first) {
        first = false;
        def = req.responseDefinition;
        fullDuplex = req.fullDuplex === true;
        setHeaders(ctx, def);
        if (fullDuplex) sendReplyHeader(ctx);
      }
      pending.push(req);
      if (!fullDuplex) continue;
      const data = def?.responseData ?? [];
      if (sent >= data.length) {
        if (def?.error) throw errorOf(def.error, requestInfo(ctx, pending));
        continue;
      }
      await sleep(def?.responseDelayMs ?? 0);
      yield create(Response, payload(data[sent++], requestInfo(ctx, pending)) as never);
      pending = [];
    }
    const data = def?.responseData ?? [];
    let info: Message | undefined = pending.length > 0 || sent === 0 ? requestInfo(ctx, pending) : undefined;
    while (sent < data.length) {
      await sleep(def?.responseDelayMs ?? 0);
      yield create(Response, payload(data[sent++], info) as never);
      info = undefined;
    }
    if (def?.error) throw errorOf(def.error, sent === 0 ? requestInfo(ctx, pending) : undefined);
  },
  // Unimplemented has no handler: the server answers UNIMPLEMENTED.
};

async function readRequest(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    if (all.length >= 4 && all.length >= 4 + all.readUInt32BE(0))
      return all.subarray(4, 4 + all.readUInt32BE(0));
  }
  throw new Error('stdin ended before a ServerCompatRequest');
}

const req = fromBinary(schema('ServerCompatRequest'), await readRequest()) as Message & {
  useTls: boolean;
  clientTlsCert: Uint8Array;
  messageReceiveLimit: number;
  serverCreds?: { cert: Uint8Array; key: Uint8Array };
};
const tls =
  req.useTls && req.serverCreds
    ? {
        cert: Buffer.from(req.serverCreds.cert),
        key: Buffer.from(req.serverCreds.key),
        ...(req.clientTlsCert.length > 0
          ? { ca: Buffer.from(req.clientTlsCert), requireClientCert: true }
          : {}),
      }
    : undefined;
const server = createRpcServer({
  address: '127.0.0.1:0',
  timeout: 0,
  logger: { log() {} },
  cors: { origins: '*' },
  ...(req.messageReceiveLimit > 0 ? { maxReceiveMessageSize: req.messageReceiveLimit } : {}),
  ...(tls ? { tls } : {}),
});
server.registerService(definitionOf(service), handlers as never, { file: service.file });
await server.start();
const res = toBinary(
  schema('ServerCompatResponse'),
  create(schema('ServerCompatResponse'), {
    host: '127.0.0.1',
    port: server.port,
    ...(tls ? { pemCert: tls.cert } : {}),
  } as never),
);
const head = Buffer.alloc(4);
head.writeUInt32BE(res.length, 0);
process.stdout.write(Buffer.concat([head, res]));
const stop = () => void server.stop({ signal: AbortSignal.timeout(2000) }).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
