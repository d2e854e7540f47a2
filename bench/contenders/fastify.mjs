// Contender: bare fastify 5, the baseline of @kratos/http (which runs on it). Usage: node fastify.mjs <port>
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 8000);
const app = Fastify({ logger: false });
app.get('/helloworld/:name', async (req) => ({ message: `Hello ${req.params.name}` }));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
await app.listen({ port, host: '127.0.0.1' });
console.log(`listening ${port}`);
