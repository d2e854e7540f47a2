import type { Logger, LogLevel } from '@kratos/core';

/** What the factory receives for one test. */
export interface LoggerSetup {
  /** The lowest level the logger should write (its own level option). `debug` unless a case checks filtering. */
  level: LogLevel;
}

/** One line as the backend received it, decoded back into Kratos terms. */
export interface LoggedLine {
  level: LogLevel;
  /**
   * Every key/value of the line, the message under `msg` (however the backend names it), and any
   * fields the backend adds itself (time, pid, ...), which the suite ignores.
   */
  fields: Record<string, unknown>;
}

/** A logger under test plus the means to read what reached its backend. */
export interface LoggerSubject {
  logger: Logger;
  /**
   * The lines the backend holds so far, oldest first. The suite calls it after `flush()` when the
   * logger is flushable, so a buffered or networked logger has delivered them.
   */
  lines(): LoggedLine[] | Promise<LoggedLine[]>;
  /** Releases streams, sockets and receivers; called after every test. */
  close?(): void | Promise<void>;
}

/** Optional behaviour a logger declares. */
export interface LoggerFeatures {
  /**
   * The backend keeps every value as text (logfmt, Fluent's `fmt.Sprint` records): values are
   * compared as `String(value)`. Default false: numbers and booleans stay numbers and booleans.
   */
  stringValues?: boolean;
  /** The logger is made with a minimum level (`setup.level`) and drops lines below it. Default true. */
  levelOption?: boolean;
}

/** The factory the suite calls before every test. */
export type LoggerFactory = (setup: LoggerSetup) => LoggerSubject | Promise<LoggerSubject>;
