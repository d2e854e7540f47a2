/** The identity of the running application, reachable from every call's context. */
export interface AppInfo {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Endpoint URLs, known once all servers listen. */
  readonly endpoints: readonly string[];
}
