// The transport conformance suite of @kratos/testkit against createRpcServer (node:http2), called
// with @kratos/grpc's client (gRPC over HTTP/2).
import { greeterConformanceSubject } from '../../grpc/src/testdata/conformance.ts';
import { describeTransportConformance } from '../../testkit/src/transport-conformance/index.ts';
import { createRpcServer } from './index.ts';

describeTransportConformance(
  greeterConformanceSubject('@kratos/rpc', () =>
    createRpcServer({ address: '127.0.0.1:0', logger: { log() {} } }),
  ),
);
