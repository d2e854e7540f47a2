// The transport conformance suite of @kratos/testkit against createGrpcServer and its client.
import { describeTransportConformance } from '../../testkit/src/transport-conformance/index.ts';
import { createGrpcServer } from './index.ts';
import { greeterConformanceSubject } from './testdata/conformance.ts';

describeTransportConformance(
  greeterConformanceSubject('@kratos/grpc', () =>
    createGrpcServer({ address: '127.0.0.1:0', logger: { log() {} } }),
  ),
);
