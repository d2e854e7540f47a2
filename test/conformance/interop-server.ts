// grpc.testing.TestService on @kratos/rpc, for grpc-go's interop client. Prints the port on
// stdout once listening; stops on SIGTERM/SIGINT.
//   node --conditions=kratos-source test/conformance/interop-server.ts
import { create, type DescMessage } from '@bufbuild/protobuf';
import type { Context } from '@kratos/core';
import { createRpcServer, RpcError, replyTrailer } from '@kratos/rpc';
import { definitionOf, loadRegistry } from './lib/descriptors.ts';

const registry = loadRegistry('grpc-testing');
const schema = (name: string) => registry.getMessage(`grpc.testing.${name}`) as DescMessage;
const Empty = schema('Empty');
const SimpleResponse = schema('SimpleResponse');
const StreamingInputCallResponse = schema('StreamingInputCallResponse');
const StreamingOutputCallResponse = schema('StreamingOutputCallResponse');
const service = registry.getService('grpc.testing.TestService')!;

interface EchoStatus {
  code: number;
  message: string;
}
interface Payload {
  body: Uint8Array;
}
interface ResponseParameters {
  size: number;
  intervalUs: number;
}
interface SimpleRequest {
  responseSize: number;
  responseStatus?: EchoStatus;
}
interface StreamingOutputCallRequest {
  responseParameters: ResponseParameters[];
  responseStatus?: EchoStatus;
}

const payload = (size: number) => ({ type: 0, body: new Uint8Array(size) });

/** The custom_metadata case: initial metadata back as headers, trailing metadata as trailers. */
function echoMetadata(ctx: Context): void {
  const initial = ctx.requestHeader.get('x-grpc-test-echo-initial');
  if (initial !== undefined) ctx.replyHeader.set('x-grpc-test-echo-initial', initial);
  const trailing = ctx.requestHeader.get('x-grpc-test-echo-trailing-bin');
  if (trailing !== undefined) replyTrailer(ctx).set('x-grpc-test-echo-trailing-bin', trailing);
}

function failIfAsked(status: EchoStatus | undefined): void {
  if (status && status.code !== 0) throw new RpcError(status.code, status.message);
}

const sleep = (us: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (us <= 0) return resolve();
    const t = setTimeout(resolve, us / 1000);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

const handlers = {
  emptyCall: async () => create(Empty),
  unaryCall: async (ctx: Context, req: SimpleRequest) => {
    echoMetadata(ctx);
    failIfAsked(req.responseStatus);
    return create(SimpleResponse, { payload: payload(req.responseSize) });
  },
  streamingOutputCall: async function* (ctx: Context, req: StreamingOutputCallRequest) {
    for (const p of req.responseParameters) {
      await sleep(p.intervalUs, ctx.signal);
      if (ctx.signal.aborted) return;
      yield create(StreamingOutputCallResponse, { payload: payload(p.size) });
    }
    failIfAsked(req.responseStatus);
  },
  streamingInputCall: async (_ctx: Context, reqs: AsyncIterable<{ payload?: Payload }>) => {
    let total = 0;
    for await (const r of reqs) total += r.payload?.body.length ?? 0;
    return create(StreamingInputCallResponse, { aggregatedPayloadSize: total });
  },
  fullDuplexCall: async function* (ctx: Context, reqs: AsyncIterable<StreamingOutputCallRequest>) {
    echoMetadata(ctx);
    for await (const req of reqs) {
      failIfAsked(req.responseStatus);
      for (const p of req.responseParameters) {
        await sleep(p.intervalUs, ctx.signal);
        if (ctx.signal.aborted) return;
        yield create(StreamingOutputCallResponse, { payload: payload(p.size) });
      }
    }
  },
  halfDuplexCall: async function* (_ctx: Context, reqs: AsyncIterable<StreamingOutputCallRequest>) {
    const all: StreamingOutputCallRequest[] = [];
    for await (const r of reqs) all.push(r);
    for (const req of all)
      for (const p of req.responseParameters)
        yield create(StreamingOutputCallResponse, { payload: payload(p.size) });
  },
  // UnimplementedCall has no handler: the server answers UNIMPLEMENTED.
};

const server = createRpcServer({
  address: '127.0.0.1:0',
  // Interop cases set their own deadlines; the server timeout would cut slow streams short.
  timeout: 0,
  logger: { log() {} },
});
server.registerService(definitionOf(service), handlers as never, { file: service.file });
await server.start();
process.stdout.write(`${server.port}\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
