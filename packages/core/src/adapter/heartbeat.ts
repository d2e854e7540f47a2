// A registrar's heartbeat: `beat` every `intervalMs` until stopped, the next one scheduled only when
// the previous has ended (a slow server never gets two at once), its failures logged once per
// outage (error on the first in a row, info when they go through again). Eureka and ServiceComb
// renew their instances this way; each registry's `beat` says what a renewal is there.
import type { LogHelper } from '../log/helper.ts';

export interface HeartbeatOptions {
  /** The backend's name in log lines (`eureka heartbeat failed`). */
  backend: string;
  /** ms between the end of one beat and the start of the next. */
  intervalMs: number;
  /** One renewal; `stopped()` turns true once `stop()` is called (check it between requests). */
  beat: (stopped: () => boolean) => Promise<void>;
  log: Pick<LogHelper, 'infow' | 'errorw'>;
  /** Key/value pairs added to each log line, e.g. `['instance', id]`. */
  fields: readonly unknown[];
}

export interface Heartbeat {
  /**
   * No beat starts after this; one already running finishes, and the promise settles when it has
   * (it never rejects). A registrar awaits it before deleting the record, so a renewal in flight
   * (a re-registration after the server forgot the instance) cannot land after the delete and
   * leave a record nobody renews until its lease runs out.
   */
  stop(): Promise<void>;
}

/** Starts beating after the first interval. */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { backend, intervalMs, beat, log, fields } = options;
  let stopped = false;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  const isStopped = () => stopped;
  const once = async () => {
    try {
      await beat(isStopped);
      if (failing) log.infow('msg', `${backend} heartbeats go through again`, ...fields);
      failing = false;
    } catch (e) {
      if (!failing) {
        log.errorw(
          'msg',
          `${backend} heartbeat failed`,
          ...fields,
          'error',
          e instanceof Error ? e.message : String(e),
        );
      }
      failing = true;
    }
  };
  const schedule = () => {
    timer = setTimeout(async () => {
      if (stopped) return;
      running = once();
      await running;
      running = undefined;
      if (!stopped) schedule();
    }, intervalMs);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      return running ?? Promise.resolve();
    },
  };
}
