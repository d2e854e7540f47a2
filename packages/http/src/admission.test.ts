import { connect } from 'node:net';
import type { Context } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import type { AdmissionLimiter } from './index.ts';
import { HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';
import { httpServers } from './testdata/serve.ts';

const { start } = httpServers();

/** Admits while `open`; counts admissions and the done calls. */
function gate() {
  const g = { open: true, admitted: 0, done: 0, asked: 0 };
  const limiter: AdmissionLimiter = {
    allow() {
      g.asked++;
      if (!g.open) return undefined;
      g.admitted++;
      return () => {
        g.done++;
      };
    },
  };
  return { g, limiter };
}

const helloRoute = {
  method: 'POST',
  path: '/hello',
  operation: '/t.S/Hello',
  input: HelloRequestSchema,
  output: HelloReplySchema,
  body: '*',
} as const;

/** Sends a request head announcing a body it never sends; resolves to what the server answered. */
function headWithoutBody(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"na',
      );
    });
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      got += d;
      if (got.includes('\r\n\r\n') && got.includes('}')) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
  });
}

describe('createHttpServer: early admission (limiter option)', () => {
  it('sheds with 429 RATELIMIT before routing or reading the body; admitted requests are served and reported done', async () => {
    const { g, limiter } = gate();
    let handled = 0;
    const base = await start(
      (s) => {
        s.route(helloRoute, async (_c: Context, r: { name: string }) => {
          handled++;
          return { message: `hi ${r.name}` };
        });
      },
      { limiter },
    );
    const post = () =>
      fetch(`${base}/hello`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'a' }),
      });
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ message: 'hi a' });

    g.open = false;
    const shed = await post();
    expect(shed.status).toBe(429);
    expect(await shed.json()).toEqual({
      code: 429,
      reason: 'RATELIMIT',
      message: 'service unavailable due to rate limit exceeded',
      metadata: {},
    });
    // Unknown paths are asked too: admission comes before routing.
    expect((await fetch(`${base}/nowhere`)).status).toBe(429);
    // The body is never waited for: 100 kB announced, 4 bytes sent, answered at once.
    const raw = await headWithoutBody(Number(new URL(base).port));
    expect(raw.startsWith('HTTP/1.1 429 ')).toBe(true);
    expect(raw).toContain('"reason":"RATELIMIT"');

    expect(handled).toBe(1);
    expect(g.asked).toBe(4);
    expect(g.admitted).toBe(1);
    expect(g.done).toBe(1);
  });
});
