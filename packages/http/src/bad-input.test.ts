import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from './index.ts';
import { EchoRequestSchema, HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';

let server: HttpServer;
let base: string;
let port: number;
const aborted: { resolve?: (reason: unknown) => void } = {};
const entered: { resolve?: () => void } = {};

beforeAll(async () => {
  server = createHttpServer({
    address: '127.0.0.1:0',
    logger: { log() {} },
    bodyLimit: 1024,
    maxHeaderSize: 2048,
    timeout: 200,
  });
  const opts = { input: EchoRequestSchema, output: EchoRequestSchema };
  server.route(
    { method: 'POST', path: '/echo', operation: '/t.S/Echo', body: '*', ...opts },
    async (_c, r) => r,
  );
  server.route({ method: 'GET', path: '/num/{num}', operation: '/t.S/Num', ...opts }, async (_c, r) => r);
  server.route(
    {
      method: 'GET',
      path: '/hello/{name}',
      operation: '/t.S/Hello',
      input: HelloRequestSchema,
      output: HelloReplySchema,
    },
    async (_c, r: any) => ({ message: r.name }),
  );
  server.route(
    { method: 'GET', path: '/files/{name=**}', operation: '/t.S/File', ...opts },
    async (_c, r) => r,
  );
  server.route(
    { method: 'GET', path: '/slow', operation: '/t.S/Slow', ...opts },
    (ctx) =>
      // waits for its signal (the deadline); bounded by a fallback so the test always ends
      new Promise((resolve) => {
        const t = setTimeout(() => resolve({ name: 'late' }), 5000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve({ name: 'after deadline' });
        });
      }),
  );
  server.route(
    { method: 'GET', path: '/hang', operation: '/t.S/Hang', ...opts },
    (ctx) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve({}), 5000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          aborted.resolve?.(ctx.signal.reason);
          resolve({});
        });
        entered.resolve?.();
      }),
  );
  await server.start();
  port = server.address()!.port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server.stop();
});

async function kratos(res: Response): Promise<{ status: number; reason: string; message: string }> {
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
  const body = JSON.parse(text);
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'metadata', 'reason']);
  expect(body.code).toBe(res.status);
  return { status: res.status, reason: body.reason, message: body.message };
}

const post = (body: string | Uint8Array, contentType = 'application/json') =>
  fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': contentType }, body });

function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let data = '';
    socket.on('data', (d) => {
      data += d.toString();
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

/** Status, headers (lower-case) and JSON body of a raw HTTP/1.1 reply. */
function parseRaw(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(end + 4);
  expect(body).not.toMatch(/\n\s+at /);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(body) };
}

describe('bad input gets a Kratos error, and the server keeps serving', () => {
  it.each([
    ['malformed JSON body', () => post('{"name": '), 400, 'CODEC'],
    ['a field of the wrong type', () => post('{"num": "abc"}'), 400, 'CODEC'],
    ['an int64 that is not a number', () => post('{"big": "1x"}'), 400, 'CODEC'],
    ['a body that is not UTF-8', () => post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, 'CODEC'],
    ['an unknown route', () => fetch(`${base}/nowhere`), 404, 'NOT_FOUND'],
    ['a wrong method', () => fetch(`${base}/echo`, { method: 'DELETE' }), 405, 'METHOD_NOT_ALLOWED'],
    [
      'a body over the limit',
      () => post(JSON.stringify({ name: 'x'.repeat(2000) })),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'an unsupported Content-Type',
      () => post('name=x', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['a path variable that does not parse', () => fetch(`${base}/num/abc`), 400, 'CODEC'],
    ['an int32 path variable out of range', () => fetch(`${base}/num/99999999999`), 400, 'CODEC'],
    ['an unknown enum name in the query', () => fetch(`${base}/num/1?color=PURPLE`), 400, 'CODEC'],
    ['a bad timestamp in the query', () => fetch(`${base}/num/1?at=yesterday`), 400, 'CODEC'],
    ['a message field in the query', () => fetch(`${base}/num/1?user=x`), 400, 'CODEC'],
    ['malformed percent-encoding in the path', () => fetch(`${base}/hello/%E0%A4%A`), 400, 'CODEC'],
    [
      'malformed percent-encoding in a multi-segment variable',
      () => fetch(`${base}/files/a/%E0%A4%A`),
      400,
      'CODEC',
    ],
    ['a handler past its deadline', () => fetch(`${base}/slow`), 504, ''],
    ['a NUL byte in a path variable', () => fetch(`${base}/hello/a%00b`), 400, 'CODEC'],
    ['a NUL byte in a multi-segment variable', () => fetch(`${base}/files/a/%00/b`), 400, 'CODEC'],
  ] as const)('%s', async (_name, send, status, reason) => {
    const res = await send();
    const body = await kratos(res);
    expect([body.status, body.reason]).toEqual([status, reason]);
    const ok = await fetch(`${base}/hello/still-up`);
    expect(await ok.json()).toEqual({ message: 'still-up' });
  });

  it('sends an Allow header with 405', async () => {
    const res = await fetch(`${base}/num/1`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it.each([
    ['QUERY without a body', 'QUERY /hello/x HTTP/1.1\r\nHost: a\r\n\r\n'],
    [
      'QUERY with a body',
      'QUERY /hello/x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    ],
    ['PURGE', 'PURGE /hello/x HTTP/1.1\r\nHost: a\r\n\r\n'],
    [
      'a body over the limit, for a method nobody takes',
      `PUT /hello/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n${'x'.repeat(2000)}`,
    ],
  ])('answers a method the path does not take (%s) with 405, Allow and a Kratos body', async (_n, req) => {
    const reply = parseRaw(await rawRequest(req));
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect(reply.body).toMatchObject({ code: 405, reason: 'METHOD_NOT_ALLOWED' });
  });

  it('answers a method the HTTP parser does not know with 501 and a Kratos body', async () => {
    const reply = parseRaw(await rawRequest('BREW /hello/x HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(reply.status).toBe(501);
    expect(reply.body).toMatchObject({ code: 501, reason: 'NOT_IMPLEMENTED' });
  });

  it('refuses an HTTP/2.0 request line on an HTTP/1 connection with 505 (HTTP/3.0: the parser, 400)', async () => {
    const reply = parseRaw(await rawRequest('GET /hello/x HTTP/2.0\r\nHost: a\r\n\r\n'));
    expect(reply.status).toBe(505);
    expect(reply.headers.connection).toBe('close');
    expect(reply.body).toMatchObject({ code: 505, reason: 'HTTP_VERSION_NOT_SUPPORTED' });
    const three = parseRaw(await rawRequest('GET /hello/x HTTP/3.0\r\nHost: a\r\n\r\n'));
    expect(three.status).toBe(400);
    const ok = parseRaw(await rawRequest('GET /hello/x HTTP/1.0\r\nHost: a\r\n\r\n'));
    expect([ok.status, ok.body]).toEqual([200, { message: 'x' }]);
  });

  it('answers an unknown Accept with JSON', async () => {
    const res = await fetch(`${base}/hello/x`, { headers: { accept: 'application/x-nothing' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ message: 'x' });
  });

  it('answers oversized headers with 431 and malformed requests with 400, as Kratos bodies', async () => {
    const big = await rawRequest(`GET /hello/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'y'.repeat(4096)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('"reason":"REQUEST_HEADER_FIELDS_TOO_LARGE"');
    const bad = await rawRequest('GET /hello/x HTTP/1.1\r\nHost a\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad).toContain('"code":400');
    expect((await fetch(`${base}/hello/after`)).status).toBe(200);
  });

  it('aborts the handler signal when the caller disconnects', async () => {
    const gotAbort = new Promise<unknown>((resolve) => {
      aborted.resolve = resolve;
    });
    const inHandler = new Promise<void>((resolve) => {
      entered.resolve = resolve;
    });
    const controller = new AbortController();
    const call = fetch(`${base}/hang`, { signal: controller.signal }).catch((e: Error) => e.name);
    await inHandler;
    controller.abort();
    expect(await call).toBe('AbortError');
    const reason = (await gotAbort) as Error;
    expect(reason.name).toBe('AbortError');
    expect((await fetch(`${base}/hello/after-abort`)).status).toBe(200);
  });
});
