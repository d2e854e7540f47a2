import type { Discovery, Registrar } from '@kratos/core';

/** A registry under test given as two parts (e.g. two clients, so discovery sees another client's writes). */
export interface RegistrySubjectParts {
  registrar: Registrar;
  discovery: Discovery;
  /** Releases the clients; called after every test. */
  close?: (() => void | Promise<void>) | undefined;
}

/** What a registry factory returns: one object doing both, or the two parts. */
export type RegistrySubject =
  | (Registrar & Discovery & { close?(): void | Promise<void> })
  | RegistrySubjectParts;

/** Optional behaviour a registry declares, so the suite runs only the cases that apply. */
export interface RegistryFeatures<S extends RegistrySubject = RegistrySubject> {
  /** `discovery.watch` is implemented. Default true. */
  watch?: boolean;
  /**
   * Watchers of one service share one backend watch (a fan-out). Adds cases for late
   * subscribers and for tearing the backend watch down when the last watcher stops. Default false.
   */
  sharedWatch?: boolean;
  /**
   * Metadata round-trips: `true` exactly, `'superset'` the given keys come back but the backend
   * may add its own (nacos adds `kind` and `version`), `false` not checked. Default true.
   */
  metadata?: boolean | 'superset';
  /** Discovered instances keep the registered id (nacos reports its own instance id). Default true. */
  preservesId?: boolean;
  /** One instance may carry several endpoints (nacos splits them per scheme). Default true. */
  multipleEndpoints?: boolean;
  /** How long a change takes to become visible to getService and watchers. Default 0. */
  propagationDelayMs?: number;
  /** Bound of each wait for a change to show. Default 3000 + 5 x propagationDelayMs. */
  timeoutMs?: number;
  /** Number of backend watches the subject holds open; enables the teardown case. */
  openWatches?(subject: S): number;
  /** Prefix of the unique service names. Default `kt`. */
  servicePrefix?: string;
  /**
   * Stops the registry server and starts it again (same address and data), resolving once it
   * answers; enables the restart case: watchers must follow changes made after the restart.
   * The subject's clients are kept across it.
   */
  restart?(subject: S): Promise<void>;
  /** Bound of each wait in the restart case (reconnecting, then seeing a change). Default 60000 ms. */
  restartTimeoutMs?: number;
  /** Receives what the restart case measured (how late watchers caught up); for reports, not asserted. */
  onRestartTimings?(timings: RestartTimings): void;
}

/** What one run of the restart case measured (ms from the restart hook's return), for `features.onRestartTimings`. */
export interface RestartTimings {
  /** Until the registrar accepted the change (its client had reconnected). */
  changeAcceptedMs: number;
  /** Until a watcher first showed the change (the watch had re-listed or resumed). */
  changeSeenMs: number;
  /** Until every watcher held the whole changed set. */
  convergedMs: number;
}
