import type { Context } from '../context/context.ts';
import type { Metadata } from '../metadata/metadata.ts';
import type { ServiceInstance } from '../registry/registry.ts';

/** A callable address of a service instance for one scheme. */
export interface Node {
  /** `http` or `grpc`. */
  readonly scheme: string;
  /** `host:port`. */
  readonly address: string;
  readonly serviceName: string;
  /** From instance metadata `weight`; undefined when absent. */
  readonly initialWeight: number | undefined;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The instance it came from. */
  readonly instance?: ServiceInstance;
}

/** What a finished call reports to the balancer that picked its node. */
export interface DoneInfo {
  error?: unknown;
  replyMetadata?: Metadata;
  bytesSent?: boolean;
  bytesReceived?: boolean;
}

/** Called exactly once when a call on a picked node finishes. */
export type DoneFunc = (info: DoneInfo) => void;

/** A node with the live statistics a balancer weighs. */
export interface WeightedNode {
  readonly node: Node;
  /** Effective weight now (higher is better). */
  weight(): number;
  /** Marks the node picked; the returned function records the outcome. */
  pick(): DoneFunc;
  /** Milliseconds since it was last picked. */
  pickElapsed(): number;
}

/** Chooses one node. */
export interface Balancer {
  pick(ctx: Context, nodes: readonly WeightedNode[]): { node: WeightedNode; done: DoneFunc };
}

/** Narrows the candidate nodes of a call (by version, metadata, ...). */
export type NodeFilter = (ctx: Context, nodes: readonly Node[]) => readonly Node[];

/** Per-pick options. */
export interface SelectOptions {
  filters?: readonly NodeFilter[];
}

/**
 * Holds a service's current nodes (swapped whole on every discovery update) and picks one per
 * call. A pick with no node throws a 503 `no_available_node` KratosError (Go Kratos' `ErrNoAvailable`).
 */
export interface Selector {
  apply(nodes: readonly Node[]): void;
  select(ctx: Context, options?: SelectOptions): { node: Node; done: DoneFunc };
}
