// TS -> Go -> TS: a kratos-ts HTTP server calls a Go Kratos service (test/interop's fixture, Go
// Kratos v2 with its tracing middleware, exporting over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set) over gRPC; the Go service relays the call over gRPC to
// a kratos-ts gRPC server. All three export to one OpenTelemetry Collector; the spans it wrote must
// form one trace whose parent ids follow the calls.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import { asyncContext, type Context } from '@kratos/core';
import { createGrpcClient, createGrpcServer, type GrpcUnaryHandler } from '@kratos/grpc';
import { createHttpServer, type HttpRouteDesc } from '@kratos/http';
import { clientTracing, serverTracing } from '@kratos/middleware-tracing';
import {
  type CollectedSpan,
  findRepoRoot,
  type OtelCollector,
  type StartedServer,
  silentLogger,
  startOtelCollector,
  startServer,
  waitFor,
} from '@kratos/testkit';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// helloworld.v1.HelloRequest / HelloReply are one string field numbered 1: StringValue on the wire.
const sayHello: MethodDefinition<StringValue, StringValue> = {
  path: '/helloworld.v1.Greeter/SayHello',
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
  requestDeserialize: (b) => fromBinary(StringValueSchema, b),
  responseSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
  responseDeserialize: (b) => fromBinary(StringValueSchema, b),
  originalName: 'sayHello',
};
const frontRoute: HttpRouteDesc = {
  method: 'GET',
  path: '/v1/front/{value}',
  operation: '/test.v1.Front/Get',
  input: StringValueSchema,
  output: StringValueSchema,
};
const SERVER = 2;
const CLIENT = 3;

const tag = `${process.pid}-${Date.now()}`;
const stops: Array<() => Promise<unknown>> = [];
let collector: OtelCollector;
let frontBase = '';
const providers: NodeTracerProvider[] = [];
let stopGo: () => Promise<void> = async () => {};

function provider(serviceName: string): NodeTracerProvider {
  const p = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector.otlpHttp}/v1/traces` })),
    ],
  });
  providers.push(p);
  return p;
}

function buildGo(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['test/interop/build.sh', 'v2'],
      { cwd: findRepoRoot(), timeout: 900_000 },
      (err, out, errOut) =>
        err
          ? reject(new Error(`test/interop/build.sh v2 failed: ${String(errOut).trim().split('\n').pop()}`))
          : resolve(String(out).trim().split('\n').pop()!),
    );
  });
}

/** Starts the Go fixture's `serve`; resolves its gRPC host:port once it has started. */
function startGo(bin: string, etcd: string): Promise<string> {
  const child = spawn(
    bin,
    [
      'serve',
      '-registry',
      `etcd://${etcd.replace(/^https?:\/\//, '')}`,
      '-name',
      `otel-go-${tag}`,
      '-exit-on-stdin-eof',
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.otlpHttp}/v1/traces`,
        OTEL_SERVICE_NAME: `go-${tag}`,
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  // closing stdin stops the Go app, which flushes its spans on the way out
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stopGo = async () => {
    child.stdin.end();
    await exited;
  };
  stops.push(() => stopGo());
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the Go fixture exited (${code}) before it started: ${stderr}`)),
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ev = JSON.parse(line) as { event?: string; endpoints?: string[] };
      if (ev.event !== 'started') return;
      const grpc = ev.endpoints?.find((e) => e.startsWith('grpc://'));
      if (grpc) resolve(new URL(grpc).host);
      else reject(new Error(`no grpc endpoint in ${line}`));
    });
  });
}

beforeAll(async () => {
  const bin = await buildGo();
  collector = await startOtelCollector();
  stops.push(() => collector.stop());
  const etcd: StartedServer = await startServer('etcd');
  stops.push(() => etcd.stop());
  const goGrpc = await startGo(bin, String(etcd.endpoints.client));

  const front = provider(`ts-front-${tag}`);
  front.register();
  stops.push(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
  });
  const backend = createGrpcServer({
    address: '127.0.0.1:0',
    middleware: [serverTracing({ tracerProvider: provider(`ts-back-${tag}`) })],
    logger: silentLogger,
  });
  backend.registerService(
    { SayHello: sayHello as MethodDefinition<unknown, unknown> },
    {
      SayHello: (async (_ctx: Context, req: StringValue) =>
        // the Go relay embeds the reply in its JSON report, so it must be JSON
        create(StringValueSchema, {
          value: JSON.stringify({ side: 'ts', name: req.value }),
        })) as GrpcUnaryHandler<StringValue, StringValue>,
    },
  );
  await backend.start();
  stops.push(() => backend.stop());
  const toGo = createGrpcClient({ endpoint: `direct:///${goGrpc}`, middleware: [clientTracing()] });
  stops.push(() => toGo.close());
  const http = createHttpServer({
    address: '127.0.0.1:0',
    middleware: [asyncContext(), serverTracing()],
    logger: silentLogger,
  });
  http.route<StringValue, StringValue>(frontRoute, (ctx, req) =>
    toGo.unary(
      sayHello,
      create(StringValueSchema, { value: `relay~grpc~127.0.0.1:${backend.port}~${req.value}` }),
      { ctx },
    ),
  );
  await http.start();
  stops.push(() => http.stop());
  frontBase = `http://127.0.0.1:${http.address()!.port}`;
}, 900_000);

afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

describe('traces of a TS -> Go Kratos -> TS chain exported to the collector', () => {
  it('form one trace whose parent ids follow the calls through the Go service', async () => {
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4737';
    const upstream = '10f067aa0ba902b8';
    const res = await fetch(`${frontBase}/v1/front/otel`, {
      headers: { traceparent: `00-${traceId}-${upstream}-01` },
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const report = JSON.parse(JSON.parse(body) as string) as {
      side: string;
      traceId: string;
      next: string;
    };
    expect(report).toMatchObject({ side: 'go', traceId, next: { side: 'ts', name: 'otel' } });
    for (const p of providers) await p.forceFlush();
    // the Go fixture flushes its batch of spans when it stops
    await stopGo();

    let spans: CollectedSpan[] = [];
    await waitFor(
      async () => {
        spans = (await collector.spans()).filter((s) => s.traceId === traceId);
        return spans.length >= 5;
      },
      { timeout: 30_000, interval: 200, message: '5 spans of the trace in the exporter file' },
    );
    const of = (service: string, kind: number) =>
      spans.filter((s) => String(s.resource['service.name']) === `${service}-${tag}` && s.kind === kind);
    const [frontServer] = of('ts-front', SERVER);
    const [frontClient] = of('ts-front', CLIENT);
    const [goServer] = of('go', SERVER);
    const [goClient] = of('go', CLIENT);
    const [backServer] = of('ts-back', SERVER);
    expect(spans).toHaveLength(5);
    expect(frontServer).toMatchObject({ name: '/test.v1.Front/Get', parentSpanId: upstream });
    expect(frontClient).toMatchObject({
      name: '/helloworld.v1.Greeter/SayHello',
      parentSpanId: frontServer!.spanId,
    });
    expect(goServer).toMatchObject({
      name: '/helloworld.v1.Greeter/SayHello',
      parentSpanId: frontClient!.spanId,
    });
    expect(goClient).toMatchObject({
      name: '/helloworld.v1.Greeter/SayHello',
      parentSpanId: goServer!.spanId,
    });
    expect(backServer).toMatchObject({
      name: '/helloworld.v1.Greeter/SayHello',
      parentSpanId: goClient!.spanId,
    });
  });
});
