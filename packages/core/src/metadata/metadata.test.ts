import { describe, expect, it } from 'vitest';
import { GLOBAL_METADATA_PREFIX, LOCAL_METADATA_PREFIX, Metadata } from '../index.ts';
import { isMetadataKey } from '../transport.ts';

describe('Metadata', () => {
  it('is case-insensitive and stores keys lower-cased', () => {
    const md = new Metadata();
    md.set('X-Md-Global-User', 'ann');
    expect(md.get('x-md-global-user')).toBe('ann');
    expect(md.get('X-MD-GLOBAL-USER')).toBe('ann');
    expect(md.has('x-MD-global-user')).toBe(true);
    expect([...md.keys()]).toEqual(['x-md-global-user']);
    expect(md.delete('X-MD-GLOBAL-USER')).toBe(true);
    expect(md.has('x-md-global-user')).toBe(false);
    expect(md.delete('absent')).toBe(false);
  });

  it('is multi-valued: add appends, set replaces, get gives the first value', () => {
    const md = new Metadata().add('Accept', 'a').add('accept', 'b');
    expect(md.values('ACCEPT')).toEqual(['a', 'b']);
    expect(md.get('accept')).toBe('a');
    md.set('accept', 'c', 'd');
    expect(md.values('accept')).toEqual(['c', 'd']);
    expect(md.values('missing')).toEqual([]);
    md.values('accept').push('mutated');
    expect(md.values('accept')).toEqual(['c', 'd']);
    md.set('accept');
    expect(md.has('accept')).toBe(false);
    md.set('accept', 'e');
    expect(md.get('missing')).toBeUndefined();
    expect(md.size).toBe(1);
  });

  it('builds from records (skipping undefined), entry lists and other Metadata', () => {
    const fromRecord = new Metadata({
      'Content-Type': 'application/json',
      'X-A': ['1', '2'],
      skip: undefined,
    });
    expect(fromRecord.get('content-type')).toBe('application/json');
    expect(fromRecord.values('x-a')).toEqual(['1', '2']);
    expect(fromRecord.has('skip')).toBe(false);

    const fromEntries = new Metadata([
      ['K', 'v1'],
      ['k', ['v2', 'v3']],
    ]);
    expect(fromEntries.values('k')).toEqual(['v1', 'v2', 'v3']);

    const copy = new Metadata(fromEntries);
    copy.add('k', 'v4');
    expect(fromEntries.values('k')).toEqual(['v1', 'v2', 'v3']);
    expect(copy.values('k')).toEqual(['v1', 'v2', 'v3', 'v4']);
  });

  it('clone is deep, merge replaces keys, iteration yields every key', () => {
    const a = new Metadata({ x: '1', y: '2' });
    const b = a.clone();
    b.add('x', '3');
    expect(a.values('x')).toEqual(['1']);
    a.merge(new Metadata({ Y: ['9', '10'], z: '0' }));
    expect(a.toJSON()).toEqual({ x: ['1'], y: ['9', '10'], z: ['0'] });
    expect([...a]).toEqual([
      ['x', ['1']],
      ['y', ['9', '10']],
      ['z', ['0']],
    ]);
    expect(a.toRecord()).toEqual({ x: '1', y: '9', z: '0' });
  });

  it('withPrefix picks the Kratos metadata out of headers', () => {
    const headers = new Metadata({
      'X-Md-Global-Trace': 't',
      'x-md-local-caller': 'svc-a',
      authorization: 'Bearer x',
    });
    expect(headers.withPrefix(GLOBAL_METADATA_PREFIX).toRecord()).toEqual({ 'x-md-global-trace': 't' });
    expect(headers.withPrefix('X-MD-LOCAL-').toRecord()).toEqual({ 'x-md-local-caller': 'svc-a' });
  });

  it('isMetadataKey knows both prefixes, in any case', () => {
    expect(GLOBAL_METADATA_PREFIX).toBe('x-md-global-');
    expect(LOCAL_METADATA_PREFIX).toBe('x-md-local-');
    expect(isMetadataKey('x-md-global-user')).toBe(true);
    expect(isMetadataKey('X-MD-LOCAL-user')).toBe(true);
    expect(isMetadataKey('x-md-other')).toBe(false);
    expect(isMetadataKey('authorization')).toBe(false);
  });
});
