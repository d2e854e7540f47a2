import { describe, expect, it } from 'vitest';
import { checkEndpointUrls, positiveOption } from './options.ts';

describe('positiveOption', () => {
  it('takes the value or the default, and names a bad one', () => {
    expect(positiveOption(undefined, 30, 'refreshInterval')).toBe(30);
    expect(positiveOption(5, 30, 'refreshInterval')).toBe(5);
    expect(() => positiveOption(0, 30, 'refreshInterval')).toThrow(
      'refreshInterval must be a positive number, got 0',
    );
    expect(() => positiveOption(Number.NaN, 30, 'timeout')).toThrow(TypeError);
  });
});

describe('checkEndpointUrls', () => {
  it('accepts a list of URLs and says what is wrong with anything else', () => {
    expect(() => checkEndpointUrls('eureka', ['http://127.0.0.1:8761'])).not.toThrow();
    expect(() => checkEndpointUrls('eureka', [])).toThrow(
      'eureka endpoints must be a non-empty list of URLs, got []',
    );
    expect(() => checkEndpointUrls('eureka', undefined)).toThrow(/non-empty list of URLs, got undefined/);
    expect(() => checkEndpointUrls('eureka', ['http://a', ''])).toThrow(/non-empty list/);
    expect(() => checkEndpointUrls('eureka', ['not a url'])).toThrow(
      'eureka endpoint "not a url" is not a URL',
    );
  });
});
