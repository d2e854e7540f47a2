import { type ClientHttp2Session, type ClientHttp2Stream, connect } from 'node:http2';
import type { Context } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { GreeterService, type HelloRequest, helloRequest } from './testdata/greeter.ts';
import { clientFor, greeterFixture, sayHello } from './testdata/harness.ts';

// Raw HTTP/2 peers that misbehave; every test waits for an event (a stream's or a session's
// 'close', a 'ping', a 'goaway'), so a server that never acted would fail it at the test timeout.
const { cleanup, server } = greeterFixture();

function session(port: number): ClientHttp2Session {
  const s = connect(`http://127.0.0.1:${port}`);
  s.on('error', () => {});
  cleanup(async () => {
    s.destroy();
  });
  return s;
}

/** A unary call that sends its headers and the first 3 bytes of a 100-byte message, then stalls. */
function halfSent(s: ClientHttp2Session): Promise<string | undefined> {
  return new Promise((resolve) => {
    const stream: ClientHttp2Stream = s.request({
      ':method': 'POST',
      ':path': GreeterService.SayHello.path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let grpcStatus: string | undefined;
    stream.on('trailers', (t) => {
      grpcStatus = String(t['grpc-status']);
    });
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    stream.on('error', () => {});
    stream.on('data', () => {});
    stream.once('close', () => resolve(grpcStatus));
    stream.write(Buffer.from([0, 0, 0, 0, 100, 1, 2, 3]));
  });
}

describe('stalled gRPC peers', () => {
  it('1,000 half-sent unary streams end with DEADLINE_EXCEEDED at requestTimeout; serving goes on', async () => {
    const started = await server({ SayHello: sayHello }, { requestTimeout: 200 });
    // Spread over 4 connections: each holds at most maxConcurrentStreams (250) at once.
    const sessions = Array.from({ length: 4 }, () => session(started.port));
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => halfSent(sessions[i % sessions.length]!)),
    );
    expect(new Set(statuses)).toEqual(new Set(['4'])); // DEADLINE_EXCEEDED
    const client = clientFor(started);
    cleanup(() => client.close());
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'up' }))).message).toBe(
      'Hello up',
    );
  });

  it('advertises maxConcurrentStreams (default 250) in its HTTP/2 settings', async () => {
    const started = await server();
    const s = session(started.port);
    await new Promise((resolve) => s.once('remoteSettings', resolve));
    expect(s.remoteSettings.maxConcurrentStreams).toBe(250);
    const capped = await server(undefined, { maxConcurrentStreams: 10 });
    const c = session(capped.port);
    await new Promise((resolve) => c.once('remoteSettings', resolve));
    expect(c.remoteSettings.maxConcurrentStreams).toBe(10);
  });

  it('pings connections every keepaliveTime', async () => {
    const started = await server(undefined, { keepaliveTime: 50 });
    const s = session(started.port);
    await new Promise((resolve) => s.once('ping', resolve));
  });

  it('sends GOAWAY on a connection idle for maxConnectionIdle, and closes it', async () => {
    const started = await server(undefined, { maxConnectionIdle: 100 });
    const s = session(started.port);
    const goaway = new Promise((resolve) => s.once('goaway', resolve));
    const closed = new Promise((resolve) => s.once('close', resolve));
    await goaway;
    await closed;
  });

  it('stop sends GOAWAY at once and lets the call in flight finish', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    const started = await server(
      {
        SayHello: async (ctx: Context, req: HelloRequest) => {
          entered();
          await new Promise<void>((r) => {
            release = r;
          });
          return sayHello(ctx, req);
        },
      },
      { timeout: 0 },
    );
    const client = clientFor(started, { timeout: 0 });
    cleanup(() => client.close());
    const watcher = session(started.port);
    await new Promise((resolve) => watcher.once('remoteSettings', resolve));
    const goaway = new Promise((resolve) => watcher.once('goaway', resolve));
    const inflight = client.unary(GreeterService.SayHello, helloRequest({ name: 'draining' }));
    await inHandler;
    const stopped = started.stop();
    await goaway; // sent while the call is still in the handler
    release();
    expect((await inflight).message).toBe('Hello draining');
    await stopped;
  });
});
