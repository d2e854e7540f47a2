// What a server advertises (grpc:// or grpcs://) and which endpoints a client dials over TLS.
import { readFileSync } from 'node:fs';
import {
  type Context,
  createMemoryRegistry,
  type Discovery,
  KratosError,
  type ServiceInstance,
} from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createGrpcClient } from './index.ts';
import { GreeterService, type HelloRequest, helloReply, helloRequest } from './testdata/greeter.ts';
import { clientFor, greeterFixture, sayHello, silent, startGreeter } from './testdata/harness.ts';

const { cleanup, server: started } = greeterFixture();

describe('endpoint', () => {
  it('advertises grpc://host:port?isSecure=false', async () => {
    const server = await started();
    expect(server.endpoint().toString()).toBe(`grpc://127.0.0.1:${server.port}?isSecure=false`);
  });
});

describe('tls', () => {
  const cert = readFileSync(new URL('./testdata/tls-cert.pem', import.meta.url));
  const key = readFileSync(new URL('./testdata/tls-key.pem', import.meta.url));
  /** A Greeter answering `Hello <name> from <tag>`, over TLS or not. */
  async function tagged(tag: string, tls: boolean) {
    const server = await startGreeter(
      {
        SayHello: async (_ctx: Context, req: HelloRequest) =>
          helloReply({ message: `Hello ${req.name} from ${tag}` }),
      },
      tls ? { tls: { key, cert } } : {},
    );
    cleanup(() => server.stop());
    return server;
  }
  const instance = (id: string, name: string, endpoints: string[]): ServiceInstance => ({
    id,
    name,
    version: '',
    metadata: {},
    endpoints,
  });
  /** A client of `discovery:///<name>` over `registry`, TLS trusting the test CA unless `plain`. */
  function discoveryClient(registry: Discovery, name: string, plain = false) {
    const client = createGrpcClient({
      endpoint: `discovery:///${name}`,
      discovery: registry,
      ...(plain ? {} : { tls: { ca: cert } }),
      logger: silent,
    });
    cleanup(() => client.close());
    return client;
  }

  it('serves TLS, advertises grpcs://host:port?isSecure=true, and a client trusting the CA calls it', async () => {
    const server = await startGreeter({ SayHello: sayHello }, { tls: { key, cert } });
    cleanup(() => server.stop());
    expect(server.endpoint().toString()).toBe(`grpcs://127.0.0.1:${server.port}?isSecure=true`);
    const client = createGrpcClient({
      endpoint: `direct:///localhost:${server.port}`,
      tls: { ca: cert },
      logger: silent,
    });
    cleanup(() => client.close());
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'tls' }))).message).toBe(
      'Hello tls',
    );
    const plain = clientFor(server);
    cleanup(() => plain.close());
    const err = await plain.unary(GreeterService.SayHello, helloRequest(), { timeout: 1000 }).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect([503, 504]).toContain(err.code);
  });

  it('a TLS client through discovery calls grpcs:// (Go Kratos), grpcs://?isSecure=true and grpc://?isSecure=true instances', async () => {
    const registry = createMemoryRegistry();
    const go = await tagged('go', true);
    const ts = await tagged('ts', true);
    const old = await tagged('old', true);
    await registry.register(instance('go-1', 'go', [`grpcs://127.0.0.1:${go.port}`]));
    await registry.register(instance('ts-1', 'ts', [ts.endpoint().toString()]));
    await registry.register(instance('old-1', 'old', [`grpc://127.0.0.1:${old.port}?isSecure=true`]));
    for (const name of ['go', 'ts', 'old']) {
      const reply = await discoveryClient(registry, name).unary(
        GreeterService.SayHello,
        helloRequest({ name: 'tls' }),
        {
          timeout: 5000,
        },
      );
      expect(reply.message).toBe(`Hello tls from ${name}`);
    }
  });

  it('a TLS client through discovery checks the certificate against the IP dialled or the service name, as Go Kratos names it', async () => {
    // The test certificate is for localhost and 127.0.0.1; this server answers on 127.0.0.2.
    const server = await startGreeter({ SayHello: sayHello }, { address: '127.0.0.2:0', tls: { key, cert } });
    cleanup(() => server.stop());
    const registry = createMemoryRegistry();
    await registry.register(instance('a', 'elsewhere', [`grpcs://127.0.0.2:${server.port}`]));
    await registry.register(instance('b', 'localhost', [`grpcs://127.0.0.2:${server.port}`]));
    const call = (name: string) =>
      discoveryClient(registry, name).unary(GreeterService.SayHello, helloRequest({ name: 'tls' }), {
        timeout: 3000,
      });
    await expect(call('elsewhere')).rejects.toMatchObject({ code: 503 });
    expect((await call('localhost')).message).toBe('Hello tls');
  });

  it('through discovery, a plaintext client takes only plaintext endpoints and a TLS client only TLS ones', async () => {
    const registry = createMemoryRegistry();
    const secure = await tagged('secure', true);
    const plain = await tagged('plain', false);
    await registry.register(instance('s', 'mixed', [`grpcs://127.0.0.1:${secure.port}`]));
    await registry.register(instance('p', 'mixed', [`grpc://127.0.0.1:${plain.port}`]));
    const plainClient = discoveryClient(registry, 'mixed', true);
    const tlsClient = discoveryClient(registry, 'mixed');
    for (let i = 0; i < 10; i++) {
      const viaPlain = await plainClient.unary(GreeterService.SayHello, helloRequest({ name: `${i}` }), {
        timeout: 5000,
      });
      expect(viaPlain.message).toBe(`Hello ${i} from plain`);
      const viaTls = await tlsClient.unary(GreeterService.SayHello, helloRequest({ name: `${i}` }), {
        timeout: 5000,
      });
      expect(viaTls.message).toBe(`Hello ${i} from secure`);
    }
  });
});
