import { describe, expect, it } from 'vitest';
import { healthDefinition } from './index.ts';
import { clientFor, greeterFixture, sayHello, startGreeter, until } from './testdata/harness.ts';

const { cleanup, server: started } = greeterFixture();

describe('health', () => {
  it('Check answers SERVING per service and overall, NOT_FOUND for unknown ones', async () => {
    const server = await started();
    const client = clientFor(server);
    cleanup(() => client.close());
    expect(await client.unary(healthDefinition.Check, { service: '' })).toEqual({ status: 'SERVING' });
    expect(await client.unary(healthDefinition.Check, { service: 'helloworld.v1.Greeter' })).toEqual({
      status: 'SERVING',
    });
    const err = await client.unary(healthDefinition.Check, { service: 'nope.Service' }).catch((e) => e);
    expect(err.code).toBe(404);
    server.setServingStatus('helloworld.v1.Greeter', 'NOT_SERVING');
    expect(await client.unary(healthDefinition.Check, { service: 'helloworld.v1.Greeter' })).toEqual({
      status: 'NOT_SERVING',
    });
  });

  it('Watch streams changes and NOT_SERVING on stop, then ends so the stop can finish', async () => {
    const server = await startGreeter({ SayHello: sayHello });
    const client = clientFor(server);
    cleanup(() => client.close());
    const seen: string[] = [];
    const unknown: string[] = [];
    const watching = (async () => {
      for await (const r of client.serverStream(healthDefinition.Watch, { service: '' })) seen.push(r.status);
    })();
    const watchingUnknown = (async () => {
      for await (const r of client.serverStream(healthDefinition.Watch, { service: 'later.Service' })) {
        unknown.push(r.status);
      }
    })();
    await until(() => seen.length === 1 && unknown.length === 1);
    expect(seen).toEqual(['SERVING']);
    expect(unknown).toEqual(['SERVICE_UNKNOWN']);
    server.setServingStatus('later.Service', 'SERVING');
    await until(() => unknown.length === 2);
    await server.stop();
    await watching;
    await watchingUnknown;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    expect(unknown).toEqual(['SERVICE_UNKNOWN', 'SERVING', 'NOT_SERVING']);
  });
});
