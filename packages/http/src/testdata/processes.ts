// HTTP hello servers in child processes (hello-process.ts), for tests that SIGKILL one; the
// harness is testkit's, shared with @kratos/grpc's failover tests.
import { fileURLToPath } from 'node:url';
import { type ChildServer, childServers, startChildServer } from '../../../testkit/src/processes.ts';

export {
  type CallRecord,
  driveAcrossKill as drive,
  sigkill,
} from '../../../testkit/src/processes.ts';

const script = fileURLToPath(new URL('./hello-process.ts', import.meta.url));

export type HelloProcess = ChildServer;

/** Starts hello-process.ts and resolves once it listens. */
export const startHelloProcess = (id: string, port = 0): Promise<HelloProcess> =>
  startChildServer(script, id, port);

/** Kills every process a test started, after each test (call once, at the top of a file). */
export const helloProcesses = () => childServers(script);
