import { createHash } from 'node:crypto';
import type { LogHelper } from '@kratos/core';
import { ACL, type Client, createClient, Id, Permission, type Event as ZkEvent } from 'node-zookeeper-client';

/** Connection settings of {@link createZookeeperRegistry}. */
export interface ZookeeperConnection {
  /** Connection string, e.g. `127.0.0.1:2181` or `h1:2181,h2:2181/chroot`. */
  servers: string;
  /** Session timeout in ms. Default 30000 (node-zookeeper-client's default). */
  sessionTimeout?: number;
  /** Delay in ms between connection attempts. Default 1000. */
  spinDelay?: number;
  /** Attempts per server before giving up one round. Default 0 (node-zookeeper-client's default). */
  retries?: number;
}

/** What the registry needs of its ZooKeeper connection: the calls it makes, each bounded in time. */
export interface ZookeeperSession {
  /** The client in use now (a new one after a session expiry of an owned client). */
  readonly client: Client;
  /** The current session's id in hex. */
  id(): string;
  exists(path: string, watcher?: (e: ZkEvent) => void): Promise<unknown>;
  /** Creates a node with the session's ACL (digest, or world:anyone). */
  create(path: string, data: Buffer, mode: number): Promise<string>;
  remove(path: string): Promise<void>;
  getData(path: string): Promise<Buffer>;
  getChildren(path: string, watcher?: (e: ZkEvent) => void): Promise<string[]>;
  /** Stops reacting to the client's events; closes the client when `closeClient`. */
  close(closeClient: boolean): Promise<void>;
}

export interface ZookeeperSessionOptions {
  /** An injected client; it cannot be rebuilt after its session expires. */
  client?: Client;
  /** Used to build the client (and to rebuild it after an expiry) when none is injected. */
  connection?: ZookeeperConnection;
  digest?: { user: string; password: string };
  /** Bound of one call in ms: the client queues requests while disconnected. */
  operationTimeout: number;
  log: LogHelper;
  /** Called on every (re)connection of the current client, so the registry can restore its nodes. */
  onConnected(): void;
}

const isConnected = (c: Client) => {
  const code = c.getState().code;
  return code === 3 /* SYNC_CONNECTED */ || code === 5 /* CONNECTED_READ_ONLY */;
};

// node-zookeeper-client's close() writes to a socket that does not exist while it is still
// connecting (and throws): close a client only once it is connected, or give up waiting.
const closeQuietly = (c: Client) => {
  try {
    c.close();
  } catch {
    // nothing left to close
  }
};
const closeWhenSettled = async (c: Client) => {
  if (!isConnected(c)) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      c.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  closeQuietly(c);
};

/**
 * The registry's connection: connects the client (an injected one only if it is not connected
 * yet: connect() again would open a second session), authenticates with the digest, logs
 * disconnections, replaces an owned client whose session expired, and bounds every call.
 */
export function openZookeeperSession(options: ZookeeperSessionOptions): ZookeeperSession {
  const { digest, log, operationTimeout: opTimeout } = options;
  const conn = options.connection;
  const owned = !options.client;
  const acls = digest
    ? [
        new ACL(
          Permission.ALL,
          new Id(
            'digest',
            `${digest.user}:${createHash('sha1').update(`${digest.user}:${digest.password}`).digest('base64')}`,
          ),
        ),
      ]
    : [new ACL(Permission.ALL, new Id('world', 'anyone'))];
  let closed = false;
  let client: Client;

  const build = (): Client =>
    createClient(conn!.servers, {
      sessionTimeout: conn!.sessionTimeout ?? 30_000,
      spinDelay: conn!.spinDelay ?? 1000,
      retries: conn!.retries ?? 0,
    });

  // node-zookeeper-client waits for the server's handshake answer without a bound: a server that
  // accepts the connection while it is still starting and then drops it uncleanly (ZooKeeper 3.8
  // does on a restart) leaves the client waiting for good. An owned client not connected again
  // within the session timeout (the server has expired the session by then anyway) is replaced.
  let stuck: ReturnType<typeof setTimeout> | undefined;
  const watchdog = (c: Client) => {
    clearTimeout(stuck);
    stuck = setTimeout(() => {
      if (!closed && c === client && !isConnected(c))
        renew(c, 'session expired (not connected again within the session timeout)');
    }, c.getSessionTimeout());
    stuck.unref();
  };
  const renew = (c: Client, why: string) => {
    clearTimeout(stuck);
    log.warnw('msg', `zookeeper ${why}, connecting a new session`);
    closeQuietly(c);
    client = build();
    attach(client);
    client.connect();
    watchdog(client);
  };

  const attach = (c: Client) => {
    if (digest) c.addAuthInfo('digest', Buffer.from(`${digest.user}:${digest.password}`));
    c.on('connected', () => {
      if (closed || c !== client) return;
      clearTimeout(stuck);
      options.onConnected();
    });
    c.on('disconnected', () => {
      if (closed || c !== client) return;
      log.warnw('msg', 'zookeeper disconnected, watchers keep the last known instances');
      if (owned) watchdog(c);
    });
    c.on('expired', () => {
      if (closed || c !== client) return;
      if (!owned) {
        log.errorw(
          'msg',
          'zookeeper session expired; an injected client cannot be rebuilt, registrations and watches stop',
        );
        return;
      }
      renew(c, 'session expired');
    });
  };

  client = options.client ?? build();
  attach(client);
  if (!isConnected(client)) client.connect();

  /** Runs one ZooKeeper call with a bound: the client queues requests while disconnected. */
  const op = <T>(what: string, call: (c: Client, cb: (err: unknown, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`zookeeper ${what} timed out after ${opTimeout} ms (server unreachable?)`)),
        opTimeout,
      );
      call(client, (err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      });
    });

  return {
    get client() {
      return client;
    },
    id: () => client.getSessionId().toString('hex'),
    exists: (path, watcher) =>
      op<unknown>(`exists ${path}`, (c, cb) =>
        watcher ? c.exists(path, watcher, (e, s) => cb(e, s)) : c.exists(path, (e, s) => cb(e, s)),
      ),
    create: (path, data, mode) =>
      op<string>(`create ${path}`, (c, cb) => c.create(path, data, acls, mode, (e, p) => cb(e, p))),
    remove: (path) => op<void>(`delete ${path}`, (c, cb) => c.remove(path, -1, (e) => cb(e))),
    getData: (path) => op<Buffer>(`get ${path}`, (c, cb) => c.getData(path, (e, d) => cb(e, d))),
    getChildren: (path, watcher) =>
      op<string[]>(`children ${path}`, (c, cb) =>
        watcher
          ? c.getChildren(path, watcher, (e, ch) => cb(e, ch))
          : c.getChildren(path, (e, ch) => cb(e, ch)),
      ),
    async close(closeClient) {
      closed = true;
      clearTimeout(stuck);
      if (closeClient) await closeWhenSettled(client);
    },
  };
}
