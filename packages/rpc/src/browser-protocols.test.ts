// Connect and gRPC-Web over HTTP/1.1 (Node's fetch), as browsers speak them.
import http from 'node:http';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type Context, KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from './envelope.ts';
import {
  HelloReplySchema,
  type HelloRequest,
  HelloRequestSchema,
  helloReply,
  helloRequest,
  rpcFixture,
  sayHello,
} from './testdata/harness.ts';

const { server } = rpcFixture();
const url = (port: number, method = 'SayHello') => `http://127.0.0.1:${port}/helloworld.v1.Greeter/${method}`;

const notFound = async () => {
  throw new KratosError(404, 'USER_NOT_FOUND', 'user 7 not found', { metadata: { id: '7' } });
};

/** Splits a gRPC-Web body into its frames. */
function frames(body: Buffer): { flags: number; data: Buffer }[] {
  const out: { flags: number; data: Buffer }[] = [];
  for (let i = 0; i < body.length; ) {
    const size = body.readUInt32BE(i + 1);
    out.push({ flags: body[i]!, data: body.subarray(i + 5, i + 5 + size) });
    i += 5 + size;
  }
  return out;
}

describe('Connect', () => {
  it('answers a unary JSON call and a binary one', async () => {
    const s = await server();
    const json = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kratos' }),
    });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ message: 'Hello kratos' });
    const bin = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/proto' },
      body: toBinary(HelloRequestSchema, helloRequest({ name: 'bin' })),
    });
    expect(bin.headers.get('content-type')).toBe('application/proto');
    const reply = fromBinary(HelloReplySchema, new Uint8Array(await bin.arrayBuffer())) as {
      message?: string;
    };
    expect(reply.message).toBe('Hello bin');
  });

  it('sends a KratosError as Connect error JSON with the reason and metadata', async () => {
    const s = await server({ SayHello: notFound });
    const res = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    const body = (await res.json()) as {
      code: string;
      message: string;
      details: { type: string; debug: unknown }[];
    };
    expect(body.code).toBe('not_found');
    expect(body.message).toBe('user 7 not found');
    expect(body.details[0]!.type).toBe('google.rpc.ErrorInfo');
    expect(body.details[0]!.debug).toEqual({ reason: 'USER_NOT_FOUND', metadata: { id: '7' } });
  });

  it('answers 400 invalid_argument with reason CODEC for a body that is not the message', async () => {
    const s = await server();
    const res = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": 12',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; details: { debug: { reason: string } }[] };
    expect([body.code, body.details[0]!.debug.reason]).toEqual(['invalid_argument', 'CODEC']);
  });

  it('reads a body that arrives after the request head, and refuses one over the receive limit', async () => {
    const s = await server(undefined, { maxReceiveMessageSize: 64 });
    const body = JSON.stringify({ name: 'later' });
    // Expect: 100-continue holds the body back until the server has taken the request head.
    const late = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(url(s.port), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          expect: '100-continue',
        },
      });
      req.on('continue', () => req.end(body));
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    expect(late).toEqual({ status: 200, text: JSON.stringify({ message: 'Hello later' }) });
    const big = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(100) }),
    });
    expect(big.status).toBe(429);
    expect(((await big.json()) as { code: string }).code).toBe('resource_exhausted');
    // The connection and the server go on serving.
    const after = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ message: 'Hello ' });
  });

  it('refuses GET for a method that is not side-effect free', async () => {
    const s = await server();
    const res = await fetch(`${url(s.port)}?encoding=json&message=${encodeURIComponent('{}')}`);
    expect(res.status).toBe(405);
  });

  it('ends the call at connect-timeout-ms with deadline_exceeded', async () => {
    const s = await server({
      SayHello: async (ctx: Context) => {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return helloReply();
      },
    });
    const res = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'connect-timeout-ms': '30' },
      body: '{}',
    });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { code: string }).code).toBe('deadline_exceeded');
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const s = await server({ SayHello: sayHello }, { cors: { origins: ['https://app.example'] } });
    const ask = (origin: string) =>
      fetch(url(s.port), {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-md-global-user',
        },
      });
    const ok = await ask('https://app.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-md-global-user');
    expect((await ask('https://evil.example')).status).toBe(403);
  });
});

describe('gRPC-Web', () => {
  const body = (req: HelloRequest) => encodeEnvelope(0, toBinary(HelloRequestSchema, req));

  it('answers binary gRPC-Web with the message and a trailer frame', async () => {
    const s = await server();
    const res = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' },
      body: body(helloRequest({ name: 'web' })),
    });
    const [msg, trailer] = frames(Buffer.from(await res.arrayBuffer()));
    expect((fromBinary(HelloReplySchema, msg!.data) as { message?: string }).message).toBe('Hello web');
    expect(trailer!.flags).toBe(0x80);
    expect(trailer!.data.toString()).toContain('grpc-status: 0');
  });

  it('answers gRPC-Web text (base64) and carries a KratosError in the trailers', async () => {
    const s = await server({ SayHello: notFound });
    const res = await fetch(url(s.port), {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web-text' },
      body: body(helloRequest()).toString('base64'),
    });
    expect(res.headers.get('content-type')).toBe('application/grpc-web-text+proto');
    const [trailer] = frames(Buffer.from(await res.text(), 'base64'));
    const text = trailer!.data.toString();
    expect(text).toContain('grpc-status: 5');
    expect(text).toContain('grpc-message: user 7 not found');
    expect(text).toContain('grpc-status-details-bin: ');
  });
});
