import { describe, expect, it } from 'vitest';
import { EchoRequestSchema, UpdateUserRequestSchema, UserReplySchema } from './testdata/echo.ts';
import { echo, httpServers } from './testdata/serve.ts';

const { start } = httpServers();

describe('createHttpServer: binding requests to messages', () => {
  it('binds path variables, query (nested, repeated, json and proto names, enums, int64, bools, WKTs, maps)', async () => {
    const base = await start((s) => {
      s.route(
        {
          method: 'GET',
          path: '/v1/echo/{name}/{user.id}',
          operation: '/test.v1.Echo/Get',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
        },
        echo,
      );
    });
    const q =
      'big=-9007199254740993&num=42&flag=true&color=GREEN&ids=1&ids=18446744073709551&user.display_name=Ann' +
      '&labels.env=prod&at=2024-05-06T07:08:09Z&ratio=0.5&tags=a&tags=b&data=aGk&nick=nn&bigU=18446744073709551615&unknown=x';
    const res = await fetch(`${base}/v1/echo/bob%20b/u%2F7?${q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      name: 'bob b',
      big: '-9007199254740993',
      num: 42,
      flag: true,
      color: 'GREEN',
      ids: ['1', '18446744073709551'],
      user: { id: 'u/7', displayName: 'Ann' },
      labels: { env: 'prod' },
      at: '2024-05-06T07:08:09Z',
      ratio: 0.5,
      tags: ['a', 'b'],
      data: 'aGk=',
      nick: 'nn',
      bigU: '18446744073709551615',
      path: '',
    });
  });

  it('accepts enum numbers, 0/1 bools and emits unpopulated fields like Go Kratos', async () => {
    const base = await start((s) => {
      s.route(
        {
          method: 'GET',
          path: '/e',
          operation: '/test.v1.Echo/Get',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
        },
        echo,
      );
    });
    const body = (await (await fetch(`${base}/e?color=1&flag=1`)).json()) as Record<string, unknown>;
    expect(body.color).toBe('RED');
    expect(body.flag).toBe(true);
    expect(body.num).toBe(0);
    expect(body.tags).toEqual([]);
  });

  it('binds multi-segment variables, ** and custom verbs', async () => {
    const base = await start((s) => {
      s.route(
        {
          method: 'GET',
          path: '/v1/{name=messages/*}',
          operation: '/t.S/Msg',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
        },
        echo,
      );
      s.route(
        {
          method: 'GET',
          path: '/v1/{name=shelves/*}',
          operation: '/t.S/Shelf',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
        },
        async (_c, r: any) => ({ ...r, tags: ['shelf'] }),
      );
      s.route(
        {
          method: 'GET',
          path: '/files/{path=**}',
          operation: '/t.S/File',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
        },
        echo,
      );
      s.route(
        {
          method: 'POST',
          path: '/v1/{name}:cancel',
          operation: '/t.S/Cancel',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
        },
        echo,
      );
    });
    expect(((await (await fetch(`${base}/v1/messages/m%201`)).json()) as any).name).toBe('messages/m 1');
    const shelf = (await (await fetch(`${base}/v1/shelves/s1`)).json()) as any;
    expect([shelf.name, shelf.tags]).toEqual(['shelves/s1', ['shelf']]);
    expect(((await (await fetch(`${base}/files/a/b/c.txt`)).json()) as any).path).toBe('a/b/c.txt');
    expect(((await (await fetch(`${base}/v1/op7:cancel`, { method: 'POST' })).json()) as any).name).toBe(
      'op7',
    );
    const miss = await fetch(`${base}/v1/other/x`);
    expect(miss.status).toBe(404);
    expect(((await miss.json()) as any).reason).toBe('NOT_FOUND');
  });

  it('binds body "*" then path variables, and body "<field>" plus query; responseBody encodes one field', async () => {
    const base = await start((s) => {
      s.route(
        {
          method: 'POST',
          path: '/v1/echo/{name}',
          operation: '/t.S/Post',
          input: EchoRequestSchema,
          output: EchoRequestSchema,
          body: '*',
        },
        echo,
      );
      s.route(
        {
          method: 'PATCH',
          path: '/v1/users/{id}',
          operation: '/t.S/Update',
          input: UpdateUserRequestSchema,
          output: UserReplySchema,
          body: 'user',
          responseBody: 'user',
        },
        async (_c, r: any) => ({
          user: { id: r.id, displayName: `${r.user.displayName}:${r.mask}` },
          version: 3,
        }),
      );
    });
    const post = await fetch(`${base}/v1/echo/fromPath?num=9`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        name: 'fromBody',
        big: '12',
        user: { id: 'u1', display_name: 'proto name' },
        at: '2020-01-01T00:00:00Z',
        extra: 1,
      }),
    });
    expect(post.status).toBe(200);
    const echoed = (await post.json()) as any;
    expect([echoed.name, echoed.big, echoed.user, echoed.num, echoed.at]).toEqual([
      'fromPath',
      '12',
      { id: 'u1', displayName: 'proto name' },
      0,
      '2020-01-01T00:00:00Z',
    ]);

    const patch = await fetch(`${base}/v1/users/42?mask=display_name`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Zed' }),
    });
    expect(await patch.json()).toEqual({ id: '42', displayName: 'Zed:display_name' });
  });
});
