// Contender: Moleculer with moleculer-web as the HTTP gateway (one local broker, no transporter).
// Usage: node moleculer.mjs <port>
import { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';

const port = Number(process.argv[2] ?? 8000);
const broker = new ServiceBroker({ logger: false, metrics: false, tracing: false });
broker.createService({
  name: 'greeter',
  actions: {
    sayHello(ctx) {
      return { message: `Hello ${ctx.params.name}` };
    },
  },
});
broker.createService({
  name: 'api',
  mixins: [ApiGateway],
  settings: {
    port,
    ip: '127.0.0.1',
    logRequest: null,
    logResponse: null,
    routes: [
      { path: '/', mappingPolicy: 'restrict', aliases: { 'GET helloworld/:name': 'greeter.sayHello' } },
    ],
  },
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
await broker.start();
console.log(`listening ${port}`);
