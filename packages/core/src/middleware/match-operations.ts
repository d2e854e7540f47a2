import { chain, type Handler, type Middleware, type SelectiveMiddleware } from './middleware.ts';

/** Chooses operations by exact name, prefix, regular expression or predicate. */
export interface OperationMatcher {
  /** Exact operation names, e.g. `/helloworld.v1.Greeter/SayHello`. */
  path(...operations: string[]): OperationMatcher;
  /** Operation prefixes, e.g. `/helloworld.v1.Greeter/` for a whole service. */
  prefix(...prefixes: string[]): OperationMatcher;
  /** Regular expressions tested against the operation. */
  regex(...patterns: RegExp[]): OperationMatcher;
  /** A predicate over the operation. */
  match(predicate: (operation: string) => boolean): OperationMatcher;
  /** The middleware, applied only to the chosen operations. */
  build(): SelectiveMiddleware;
}

/**
 * Applies middleware to chosen operations only, like Go Kratos' `selector.Server(...)` (middleware/selector).
 *
 * ```ts
 * matchOperations(auth).prefix('/admin.v1.').build()
 * ```
 * Transports resolve the match once per route; where the operation is only known per call
 * (a client with dynamic operations), the decision is cached per operation.
 */
export function matchOperations(...middleware: Middleware[]): OperationMatcher {
  const paths = new Set<string>();
  const prefixes: string[] = [];
  const patterns: RegExp[] = [];
  const predicates: Array<(op: string) => boolean> = [];

  const builder: OperationMatcher = {
    path(...ops) {
      for (const o of ops) paths.add(o);
      return builder;
    },
    prefix(...p) {
      prefixes.push(...p);
      return builder;
    },
    regex(...r) {
      patterns.push(...r);
      return builder;
    },
    match(fn) {
      predicates.push(fn);
      return builder;
    },
    build() {
      const appliesTo = (op: string): boolean =>
        paths.has(op) ||
        prefixes.some((p) => op.startsWith(p)) ||
        patterns.some((r) => {
          r.lastIndex = 0;
          return r.test(op);
        }) ||
        predicates.some((fn) => fn(op));
      const inner = chain(...middleware);
      const selective = ((next: Handler): Handler => {
        const wrapped = inner(next);
        const cache = new Map<string, boolean>();
        return (ctx, req) => {
          let hit = cache.get(ctx.operation);
          if (hit === undefined) {
            hit = appliesTo(ctx.operation);
            if (cache.size < 10_000) cache.set(ctx.operation, hit);
          }
          return hit ? wrapped(ctx, req) : next(ctx, req);
        };
      }) as SelectiveMiddleware;
      Object.defineProperty(selective, 'appliesTo', { value: appliesTo });
      return selective;
    },
  };
  return builder;
}
