import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { caller } from '../index.ts';

// A bundled library file (as tsup writes dist/index.js) whose line 2 comes from server.ts line 42.
function bundledLibrary(withMap: boolean): (v: ReturnType<typeof caller>) => unknown {
  const dir = mkdtempSync(join(tmpdir(), 'kratos-caller-'));
  const file = join(dir, 'index.js');
  const code = '(function logFromLibrary(v) {\n  return v(undefined);\n})';
  writeFileSync(file, code);
  if (withMap) {
    // Line 2, column 0 -> source 0 (../src/server.ts), line 41 (0-based), column 0.
    const map = { version: 3, sources: ['../src/server.ts'], names: [], mappings: ';AAyCA' };
    writeFileSync(`${file}.map`, JSON.stringify(map));
  }
  return runInThisContext(code, { filename: file }) as (v: ReturnType<typeof caller>) => unknown;
}

describe('caller in bundled code', () => {
  it('names the original source file and line when the bundle has a source map (Go: server.go:42)', () => {
    expect(bundledLibrary(true)(caller())).toBe('server.ts:42');
  });

  it('names the bundled file and line when there is no map', () => {
    expect(bundledLibrary(false)(caller())).toBe('index.js:2');
  });
});
