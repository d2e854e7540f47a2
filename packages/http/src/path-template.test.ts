import { describe, expect, it } from 'vitest';
import {
  compileMatcher,
  expandTemplate,
  nativeRoutePath,
  parsePathTemplate,
  templateShape,
  wildcardRoutePath,
} from './path-template.ts';

describe('parsePathTemplate', () => {
  it('parses simple variables into native find-my-way routes', () => {
    const t = parsePathTemplate('/v1/users/{id}/books/{book.id}');
    expect(t.variables.map((v) => v.fieldPath)).toEqual(['id', 'book.id']);
    expect(nativeRoutePath(t)).toBe('/v1/users/:p0/books/:p1');
    expect(templateShape(t)).toBe('/v1/users/*/books/*');
  });

  it('compiles multi-segment variables, ** and verbs to a matcher under a wildcard route', () => {
    const t = parsePathTemplate('/v1/{name=shelves/*/books/*}:publish');
    expect(nativeRoutePath(t)).toBeUndefined();
    expect(wildcardRoutePath(t)).toBe('/v1/shelves/*');
    expect(wildcardRoutePath(parsePathTemplate('/v1/ops:cancel'))).toBe('/v1/*');
    const m = compileMatcher(t);
    expect(m('/v1/shelves/s1/books/b%201:publish')).toEqual(['shelves/s1/books/b 1']);
    expect(m('/v1/shelves/s1/books/b1')).toBeUndefined();
    expect(m('/v1/shelves/s1:publish')).toBeUndefined();

    const files = parsePathTemplate('/files/{path=**}');
    expect(compileMatcher(files)('/files/a/b/c.txt')).toEqual(['a/b/c.txt']);
    expect(wildcardRoutePath(files)).toBe('/files/*');
  });

  it('rejects malformed templates with a clear error', () => {
    for (const bad of [
      'v1/x',
      '/v1/{id',
      '/v1/{}',
      '/v1/{a}/{a}',
      '/v1//x',
      '/v1/x/',
      '/{p=**}/x',
      '/v1/{1x}',
    ]) {
      expect(() => parsePathTemplate(bad), bad).toThrow(/invalid http path template/);
    }
  });

  it('expands templates for the client, keeping slashes only in multi-segment variables', () => {
    expect(expandTemplate(parsePathTemplate('/v1/users/{id}'), ['a/b c'])).toBe('/v1/users/a%2Fb%20c');
    expect(expandTemplate(parsePathTemplate('/v1/{name=messages/*}'), ['messages/1 2'])).toBe(
      '/v1/messages/1%202',
    );
    expect(expandTemplate(parsePathTemplate('/files/{path=**}'), ['a/b/c'])).toBe('/files/a/b/c');
    expect(expandTemplate(parsePathTemplate('/v1/{name}:cancel'), ['op'])).toBe('/v1/op:cancel');
  });
});
