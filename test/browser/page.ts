// Serves the test page from its own origin: index.html and page/main.ts bundled by esbuild for
// the browser (no Node built-ins), on 127.0.0.1 at a free port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./page/main.ts', import.meta.url));

/** The page bundle: one ES module. */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The workspace packages resolve to their TypeScript sources, as under vitest.
    conditions: ['kratos-source'],
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no bundle');
  return out.text;
}

const html =
  '<!doctype html><html><head><meta charset="utf-8"><title>kratos rpc</title></head>' +
  '<body><script type="module" src="/main.js"></script></body></html>';

/** Starts the page's origin; `origin` is what the browser sends as Origin. */
export async function servePage(bundle: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (req.url === '/main.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
