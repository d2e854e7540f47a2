// The contenders of the side-by-side run: every one serves the same hello-world (greeter.proto's
// SayHello) over HTTP or gRPC. See bench/README.md for what each one is.

/** The baseline each transport's ratios are taken against. */
export const BASELINE = { http: 'fastify', grpc: 'grpc-js', 'grpc-stream': 'grpc-js-stream' };

/** Replies per call of the server-streaming rows (contenders/stream.ts). */
export const STREAM_REPLIES = 10;

/** The Connect unary call the `kratos-rpc-connect` row is loaded with (HTTP/1.1, JSON). */
export const CONNECT_REQUEST = {
  method: 'POST',
  path: '/helloworld.v1.Greeter/SayHello',
  headers: { 'content-type': 'application/json' },
  body: '{"name":"bench"}',
};

/**
 * The same call as a Connect GET, as connect-web sends it for a method marked side-effect free
 * (`idempotency_level = NO_SIDE_EFFECTS`, `useHttpGet`): no body, the message in the query.
 */
export const CONNECT_GET_REQUEST = {
  method: 'GET',
  path: `/helloworld.v1.Greeter/SayHello?connect=v1&encoding=json&message=${encodeURIComponent(CONNECT_REQUEST.body)}`,
};

/** The same call to @kratos/http's `POST /helloworld` (body `*`): the REST route in Connect's shape. */
export const REST_POST_REQUEST = { ...CONNECT_REQUEST, path: '/helloworld' };

/**
 * The contender table: { id, label, transport, kratos?, go?, request?, compareTo?, start(port,
 * otherPort) -> { cmd, args } }. `request` replaces the HTTP row's `GET /helloworld/bench`;
 * `compareTo` names other contenders of the transport (an id or a list) whose per-round ratios
 * are reported too.
 * `node(...args)` runs a JavaScript file with this Node, `ts(file, ...args)` a TypeScript contender
 * in the harness' current mode (compiled or from sources), `goBin` is the built Go Kratos contender
 * and `fullLog(id)` the access log file of a full-chain contender (one per contender).
 */
export function contenders({ node, ts, goBin, fullLog }) {
  return [
    {
      id: 'node-http',
      label: 'node:http',
      transport: 'http',
      start: (p) => node('contenders/node-http.mjs', p),
    },
    { id: 'fastify', label: 'fastify', transport: 'http', start: (p) => node('contenders/fastify.mjs', p) },
    {
      id: 'kratos-http',
      label: 'kratos-ts',
      transport: 'http',
      kratos: true,
      start: (p) => ts('contenders/kratos-http.ts', p),
    },
    {
      // The same server and RPC bound as `POST /helloworld` with the JSON body as the request: a
      // request with a body, like a Connect unary call (Node reads a POST's body at a cost a GET
      // does not pay), for the like-for-like comparison of the Connect row.
      id: 'kratos-http-post',
      label: 'kratos-ts (POST, JSON body)',
      transport: 'http',
      kratos: true,
      request: REST_POST_REQUEST,
      start: (p) => ts('contenders/kratos-http.ts', p),
    },
    {
      id: 'kratos-http-full',
      label: 'kratos-ts full chain',
      transport: 'http',
      kratos: true,
      start: (p) => ts('contenders/kratos-http.ts', p, 'full', fullLog('kratos-http-full')),
    },
    {
      // The full chain's features by hand on bare fastify: what they cost without any framework.
      id: 'fastify-full',
      label: 'fastify + the same by hand',
      transport: 'http',
      start: (p) => node('contenders/fastify-full.mjs', p, fullLog('fastify-full')),
    },
    {
      id: 'nest-http',
      label: 'NestJS (fastify)',
      transport: 'http',
      start: (p) => node('contenders/nest-http.mjs', p),
    },
    {
      id: 'moleculer',
      label: 'Moleculer + web',
      transport: 'http',
      start: (p) => node('contenders/moleculer.mjs', p),
    },
    {
      // The same server as kratos-rpc, called over Connect (unary, JSON, HTTP/1.1): next to the
      // REST route of @kratos/http for a browser-facing JSON API, as the REST mapping defines it
      // (kratos-http, a GET) and with the same request shape (kratos-http-post).
      id: 'kratos-rpc-connect',
      label: 'kratos-ts @kratos/rpc Connect JSON (POST)',
      transport: 'http',
      kratos: true,
      request: CONNECT_REQUEST,
      compareTo: ['kratos-http', 'kratos-http-post'],
      start: (p) => ts('contenders/kratos-rpc.ts', p),
    },
    {
      // The same call as a Connect GET (no body): like for like with the REST GET.
      id: 'kratos-rpc-connect-get',
      label: 'kratos-ts @kratos/rpc Connect JSON (GET)',
      transport: 'http',
      kratos: true,
      request: CONNECT_GET_REQUEST,
      compareTo: ['kratos-http', 'kratos-rpc-connect'],
      start: (p) => ts('contenders/kratos-rpc.ts', p),
    },
    {
      id: 'go-kratos-http',
      label: 'Go Kratos',
      transport: 'http',
      go: true,
      start: (p, other) => ({ cmd: goBin, args: ['-http', `127.0.0.1:${p}`, '-grpc', `127.0.0.1:${other}`] }),
    },
    {
      id: 'grpc-js',
      label: 'grpc-js',
      transport: 'grpc',
      start: (p) => ts('contenders/grpc-js.ts', p),
    },
    {
      id: 'kratos-grpc',
      label: 'kratos-ts',
      transport: 'grpc',
      kratos: true,
      start: (p) => ts('contenders/kratos-grpc.ts', p),
    },
    {
      id: 'kratos-grpc-full',
      label: 'kratos-ts full chain',
      transport: 'grpc',
      kratos: true,
      start: (p) => ts('contenders/kratos-grpc.ts', p, 'full', fullLog('kratos-grpc-full')),
    },
    {
      id: 'kratos-rpc',
      label: 'kratos-ts @kratos/rpc (node:http2)',
      transport: 'grpc',
      kratos: true,
      compareTo: 'kratos-grpc',
      start: (p) => ts('contenders/kratos-rpc.ts', p),
    },
    {
      // Node's limit for this reply: a minimal responder on node:http2, no framework.
      id: 'node-http2-floor',
      label: 'node:http2 floor',
      transport: 'grpc',
      start: (p) => node('contenders/node-http2-floor.mjs', p),
    },
    {
      id: 'nest-grpc',
      label: 'NestJS microservice',
      transport: 'grpc',
      start: (p) => node('contenders/nest-grpc.mjs', p),
    },
    {
      id: 'grpc-js-stream',
      label: 'grpc-js',
      transport: 'grpc-stream',
      start: (p) => ts('contenders/stream.ts', p, 'grpc-js'),
    },
    {
      id: 'kratos-grpc-stream',
      label: 'kratos-ts @kratos/grpc',
      transport: 'grpc-stream',
      kratos: true,
      start: (p) => ts('contenders/stream.ts', p, 'kratos-grpc'),
    },
    {
      id: 'kratos-rpc-stream',
      label: 'kratos-ts @kratos/rpc (node:http2)',
      transport: 'grpc-stream',
      kratos: true,
      compareTo: 'kratos-grpc-stream',
      start: (p) => ts('contenders/stream.ts', p, 'kratos-rpc'),
    },
    {
      id: 'go-kratos-grpc',
      label: 'Go Kratos',
      transport: 'grpc',
      go: true,
      start: (p, other) => ({ cmd: goBin, args: ['-grpc', `127.0.0.1:${p}`, '-http', `127.0.0.1:${other}`] }),
    },
  ];
}
