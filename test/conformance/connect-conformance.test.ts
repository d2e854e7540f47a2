// Connect's conformance runner (connectrpc.com/conformance, connectconformance --mode server)
// against @kratos/rpc: every case for each protocol (HTTP/1.1 and HTTP/2, cleartext and TLS,
// proto and JSON, identity and gzip, all stream kinds) must pass.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { binDir } from './lib/descriptors.ts';
import { here, installPeers, run } from './lib/processes.ts';

beforeAll(() => installPeers(), 900_000);

describe('Connect conformance suite against @kratos/rpc', () => {
  for (const protocol of ['PROTOCOL_GRPC', 'PROTOCOL_GRPC_WEB', 'PROTOCOL_CONNECT']) {
    it(protocol, async () => {
      const { code, output } = await run(
        join(binDir, 'connectconformance'),
        [
          '--mode',
          'server',
          '--conf',
          join(here, '..', 'connect-conformance.yaml'),
          '--run',
          `**/Protocol:${protocol}/**`,
          '--',
          process.execPath,
          '--conditions=kratos-source',
          join(here, '..', 'connect-conformance-server.ts'),
        ],
        600_000,
      );
      const counts = /(\d+) passed, (\d+) failed/.exec(output);
      // The output is part of the comparison so a failure shows the runner's report.
      expect({ code, failed: counts?.[2], output: code === 0 ? '' : output }).toEqual({
        code: 0,
        failed: '0',
        output: '',
      });
      expect(Number(counts?.[1])).toBeGreaterThan(500);
    }, 600_000);
  }
});
