import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formParts, type HttpRouteDesc, type HttpServerOptions, saveFormFiles } from './index.ts';
import { UploadReplySchema, UploadRequestSchema } from './testdata/bodies.ts';
import { httpServers } from './testdata/serve.ts';

const { start } = httpServers();

const upload: HttpRouteDesc = {
  method: 'POST',
  path: '/upload/{bucket}',
  operation: '/test.v1.Files/Upload',
  input: UploadRequestSchema,
  output: UploadReplySchema,
  body: '*',
};

/** Counts each file's bytes as they stream, lists `name=value` fields; replies in UploadReply. */
async function countParts(ctx: Parameters<typeof formParts>[0], req: { bucket: string }) {
  let bytes = 0;
  const files: string[] = [];
  const fields: string[] = [`bucket=${req.bucket}`];
  for await (const part of formParts(ctx)) {
    if (part.kind === 'field') {
      fields.push(`${part.name}=${part.value}`);
      continue;
    }
    files.push(`${part.name}:${part.filename}:${part.contentType}`);
    for await (const chunk of part.stream) bytes += (chunk as Buffer).length;
  }
  return { bytes: BigInt(bytes), files, fields };
}

function uploadServer(options: HttpServerOptions = {}) {
  return start(
    (s) => {
      s.route(upload, countParts);
    },
    { multipart: { fileSize: 1024 * 1024, files: 2 }, ...options },
  );
}

function form(entries: Array<[string, string | [Uint8Array, string, string]]>): FormData {
  const fd = new FormData();
  for (const [name, v] of entries) {
    if (typeof v === 'string') fd.append(name, v);
    else fd.append(name, new Blob([v[0] as Uint8Array<ArrayBuffer>], { type: v[2] }), v[1]);
  }
  return fd;
}

describe('multipart/form-data uploads', () => {
  it('streams files and fields to the handler, with path variables bound', async () => {
    const base = await uploadServer();
    const res = await fetch(`${base}/upload/photos`, {
      method: 'POST',
      body: form([
        ['title', 'holiday'],
        ['a', [new Uint8Array(300_000).fill(7), 'a.jpg', 'image/jpeg']],
        ['b', [new Uint8Array(5), 'b.txt', 'text/plain']],
      ]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      bytes: '300005',
      rssGrowth: '0',
      files: ['a:a.jpg:image/jpeg', 'b:b.txt:text/plain'],
      fields: ['bucket=photos', 'title=holiday'],
    });
  });

  it('answers 413 for a file over fileSize and for too many files, with a Kratos body', async () => {
    const base = await uploadServer();
    const big = await fetch(`${base}/upload/x`, {
      method: 'POST',
      body: form([['a', [new Uint8Array(1024 * 1024 + 1), 'big.bin', 'application/octet-stream']]]),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 413, reason: 'PAYLOAD_TOO_LARGE' });

    const many = await fetch(`${base}/upload/x`, {
      method: 'POST',
      body: form([
        ['a', [new Uint8Array(1), '1', 'text/plain']],
        ['b', [new Uint8Array(1), '2', 'text/plain']],
        ['c', [new Uint8Array(1), '3', 'text/plain']],
      ]),
    });
    expect(many.status).toBe(413);
    expect(await many.json()).toMatchObject({ code: 413, reason: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 400 CODEC for a malformed body and 415 for a body that is not multipart', async () => {
    const base = await uploadServer();
    const truncated = await fetch(`${base}/upload/x`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: '--XyZ\r\nContent-Disposition: form-data; name="a"; filename="a.txt"\r\n\r\nhalf a file',
    });
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toMatchObject({ code: 400, reason: 'CODEC' });

    const noBoundary = await fetch(`${base}/upload/x`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'whatever',
    });
    expect(noBoundary.status).toBe(400);
    expect(await noBoundary.json()).toMatchObject({ reason: 'CODEC' });

    const json = await fetch(`${base}/upload/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ reason: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('without the multipart option a multipart body is refused (415) before any handler', async () => {
    let called = false;
    const base = await start((s) => {
      s.route(upload, async () => {
        called = true;
        return {};
      });
    });
    const res = await fetch(`${base}/upload/x`, { method: 'POST', body: form([['a', 'b']]) });
    expect(res.status).toBe(415);
    expect(called).toBe(false);
  });

  it('a client that goes away mid-upload fails the handler’s stream; the server serves on', async () => {
    let firstChunk!: () => void;
    const receiving = new Promise<void>((r) => {
      firstChunk = r;
    });
    let failed!: (e: unknown) => void;
    const handlerError = new Promise<unknown>((r) => {
      failed = r;
    });
    const base = await start(
      (s) => {
        s.route(
          upload,
          async (ctx) => {
            try {
              for await (const part of formParts(ctx)) {
                if (part.kind !== 'file') continue;
                for await (const _ of part.stream) firstChunk();
              }
            } catch (err) {
              failed(err);
              throw err;
            }
            failed(undefined);
            return {};
          },
          { timeout: 0 },
        );
      },
      { multipart: { fileSize: 1024 ** 3 } },
    );
    const abort = new AbortController();
    const boundary = 'gone-boundary';
    async function* body() {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n`,
      );
      // sends until the server has seen the file, then a little more; the abort ends it
      for (let i = 0; i < 100_000; i++) yield Buffer.alloc(16 * 1024, 1);
    }
    const sent = request(`${base}/upload/x`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.from(body()),
      signal: abort.signal,
    }).catch((e: unknown) => e);
    await receiving;
    abort.abort();
    await sent;
    const err = await handlerError;
    expect(err).toMatchObject({ code: 400, reason: 'CODEC' });
    const next = await fetch(`${base}/upload/y`, { method: 'POST', body: form([['a', 'b']]) });
    expect(next.status).toBe(200);
  });

  it('saveFormFiles streams every file to disk and removes them after the reply', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kratos-http-upload-'));
    const seen: string[] = [];
    try {
      const base = await start(
        (s) => {
          s.route(upload, async (ctx) => {
            const { files, fields } = await saveFormFiles(ctx, { dir });
            for (const f of files) {
              seen.push(f.path);
              expect(f.path.startsWith(dir)).toBe(true);
            }
            return {
              files: files.map((f) => `${f.name}:${f.filename}:${readFileSync(f.path, 'utf8')}`),
              fields: Object.entries(fields).map(([k, v]) => `${k}=${v}`),
            };
          });
        },
        { multipart: true },
      );
      const res = await fetch(`${base}/upload/x`, {
        method: 'POST',
        body: form([
          ['note', 'two files'],
          ['a', [new TextEncoder().encode('first'), 'a.txt', 'text/plain']],
          ['b', [new TextEncoder().encode('second'), 'b.txt', 'text/plain']],
        ]),
      });
      expect(await res.json()).toMatchObject({
        files: ['a:a.txt:first', 'b:b.txt:second'],
        fields: ['note=two files'],
      });
      expect(seen).toHaveLength(2);
      // removed once the reply has gone out (an onResponse hook): wait for that state
      while (seen.some((p) => existsSync(p))) await sleep(10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a 1 GiB upload', () => {
  const script = fileURLToPath(new URL('./testdata/upload-process.ts', import.meta.url));
  let child: ReturnType<typeof spawn>;
  let port = 0;

  beforeAll(async () => {
    child = spawn(process.execPath, ['--conditions=kratos-source', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /port (\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`upload server exited (${code})`)));
    });
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('streams through the server with its RSS flat (growth under 200 MB, measured by the server)', async () => {
    const size = 1024 ** 3;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const boundary = 'kratos-upload-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    // generated as it is sent: 4096 chunks of 256 KiB, never held together
    async function* body() {
      yield head;
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
      yield tail;
    }
    const res = await request(`http://127.0.0.1:${port}/upload/big`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
      },
      body: Readable.from(body()),
    });
    const reply = (await res.body.json()) as { bytes: string; rssGrowth: string; files: string[] };
    expect(res.statusCode).toBe(200);
    expect(reply.bytes).toBe(String(size));
    expect(reply.files).toEqual(['big.bin']);
    const growthMb = Number(reply.rssGrowth) / 1024 / 1024;
    console.log(`1 GiB upload: server RSS grew ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(200);
  }, 600_000);
});
