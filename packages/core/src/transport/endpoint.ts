import { networkInterfaces } from 'node:os';

/**
 * A URL whose `toString()` gives exactly what it was built from. WHATWG URLs add a `/` path to
 * `http:` URLs and drop default ports (`http://h:8000/?isSecure=false`, `http://h/?...`); Go's
 * `url.URL` prints neither, and registries store the printed form, so Go and TypeScript instances
 * must print alike.
 */
class EndpointURL extends URL {
  readonly #text: string;
  readonly #parsed: string;
  constructor(text: string) {
    super(text);
    this.#text = text;
    this.#parsed = this.href;
  }
  // `href` stays the WHATWG form; the printed form falls back to it once the URL is modified.
  override toString(): string {
    const now = this.href;
    return now === this.#parsed ? this.#text : now;
  }
  override toJSON(): string {
    return this.toString();
  }
}

/**
 * Go Kratos' endpoint URL: `<scheme>://<host:port>?isSecure=<bool>`. Its `toString()` is
 * byte-identical to Go's (no `/` path, port kept even when it is the scheme's default).
 */
export function newEndpoint(scheme: string, host: string, secure = false): URL {
  return new EndpointURL(`${scheme}://${host}?isSecure=${secure}`);
}

const defaultPorts: Readonly<Record<string, string>> = {
  'http:': '80',
  'https:': '443',
  'ws:': '80',
  'wss:': '443',
};

/** True when an endpoint URL says `isSecure=true`. */
export function isSecureEndpoint(endpoint: URL | string): boolean {
  const u = typeof endpoint === 'string' ? new URL(endpoint) : endpoint;
  return u.searchParams.get('isSecure') === 'true';
}

/**
 * The `host:port` of the first endpoint with `scheme` (Go Kratos' `endpoint.ParseEndpoint`),
 * or undefined when there is none. Endpoints that do not parse are skipped.
 */
export function parseEndpoint(
  endpoints: readonly string[],
  scheme: string,
  secure?: boolean,
): string | undefined {
  for (const e of endpoints) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      continue;
    }
    if (u.protocol !== `${scheme}:`) continue;
    if (secure !== undefined && isSecureEndpoint(u) !== secure) continue;
    // WHATWG URLs hide a default port (`http://h:80` has port ''); Go keeps it, and callers dial host:port.
    const port = u.port || defaultPorts[u.protocol];
    return port ? joinHostPort(u.hostname.replace(/^\[|\]$/g, ''), Number(port)) : u.host;
  }
  return undefined;
}

const privateV4 = [/^10\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./];

/**
 * The address a server advertises. A concrete listen host is kept; `0.0.0.0`, `::` or an empty
 * host become the machine's first non-loopback private IPv4 (else any non-internal IPv4, else
 * 127.0.0.1), as Go Kratos' `host.Extract` does.
 */
export function advertisedHost(listenHost: string): string {
  const h = listenHost.replace(/^\[|\]$/g, '');
  if (h !== '' && h !== '0.0.0.0' && h !== '::') return listenHost;
  const candidates: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // Link-local 169.254/16 is not routable from other hosts (Go skips it as not global unicast).
      if (a.internal || a.family !== 'IPv4' || a.address.startsWith('169.254.')) continue;
      candidates.push(a.address);
    }
  }
  return candidates.find((a) => privateV4.some((r) => r.test(a))) ?? candidates[0] ?? '127.0.0.1';
}

/** Splits `host:port` (IPv6 in brackets); a bare `:8000` means all interfaces. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(address);
  if (!m) throw new TypeError(`invalid address "${address}": want host:port, e.g. 0.0.0.0:8000`);
  const port = Number(m[2]);
  if (port > 65535) throw new TypeError(`invalid address "${address}": port out of range`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Joins host and port, bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
