import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import {
  compileMatcher,
  nativeParamName,
  nativeRoutePath,
  type TemplateMatcher,
  templateShape,
  wildcardRoutePath,
} from './path-template.ts';
import type { CompiledRoute } from './route.ts';

const FASTIFY_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS']);

/** The path of a request URL, without its query. */
export function rawPath(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

/** find-my-way path syntax -> a RegExp over raw paths, for the 405 check of plain routes. */
function plainMatcher(path: string): (p: string) => boolean {
  const re = path
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.startsWith(':')) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const regexp = new RegExp(`^${re}/?$`);
  return (p) => regexp.test(p);
}

/** Runs a matched route; `vars` are the template's variables in order (undefined: none). */
export type ServeRoute = (
  route: CompiledRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  vars: readonly string[] | undefined,
) => void;

/** Answers a request no route took: `malformed` when its path has broken percent-encoding. */
export type NoRoute = (
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  malformed: boolean,
) => void;

interface RouteGroup {
  routes: CompiledRoute[];
  matchers: TemplateMatcher[];
}

/**
 * The routes of one server, registered on fastify: templates fastify can match natively become
 * fastify routes; the others (multi-segment variables, verbs) hang under one wildcard route per
 * literal prefix and are matched here in registration order. Remembers every route's method and
 * matcher to answer which methods a path allows (405 with `Allow`).
 */
export class RouteTable {
  readonly #fastify: FastifyInstance;
  readonly #register: (route: RouteOptions) => void;
  readonly #serve: ServeRoute;
  readonly #noRoute: NoRoute;
  readonly #shapes = new Map<string, string>();
  readonly #groups = new Map<string, RouteGroup>();
  readonly #matchers: Array<{ method: string; test: (rawPath: string) => boolean }> = [];

  /**
   * `register` adds a route to fastify; default at once. A server with plugins that act on
   * `onRoute` (compression) defers it until those plugins have loaded.
   */
  constructor(
    fastify: FastifyInstance,
    serve: ServeRoute,
    noRoute: NoRoute,
    register: (route: RouteOptions) => void = (r) => fastify.route(r),
  ) {
    this.#fastify = fastify;
    this.#register = register;
    this.#serve = serve;
    this.#noRoute = noRoute;
  }

  /** Registers a compiled proto route; throws on a second route of the same method and shape. */
  add(route: CompiledRoute): void {
    const desc = `${route.method} ${route.desc.path} (${route.operation})`;
    const shape = `${route.method} ${templateShape(route.template)}`;
    const existing = this.#shapes.get(shape);
    if (existing !== undefined) throw new Error(`duplicate route ${desc}: already bound to ${existing}`);
    this.#ensureMethod(route.method);
    const matcher = compileMatcher(route.template);
    const native = nativeRoutePath(route.template);
    if (native !== undefined) {
      try {
        this.#register({ method: route.method, url: native, handler: this.#nativeHandler(route) });
      } catch (err) {
        throw new Error(`cannot register route ${desc}: ${(err as Error).message}`);
      }
    } else {
      const group = this.#group(route.method, wildcardRoutePath(route.template));
      group.routes.push(route);
      group.matchers.push(matcher);
    }
    this.#shapes.set(shape, `${route.desc.path} (${route.operation})`);
    this.#matchers.push({
      method: route.method,
      test: (p) => {
        try {
          return matcher(p) !== undefined;
        } catch {
          return false;
        }
      },
    });
  }

  /** Registers a plain fastify handler (find-my-way path syntax) for these methods. */
  addPlain(methods: readonly string[], path: string, handler: never): void {
    for (const m of methods) this.#ensureMethod(m);
    this.#register({ method: [...methods], url: path, handler });
    const test = plainMatcher(path);
    for (const m of methods) this.#matchers.push({ method: m, test });
  }

  /** The other methods some route takes on `path` (GET implies HEAD), sorted. */
  allowed(method: string, path: string): string[] {
    const allowed = new Set<string>();
    for (const m of this.#matchers) {
      if (m.method !== method && !allowed.has(m.method) && m.test(path)) allowed.add(m.method);
    }
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.delete(method);
    return [...allowed].sort();
  }

  #nativeHandler(route: CompiledRoute) {
    const serve = this.#serve;
    const n = route.template.variables.length;
    if (n === 0) {
      return (request: FastifyRequest, reply: FastifyReply) => serve(route, request, reply, undefined);
    }
    const keys = Array.from({ length: n }, (_, i) => nativeParamName(i));
    return (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Record<string, string>;
      const vars = new Array<string>(n);
      for (let i = 0; i < n; i++) vars[i] = params[keys[i]!]!;
      serve(route, request, reply, vars);
    };
  }

  #group(method: string, wildcard: string): RouteGroup {
    const key = `${method} ${wildcard}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      const g: RouteGroup = { routes: [], matchers: [] };
      group = g;
      this.#groups.set(key, g);
      this.#register({
        method,
        url: wildcard,
        handler: (request, reply) => this.#serveGroup(g, request, reply),
      });
    }
    return group;
  }

  #serveGroup(group: RouteGroup, request: FastifyRequest, reply: FastifyReply): void {
    const path = rawPath(request.raw.url);
    for (let i = 0; i < group.routes.length; i++) {
      let vars: string[] | undefined;
      try {
        vars = group.matchers[i]!(path);
      } catch {
        this.#noRoute(request, reply, path, true);
        return;
      }
      if (vars !== undefined) {
        this.#serve(group.routes[i]!, request, reply, vars);
        return;
      }
    }
    this.#noRoute(request, reply, path, false);
  }

  #ensureMethod(method: string): void {
    const fastify = this.#fastify;
    if (!FASTIFY_METHODS.has(method) && !fastify.supportedMethods.includes(method)) {
      fastify.addHttpMethod(method, { hasBody: true });
    }
  }
}
