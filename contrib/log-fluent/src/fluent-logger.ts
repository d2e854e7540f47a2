import { FluentClient, type FluentClientOptions } from '@fluent-org/logger';
import { createStdLogger, type Logger, type LogLevel } from '@kratos/core';
import { type FlushableLogger, LOG_LEVEL_RANK } from '@kratos/core/adapter';
import { LEVEL_TAGS, toRecord } from './record.ts';

/** Options of {@link createFluentLogger}. */
export interface FluentLoggerOptions {
  /**
   * The receiver, as Go Kratos' `NewLogger(addr)` takes it: `tcp://host:port` or
   * `unix:///path/to/fluent.sock`. Default `tcp://127.0.0.1:24224`.
   */
  address?: string;
  /** Tag prefix: lines are tagged `<prefix>.<LEVEL>` (`INFO`, `ERROR`, ...), or `<LEVEL>` without one. Default none. */
  tagPrefix?: string;
  /** Lines under this level are dropped here (`enabled(level)` says so). Default `'debug'` (all). */
  level?: LogLevel;
  /**
   * Lines held while the receiver is unreachable or slow. Past it the oldest are dropped, counted
   * and reported (see `reporter`). Default 10 000.
   */
  bufferLimit?: number;
  /**
   * Wait for the receiver's acknowledgement of each line (the forward protocol's `chunk`/`ack`) and
   * send it again when none comes within this many ms, so a receiver that dies with lines in its
   * socket loses none. `false`: fire and forget (Go Kratos' default). Default 5000.
   */
  ackTimeout?: number | false;
  /** Sends of one line that may fail (no ack, socket error) before it is given up and counted. Default 10. */
  retryAttempts?: number;
  /** Reconnect backoff: first delay, ms, doubled per failed attempt. Default 100. */
  reconnectDelay?: number;
  /** Reconnect backoff: the largest delay, ms. Default 5000. */
  reconnectMaxDelay?: number;
  /** The longest `flush()` (the App's stop) and `close()` wait for buffered lines to be acknowledged, ms. Default 5000. */
  flushTimeout?: number;
  /** Where dropped lines are reported (one `warn` line per period). Default core's std logger on stderr. */
  reporter?: Logger;
  /** Period of drop reports, ms: at most one report per period. Default 10 000. */
  reportInterval?: number;
  /** More `@fluent-org/logger` client options, applied last (TLS, shared-key security, event mode, ...). */
  client?: FluentClientOptions;
}

/** Counts since the logger was made. */
export interface FluentLoggerStats {
  /** Lines the receiver took (acknowledged, or written to the socket without acks). */
  delivered: number;
  /** Lines given up: dropped from a full buffer, out of retries, or still unsent when closed. */
  dropped: number;
  /** Lines logged and neither delivered nor dropped yet. */
  pending: number;
}

/** A core Logger that sends each line as a Fluent forward event. */
export interface FluentLogger extends FlushableLogger {
  enabled(level: LogLevel): boolean;
  /** Resolves once every line logged so far is delivered or dropped, or after `flushTimeout`. */
  flush(): Promise<void>;
  /** Flushes (bounded by `flushTimeout`), then closes the connection; lines logged later are dropped. */
  close(): Promise<void>;
  stats(): FluentLoggerStats;
  /** The `@fluent-org/logger` client underneath. */
  readonly client: FluentClient;
}

/** `tcp://host:port` / `unix:///path` as socket options; a clear error for anything else. */
export function parseFluentAddress(address: string): { host: string; port: number } | { path: string } {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(`invalid fluent address "${address}": want tcp://host:port or unix:///path`);
  }
  if (url.protocol === 'unix:') {
    if (url.pathname === '') throw new TypeError(`invalid fluent address "${address}": no socket path`);
    return { path: decodeURIComponent(url.pathname) };
  }
  if (url.protocol !== 'tcp:') {
    throw new TypeError(
      `unknown network "${url.protocol.slice(0, -1)}" in fluent address "${address}": want tcp or unix`,
    );
  }
  const port = Number(url.port);
  if (url.hostname === '' || url.port === '' || !Number.isInteger(port)) {
    throw new TypeError(`invalid fluent address "${address}": want tcp://host:port`);
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

function positive(name: string, v: number | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < min) throw new RangeError(`${name} must be a number >= ${min}, got ${v}`);
  return v;
}

/**
 * Go Kratos' `contrib/log/fluent` logger over `@fluent-org/logger`: each line becomes one forward
 * event tagged `<tagPrefix>.<LEVEL>` whose record maps every key to its value as a string. Logging
 * never waits on the network: lines go into a bounded buffer sent in the background.
 */
export function createFluentLogger(options: FluentLoggerOptions = {}): FluentLogger {
  const address = options.address ?? 'tcp://127.0.0.1:24224';
  const socketTarget = parseFluentAddress(address);
  const minRank = LOG_LEVEL_RANK[options.level ?? 'debug'];
  if (minRank === undefined) throw new TypeError(`invalid level "${options.level}"`);
  const bufferLimit = positive('bufferLimit', options.bufferLimit, 10_000);
  const ackTimeout = options.ackTimeout === false ? false : positive('ackTimeout', options.ackTimeout, 5000);
  const retryAttempts = positive('retryAttempts', options.retryAttempts, 10, 0);
  const flushTimeout = positive('flushTimeout', options.flushTimeout, 5000, 0);
  const reportInterval = positive('reportInterval', options.reportInterval, 10_000, 0);
  const reporter = options.reporter ?? createStdLogger(process.stderr);
  const extra = options.client ?? {};

  const client = new FluentClient(options.tagPrefix || null, {
    eventMode: 'Message', // one entry per line: a full buffer drops the oldest line, not a whole batch
    milliseconds: true, // EventTime: sub-second timestamps
    ...(ackTimeout === false ? {} : { ack: { ackTimeout } }),
    sendQueueMaxLimit: { length: bufferLimit },
    eventRetry: {
      attempts: retryAttempts,
      delay: 100,
      backoff: 2,
      maxDelay: 2000,
    },
    // close() waits for pending lines itself (bounded by flushTimeout) before it disconnects
    disconnect: { waitForPending: false },
    ...extra,
    socket: {
      ...socketTarget,
      reconnect: {
        delay: positive('reconnectDelay', options.reconnectDelay, 100),
        backoff: 2,
        maxDelay: positive('reconnectMaxDelay', options.reconnectMaxDelay, 5000),
      },
      ...extra.socket,
    },
  });

  let delivered = 0;
  let dropped = 0;
  let pending = 0;
  let unreported = 0;
  let reportTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const idle: Array<() => void> = [];

  const report = () => {
    if (reportTimer !== undefined) clearTimeout(reportTimer);
    reportTimer = undefined;
    if (unreported === 0) return;
    const n = unreported;
    unreported = 0;
    try {
      reporter.log(
        'warn',
        'msg',
        `fluent: dropped ${n} log line(s): buffer of ${bufferLimit} full or receiver ${address} unreachable`,
        'dropped',
        n,
        'dropped_total',
        dropped,
      );
    } catch {
      // a failing reporter must not break logging
    }
  };
  const settled = () => {
    pending--;
    if (pending === 0) for (const wake of idle.splice(0)) wake();
  };
  const onDelivered = () => {
    delivered++;
    settled();
  };
  const onDropped = () => {
    dropped++;
    unreported++;
    settled();
    if (reportTimer === undefined) {
      reportTimer = setTimeout(report, reportInterval);
      reportTimer.unref();
    }
  };

  const waitIdle = async (): Promise<void> => {
    if (pending === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, flushTimeout);
      timer.unref();
      idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  return {
    client,
    log(level: LogLevel, ...keyvals: unknown[]): void {
      if (keyvals.length === 0 || (LOG_LEVEL_RANK[level] ?? 0) < minRank) return;
      pending++;
      if (closed) {
        onDropped();
        return;
      }
      let sent: Promise<void>;
      try {
        sent = client.emit(LEVEL_TAGS[level] ?? String(level).toUpperCase(), toRecord(keyvals));
      } catch {
        onDropped();
        return;
      }
      sent.then(onDelivered, onDropped);
    },
    enabled(level: LogLevel): boolean {
      return (LOG_LEVEL_RANK[level] ?? 0) >= minRank;
    },
    async flush(): Promise<void> {
      await client.flush();
      await waitIdle();
      report();
    },
    async close(): Promise<void> {
      if (closed) return;
      await client.flush();
      await waitIdle();
      closed = true;
      await client.shutdown().catch(() => {});
      // lines the shutdown gave up are counted by their (asynchronous) rejections
      await new Promise((resolve) => setImmediate(resolve));
      report();
    },
    stats(): FluentLoggerStats {
      return { delivered, dropped, pending };
    },
  };
}
