// Contender: the floor of gRPC on Node, a minimal unary responder written directly on node:http2
// (no framework, no middleware, no deadline, no metadata): read the 5-byte frame, decode
// HelloRequest, answer headers, the HelloReply frame and grpc-status trailers.
// Usage: node node-http2-floor.mjs <port>
import { createServer } from 'node:http2';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

const port = Number(process.argv[2] ?? 9000);
const server = createServer();
server.on('stream', (stream) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const r = new BinaryReader(body.subarray(5, 5 + body.readUInt32BE(1)));
    let name = '';
    while (r.pos < r.len) {
      const [no, wt] = r.tag();
      if (no === 1 && wt === WireType.LengthDelimited) name = r.string();
      else r.skip(wt, no);
    }
    const msg = new BinaryWriter().tag(1, WireType.LengthDelimited).string(`Hello ${name}`).finish();
    const frame = Buffer.allocUnsafe(5 + msg.length);
    frame[0] = 0;
    frame.writeUInt32BE(msg.length, 1);
    frame.set(msg, 5);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame);
  });
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
