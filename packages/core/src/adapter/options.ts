/** An option that must be a positive number: `value`, or `def` when it is undefined. Throws a TypeError naming it. */
export function positiveOption(value: number | undefined, def: number, name: string): number {
  const n = value ?? def;
  if (!(typeof n === 'number' && n > 0))
    throw new TypeError(`${name} must be a positive number, got ${value}`);
  return n;
}

/**
 * Checks a backend's server list: a non-empty array of URLs. Throws a TypeError that starts with
 * `backend` (`<backend> endpoints must be a non-empty list of URLs, got …`, `<backend> endpoint "…" is not a URL`).
 */
export function checkEndpointUrls(backend: string, endpoints: unknown): asserts endpoints is string[] {
  if (!Array.isArray(endpoints) || endpoints.length === 0 || endpoints.some((e) => !e)) {
    throw new TypeError(
      `${backend} endpoints must be a non-empty list of URLs, got ${JSON.stringify(endpoints)}`,
    );
  }
  for (const e of endpoints) {
    try {
      new URL(e);
    } catch {
      throw new TypeError(`${backend} endpoint ${JSON.stringify(e)} is not a URL`);
    }
  }
}
