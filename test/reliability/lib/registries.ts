import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Discovery } from '@kratos/core';
import { createEtcdRegistry } from '@kratos/registry-etcd';
import { createZookeeperRegistry } from '@kratos/registry-zookeeper';
import { type StartedServer, startServer } from '@kratos/testkit';

export type RegistryKind = 'etcd' | 'zookeeper';
export const registryKinds: readonly RegistryKind[] = ['etcd', 'zookeeper'];

/** A discovery client the harness owns (closed by the scenario). */
export type OwnedDiscovery = Discovery & { close(): Promise<void> };

/** A registry server started by scripts/servers, with what helloworld and the clients need. */
export interface RegistryServer {
  readonly kind: RegistryKind;
  readonly server: StartedServer;
  /** helloworld's `-registry` value. */
  readonly url: string;
  /** A fresh discovery client of the project's adapter for this registry. */
  discovery(): OwnedDiscovery;
  /**
   * How long a crashed instance stays listed: etcd's lease TTL (15 s, registry-etcd's default) or
   * ZooKeeper's session timeout (30 s, registry-zookeeper's default).
   */
  readonly expiryMs: number;
}

const quiet = { log() {} };

/** Servers started and not stopped through the harness, with the root whose scripts started them. */
const started = new Map<StartedServer, string>();

/** Stops every registry server still running (exit of the process, e.g. after Ctrl-C). */
export function stopAllRegistriesSync(): void {
  for (const [server, root] of started) {
    try {
      execFileSync('bash', [join(root, 'scripts/servers/stop.sh'), String(server.pid), '2'], {
        stdio: 'ignore',
      });
    } catch {
      // already gone
    }
  }
  started.clear();
}
process.once('exit', stopAllRegistriesSync);

/** Stops a server {@link startRegistry} started. */
export async function stopRegistry(reg: RegistryServer): Promise<void> {
  await reg.server.stop();
  started.delete(reg.server);
}

export async function startRegistry(kind: RegistryKind, root: string): Promise<RegistryServer> {
  const server = await startServer(kind, { root });
  started.set(server, root);
  const client = server.endpoints.client;
  if (client === undefined) throw new Error(`${kind} start script gave no client endpoint`);
  if (kind === 'etcd') {
    const host = new URL(client).host;
    return {
      kind,
      server,
      url: `etcd://${host}`,
      expiryMs: 15_000,
      discovery: () => createEtcdRegistry({ connection: { hosts: client }, logger: quiet }),
    };
  }
  return {
    kind,
    server,
    url: `zookeeper://${client}`,
    expiryMs: 30_000,
    discovery: () => createZookeeperRegistry({ connection: client, logger: quiet }),
  };
}
