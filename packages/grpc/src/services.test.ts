// `@kratos/grpc/services` exists so that @kratos/rpc can serve health, reflection and the error
// details without loading @grpc/grpc-js: checked in a fresh Node process, since the test runner
// itself has grpc-js loaded already.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The @grpc/grpc-js modules a fresh process has loaded after importing `entry`. */
function grpcJsModulesAfterImporting(entry: string): number {
  const url = new URL(entry, import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const mod = await import(${JSON.stringify(url)});
    if (typeof mod.createHealthService !== 'function') throw new Error('no createHealthService');
    const cache = createRequire(import.meta.url).cache;
    console.log(Object.keys(cache).filter((k) => k.includes('@grpc/grpc-js')).length);
  `;
  const out = execFileSync(
    process.execPath,
    ['--conditions=kratos-source', '--input-type=module', '--eval', script],
    { encoding: 'utf8', cwd: import.meta.dirname },
  );
  return Number(out.trim());
}

describe('@kratos/grpc/services', () => {
  it('loads none of @grpc/grpc-js', () => {
    expect(grpcJsModulesAfterImporting('./services.ts')).toBe(0);
  });

  it('while the main entry does (so the check above sees grpc-js when it is there)', () => {
    expect(grpcJsModulesAfterImporting('./index.ts')).toBeGreaterThan(0);
  });
});
