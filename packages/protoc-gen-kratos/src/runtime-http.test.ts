import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { create, type DescMessage } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import type { Context } from '@kratos/core';
import {
  createHttpClient,
  createHttpServer,
  type HttpRouteOptions,
  newRedirect,
  streamReply,
} from '@kratos/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInProcess } from '../testdata/generate-in-process.ts';
import { packageDir } from '../testdata/request.ts';

// Generated code served by the real @kratos/http server and called through the generated clients.
const outDir = join(packageDir, '.generated', `runtime-http-${process.pid}`);

type Module = Record<string, unknown>;
type Client = Record<string, (req: unknown, options?: unknown) => Promise<Record<string, unknown>>>;
let greeterHttp: Module;
let libraryHttp: Module;
let greeterPb: Record<string, DescMessage>;
let libraryPb: Record<string, DescMessage>;
let errors: Record<string, (...args: unknown[]) => unknown>;

beforeAll(async () => {
  generateInProcess(outDir);
  greeterHttp = await import(join(outDir, 'helloworld/v1/greeter_http.ts'));
  libraryHttp = await import(join(outDir, 'library/v1/library_http.ts'));
  greeterPb = await import(join(outDir, 'helloworld/v1/greeter_pb.ts'));
  libraryPb = await import(join(outDir, 'library/v1/library_pb.ts'));
  errors = await import(join(outDir, 'helloworld/v1/error_reason_errors.ts'));
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('generated HTTP code on a real server', () => {
  it('routes every binding, binds path/query/body and carries generated errors', async () => {
    const server = createHttpServer({ address: '127.0.0.1:0' });
    (greeterHttp.registerGreeterHttpServer as (s: unknown, i: unknown) => void)(server, {
      async sayHello(_ctx: Context, req: { name: string; times: number }) {
        if (req.name === 'nobody') throw errors.errorUserNotFound!('user %s not found', req.name);
        return create(greeterPb.HelloReplySchema!, { message: `Hello ${req.name} x${req.times}` });
      },
    });
    const BookSchema = libraryPb.BookSchema!;
    (libraryHttp.registerLibraryServiceHttpServer as (s: unknown, i: unknown) => void)(server, {
      async getBook(_ctx: Context, req: { name: string }) {
        return create(BookSchema, { name: req.name, title: 'got' });
      },
      async listBooks(_ctx: Context, req: { parent: string; pageSize: number; filter?: { tags: string[] } }) {
        return create(libraryPb.ListBooksResponseSchema!, {
          books: [{ name: `${req.parent}/books/1` }],
          nextPageToken: `${req.pageSize}:${req.filter?.tags.join('+') ?? ''}`,
        });
      },
      async createBook(_ctx: Context, req: { parent: string; book?: { title: string } }) {
        return create(BookSchema, { name: `${req.parent}/books/new`, title: req.book?.title ?? '' });
      },
      async updateBook(_ctx: Context, req: { book?: { name: string; title: string } }) {
        return create(BookSchema, { name: req.book?.name ?? '', title: `${req.book?.title} (updated)` });
      },
      async deleteBook() {
        return create(EmptySchema);
      },
      async getFile(_ctx: Context, req: { path: string }) {
        return create(libraryPb.FileSchema!, { path: req.path, content: new TextEncoder().encode(req.path) });
      },
      async searchBooks(_ctx: Context, req: { query: string }) {
        return create(libraryPb.ListBooksResponseSchema!, { nextPageToken: `q=${req.query}` });
      },
    });
    await server.start();
    const port = server.address()!.port;
    const client = createHttpClient({ endpoint: `http://127.0.0.1:${port}` });
    const GreeterHttpClient = greeterHttp.GreeterHttpClient as new (c: unknown) => Client;
    const LibraryHttpClient = libraryHttp.LibraryServiceHttpClient as new (c: unknown) => Client;
    const greeter = new GreeterHttpClient(client);
    const library = new LibraryHttpClient(client);
    try {
      // GET /helloworld/{name}: path variable + query.
      expect((await greeter.sayHello!({ name: 'kratos', times: 2 })).message).toBe('Hello kratos x2');

      // The additional binding (POST, body *) is routed too.
      const res = await fetch(`http://127.0.0.1:${port}/v1/greeter/say_hello`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'post', times: 3 }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Hello post x3' });

      // Errors thrown with generated helpers come back recognisable.
      const err = await greeter.sayHello!({ name: 'nobody' }).catch((e: unknown) => e);
      expect(errors.isUserNotFound!(err)).toBe(true);

      // {name=shelves/*/books/*}
      expect((await library.getBook!({ name: 'shelves/1/books/2' })).name).toBe('shelves/1/books/2');
      // {parent=shelves/*}/books with query fields, nested with dots.
      const list = await library.listBooks!({
        parent: 'shelves/7',
        pageSize: 5,
        filter: { tags: ['a', 'b'] },
      });
      expect(list.nextPageToken).toBe('5:a+b');
      // body: "book"
      const created = await library.createBook!({ parent: 'shelves/7', book: { title: 'New' } });
      expect(created).toMatchObject({ name: 'shelves/7/books/new', title: 'New' });
      // {book.name=...} with body "book"
      const updated = await library.updateBook!({ book: { name: 'shelves/7/books/1', title: 'T' } });
      expect(updated).toMatchObject({ name: 'shelves/7/books/1', title: 'T (updated)' });
      await library.deleteBook!({ name: 'shelves/7/books/1' });
      // {path=**} with response_body: "content"
      const file = await library.getFile!({ path: 'docs/a/b.txt' });
      expect(new TextDecoder().decode(file.content as Uint8Array)).toBe('docs/a/b.txt');
      // custom verb
      expect((await library.searchBooks!({ query: 'dune' })).nextPageToken).toBe('q=dune');
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('answers with redirects and streamed downloads, with per-method route options', async () => {
    const server = createHttpServer({ address: '127.0.0.1:0' });
    const BookSchema = libraryPb.BookSchema!;
    const register = libraryHttp.registerLibraryServiceHttpServer as (
      s: unknown,
      i: unknown,
      o?: Record<string, HttpRouteOptions>,
    ) => void;
    register(
      server,
      {
        async getBook(_ctx: Context, req: { name: string }) {
          if (req.name.endsWith('/old')) return newRedirect(`/v1/${req.name.replace(/old$/, 'new')}`, 301);
          return create(BookSchema, { name: req.name });
        },
        async getFile(_ctx: Context, req: { path: string }) {
          return streamReply(
            (async function* () {
              yield 'streamed ';
              yield req.path;
            })(),
            { contentType: 'text/plain', filename: 'a.txt' },
          );
        },
        async listBooks() {
          return create(libraryPb.ListBooksResponseSchema!, { nextPageToken: 'next' });
        },
      },
      {
        listBooks: {
          responseEncoder: ({ json }) => ({
            body: JSON.stringify({ data: json() }),
            contentType: 'application/json',
          }),
        },
      },
    );
    await server.start();
    const base = `http://127.0.0.1:${server.address()!.port}`;
    try {
      const moved = await fetch(`${base}/v1/shelves/1/books/old`, { redirect: 'manual' });
      expect(moved.status).toBe(301);
      expect(moved.headers.get('location')).toBe('/v1/shelves/1/books/new');
      const file = await fetch(`${base}/files/docs/a.txt`);
      expect(file.headers.get('content-type')).toBe('text/plain');
      expect(file.headers.get('content-disposition')).toContain('filename="a.txt"');
      expect(await file.text()).toBe('streamed docs/a.txt');
      // The listBooks routes' own encoder; getBook's routes keep the default.
      expect(await (await fetch(`${base}/v1/shelves/1/books`)).json()).toMatchObject({
        data: { nextPageToken: 'next' },
      });
      const book = await (await fetch(`${base}/v1/shelves/1/books/2`)).json();
      expect(book).toMatchObject({ name: 'shelves/1/books/2' });
      expect(book).not.toHaveProperty('data');
    } finally {
      await server.stop();
    }
  });

  it('streams a server-streaming RPC: SSE or NDJSON on the wire, an async iterable in the generated client', async () => {
    const server = createHttpServer({ address: '127.0.0.1:0' });
    (greeterHttp.registerGreeterHttpServer as (s: unknown, i: unknown) => void)(server, {
      async sayHello() {
        return create(greeterPb.HelloReplySchema!, {});
      },
      async *streamHellos(_ctx: Context, req: { name: string; times: number }) {
        for (let i = 1; i <= req.times; i++)
          yield create(greeterPb.HelloReplySchema!, { message: `${req.name} ${i}` });
      },
    });
    await server.start();
    const base = `http://127.0.0.1:${server.address()!.port}`;
    const client = createHttpClient({ endpoint: base });
    const GreeterHttpClient = greeterHttp.GreeterHttpClient as new (
      c: unknown,
    ) => { streamHellos(req: unknown): AsyncIterable<{ message: string }> };
    try {
      const got: string[] = [];
      for await (const r of new GreeterHttpClient(client).streamHellos({ name: 'kratos', times: 3 }))
        got.push(r.message);
      expect(got).toEqual(['kratos 1', 'kratos 2', 'kratos 3']);
      const sse = await fetch(`${base}/helloworld/sse/stream?times=2`, {
        headers: { accept: 'text/event-stream' },
      });
      expect(await sse.text()).toBe(
        'data: {"message":"sse 1"}\n\ndata: {"message":"sse 2"}\n\nevent: end\ndata: {}\n\n',
      );
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
