import { type Context, createContext, Metadata } from '@kratos/core';
import { applyMiddleware } from '@kratos/core/transport';
import { describe, expect, it } from 'vitest';
import { clientMetadata, serverMetadata } from '../index.ts';

describe('serverMetadata', () => {
  it('copies prefixed headers and constants into ctx.metadata', async () => {
    const ctx = createContext({
      requestHeader: new Metadata({
        'X-MD-Global-Trace': 'a',
        'x-md-local-hop': 'b',
        'x-custom-tenant': 't1',
        other: 'no',
      }),
    });
    let seen: Metadata | undefined;
    const h = applyMiddleware(
      async (c: Context) => {
        seen = c.metadata;
      },
      [serverMetadata({ prefixes: ['x-md-', 'x-custom-'], constants: { 'x-md-global-zone': 'z1' } })],
    );
    await h(ctx, {});
    expect(seen?.get('x-md-global-trace')).toBe('a');
    expect(seen?.get('x-md-local-hop')).toBe('b');
    expect(seen?.get('x-custom-tenant')).toBe('t1');
    expect(seen?.get('x-md-global-zone')).toBe('z1');
    expect(seen?.has('other')).toBe(false);
  });
});

describe('clientMetadata', () => {
  it('sends global server metadata onward, local metadata one hop, plus constants', async () => {
    const server = createContext({
      side: 'server',
      metadata: new Metadata({ 'x-md-global-user': 'u1', 'x-md-local-caller': 'gateway' }),
    });
    const client = createContext({ side: 'client', parent: server, operation: '/svc.v1.B/Call' });
    client.metadata.set('x-md-local-attempt', '1');
    let sent: Metadata | undefined;
    const h = applyMiddleware(
      async (c: Context) => {
        sent = c.requestHeader;
      },
      [clientMetadata({ constants: { 'x-md-global-app': 'demo' } })],
    );
    await h(client, {});
    expect(sent?.get('x-md-global-user')).toBe('u1');
    expect(sent?.get('x-md-global-app')).toBe('demo');
    expect(sent?.get('x-md-local-attempt')).toBe('1');
    expect(sent?.has('x-md-local-caller')).toBe(false);
  });

  it('lets the call override a propagated global key', async () => {
    const server = createContext({ side: 'server', metadata: new Metadata({ 'x-md-global-user': 'u1' }) });
    const client = createContext({ side: 'client', parent: server });
    client.metadata.set('x-md-global-user', 'u2');
    let sent: Metadata | undefined;
    await applyMiddleware(
      async (c: Context) => {
        sent = c.requestHeader;
      },
      [clientMetadata()],
    )(client, {});
    expect(sent?.values('x-md-global-user')).toEqual(['u2']);
  });
});
