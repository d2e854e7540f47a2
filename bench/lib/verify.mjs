// The harness' correctness check: before a contender is measured, one request must get the
// right reply (so a contender answering errors fast can never win a round).
import { setTimeout as sleep } from 'node:timers/promises';

import { STREAM_REPLIES } from './contenders.mjs';

async function verifyHttp(port, request) {
  const res = await fetch(
    `http://127.0.0.1:${port}${request?.path ?? '/helloworld/bench'}`,
    request ? { method: request.method, headers: request.headers, body: request.body } : undefined,
  );
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (res.status !== 200 || body?.message !== 'Hello bench')
    throw new Error(`unexpected reply ${res.status} ${text.slice(0, 100)}`);
}

/**
 * One call over h2c with node:http2 (SayHello, or StreamHellos for `stream`): checks grpc-status 0
 * and the HelloReply frames (one, or STREAM_REPLIES).
 */
async function verifyGrpc(port, stream) {
  const { connect } = await import('node:http2');
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    const reply = await new Promise((resolve, reject) => {
      session.once('error', reject);
      const req = session.request({
        ':method': 'POST',
        ':path': stream ? '/benchstream.v1.StreamGreeter/StreamHellos' : '/helloworld.v1.Greeter/SayHello',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const chunks = [];
      let status = null;
      req.on('trailers', (t) => {
        status = t['grpc-status'];
      });
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined) status = h['grpc-status'];
      });
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => resolve({ status, data: Buffer.concat(chunks) }));
      req.on('error', reject);
      req.setTimeout(5000, () => reject(new Error('timeout')));
      req.end(Buffer.from([0, 0, 0, 0, 7, 0x0a, 5, ...Buffer.from('bench')]));
    });
    const message = Buffer.from([0x0a, 11, ...Buffer.from('Hello bench')]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
    const want = Buffer.concat(Array.from({ length: stream ? STREAM_REPLIES : 1 }, () => frame));
    if (String(reply.status) !== '0' || !reply.data.equals(want))
      throw new Error(`unexpected reply: grpc-status ${reply.status}, ${reply.data.toString('hex')}`);
  } finally {
    session.close();
  }
}

/** Checks the reply; retried a few times, since a busy machine can drop the very first request. */
export async function verify(c, port) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (c.transport === 'http'
        ? verifyHttp(port, c.request)
        : verifyGrpc(port, c.transport === 'grpc-stream'));
    } catch (err) {
      if (attempt >= 3 || /unexpected reply/.test(err.message)) throw err;
      await sleep(200 * attempt);
    }
  }
}
