// A service run by runCluster, for the cluster tests and the "Every core" benchmark.
// Usage: node --conditions=kratos-source service.ts <workers> <httpPort> <grpcPort> [controlUrl] [rpcPort]
// Prints one JSON line per primary event and per worker event on stdout. With a control URL the
// registrar POSTs register/deregister there; with an rpc port, @kratos/rpc (node:http2) serves the
// echo there too. The (the test answers a deregister when it wants the
// stop to go on). An echo value starting with `hold` is answered only once the worker's servers
// are being stopped, so a test can have calls in flight during the drain.
import { writeSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import type { Context, Registrar, Server, ServiceInstance } from '@kratos/core';
import { createGrpcServer, type GrpcUnaryHandler } from '@kratos/grpc';
import { createHttpServer } from '@kratos/http';
import {
  aggregateClusterMetrics,
  createPrometheusMetrics,
  mountClusterMetrics,
} from '@kratos/metrics-prometheus';
import { serverMetrics } from '@kratos/middleware';
import { createRpcServer } from '@kratos/rpc';
import { echoMethod, echoRoute } from '@kratos/testkit/echo';
import { clusterWorker, createClusterApp, runCluster } from '../index.ts';

const [workers = '2', httpPort = '0', grpcPort = '0', controlUrl, rpcPort] = process.argv.slice(2);
const print = (o: object) => writeSync(1, `${JSON.stringify(o)}\n`);
const quiet = { log() {} };

function controlRegistrar(url: string): Registrar {
  const post = async (what: string, instance: ServiceInstance, signal?: AbortSignal) => {
    const res = await fetch(`${url}/${what}`, {
      method: 'POST',
      body: JSON.stringify({ pid: process.pid, instance }),
      signal: signal ?? null,
    });
    if (!res.ok) throw new Error(`${what}: ${res.status}`);
    await res.arrayBuffer();
  };
  return {
    register: (instance, o) => post('register', instance, o?.signal),
    deregister: (instance, o) => post('deregister', instance, o?.signal),
  };
}

async function main() {
  const slot = clusterWorker()?.slot ?? 0;
  let releaseHeld!: () => void;
  const stopping = new Promise<void>((r) => {
    releaseHeld = r;
  });
  const echo = async (_ctx: Context, req: StringValue): Promise<StringValue> => {
    if (req.value.startsWith('hold')) {
      print({ from: 'worker', type: 'held', slot, pid: process.pid, value: req.value });
      await stopping;
    }
    return create(StringValueSchema, { value: `${req.value}@${process.pid}` });
  };

  const metrics = createPrometheusMetrics();
  const http = createHttpServer({
    address: `127.0.0.1:${httpPort}`,
    middleware: [serverMetrics({ metrics })],
    timeout: 0,
    logger: quiet,
  });
  http.route<StringValue, StringValue>(echoRoute, echo);
  mountClusterMetrics(http, metrics);
  const grpc = createGrpcServer({
    address: `127.0.0.1:${grpcPort}`,
    middleware: [serverMetrics({ metrics })],
    timeout: 0,
    logger: quiet,
  });
  grpc.registerService(
    { Echo: echoMethod as MethodDefinition<unknown, unknown> },
    { Echo: echo as GrpcUnaryHandler<StringValue, StringValue> },
  );
  const servers: Server[] = [http, grpc];
  if (rpcPort) {
    const rpc = createRpcServer({ address: `127.0.0.1:${rpcPort}`, timeout: 0, logger: quiet });
    rpc.registerService(
      { Echo: echoMethod as MethodDefinition<unknown, unknown> },
      { Echo: echo as GrpcUnaryHandler<StringValue, StringValue> },
    );
    servers.push(rpc);
  }
  // Told when the App stops its servers, i.e. after the deregistration and the drain delay.
  const probe: Server = {
    async start() {},
    async stop() {
      print({ from: 'worker', type: 'serversStopping', slot, pid: process.pid });
      releaseHeld();
    },
  };
  const app = createClusterApp({
    name: 'cluster-test',
    version: 'v1',
    servers: [...servers, probe],
    ...(controlUrl ? { registrar: controlRegistrar(controlUrl), drainDelay: 200 } : {}),
    afterStop: () => void print({ from: 'worker', type: 'afterStop', slot, pid: process.pid }),
  });
  await app.run();
}

await runCluster({
  workers: Number(workers),
  primary: () => aggregateClusterMetrics(),
  onEvent: (e) => print({ from: 'primary', ...e }),
  main,
});
