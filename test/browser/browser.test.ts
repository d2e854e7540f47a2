// @kratos/rpc from a real browser: Debian's chromium, driven by playwright-core, loads a page
// from its own origin; the page's @connectrpc/connect-web clients call the helloworld Greeter
// (registered with the code protoc-gen-kratos generates) over Connect (a POST, or a GET for
// SayHello, which greeter.proto marks side-effect free) and gRPC-Web, across
// origins (CORS), and read a Kratos error's reason and metadata.
import { existsSync } from 'node:fs';
import type { Context, Logger } from '@kratos/core';
import { createRpcServer, type RpcServer } from '@kratos/rpc';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorUserNotFound } from '../../examples/helloworld/api/helloworld/v1/error_reason_errors.js';
import { registerGreeterGrpcServer } from '../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import type { HelloRequest } from '../../examples/helloworld/api/helloworld/v1/greeter_pb.js';
import type { Failure, KratosPage, Protocol } from './page/main.ts';
import { bundlePage, servePage } from './page.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const silent: Logger = { log() {} };
const protocols: Protocol[] = ['connect-json', 'connect-get', 'connect-binary', 'grpc-web'];

async function sayHello(ctx: Context, req: HelloRequest) {
  if (req.name === 'nobody')
    throw errorUserNotFound('user %s not found', req.name).withMetadata({ user: req.name, page: 'yes' });
  const from = ctx.metadata.get('x-md-global-caller');
  return {
    $typeName: 'helloworld.v1.HelloReply' as const,
    message: from ? `Hello ${req.name} (from ${from})` : `Hello ${req.name}`,
  };
}

async function startServer(origins: string[]): Promise<RpcServer> {
  const server = createRpcServer({ address: '127.0.0.1:0', logger: silent, cors: { origins } });
  registerGreeterGrpcServer(server, { sayHello });
  await server.start();
  return server;
}

let browser: Browser;
let page: Page;
let pageSite: { origin: string; close(): Promise<void> };
let server: RpcServer;
let elsewhere: RpcServer;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (scripts/servers/install-debian.sh)`);
  pageSite = await servePage(await bundlePage());
  server = await startServer([pageSite.origin]);
  // A server that lets another origin in, not the page's.
  elsewhere = await startServer(['http://127.0.0.1:1']);
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage();
  await page.goto(`${pageSite.origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await elsewhere?.stop();
  await pageSite?.close();
});

const base = (s: RpcServer) => `http://127.0.0.1:${s.port}`;

function greet(protocol: Protocol, url: string, name: string, headers?: Record<string, string>) {
  return page.evaluate(
    ([p, u, n, h]) => (globalThis as unknown as { kratosPage: KratosPage }).kratosPage.greet(p, u, n, h),
    [protocol, url, name, headers] as const,
  );
}

function fail(protocol: Protocol, url: string, name: string): Promise<Failure> {
  return page.evaluate(
    ([p, u, n]) => (globalThis as unknown as { kratosPage: KratosPage }).kratosPage.fail(p, u, n),
    [protocol, url, name] as const,
  );
}

describe('@kratos/rpc from chromium (@connectrpc/connect-web)', () => {
  for (const protocol of protocols) {
    describe(protocol, () => {
      it('gets the greeting across origins', async () => {
        const sent = page.waitForRequest(
          (r) => r.url().includes('/helloworld.v1.Greeter/SayHello') && r.method() !== 'OPTIONS',
        );
        expect(await greet(protocol, base(server), 'browser')).toBe('Hello browser');
        // The request message travels in the URL of a Connect GET, in the body otherwise.
        expect((await sent).method()).toBe(protocol === 'connect-get' ? 'GET' : 'POST');
      });

      it('sends request metadata (x-md-global-*) through the preflight', async () => {
        expect(await greet(protocol, base(server), 'md', { 'x-md-global-caller': 'chromium' })).toBe(
          'Hello md (from chromium)',
        );
      });

      it('reads a Kratos error: code, message, reason and metadata', async () => {
        expect(await fail(protocol, base(server), 'nobody')).toEqual({
          connectError: true,
          code: 5, // NOT_FOUND, from the Kratos 404
          message: 'user nobody not found',
          reason: 'USER_NOT_FOUND',
          metadata: { user: 'nobody', page: 'yes' },
        });
      });

      it('is refused by a server whose CORS does not allow the page origin', async () => {
        const failure = await fail(protocol, base(elsewhere), 'browser');
        expect(failure.connectError).toBe(true);
        expect(failure.reason).toBeUndefined();
        expect(failure.message).toMatch(/fetch/i);
      });
    });
  }
});
