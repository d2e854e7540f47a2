// An HTTP server in its own process that takes multipart uploads and measures its own memory, for
// the large-upload test (the test runner's memory stays out of the numbers).
// Usage: node --conditions=kratos-source upload-process.ts
// Prints `port <n>` once listening. POST /upload/{bucket}: counts the bytes of every file part as
// they stream through, samples this process's RSS on every chunk, and answers
// { bytes, rssGrowth: highest RSS seen minus the RSS when the request came in, files }.
import { writeSync } from 'node:fs';
import { createHttpServer, formParts } from '../index.ts';
import { UploadReplySchema, UploadRequestSchema } from './bodies.ts';

const server = createHttpServer({
  address: '127.0.0.1:0',
  logger: { log() {} },
  requestTimeout: 0,
  multipart: { fileSize: 4 * 1024 ** 3 },
});
server.route(
  {
    method: 'POST',
    path: '/upload/{bucket}',
    operation: '/test.v1.Files/Upload',
    input: UploadRequestSchema,
    output: UploadReplySchema,
    body: '*',
  },
  async (ctx) => {
    const base = process.memoryUsage.rss();
    let peak = base;
    let bytes = 0;
    const files: string[] = [];
    for await (const part of formParts(ctx)) {
      if (part.kind !== 'file') continue;
      files.push(part.filename);
      for await (const chunk of part.stream) {
        bytes += (chunk as Buffer).length;
        const rss = process.memoryUsage.rss();
        if (rss > peak) peak = rss;
      }
    }
    return { bytes: BigInt(bytes), rssGrowth: BigInt(peak - base), files };
  },
  { timeout: 0 },
);
await server.start();
writeSync(1, `port ${server.address()!.port}\n`);
