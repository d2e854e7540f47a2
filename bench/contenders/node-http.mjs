// Contender: node:http alone, the floor every HTTP framework builds on. Usage: node node-http.mjs <port>
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 8000);
const PREFIX = '/helloworld/';
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith(PREFIX)) {
    const name = decodeURIComponent(req.url.slice(PREFIX.length));
    const body = JSON.stringify({ message: `Hello ${name}` });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 72_000;
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
