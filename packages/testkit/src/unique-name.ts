import { randomBytes } from 'node:crypto';

/**
 * `<prefix>-<time>-<random>`: a name no other test run uses, so suites can share one real
 * server (etcd, consul, ...) between runs and parallel workers without seeing each other's data.
 */
export function uniqueName(prefix = 'kt'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
