import { readFileSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Client, credentials, Metadata as GrpcMetadata, type ServiceError, status } from '@grpc/grpc-js';
import {
  type Context,
  createMemoryRegistry,
  createWatchChannel,
  type Discovery,
  KratosError,
  type ServiceInstance,
} from '@kratos/core';
import { createSelector } from '@kratos/selector';
import { describe, expect, it } from 'vitest';
import {
  createGrpcClient,
  decodeRpcStatus,
  ERROR_INFO_TYPE_URL,
  encodeErrorInfo,
  encodeRpcStatus,
  type GrpcServer,
  healthDefinition,
  type ReflectionResponse,
  reflectionDefinition,
  reflectionV1AlphaDefinition,
  STATUS_DETAILS_KEY,
} from './index.ts';
import { GreeterService, type HelloRequest, helloReply, helloRequest } from './testdata/greeter.ts';
import {
  clientFor,
  fromArray,
  greeterFixture,
  sayHello,
  silent,
  startGreeter,
  until,
} from './testdata/harness.ts';
import { ErrorInfoSchema, RpcStatusSchema } from './testdata/rpc-status.ts';

const { cleanup, server: started } = greeterFixture();

describe('error details on the wire', () => {
  it('sends google.rpc.Status with ErrorInfo{reason, metadata} in grpc-status-details-bin', async () => {
    const server = await started({
      SayHello: async () => {
        throw new KratosError(403, 'NO_ACCESS', 'not yours', { metadata: { user: 'bob', res: 'doc/1' } });
      },
    });
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    cleanup(async () => raw.close());
    const err = await new Promise<ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        GreeterService.SayHello.path,
        GreeterService.SayHello.requestSerialize,
        GreeterService.SayHello.responseDeserialize,
        helloRequest(),
        new GrpcMetadata(),
        {},
        (e) => resolve(e!),
      ),
    );
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toBe('not yours');
    const bin = err.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer;
    const st = fromBinary(RpcStatusSchema, bin) as unknown as {
      code: number;
      message: string;
      details: Any[];
    };
    expect(st.code).toBe(status.PERMISSION_DENIED);
    expect(st.message).toBe('not yours');
    expect(st.details).toHaveLength(1);
    expect(st.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.ErrorInfo');
    const info = fromBinary(ErrorInfoSchema, st.details[0]!.value) as unknown as {
      reason: string;
      domain: string;
      metadata: Record<string, string>;
    };
    expect(info.reason).toBe('NO_ACCESS');
    expect(info.domain).toBe('');
    expect(info.metadata).toEqual({ user: 'bob', res: 'doc/1' });
  });

  it('hand-written codec matches protobuf-es byte for byte', () => {
    const info = encodeErrorInfo({ reason: 'R', metadata: { a: '1', b: '2' } });
    const ref = toBinary(ErrorInfoSchema, {
      $typeName: 'google.rpc.ErrorInfo',
      reason: 'R',
      domain: '',
      metadata: { a: '1', b: '2' },
    } as never);
    expect(Buffer.from(info).equals(Buffer.from(ref))).toBe(true);
    const st = encodeRpcStatus({
      code: 5,
      message: 'm',
      details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }],
    });
    const back = decodeRpcStatus(st);
    expect(back).toEqual({ code: 5, message: 'm', details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }] });
    const viaEs = fromBinary(RpcStatusSchema, st) as unknown as { code: number; details: Any[] };
    expect(viaEs.code).toBe(5);
    expect(Buffer.from(viaEs.details[0]!.value).equals(Buffer.from(info))).toBe(true);
  });

  it('a peer status without details becomes reason "" with the status message', async () => {
    const server = await started();
    // A method the server does not know: grpc-js answers UNIMPLEMENTED without details.
    const client = clientFor(server);
    cleanup(() => client.close());
    const err = await client
      .unary({ ...GreeterService.SayHello, path: '/helloworld.v1.Greeter/Missing' }, helloRequest())
      .catch((e) => e);
    expect(err).toBeInstanceOf(KratosError);
    expect(err.code).toBe(501);
    expect(err.reason).toBe('');
    expect(err.message).toMatch(/Missing/);
  });

  it('unary calls start without grpc-js capturing a caller stack, and leave Error.stackTraceLimit as it was', async () => {
    const server = await started();
    const client = clientFor(server);
    cleanup(() => client.close());
    const before = Error.stackTraceLimit;
    const ok = await client.unary(GreeterService.SayHello, helloRequest({ name: 'x' }));
    expect(ok.message).toBe('Hello x');
    const err = await client
      .unary({ ...GreeterService.SayHello, path: '/helloworld.v1.Greeter/Missing' }, helloRequest())
      .catch((e) => e);
    expect(Error.stackTraceLimit).toBe(before);
    expect(err).toBeInstanceOf(KratosError);
    // The KratosError is made after the call started, with stacks on again; grpc-js' "for call at"
    // caller stack is not appended to anything.
    expect(err.stack).toMatch(/KratosError|Error/);
    expect(String(err.cause?.stack ?? '')).not.toMatch(/for call at\n\s+at /);
  });
});

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

describe('reflection', () => {
  for (const [name, def] of [
    ['v1', reflectionDefinition],
    ['v1alpha', reflectionV1AlphaDefinition],
  ] as const) {
    it(`${name}: lists services and serves the file of a symbol with its dependencies`, async () => {
      const server = await started();
      const client = clientFor(server);
      cleanup(() => client.close());
      const reqs = fromArray([
        { host: '', listServices: '', raw: new Uint8Array() },
        { host: '', fileContainingSymbol: 'helloworld.v1.Greeter', raw: new Uint8Array() },
        { host: '', fileByFilename: 'google/protobuf/timestamp.proto', raw: new Uint8Array() },
        { host: '', fileContainingSymbol: 'helloworld.v1.HelloRequest.name', raw: new Uint8Array() },
        { host: '', fileContainingSymbol: 'no.Such', raw: new Uint8Array() },
      ]);
      const out: ReflectionResponse[] = [];
      for await (const r of client.bidiStream(def.ServerReflectionInfo, reqs)) out.push(r);
      expect(out).toHaveLength(5);
      expect(out[0]!.services!.sort()).toEqual([
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'helloworld.v1.Greeter',
      ]);
      const files = out[1]!.fileDescriptorProtos!.map((b) => fromBinary(FileDescriptorProtoSchema, b));
      expect(files.map((f) => f.name)).toEqual([
        'helloworld/v1/greeter.proto',
        'google/protobuf/timestamp.proto',
      ]);
      expect(files[0]!.service[0]!.method.map((m) => m.name)).toEqual([
        'SayHello',
        'StreamHellos',
        'CollectHellos',
        'Chat',
      ]);
      expect(fromBinary(FileDescriptorProtoSchema, out[2]!.fileDescriptorProtos![0]!).name).toBe(
        'google/protobuf/timestamp.proto',
      );
      expect(fromBinary(FileDescriptorProtoSchema, out[3]!.fileDescriptorProtos![0]!).name).toBe(
        'helloworld/v1/greeter.proto',
      );
      expect(out[4]!.error?.code).toBe(status.NOT_FOUND);
    });
  }
});

describe('discovery', () => {
  for (const balancer of ['p2c', 'wrr', 'random'] as const) {
    it(`spreads calls over the registered instances (${balancer})`, async () => {
      const registry = createMemoryRegistry();
      const servers: GrpcServer[] = [];
      const counts = [0, 0];
      for (const i of [0, 1]) {
        const s = await started({
          SayHello: async () => {
            counts[i]!++;
            return helloReply({ message: String(i) });
          },
        });
        servers.push(s);
        await registry.register({
          id: `greeter-${i}`,
          name: 'greeter',
          version: 'v1',
          metadata: {},
          endpoints: [
            s
              .endpoint()
              .toString()
              .replace(/\/\/[^:]+:/, '//127.0.0.1:'),
          ],
        });
      }
      const client = createGrpcClient({
        endpoint: 'discovery:///greeter',
        discovery: registry,
        selector: createSelector({ balancer }),
        logger: silent,
      });
      cleanup(() => client.close());
      for (let i = 0; i < 60; i++) await client.unary(GreeterService.SayHello, helloRequest());
      expect(counts[0]! + counts[1]!).toBe(60);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);

      // An instance leaving moves every call to the other one.
      await registry.deregister({
        id: 'greeter-0',
        name: 'greeter',
        version: 'v1',
        metadata: {},
        endpoints: [],
      });
      // The watch update is applied asynchronously: wait until calls stop reaching instance 0.
      let settled = false;
      for (let i = 0; i < 100 && !settled; i++) {
        const c0 = counts[0]!;
        await client.unary(GreeterService.SayHello, helloRequest());
        await client.unary(GreeterService.SayHello, helloRequest());
        settled = counts[0] === c0;
      }
      const before = counts[0]!;
      for (let i = 0; i < 10; i++) await client.unary(GreeterService.SayHello, helloRequest());
      expect(counts[0]).toBe(before);
    });
  }

  it('keeps calling the last good nodes while the registry is unreachable', async () => {
    const server = await started();
    let watches = 0;
    const broken: Discovery = {
      async getService() {
        throw new Error('registry down');
      },
      async watch() {
        watches++;
        if (watches > 1) throw new Error('registry down');
        const ch = createWatchChannel<ServiceInstance[]>();
        ch.push([
          {
            id: 'a',
            name: 'svc',
            version: '',
            metadata: {},
            endpoints: [`grpc://127.0.0.1:${server.port}?isSecure=false`],
          },
        ]);
        setTimeout(() => ch.push([]), 20); // a broken registry answering an empty set
        setTimeout(() => ch.fail(new Error('connection lost')), 40);
        return ch.watcher;
      },
    };
    const client = createGrpcClient({ endpoint: 'discovery:///svc', discovery: broken, logger: silent });
    cleanup(() => client.close());
    await client.ready();
    await new Promise((r) => setTimeout(r, 80));
    for (let i = 0; i < 5; i++) {
      expect((await client.unary(GreeterService.SayHello, helloRequest({ name: String(i) }))).message).toBe(
        `Hello ${i}`,
      );
    }
  });

  it('waits for the first node set before the first call', async () => {
    const registry = createMemoryRegistry();
    const client = createGrpcClient({ endpoint: 'discovery:///late', discovery: registry, logger: silent });
    cleanup(() => client.close());
    const call = client.unary(GreeterService.SayHello, helloRequest({ name: 'late' }), { timeout: 5000 });
    const server = await started();
    await registry.register({
      id: 'late-1',
      name: 'late',
      version: '',
      metadata: {},
      endpoints: [`grpc://127.0.0.1:${server.port}?isSecure=false`],
    });
    expect((await call).message).toBe('Hello late');
  });

  it('a call with no node in time fails with a Kratos error', async () => {
    const registry = createMemoryRegistry();
    const client = createGrpcClient({ endpoint: 'discovery:///none', discovery: registry, logger: silent });
    cleanup(() => client.close());
    const err = await client.unary(GreeterService.SayHello, helloRequest(), { timeout: 50 }).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect(err.code).toBe(504);
  });
});

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
