// Greeter servers in child processes (greeter-process.ts), for tests that SIGKILL one; the
// harness is testkit's, shared with @kratos/http's failover tests.
import { fileURLToPath } from 'node:url';
import { type ChildServer, childServers, startChildServer } from '../../../testkit/src/processes.ts';

export {
  type CallRecord,
  driveAcrossKill as drive,
  sigkill,
} from '../../../testkit/src/processes.ts';

const script = fileURLToPath(new URL('./greeter-process.ts', import.meta.url));

export type GreeterProcess = ChildServer;

/** Starts greeter-process.ts and resolves once it listens. */
export const startGreeterProcess = (id: string, port = 0): Promise<GreeterProcess> =>
  startChildServer(script, id, port);

/** Kills every process a test started, after each test (call once, at the top of a file). */
export const greeterProcesses = () => childServers(script);
