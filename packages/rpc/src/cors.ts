// Cross-origin access for browsers calling through Connect or gRPC-Web.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { RpcCorsOptions } from './types.ts';

const ALLOW_HEADERS = [
  'content-type',
  'connect-protocol-version',
  'connect-timeout-ms',
  'connect-content-encoding',
  'connect-accept-encoding',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  'x-grpc-web',
  'x-user-agent',
];
const EXPOSE_HEADERS = [
  'grpc-status',
  'grpc-message',
  'grpc-status-details-bin',
  'grpc-encoding',
  'grpc-accept-encoding',
  'connect-content-encoding',
  'connect-accept-encoding',
  'content-encoding',
];

export interface Cors {
  /** Headers added to an actual response for `origin`, or undefined when the origin is not allowed. */
  headers(origin: string | undefined): OutgoingHttpHeaders | undefined;
  /** The answer to a preflight request: status and headers. */
  preflight(headers: IncomingHttpHeaders): { status: number; headers: OutgoingHttpHeaders };
}

export function createCors(options: RpcCorsOptions): Cors {
  const { origins } = options;
  const allowed: (origin: string) => boolean =
    origins === '*'
      ? () => true
      : typeof origins === 'function'
        ? origins
        : (o) => (origins as readonly string[]).includes(o);
  const allowAll = origins === '*' && !options.credentials;
  const expose = [...EXPOSE_HEADERS, ...(options.exposeHeaders ?? [])].join(', ');
  const allowHeaders = new Set(
    [...ALLOW_HEADERS, ...(options.allowHeaders ?? [])].map((h) => h.toLowerCase()),
  );
  const maxAge = String(options.maxAge ?? 7200);

  const base = (origin: string): OutgoingHttpHeaders => {
    const h: OutgoingHttpHeaders = {
      'access-control-allow-origin': allowAll ? '*' : origin,
      'access-control-expose-headers': expose,
    };
    if (!allowAll) h.vary = 'Origin';
    if (options.credentials) h['access-control-allow-credentials'] = 'true';
    return h;
  };

  return {
    headers(origin) {
      if (origin === undefined || !allowed(origin)) return undefined;
      return base(origin);
    },
    preflight(headers) {
      const origin = headers.origin;
      if (origin === undefined || !allowed(origin)) return { status: 403, headers: {} };
      const h = base(origin);
      h['access-control-allow-methods'] = 'POST, GET';
      // Application metadata (x-md-global-*, authorization, ...) is allowed along with the protocols' headers.
      const asked = String(headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== '');
      h['access-control-allow-headers'] = [...new Set([...allowHeaders, ...asked])].join(', ');
      h['access-control-max-age'] = maxAge;
      return { status: 204, headers: h };
    },
  };
}
