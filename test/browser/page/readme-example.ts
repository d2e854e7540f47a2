// The browser-client example of packages/rpc/README.md, kept here so `tsc` checks it (only the
// import path of the generated file differs). Not loaded by the test page.
import { ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { kratosErrorOf } from '@kratos/rpc/web';
import { Greeter } from '../../../examples/helloworld/api/helloworld/v1/greeter_pb.js';

const baseUrl = 'https://api.example.com'; // the rpc server; its `cors.origins` lists this page's origin
const greeter = createClient(Greeter, createConnectTransport({ baseUrl })); // or createGrpcWebTransport
try {
  const reply = await greeter.sayHello({ name: 'web' }, { headers: { 'x-md-global-user': 'ann' } });
  console.log(reply.message);
} catch (e) {
  const kratos = kratosErrorOf(ConnectError.from(e)); // { code, message, reason, metadata } | undefined
  if (kratos?.reason === 'USER_NOT_FOUND') console.log(kratos.metadata);
}
