// The HTTP side of service-center's v4 REST API: one call with failover across servers, its errors.

/** An error answer of service-center: its `errorCode` (e.g. `400012`), message and detail. */
export class ServiceCombError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ServiceCombError';
    this.status = status;
    this.code = code;
  }
}

/** service-center error codes read here. */
export const SERVICE_EXISTS = '400010';
export const SERVICE_MISSING = '400012';
export const INSTANCE_MISSING = '400017';

/** Whether `e` is service-center's answer with `code`. */
export const isCode = (e: unknown, code: string): boolean => e instanceof ServiceCombError && e.code === code;

/** What {@link createCaller} needs. */
export interface CallerOptions {
  endpoints: string[];
  project: string;
  domain: string;
  timeout: number;
  fetch: typeof fetch;
}

/** A call of the API under `/v4/{project}/registry`, answering the parsed JSON body. */
export type Caller = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  what: string,
  body?: unknown,
  signal?: AbortSignal,
) => Promise<unknown>;

/**
 * Calls through the first server first; a call that cannot connect moves on to the next (each server
 * once), and later calls stay there. A 2xx answer gives its JSON; any other throws a {@link ServiceCombError}.
 */
export function createCaller(c: CallerOptions): Caller {
  let serverIndex = 0;
  return async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    what: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> => {
    let res: Response | undefined;
    let lastError: unknown;
    for (let i = 0; i < c.endpoints.length && !res; i++) {
      signal?.throwIfAborted();
      const base = c.endpoints[serverIndex % c.endpoints.length]!.replace(/\/+$/, '');
      const bound = AbortSignal.timeout(c.timeout);
      try {
        res = await c.fetch(`${base}/v4/${encodeURIComponent(c.project)}/registry${path}`, {
          method,
          headers: { 'Content-Type': 'application/json', 'X-Domain-Name': c.domain },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: signal ? AbortSignal.any([signal, bound]) : bound,
        });
      } catch (e) {
        lastError = e;
        if (signal?.aborted) throw e;
        serverIndex++;
      }
    }
    if (!res) {
      throw new Error(
        `servicecomb ${what} failed on every server: ${(lastError as Error)?.message ?? lastError}`,
        { cause: lastError },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new ServiceCombError(
        res.status,
        '',
        `servicecomb ${what} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
      );
    }
    if (res.status >= 200 && res.status < 300) return json;
    const err = json as { errorCode?: unknown; errorMessage?: unknown; detail?: unknown };
    const code = String(err?.errorCode ?? '');
    throw new ServiceCombError(
      res.status,
      code,
      `servicecomb ${what} answered ${code || `HTTP ${res.status}`}: ${String(err?.errorMessage ?? '')}${
        err?.detail ? ` (${String(err.detail)})` : ''
      }`,
    );
  };
}
