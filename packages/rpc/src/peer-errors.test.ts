// A peer that breaks the HTTP/2 protocol while a stream is open: node:http2 destroys the session
// and its open streams with the error. The server must survive it, cancel the call's context and
// go on serving (Go Kratos' client closing with its health Watch stream open hit this).
import { connect, type Socket } from 'node:net';
import type { Context } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import {
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
  rpcFixture,
} from './testdata/harness.ts';

const { setup, cleanup } = rpcFixture();

/** One HTTP/2 frame. */
function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK literal header field without indexing, new name (short names and values). */
const literal = (name: string, value: string) =>
  Buffer.concat([
    Buffer.from([0, name.length]),
    Buffer.from(name),
    Buffer.from([value.length]),
    Buffer.from(value),
  ]);

describe('a peer breaking the protocol', () => {
  it('cancels the open stream, does not crash the process, and the server keeps serving', async () => {
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      started = resolve;
    });
    let cancelled!: () => void;
    const wasCancelled = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    const { server, client } = await setup({
      SayHello: async (_ctx: Context, req: HelloRequest) => helloReply({ message: `Hello ${req.name}` }),
      StreamHellos: async function* (ctx: Context) {
        ctx.signal.addEventListener('abort', () => cancelled());
        started();
        await wasCancelled;
        yield helloReply();
      },
    });
    const socket: Socket = connect(server.port, '127.0.0.1');
    cleanup(async () => void socket.destroy());
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const headers = Buffer.concat([
      literal(':method', 'POST'),
      literal(':scheme', 'http'),
      literal(':path', GreeterService.StreamHellos.path),
      literal(':authority', 'peer'),
      literal('content-type', 'application/grpc'),
      literal('te', 'trailers'),
    ]);
    const message = Buffer.from([0, 0, 0, 0, 3, 0x0a, 1, 0x61]); // HelloRequest{name: "a"}
    socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    socket.write(frame(0x4, 0, 0, Buffer.alloc(0))); // SETTINGS
    socket.write(frame(0x1, 0x4, 1, headers)); // HEADERS, END_HEADERS
    socket.write(frame(0x0, 0x1, 1, message)); // DATA, END_STREAM
    await inHandler;
    // WINDOW_UPDATE with a zero increment on the connection: a connection PROTOCOL_ERROR.
    socket.write(frame(0x8, 0, 0, Buffer.alloc(4)));
    await wasCancelled;
    const reply = await client.unary(GreeterService.SayHello, helloRequest({ name: 'after' }));
    expect(reply.message).toBe('Hello after');
  });
});
