import { Readable } from 'node:stream';
import { create } from '@bufbuild/protobuf';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createHttpClient, type HttpRouteDesc, newRedirect, streamReply } from './index.ts';
import {
  FileReplySchema,
  FileRequestSchema,
  HttpBodySchema,
  PutFileRequestSchema,
  UploadReplySchema,
} from './testdata/bodies.ts';
import { HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';
import { httpServers } from './testdata/serve.ts';

const { start } = httpServers();

// rpc Echo(google.api.HttpBody) returns (google.api.HttpBody) { post: "/raw" body: "*" }
const rawEcho: HttpRouteDesc = {
  method: 'POST',
  path: '/raw',
  operation: '/test.v1.Files/Echo',
  input: HttpBodySchema,
  output: HttpBodySchema,
  body: '*',
};
// rpc Put(PutFileRequest) returns (UploadReply) { put: "/files/{name}" body: "file" }
const putFile: HttpRouteDesc = {
  method: 'PUT',
  path: '/files/{name}',
  operation: '/test.v1.Files/Put',
  input: PutFileRequestSchema,
  output: UploadReplySchema,
  body: 'file',
};
// rpc Get(FileRequest) returns (FileReply) { get: "/files/{name}" response_body: "file" }
const getFile: HttpRouteDesc = {
  method: 'GET',
  path: '/files/{name}',
  operation: '/test.v1.Files/Get',
  input: FileRequestSchema,
  output: FileReplySchema,
  responseBody: 'file',
};
// rpc Download(FileRequest) returns (google.api.HttpBody) { get: "/download/{name}" }
const download: HttpRouteDesc = {
  method: 'GET',
  path: '/download/{name}',
  operation: '/test.v1.Files/Download',
  input: FileRequestSchema,
  output: HttpBodySchema,
};
const hello: HttpRouteDesc = {
  method: 'GET',
  path: '/hello/{name}',
  operation: '/t.Greeter/Hello',
  input: HelloRequestSchema,
  output: HelloReplySchema,
};

type Body = { contentType: string; data: Uint8Array };

describe('google.api.HttpBody', () => {
  it('takes the raw request body with its Content-Type and writes the reply raw with its own', async () => {
    const base = await start((s) => {
      s.route(rawEcho, async (_ctx, req: Body) => ({
        contentType: `${req.contentType}; echoed=1`,
        data: req.data.toReversed(),
      }));
      s.route(putFile, async (_ctx, req: { name: string; file: Body }) => ({
        bytes: BigInt(req.file.data.length),
        fields: [req.name, req.file.contentType],
      }));
      s.route(getFile, async (_ctx, req: { name: string }) => ({
        name: req.name,
        file: { contentType: 'text/csv', data: new TextEncoder().encode(`a,b\n${req.name},2\n`) },
      }));
    });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const echoed = await fetch(`${base}/raw`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png,
    });
    expect(echoed.headers.get('content-type')).toBe('image/png; echoed=1');
    expect(new Uint8Array(await echoed.arrayBuffer())).toEqual(png.toReversed());

    // any Content-Type, no codec needed (a JSON body stays bytes)
    const put = await fetch(`${base}/files/report.json`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"not":"parsed"}',
    });
    expect(await put.json()).toEqual({
      bytes: '16',
      rssGrowth: '0',
      files: [],
      fields: ['report.json', 'application/json'],
    });

    const csv = await fetch(`${base}/files/x`);
    expect(csv.headers.get('content-type')).toBe('text/csv');
    expect(await csv.text()).toBe('a,b\nx,2\n');
  });

  it('the client sends and reads HttpBody raw too', async () => {
    const base = await start((s) => {
      s.route(rawEcho, async (_ctx, req: Body) => ({ contentType: req.contentType, data: req.data }));
      s.route(putFile, async (_ctx, req: { name: string; file: Body }) => ({
        bytes: BigInt(req.file.data.length),
        fields: [req.name, req.file.contentType],
      }));
      s.route(getFile, async (_ctx, req: { name: string }) => ({
        file: { contentType: 'application/pdf', data: new TextEncoder().encode(`%PDF ${req.name}`) },
      }));
    });
    const client = createHttpClient({ endpoint: base });
    try {
      const data = new Uint8Array([1, 2, 3, 250]);
      const back = await client.invoke<unknown, Body>(rawEcho, { contentType: 'application/x-thing', data });
      expect(back.contentType).toBe('application/x-thing');
      expect(back.data).toEqual(data);

      const put = await client.invoke<unknown, { fields: string[]; bytes: bigint }>(putFile, {
        name: 'a b',
        file: { contentType: 'text/plain', data: new TextEncoder().encode('hello') },
      });
      expect(put.fields).toEqual(['a b', 'text/plain']);
      expect(put.bytes).toBe(5n);

      const got = await client.invoke<unknown, { file: Body }>(getFile, { name: 'doc' });
      expect(got.file.contentType).toBe('application/pdf');
      expect(new TextDecoder().decode(got.file.data)).toBe('%PDF doc');
    } finally {
      await client.close();
    }
  });

  it('an over-limit HttpBody gets 413 with a Kratos body', async () => {
    const base = await start(
      (s) => {
        s.route(rawEcho, async (_ctx, req: Body) => req);
      },
      { bodyLimit: 1024 },
    );
    const res = await fetch(`${base}/raw`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(2048),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 413, reason: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('streamed downloads', () => {
  it('writes a returned stream as it is read, with its type, length and file name', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    const chunks = 128; // 8 MiB
    let produced = 0;
    const base = await start((s) => {
      s.route(download, async (_ctx, req: { name: string }) =>
        streamReply(
          (async function* () {
            for (let i = 0; i < chunks; i++) {
              produced++;
              yield chunk;
            }
          })(),
          { contentType: 'text/csv', length: chunk.length * chunks, filename: `${req.name}.csv` },
        ),
      );
    });
    const res = await request(`${base}/download/r%C3%A9sum%C3%A9`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv');
    expect(res.headers['content-length']).toBe(String(chunk.length * chunks));
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="r_sum_.csv"; filename*=UTF-8''r%C3%A9sum%C3%A9.csv`,
    );
    let received = 0;
    for await (const c of res.body) received += (c as Buffer).length;
    expect(received).toBe(chunk.length * chunks);
    expect(produced).toBe(chunks);
  });

  it('takes Node and web streams; a stream failing midway cuts the response short', async () => {
    const base = await start((s) => {
      s.route(download, async (_ctx, req: { name: string }) => {
        if (req.name === 'node') return streamReply(Readable.from(['a', 'b', 'c']));
        if (req.name === 'web') {
          return streamReply(
            new ReadableStream<Uint8Array>({
              start(c) {
                c.enqueue(new TextEncoder().encode('web body'));
                c.close();
              },
            }),
            { contentType: 'text/plain', status: 203, headers: { 'x-kind': 'web' } },
          );
        }
        return streamReply(
          (async function* () {
            yield Buffer.alloc(1024, 1);
            throw new Error('disk gone');
          })(),
        );
      });
    });
    const node = await fetch(`${base}/download/node`);
    expect(node.headers.get('content-type')).toBe('application/octet-stream');
    expect(await node.text()).toBe('abc');
    const web = await fetch(`${base}/download/web`);
    expect(web.status).toBe(203);
    expect(web.headers.get('x-kind')).toBe('web');
    expect(await web.text()).toBe('web body');
    const broken = await fetch(`${base}/download/broken`);
    expect(broken.status).toBe(200);
    await expect(broken.arrayBuffer()).rejects.toThrow();
  });
});

describe('redirects (Kratos Redirector)', () => {
  it('a reply that is, or carries, a Redirector answers with its status and Location', async () => {
    const base = await start((s) => {
      s.route(hello, async (_ctx, req: { name: string }) => {
        if (req.name === 'old') return newRedirect('/hello/new', 301);
        if (req.name === 'carried') return Object.assign(create(HelloReplySchema), newRedirect('../login'));
        return { message: `Hello ${req.name}` };
      });
    });
    const moved = await fetch(`${base}/hello/old`, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe('/hello/new');
    const found = await fetch(`${base}/hello/carried`, { redirect: 'manual' });
    expect(found.status).toBe(302);
    expect(found.headers.get('location')).toBe('../login');
    const followed = await fetch(`${base}/hello/old`);
    expect(await followed.json()).toEqual({ message: 'Hello new' });
  });

  it('refuses a status outside 3xx, at once or (from a hand-made Redirector) as a 500', async () => {
    expect(() => newRedirect('/x', 200)).toThrow(RangeError);
    const base = await start((s) => {
      s.route(hello, async () => ({ redirect: () => ['/x', 200] as const }));
    });
    const res = await fetch(`${base}/hello/x`, { redirect: 'manual' });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 500 });
  });
});
