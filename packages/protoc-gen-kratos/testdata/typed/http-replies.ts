// Type-checked (tsc --strict) next to the generated code by generate.test.ts, never run: a service
// implemented without casts answers with a redirect, a streamed download, an HttpBody or its
// message, and registers with per-method route options; handlers typed only by their messages
// (as examples/helloworld's GreeterService) still fit.
import { create } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import type { Context } from '@kratos/core';
import { createHttpServer, newRedirect, streamReply } from '@kratos/http';
import { HttpBodySchema } from './google/api/httpbody_pb.js';
import { registerGreeterHttpServer } from './helloworld/v1/greeter_http.js';
import { type HelloReply, HelloReplySchema, type HelloRequest } from './helloworld/v1/greeter_pb.js';
import {
  type LibraryServiceHttpServer,
  registerLibraryServiceHttpServer,
} from './library/v1/library_http.js';
import { BookSchema, ListBooksResponseSchema } from './library/v1/library_pb.js';

const server = createHttpServer();

const library: LibraryServiceHttpServer = {
  async getBook(_ctx, req) {
    // A redirect from any unary method.
    if (req.name.endsWith('/old')) return newRedirect(`/v1/${req.name.replace(/old$/, 'new')}`, 301);
    return create(BookSchema, { name: req.name });
  },
  async listBooks() {
    return create(ListBooksResponseSchema);
  },
  async createBook(_ctx, req) {
    return create(BookSchema, { name: req.parent });
  },
  async updateBook(_ctx, req) {
    return create(BookSchema, req.book);
  },
  async deleteBook() {
    return create(EmptySchema);
  },
  async getFile(_ctx, req) {
    // A streamed download.
    return streamReply(
      (async function* () {
        yield req.path;
      })(),
      { contentType: 'text/plain', filename: 'file.txt' },
    );
  },
  async searchBooks() {
    return create(ListBooksResponseSchema);
  },
  async putCover(_ctx, req) {
    if (req.image === undefined) return create(HttpBodySchema, { contentType: 'text/plain' });
    const { data, contentType } = req.image;
    return streamReply(
      (async function* () {
        yield data;
      })(),
      { contentType },
    );
  },
};
registerLibraryServiceHttpServer(server, library, {
  getFile: { timeout: 60_000 },
  putCover: { responseEncoder: ({ encode }) => encode() },
});

// A service typed by its messages alone, as examples/helloworld's and the CLI template's.
interface Greeter {
  sayHello(ctx: Context, req: HelloRequest): Promise<HelloReply>;
  streamHellos(ctx: Context, req: HelloRequest): AsyncIterable<HelloReply>;
}
const greeter: Greeter = {
  async sayHello(_ctx, req) {
    return create(HelloReplySchema, { message: req.name });
  },
  async *streamHellos(_ctx, req) {
    yield create(HelloReplySchema, { message: req.name });
  },
};
registerGreeterHttpServer(server, greeter);
// Inline handlers keep their inferred parameter types.
registerGreeterHttpServer(server, {
  async sayHello(_ctx, req) {
    return req.times > 1 ? newRedirect('/elsewhere') : create(HelloReplySchema, { message: req.name });
  },
  async *streamHellos(_ctx, req) {
    yield create(HelloReplySchema, { message: req.name });
  },
});
