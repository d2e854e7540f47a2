// Streamed replies as a browser reads them: chromium's EventSource (which sends
// `Accept: text/event-stream`) receives a server-streaming route's replies as message events, then
// the `end` event; a failure mid-stream arrives as an `error` event carrying the Kratos error body.
import { existsSync } from 'node:fs';
import { KratosError } from '@kratos/core';
import { createHttpServer, type HttpServer } from '@kratos/http';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GreeterSayHello0HttpRoute,
  OperationGreeterSayHello,
} from '../../examples/helloworld/api/helloworld/v1/greeter_http.js';
import type { HelloRequest } from '../../examples/helloworld/api/helloworld/v1/greeter_pb.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server: HttpServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (scripts/servers/install-debian.sh)`);
  server = createHttpServer({ address: '127.0.0.1:0', logger: { log() {} } });
  // The Greeter's messages on a streaming route of its own.
  server.route(
    {
      ...GreeterSayHello0HttpRoute,
      path: '/helloworld/{name}/stream',
      operation: `${OperationGreeterSayHello}Stream`,
      serverStreaming: true,
    },
    async function* (_ctx, req: HelloRequest) {
      for (let i = 1; i <= 3; i++) yield { message: `Hello ${req.name} #${i}` };
      if (req.name === 'fail') throw new KratosError(409, 'STREAM_BROKE', 'broke after three');
    },
  );
  server.get('/', (_req, reply) => reply.type('text/html').send('<!doctype html><title>sse</title>'));
  await server.start();
  base = `http://127.0.0.1:${server.address()!.port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens an EventSource in the page and collects what it receives until `end` or `error`. */
function listen(path: string) {
  return async (page: import('playwright-core').Page) =>
    page.evaluate(
      (url) =>
        new Promise<string[]>((resolve) => {
          const got: string[] = [];
          const es = new EventSource(url);
          es.onmessage = (e) => got.push(`message ${e.data}`);
          es.addEventListener('end', () => {
            es.close();
            resolve([...got, 'end']);
          });
          // A server's `event: error` carries data; the browser's own error (connection) does not.
          es.addEventListener('error', (e) => {
            es.close();
            resolve([...got, `error ${(e as MessageEvent).data ?? '(connection)'}`]);
          });
        }),
      path,
    );
}

describe('streamed replies in chromium (EventSource)', () => {
  it('receives each reply as a message event, then end', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    expect(await listen('/helloworld/ann/stream')(page)).toEqual([
      'message {"message":"Hello ann #1"}',
      'message {"message":"Hello ann #2"}',
      'message {"message":"Hello ann #3"}',
      'end',
    ]);
    await page.close();
  });

  it('receives a failure mid-stream as an error event with the Kratos error body', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const got = await listen('/helloworld/fail/stream')(page);
    expect(got.slice(0, 3)).toEqual([1, 2, 3].map((i) => `message {"message":"Hello fail #${i}"}`));
    expect(got[3]).toBe(
      'error {"code":409,"reason":"STREAM_BROKE","message":"broke after three","metadata":{}}',
    );
    await page.close();
  });
});
