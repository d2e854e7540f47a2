// grpc-go's interop client (google.golang.org/grpc/interop/client) against grpc.testing.TestService
// served by @kratos/rpc: each case passes when the client exits 0.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binDir } from './lib/descriptors.ts';
import { firstLine, installPeers, run, spawnTs, stopChild } from './lib/processes.ts';

const CASES = [
  'empty_unary',
  'large_unary',
  'client_streaming',
  'server_streaming',
  'ping_pong',
  'empty_stream',
  'status_code_and_message',
  'special_status_message',
  'custom_metadata',
  'timeout_on_sleeping_server',
  'cancel_after_begin',
  'cancel_after_first_response',
  'unimplemented_method',
  'unimplemented_service',
];

let server: ChildProcess | undefined;
let port = '';

beforeAll(async () => {
  await installPeers();
  server = spawnTs('interop-server.ts');
  port = await firstLine(server);
}, 900_000);

afterAll(() => stopChild(server));

describe('grpc-go interop client against @kratos/rpc', () => {
  for (const testCase of CASES) {
    it(testCase, async () => {
      const { code, output } = await run(
        join(binDir, 'grpc-interop-client'),
        ['--server_host=127.0.0.1', `--server_port=${port}`, `--test_case=${testCase}`],
        60_000,
      );
      // The output is part of the comparison so a failure shows what the client said.
      expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    });
  }
});
