import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link createApolloFake}. */
export interface ApolloFakeOptions {
  /** How long `/notifications/v2` holds a poll before answering 304. Default 60000 ms, as Apollo. */
  holdMs?: number;
  /** Port on 127.0.0.1. Default 0 (a free port). */
  port?: number;
}

/** An in-process Apollo config service (the client-facing API subset). */
export interface ApolloFake {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the "config server url" of an Apollo client). */
  readonly url: string;
  /**
   * Releases a namespace: replaces its configurations, gives it a new release key and
   * notification id, and answers the polls waiting for it. Non-properties namespaces
   * (`app.yaml`, `app.json`) carry their text under the `content` key, as Apollo does.
   */
  publish(appId: string, cluster: string, namespace: string, configurations: Record<string, string>): void;
  /** Long polls being held now. */
  readonly pendingPolls: number;
  /** Answers held polls with 304 and closes the server. */
  close(): Promise<void>;
}

interface Release {
  appId: string;
  cluster: string;
  namespaceName: string;
  configurations: Record<string, string>;
  releaseKey: string;
  notificationId: number;
}

interface Poll {
  res: ServerResponse;
  appId: string;
  cluster: string;
  /** Namespace as the client sent it -> the id it has seen. */
  wanted: { sent: string; namespace: string; id: number }[];
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_CLUSTER = 'default';

// Apollo treats `application` and `application.properties` as one namespace.
const normalizeNamespace = (ns: string) =>
  ns.endsWith('.properties') ? ns.slice(0, -'.properties'.length) : ns;
const watchKey = (appId: string, cluster: string, ns: string) => `${appId}+${cluster}+${ns}`;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendStatus(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { status, message, timestamp: new Date().toISOString() });
}

/**
 * Starts a fake Apollo config service on 127.0.0.1 for tests of Apollo clients. It speaks
 * `GET /configs/{appId}/{cluster}/{namespace}` (200 / 304 on an unchanged releaseKey / 404),
 * `GET /configfiles/json/{appId}/{cluster}/{namespace}` and the long poll
 * `GET /notifications/v2?appId=&cluster=&notifications=[{namespaceName, notificationId}]`.
 * A cluster with no release of a namespace falls back to the `default` cluster, as Apollo does.
 */
export async function createApolloFake(options: ApolloFakeOptions = {}): Promise<ApolloFake> {
  const holdMs = options.holdMs ?? 60_000;
  const releases = new Map<string, Release>();
  const polls = new Set<Poll>();
  let nextNotificationId = 1;
  let releaseCounter = 0;

  const lookup = (appId: string, cluster: string, ns: string) =>
    releases.get(watchKey(appId, cluster, ns)) ?? releases.get(watchKey(appId, DEFAULT_CLUSTER, ns));

  /** Entries of `wanted` whose namespace has a newer notification than the client has seen. */
  const changes = (appId: string, cluster: string, wanted: Poll['wanted']) => {
    const out: unknown[] = [];
    for (const w of wanted) {
      const keys = [watchKey(appId, cluster, w.namespace)];
      if (cluster !== DEFAULT_CLUSTER) keys.push(watchKey(appId, DEFAULT_CLUSTER, w.namespace));
      const details: Record<string, number> = {};
      let newest = -1;
      for (const k of keys) {
        const r = releases.get(k);
        if (!r) continue;
        details[k] = r.notificationId;
        newest = Math.max(newest, r.notificationId);
      }
      if (newest > w.id) out.push({ namespaceName: w.sent, notificationId: newest, messages: { details } });
    }
    return out;
  };

  const finishPoll = (poll: Poll, status: number, body?: unknown) => {
    if (!polls.delete(poll)) return;
    clearTimeout(poll.timer);
    if (poll.res.writableEnded || poll.res.destroyed) return;
    if (body === undefined) sendStatus(poll.res, status);
    else sendJson(poll.res, status, body);
  };

  const handleConfigs = (res: ServerResponse, url: URL, parts: string[], filesOnly: boolean) => {
    const [appId, cluster, rawNs] = parts;
    if (!appId || !cluster || !rawNs || parts.length !== 3) {
      sendError(res, 400, 'expected /{appId}/{clusterName}/{namespaceName}');
      return;
    }
    const release = lookup(appId, cluster, normalizeNamespace(rawNs));
    if (!release) {
      sendError(
        res,
        404,
        `Could not load configurations with appId: ${appId}, clusterName: ${cluster}, namespace: ${rawNs}`,
      );
      return;
    }
    if (filesOnly) {
      sendJson(res, 200, release.configurations);
      return;
    }
    if (url.searchParams.get('releaseKey') === release.releaseKey) {
      sendStatus(res, 304);
      return;
    }
    sendJson(res, 200, {
      appId: release.appId,
      cluster: release.cluster,
      namespaceName: release.namespaceName,
      configurations: release.configurations,
      releaseKey: release.releaseKey,
    });
  };

  const handleNotifications = (res: ServerResponse, url: URL) => {
    const appId = url.searchParams.get('appId');
    const cluster = url.searchParams.get('cluster');
    const raw = url.searchParams.get('notifications');
    if (!appId || !cluster || !raw) {
      sendError(res, 400, 'appId, cluster and notifications are required');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      sendError(res, 400, 'notifications is not JSON');
      return;
    }
    if (!Array.isArray(parsed) || parsed.length === 0) {
      sendError(res, 400, 'notifications must be a non-empty JSON array');
      return;
    }
    const wanted: Poll['wanted'] = [];
    for (const n of parsed as { namespaceName?: unknown; notificationId?: unknown }[]) {
      if (!n || typeof n.namespaceName !== 'string' || n.namespaceName === '') {
        sendError(res, 400, 'each notification needs a namespaceName');
        return;
      }
      const id = typeof n.notificationId === 'number' ? n.notificationId : -1;
      wanted.push({ sent: n.namespaceName, namespace: normalizeNamespace(n.namespaceName), id });
    }
    const now = changes(appId, cluster, wanted);
    if (now.length > 0) {
      sendJson(res, 200, now);
      return;
    }
    const poll: Poll = {
      res,
      appId,
      cluster,
      wanted,
      timer: setTimeout(() => finishPoll(poll, 304), holdMs),
    };
    polls.add(poll);
    // A client that gives up must not keep a slot (or a timer) alive.
    res.once('close', () => {
      if (polls.delete(poll)) clearTimeout(poll.timer);
    });
  };

  const server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET') {
        sendError(res, 405, `${req.method} not allowed`);
        return;
      }
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (parts[0] === 'configs') handleConfigs(res, url, parts.slice(1), false);
      else if (parts[0] === 'configfiles' && parts[1] === 'json')
        handleConfigs(res, url, parts.slice(2), true);
      else if (url.pathname === '/notifications/v2') handleNotifications(res, url);
      else sendError(res, 404, `no route for ${url.pathname}`);
    } catch (e) {
      // A malformed URL (bad percent-encoding) is the client's fault, never a crash.
      if (!res.headersSent) sendError(res, 400, e instanceof Error ? e.message : 'bad request');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    publish(appId, cluster, namespace, configurations) {
      const ns = normalizeNamespace(namespace);
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const release: Release = {
        appId,
        cluster,
        namespaceName: ns,
        configurations: { ...configurations },
        releaseKey: `${stamp}-${(++releaseCounter).toString(16).padStart(8, '0')}`,
        notificationId: nextNotificationId++,
      };
      releases.set(watchKey(appId, cluster, ns), release);
      for (const poll of [...polls]) {
        if (poll.appId !== appId) continue;
        const now = changes(poll.appId, poll.cluster, poll.wanted);
        if (now.length > 0) finishPoll(poll, 200, now);
      }
    },
    get pendingPolls() {
      return polls.size;
    },
    async close() {
      for (const poll of [...polls]) finishPoll(poll, 304);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
