// node:http without its ESM facade. `import ... from 'node:http'` in an ES module makes Node build
// the module's ESM namespace, which reads every export, lazy ones included, and on Node 24 one of
// them loads Node's bundled undici: ~25 ms of every server's start-up for nothing (fastify, a
// CommonJS package, `require`s node:http and never pays it). `process.getBuiltinModule` hands back
// the same CommonJS exports without the facade (Node >= 22.3).
import type * as http from 'node:http';
import type * as https from 'node:https';

export const nodeHttp: typeof http = process.getBuiltinModule('node:http');

/** node:https, loaded only by a server configured with TLS. */
export const nodeHttps = (): typeof https => process.getBuiltinModule('node:https');
