// The page the browser test loads: @connectrpc/connect-web calling the helloworld Greeter of a
// @kratos/rpc server on another origin, over Connect (JSON and binary, and JSON as a GET, which
// connect-web sends for side-effect-free methods with `useHttpGet`) and gRPC-Web. Bundled
// for the browser by esbuild (see page.ts); the test drives it through `window.kratosPage`.
import { type Client, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { kratosErrorOf } from '@kratos/rpc/web';
import { Greeter } from '../../../examples/helloworld/api/helloworld/v1/greeter_pb.js';

export type Protocol = 'connect-json' | 'connect-get' | 'connect-binary' | 'grpc-web';

/** What a failed call looked like from the page. */
export interface Failure {
  connectError: boolean;
  code: number;
  message: string;
  reason?: string;
  metadata?: Record<string, string>;
}

export interface KratosPage {
  /** Calls SayHello; `headers` go along as request metadata. */
  greet(protocol: Protocol, baseUrl: string, name: string, headers?: Record<string, string>): Promise<string>;
  /** Calls SayHello expecting an error; what the page could read of it. */
  fail(protocol: Protocol, baseUrl: string, name: string): Promise<Failure>;
}

function transport(protocol: Protocol, baseUrl: string): Transport {
  if (protocol === 'grpc-web') return createGrpcWebTransport({ baseUrl });
  return createConnectTransport({
    baseUrl,
    useBinaryFormat: protocol === 'connect-binary',
    useHttpGet: protocol === 'connect-get',
  });
}

function client(protocol: Protocol, baseUrl: string): Client<typeof Greeter> {
  return createClient(Greeter, transport(protocol, baseUrl));
}

const page: KratosPage = {
  async greet(protocol, baseUrl, name, headers) {
    const reply = await client(protocol, baseUrl).sayHello({ name }, headers ? { headers } : {});
    return reply.message;
  },
  async fail(protocol, baseUrl, name) {
    try {
      await client(protocol, baseUrl).sayHello({ name });
    } catch (e) {
      const err = ConnectError.from(e);
      const kratos = kratosErrorOf(err);
      return {
        connectError: e instanceof ConnectError,
        code: err.code,
        message: err.rawMessage,
        ...(kratos ? { reason: kratos.reason, metadata: kratos.metadata } : {}),
      };
    }
    throw new Error('the call did not fail');
  },
};

(globalThis as unknown as { kratosPage: KratosPage }).kratosPage = page;
document.body.dataset.ready = 'true';
