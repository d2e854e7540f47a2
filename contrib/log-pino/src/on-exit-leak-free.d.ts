// on-exit-leak-free (pino's own dependency) ships no types; the part used here.
declare module 'on-exit-leak-free' {
  /** Calls `fn(obj, 'exit')` on process exit while `obj` is alive (held by a weak reference). */
  export function register<T extends object>(obj: T, fn: (obj: T, event: 'exit') => void): void;
  export function unregister(obj: object): void;
}
