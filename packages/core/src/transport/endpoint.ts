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

/** The TLS form of each transport scheme, as Go Kratos' `endpoint.Scheme(scheme, true)` writes it. */
const secureSchemes: Readonly<Record<string, string>> = { grpc: 'grpcs', http: 'https', ws: 'wss' };
/** The transport of each TLS scheme: `grpcs` is gRPC, `https` is HTTP. */
const plainSchemes: Readonly<Record<string, string>> = { grpcs: 'grpc', https: 'http', wss: 'ws' };

/**
 * A server's endpoint URL. Plaintext is `<scheme>://<host:port>?isSecure=false`, the form Go
 * Kratos documents (it ignores the query). TLS is `<scheme>s://<host:port>?isSecure=true`
 * (`grpcs://`, `https://`): Go Kratos since v2.3.1 writes and selects TLS endpoints by that scheme,
 * and a pre-v2.5 reader still finds the query. `scheme` is the transport (`grpc`, `http`); a TLS
 * scheme passed in (`grpcs`) is kept. Its `toString()` prints no `/` path and keeps the port even
 * when it is the scheme's default, as Go's `url.URL` does.
 */
export function newEndpoint(scheme: string, host: string, secure = false): URL {
  const lower = scheme.toLowerCase();
  const printed =
    secure && plainSchemes[lower] === undefined ? (secureSchemes[lower] ?? `${scheme}s`) : scheme;
  return new EndpointURL(`${printed}://${host}?isSecure=${secure}`);
}

const defaultPorts: Readonly<Record<string, string>> = {
  'http:': '80',
  'https:': '443',
  'ws:': '80',
  'wss:': '443',
};

/** `grpc:` -> `grpc`; the TLS schemes `grpcs:` / `https:` / `wss:` -> `grpc` / `http` / `ws` with `tls` set. */
function transportOf(protocol: string): { transport: string; tls: boolean } {
  const s = protocol.endsWith(':') ? protocol.slice(0, -1) : protocol;
  const plain = plainSchemes[s];
  return plain === undefined ? { transport: s, tls: false } : { transport: plain, tls: true };
}

/**
 * True when an endpoint URL is a TLS one: its scheme is `grpcs`, `https` (or `wss`), as Go Kratos
 * writes TLS endpoints since v2.3.1, or it says `isSecure=true`, as kratos-ts and Go Kratos before
 * v2.5 wrote them. Throws a `TypeError` when a string is not a URL.
 */
export function isSecureEndpoint(endpoint: URL | string): boolean {
  const u = typeof endpoint === 'string' ? new URL(endpoint) : endpoint;
  return transportOf(u.protocol).tls || u.searchParams.get('isSecure') === 'true';
}

/**
 * The `host:port` of the first endpoint of the transport `scheme` (Go Kratos'
 * `endpoint.ParseEndpoint`), or undefined when there is none. Endpoints that do not parse are
 * skipped. `grpcs://` endpoints are of the `grpc` transport and `https://` ones of `http`. With
 * `secure` set, only endpoints that are (or are not) TLS by {@link isSecureEndpoint} count; asking
 * for a TLS scheme (`grpcs`, `https`) means `secure: true`.
 */
export function parseEndpoint(
  endpoints: readonly string[],
  scheme: string,
  secure?: boolean,
): string | undefined {
  const want = transportOf(scheme.toLowerCase());
  if (want.tls && secure === false) return undefined;
  const tls = want.tls || secure;
  for (const e of endpoints) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      continue;
    }
    if (transportOf(u.protocol).transport !== want.transport) continue;
    if (tls !== undefined && isSecureEndpoint(u) !== tls) continue;
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

/**
 * An endpoint URL split as Go's `url.Parse` + `Hostname()` + `Port()` read it: the scheme, the host
 * without IPv6 brackets, and the port as written (`''` when none is). WHATWG URLs hide a scheme's
 * default port (`new URL('https://h:443').port` is `''`); Go keeps it, and so does this. Throws a
 * `TypeError` when `endpoint` is not a URL. Takes the text: a parsed `URL` has already dropped a
 * default port.
 */
export function splitEndpoint(endpoint: string): { scheme: string; host: string; port: string } {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new TypeError(`endpoint "${endpoint}" is not a URL like grpc://10.0.0.5:9000?isSecure=false`);
  }
  let port = u.port;
  if (port === '') {
    const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(endpoint)?.[1] ?? '';
    port = /:(\d+)$/.exec(authority)?.[1] ?? '';
  }
  return { scheme: u.protocol.slice(0, -1), host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/** The port written in an endpoint URL, a scheme default included ({@link splitEndpoint}). */
export function endpointPort(endpoint: string): string {
  return splitEndpoint(endpoint).port;
}

/** Joins host and port, bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
