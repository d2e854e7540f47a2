// Client side: calls/s of a kratos-ts gRPC client (discovery:/// target resolved through a memory
// registry, default p2c selector, default 2 s deadline) against a plain grpc-js Client to the same
// server, both with the generated GreeterService serializers, closed loop of <concurrency> callers.
// Prints one JSON line: { rps, p50Us, p99Us, cpuUsPerCall, rssMB, calls, errors }.
// Usage: node --conditions=kratos-source grpc-client.ts <port> <direct|kratos> <warmSec> <seconds> [concurrency]
import { create } from '@bufbuild/protobuf';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { createMemoryRegistry } from '@kratos/core';
import { createGrpcClient } from '@kratos/grpc';
import { GreeterService } from '../.gen/helloworld/v1/greeter_grpc.ts';
import { type HelloReply, type HelloRequest, HelloRequestSchema } from '../.gen/helloworld/v1/greeter_pb.ts';

const [port, mode = 'kratos', warm = '1', seconds = '5', conc = '50'] = process.argv.slice(2);
const concurrency = Number(conc);
const method = GreeterService.sayHello;
const req = create(HelloRequestSchema, { name: 'bench' });

let call: () => Promise<HelloReply>;
let close: () => Promise<void>;
if (mode === 'direct') {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  call = () =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest<HelloRequest, HelloReply>(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        req,
        new Metadata(),
        {},
        (err, reply) => (err || !reply ? reject(err) : resolve(reply)),
      ),
    );
  close = async () => client.close();
} else {
  const registry = createMemoryRegistry();
  await registry.register({
    id: 'bench-1',
    name: 'greeter',
    version: 'v1',
    metadata: {},
    endpoints: [`grpc://127.0.0.1:${port}?isSecure=false`],
  });
  const client = createGrpcClient({ endpoint: 'discovery:///greeter', discovery: registry });
  await client.ready(AbortSignal.timeout(5000));
  call = () => client.unary(method, req);
  close = () => client.close();
}

/** Runs the closed loop for `ms`; returns latencies (µs) when `record`. */
async function drive(ms: number, record: boolean) {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const reply = await call();
        if (reply.message !== 'Hello bench') errors++;
      } catch {
        errors++;
      }
      if (record) latencies.push((performance.now() - t) * 1000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors };
}

await drive(Number(warm) * 1000, false);
const cpu = process.cpuUsage();
const start = performance.now();
const { latencies, errors } = await drive(Number(seconds) * 1000, true);
const elapsed = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    rps: latencies.length / elapsed,
    p50Us: at(0.5),
    p99Us: at(0.99),
    cpuUsPerCall: (used.user + used.system) / latencies.length,
    rssMB: process.memoryUsage.rss() / 2 ** 20,
    calls: latencies.length,
    errors,
  }),
);
await close();
process.exit(0);
