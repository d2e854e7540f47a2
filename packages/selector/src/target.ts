/** A client target, split as Go Kratos does: `<scheme>://<authority>/<endpoint>`. */
export interface Target {
  /** `discovery`, `direct`, `http`, `https`, ... lower-cased. */
  scheme: 'discovery' | 'direct' | 'http' | 'https' | (string & {});
  authority: string;
  /** The path without its leading `/`: a service name, or `host:port[,host:port...]`. */
  endpoint: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * Parses a client target. `discovery:///helloworld` -> `{ scheme: 'discovery', authority: '',
 * endpoint: 'helloworld' }`; `direct:///127.0.0.1:9000` -> endpoint `127.0.0.1:9000`;
 * `http://10.0.0.1:8000` -> authority `10.0.0.1:8000`. A bare `host:port[,host:port]` (no `://`)
 * is a direct target. Throws a `TypeError` naming the target when it cannot be parsed.
 */
export function parseTarget(target: string): Target {
  if (typeof target !== 'string' || target.trim() === '') {
    throw new TypeError('invalid target "": want e.g. discovery:///helloworld or direct:///127.0.0.1:9000');
  }
  const t = target.trim();
  const sep = t.indexOf('://');
  if (sep === -1) return { scheme: 'direct', authority: '', endpoint: t };
  const scheme = t.slice(0, sep).toLowerCase();
  if (!SCHEME.test(scheme)) {
    throw new TypeError(`invalid target "${target}": bad scheme "${t.slice(0, sep)}"`);
  }
  let rest = t.slice(sep + 3);
  const cut = rest.search(/[?#]/);
  if (cut !== -1) rest = rest.slice(0, cut);
  const slash = rest.indexOf('/');
  return slash === -1
    ? { scheme, authority: rest, endpoint: '' }
    : { scheme, authority: rest.slice(0, slash), endpoint: rest.slice(slash + 1) };
}
