import type { JsonValue } from '@bufbuild/protobuf';
import { KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import {
  createHttpClient,
  type ErrorDecoder,
  type ErrorEncoder,
  type HttpRouteDesc,
  type RequestDecoder,
  type RequestEncoder,
  type ResponseDecoder,
  type ResponseEncoder,
} from './index.ts';
import { HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';
import { httpServers } from './testdata/serve.ts';

const { start } = httpServers();

const getHello: HttpRouteDesc = {
  method: 'GET',
  path: '/hello/{name}',
  operation: '/t.Greeter/Get',
  input: HelloRequestSchema,
  output: HelloReplySchema,
};
const postHello: HttpRouteDesc = {
  method: 'POST',
  path: '/hello',
  operation: '/t.Greeter/Post',
  input: HelloRequestSchema,
  output: HelloReplySchema,
  body: '*',
};
const greet = async (_ctx: unknown, req: { name: string }) => {
  if (req.name === 'nobody') throw new KratosError(404, 'USER_NOT_FOUND', 'no such user');
  return { message: `Hello ${req.name}` };
};

// The README's envelope recipe: every reply and error is `{ code, data, message }`, HTTP 200.
interface Envelope {
  code: number;
  message: string;
  data: JsonValue;
}
const envelopeServer = {
  requestDecoder: (({ json, fromJson }) => fromJson((json() as { data?: JsonValue }).data)) as RequestDecoder,
  responseEncoder: (({ json }) => ({
    contentType: 'application/json',
    body: JSON.stringify({ code: 0, message: 'OK', data: json() }),
  })) as ResponseEncoder,
  errorEncoder: (({ error }) => ({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ code: error.code, message: error.message, data: null }),
  })) as ErrorEncoder,
};
const envelopeClient = {
  encoder: (({ json }) => JSON.stringify({ data: json() })) as RequestEncoder,
  errorDecoder: (({ json, status }) => {
    const e = json() as Envelope | undefined;
    return e?.code === 0 ? undefined : new KratosError(e?.code ?? status, '', e?.message ?? '');
  }) as ErrorDecoder,
  decoder: (({ json, fromJson }) => fromJson((json() as Envelope | undefined)?.data)) as ResponseDecoder,
};

describe('encoders: a service fitted to a { code, data, message } envelope', () => {
  it('server: replies, handler errors, transport errors and bad bodies all come in the envelope', async () => {
    const base = await start((s) => {
      s.route(getHello, greet);
      s.route(postHello, greet);
    }, envelopeServer);

    const ok = await fetch(`${base}/hello/kratos`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ code: 0, message: 'OK', data: { message: 'Hello kratos' } });

    const posted = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { name: 'enveloped' } }),
    });
    expect(await posted.json()).toEqual({ code: 0, message: 'OK', data: { message: 'Hello enveloped' } });

    const missing = await fetch(`${base}/hello/nobody`);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({ code: 404, message: 'no such user', data: null });

    const noRoute = await fetch(`${base}/nowhere`);
    expect(await noRoute.json()).toMatchObject({ code: 404, data: null });

    const bad = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":',
    });
    expect(await bad.json()).toMatchObject({ code: 400, data: null });

    const wrongShape = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { name: 7 } }),
    });
    expect(await wrongShape.json()).toMatchObject({ code: 400, data: null });
  });

  it('client: sends the envelope, reads replies out of it and its errors as KratosErrors', async () => {
    const base = await start((s) => {
      s.route(getHello, greet);
      s.route(postHello, greet);
    }, envelopeServer);
    const client = createHttpClient({ endpoint: base, ...envelopeClient });
    try {
      const got = await client.invoke<unknown, { message: string }>(getHello, { name: 'a' });
      expect(got.message).toBe('Hello a');
      const posted = await client.invoke<unknown, { message: string }>(postHello, { name: 'b' });
      expect(posted.message).toBe('Hello b');
      const err = await client.invoke(getHello, { name: 'nobody' }).catch((e: unknown) => e);
      expect(KratosError.is(err)).toBe(true);
      expect(err).toMatchObject({ code: 404, message: 'no such user' });
    } finally {
      await client.close();
    }
  });

  it('a route’s own encoders win over the server’s; other routes keep the server’s', async () => {
    const base = await start((s) => {
      s.route(getHello, greet);
      s.route(postHello, greet, {
        requestDecoder: ({ body }) => ({ name: Buffer.from(body).toString('utf8') }),
        responseEncoder: ({ message }) => ({
          contentType: 'text/plain',
          body: String((message as unknown as { message: string }).message),
          status: 201,
        }),
        errorEncoder: ({ error, encode }) => ({ ...encode(), status: error.code === 404 ? 410 : error.code }),
      });
    }, envelopeServer);
    const plain = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'raw name',
    });
    expect(plain.status).toBe(201);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await plain.text()).toBe('Hello raw name');

    const gone = await fetch(`${base}/hello`, { method: 'POST', body: 'nobody' });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toEqual({
      code: 404,
      reason: 'USER_NOT_FOUND',
      message: 'no such user',
      metadata: {},
    });

    const other = await fetch(`${base}/hello/x`);
    expect(await other.json()).toEqual({ code: 0, message: 'OK', data: { message: 'Hello x' } });
  });

  it('the default encodings are at hand; an error encoder that throws leaves the Kratos body', async () => {
    const base = await start(
      (s) => {
        s.route(getHello, greet);
      },
      {
        responseEncoder: ({ encode }) => ({ ...encode(), status: 203 }),
        errorEncoder: () => {
          throw new Error('encoder bug');
        },
      },
    );
    const ok = await fetch(`${base}/hello/x`, { headers: { accept: 'application/json' } });
    expect(ok.status).toBe(203);
    expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await ok.json()).toEqual({ message: 'Hello x' });
    const missing = await fetch(`${base}/hello/nobody`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 404, reason: 'USER_NOT_FOUND' });
  });

  it('a request decoder’s own failure is a 400 CODEC; a response encoder’s goes to the error encoder', async () => {
    const base = await start((s) => {
      s.route(postHello, greet, {
        requestDecoder: () => {
          throw new Error('not my format');
        },
      });
      s.route(getHello, greet, {
        responseEncoder: () => {
          throw new KratosError(502, 'UPSTREAM_SHAPE', 'cannot encode');
        },
      });
    });
    const bad = await fetch(`${base}/hello`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ reason: 'CODEC', message: 'decode request: not my format' });
    const failed = await fetch(`${base}/hello/x`);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ reason: 'UPSTREAM_SHAPE' });
  });
});

describe('route options: timeout', () => {
  it('a route’s own deadline wins over the server’s; its error encoder writes the 504', async () => {
    const base = await start(
      (s) => {
        s.route(
          getHello,
          (ctx) =>
            // answers only once its deadline has aborted it (bounded by a fallback)
            new Promise((resolve) => {
              const t = setTimeout(() => resolve({ message: 'late' }), 20_000);
              ctx.signal.addEventListener('abort', () => {
                clearTimeout(t);
                resolve({ message: 'aborted' });
              });
            }),
          {
            timeout: 50,
            errorEncoder: ({ error }) => ({
              contentType: 'text/plain',
              body: `${error.code} ${error.message}`,
            }),
          },
        );
      },
      { timeout: 60_000 },
    );
    const res = await fetch(`${base}/hello/x`);
    expect(res.status).toBe(504);
    expect(await res.text()).toBe('504 deadline of 50 ms exceeded');
  });
});
