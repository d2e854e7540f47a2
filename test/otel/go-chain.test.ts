// TS -> Go -> TS: a kratos-ts HTTP server calls a Go Kratos service (test/interop's fixture, Go
// Kratos v2 with its tracing middleware, exporting over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set) over gRPC; the Go service relays the call over gRPC to
// a kratos-ts gRPC server. All three export to one OpenTelemetry Collector; the spans it wrote must
// form one trace whose parent ids follow the calls.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { create } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { findRepoRoot, type StartedServer, startServer } from '@kratos/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { SPAN_CLIENT as CLIENT, SPAN_SERVER as SERVER, stringMethod, traceChain } from './chain.ts';

// helloworld.v1.HelloRequest / HelloReply are one string field numbered 1: StringValue on the wire.
const sayHello = stringMethod('/helloworld.v1.Greeter/SayHello', 'sayHello');

const tag = `${process.pid}-${Date.now()}`;
const chain = traceChain();
let frontBase = '';
let stopGo: () => Promise<void> = async () => {};

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
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${chain.collector.otlpHttp}/v1/traces`,
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
  chain.onStop(() => stopGo());
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
  await chain.start();
  const etcd: StartedServer = await startServer('etcd');
  chain.onStop(() => etcd.stop());
  const goGrpc = await startGo(bin, String(etcd.endpoints.client));

  chain.registerGlobal(chain.provider(`ts-front-${tag}`));
  const backend = await chain.backend(
    sayHello,
    async (_ctx, req: StringValue) =>
      // the Go relay embeds the reply in its JSON report, so it must be JSON
      create(StringValueSchema, { value: JSON.stringify({ side: 'ts', name: req.value }) }),
    chain.provider(`ts-back-${tag}`),
  );
  frontBase = await chain.front(goGrpc, sayHello, (req) =>
    create(StringValueSchema, { value: `relay~grpc~127.0.0.1:${backend.port}~${req.value}` }),
  );
}, 900_000);

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
    await chain.flush();
    // the Go fixture flushes its batch of spans when it stops
    await stopGo();

    const spans = await chain.traceOf(traceId, 5, 30_000);
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
