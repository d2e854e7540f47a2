// The gRPC client's channels: one grpc-js channel per node, reused by every call to it, with the
// credentials and TLS server name each node needs; channels of nodes that left are retired.
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  type ChannelCredentials,
  type ChannelOptions,
  Client,
  connectivityState,
  credentials as grpcCredentials,
} from '@grpc/grpc-js';
import type { Node } from '@kratos/core';
import { splitHostPort } from '@kratos/core/transport';
import type { GrpcClientOptions } from './types.ts';

/** How long a channel to a node that left the set stays open for calls still running on it. */
const STALE_CHANNEL_GRACE_MS = 30_000;

function channelCredentials(
  options: GrpcClientOptions,
  checkIdentity?: (host: string, cert: PeerCertificate) => Error | undefined,
): ChannelCredentials {
  if (options.credentials) return options.credentials;
  const tls = options.tls;
  if (!tls) return grpcCredentials.createInsecure();
  const buf = (v: string | Buffer | undefined) =>
    v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;
  return grpcCredentials.createSsl(
    buf(tls.ca),
    buf(tls.key),
    buf(tls.cert),
    checkIdentity ? { checkServerIdentity: checkIdentity } : undefined,
  );
}

/**
 * Channel options and credentials for a TLS channel to an IP address. grpc-js sends the target's
 * host as the TLS server name, and an IP address there is refused by Node 26 (a warning before,
 * DEP0123; RFC 6066 forbids it). So the server name becomes the node's service name, as Go Kratos'
 * resolver does (`ServerName: instance.Name`), and the certificate is accepted for either the IP
 * address dialled or that name. `tls.serverName` overrides both. `undefined` when the defaults are
 * fine (no TLS, a host name, or your own credentials).
 */
function ipTlsChannel(
  options: GrpcClientOptions,
  node: Node,
  base: ChannelOptions,
): { creds: ChannelCredentials; channelOptions: ChannelOptions } | undefined {
  if (!options.tls || options.credentials || options.tls.serverName) return undefined;
  const ip = /:\d+$/.test(node.address) ? splitHostPort(node.address).host : node.address;
  if (isIP(ip) === 0) return undefined;
  // A direct target has no service name: some non-IP server name must still be sent, and the
  // certificate is then checked against the IP address only.
  const name = node.serviceName && isIP(node.serviceName) === 0 ? node.serviceName : undefined;
  const creds = channelCredentials(options, (_sni, cert) => {
    const byIp = checkServerIdentity(ip, cert);
    if (byIp === undefined || name === undefined) return byIp;
    return checkServerIdentity(name, cert) === undefined ? undefined : byIp;
  });
  return { creds, channelOptions: { ...base, 'grpc.ssl_target_name_override': name ?? 'localhost' } };
}

const isReady = (c: Client): boolean => {
  try {
    return c.getChannel().getConnectivityState(false) === connectivityState.READY;
  } catch {
    return false;
  }
};

/** The channels of one client. */
export interface ChannelPool {
  /** The channel to `node` (made on first use). */
  channelFor(node: Node): Client;
  /**
   * Starts the grace period of every channel whose node is not in `nodes` (calls on it finish, then
   * it closes); a node that is back in the meantime keeps its channel.
   */
  retireAllBut(nodes: readonly Node[]): void;
  /** Closes every channel now. */
  close(): void;
}

/**
 * The channels of one client's nodes. `onChannel` sees every channel made (the client follows its
 * connectivity state to take the node out of rotation while it cannot connect).
 */
export function createChannelPool(
  options: GrpcClientOptions,
  onChannel?: (node: Node, client: Client) => void,
): ChannelPool {
  const creds = channelCredentials(options);
  const channelOptions: ChannelOptions = { ...options.channelOptions };
  if (options.tls?.serverName) channelOptions['grpc.ssl_target_name_override'] = options.tls.serverName;
  const channels = new Map<string, Client>();
  const retiring = new Map<string, NodeJS.Timeout>();
  /** Grace timers of channels replaced by a fresh one (see retireAllBut). */
  const replaced = new Map<Client, NodeJS.Timeout>();
  /** Addresses whose next channel must not share grpc-js' subchannels with the replaced one. */
  const fresh = new Set<string>();
  return {
    channelFor(node) {
      let c = channels.get(node.address);
      if (c === undefined) {
        // grpc-js shares subchannels between channels with the same address and options: a fresh
        // channel must have its own, or it gets the old one, backoff included.
        const own = fresh.delete(node.address) ? { 'grpc.use_local_subchannel_pool': 1 } : undefined;
        const ipTls = ipTlsChannel(options, node, channelOptions);
        c = ipTls
          ? new Client(node.address, ipTls.creds, { ...ipTls.channelOptions, ...own })
          : new Client(node.address, creds, own ? { ...channelOptions, ...own } : channelOptions);
        channels.set(node.address, c);
        onChannel?.(node, c);
      }
      return c;
    },
    retireAllBut(nodes) {
      const live = new Set(nodes.map((n) => n.address));
      for (const address of live) {
        const t = retiring.get(address);
        if (t) {
          clearTimeout(t);
          retiring.delete(address);
          // Announced again (e.g. restarted): a channel that is not connected may sit in grpc-js'
          // reconnect backoff (seconds by now; grpc-js has no resetBackoff), so the node gets a
          // fresh channel that connects at once, as grpc-go makes a new subchannel for an address
          // that comes back. The old one closes after the grace, like any retired channel.
          const old = channels.get(address);
          if (old !== undefined && !isReady(old)) {
            channels.delete(address);
            fresh.add(address);
            const g = setTimeout(() => {
              replaced.delete(old);
              old.close();
            }, STALE_CHANNEL_GRACE_MS);
            g.unref();
            replaced.set(old, g);
          }
        }
      }
      for (const address of channels.keys()) {
        if (live.has(address) || retiring.has(address)) continue;
        const t = setTimeout(() => {
          retiring.delete(address);
          channels.get(address)?.close();
          channels.delete(address);
        }, STALE_CHANNEL_GRACE_MS);
        t.unref();
        retiring.set(address, t);
      }
    },
    close() {
      for (const t of retiring.values()) clearTimeout(t);
      retiring.clear();
      for (const [c, t] of replaced) {
        clearTimeout(t);
        c.close();
      }
      replaced.clear();
      for (const c of channels.values()) c.close();
      channels.clear();
    },
  };
}
