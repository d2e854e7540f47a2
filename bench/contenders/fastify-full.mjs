// Contender: bare fastify with the full chain's features written by hand, inline in the route, no
// framework: what any Node service pays at the least for them, next to kratos-ts' full chain.
// One OpenTelemetry SDK span per request (recorded, none exported), Prometheus' two Go Kratos
// series on prom-client (with Node's default process metrics), one pino line per request to a file
// (pino.destination, 4 KiB batches). Usage: node fastify-full.mjs <port> [logfile] [features]
// `features`: any of t (the span), m (the metrics), l (the log line); default all three, `tml`.
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import pino from 'pino';
import prom from 'prom-client';

const port = Number(process.argv[2] ?? 8000);
const logFile = process.argv[3] ?? '/dev/null';
const operation = '/helloworld.v1.Greeter/SayHello';
const features = process.argv[4] ?? 'tml';
const [traced, measured, logged] = ['t', 'm', 'l'].map((f) => features.includes(f));

const tracer = new BasicTracerProvider().getTracer('bench');
const registry = new prom.Registry();
prom.collectDefaultMetrics({ register: registry });
const requests = new prom.Counter({
  name: 'server_requests_code_total',
  help: 'The total number of processed requests',
  labelNames: ['kind', 'operation', 'code', 'reason'],
  registers: [registry],
});
const seconds = new prom.Histogram({
  name: 'server_requests_seconds',
  help: 'server requests duration(sec).',
  labelNames: ['kind', 'operation'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});
const logger = pino(pino.destination({ dest: logFile, minLength: 4096, sync: false }));

const app = Fastify({ logger: false });
app.get('/helloworld/:name', async (req) => {
  const start = performance.now();
  const span = !traced
    ? undefined
    : tracer.startSpan(operation, {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': req.url,
          'url.scheme': 'http',
          'server.address': '127.0.0.1',
          'network.peer.address': req.socket.remoteAddress,
        },
      });
  const reply = { message: `Hello ${req.params.name}` };
  span?.setAttribute('http.response.status_code', 200);
  span?.end();
  const latency = (performance.now() - start) / 1000;
  if (measured) {
    requests.inc({ kind: 'server', operation, code: '200', reason: '' });
    seconds.observe({ kind: 'server', operation }, latency);
  }
  if (!logged) return reply;
  const { traceId, spanId } = span?.spanContext() ?? { traceId: '', spanId: '' };
  logger.info({
    kind: 'server',
    component: 'http',
    operation,
    args: `name:"${req.params.name}"`,
    code: 0,
    reason: '',
    latency,
    'trace.id': traceId,
    'span.id': spanId,
  });
  return reply;
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
await app.listen({ port, host: '127.0.0.1' });
console.log(`listening ${port}`);
