// The API docs page: the service's OpenAPI document and swagger-ui (from the swagger-ui-dist npm
// package, served by this server: no CDN), at Kratos-like paths under `/q`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { HttpServer } from '../server-options.ts';

/** Options of {@link mountApiDocs}. */
export interface ApiDocsOptions {
  /**
   * The OpenAPI document: its text (YAML or JSON), or a `file:` URL / path of the file to read
   * (once, here). `protoc-gen-kratos-openapi` writes it (`kratos proto client api` → api/openapi.yaml).
   */
  openapi: string | URL;
  /** Path prefix of both routes. Default `/q`: `/q/openapi.yaml` and `/q/docs`. */
  prefix?: string;
  /** Title of the page. Default `API docs`. */
  title?: string;
}

/** swagger-ui's files the page loads (nothing else of the package is served). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function swaggerUiDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch (err) {
    throw new Error('mountApiDocs needs the swagger-ui-dist package: npm install swagger-ui-dist', {
      cause: err,
    });
  }
}

function openapiText(openapi: string | URL): string {
  if (openapi instanceof URL) return readFileSync(openapi, 'utf8');
  const text = openapi.trimStart();
  // A document starts with `openapi:`, a comment, `{` or `---`; anything else is a path.
  if (/^(openapi\s*:|#|\{|---)/.test(text)) return openapi;
  return readFileSync(openapi, 'utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Serves the API docs on `server` (call before `start`): `GET <prefix>/openapi.yaml` answers the
 * document, `GET <prefix>/docs` a swagger-ui page that browses it and calls the service ("Try it
 * out" sends requests to this server). Off unless called; the layout template and the helloworld
 * example call it. Throws when swagger-ui-dist is not installed or the document cannot be read.
 */
export function mountApiDocs(server: HttpServer, options: ApiDocsOptions): void {
  const prefix = (options.prefix ?? '/q').replace(/\/+$/, '');
  const document = openapiText(options.openapi);
  const dir = swaggerUiDir();
  const title = escapeHtml(options.title ?? 'API docs');
  const docs = `${prefix}/docs`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" type="image/png" href="${docs}/favicon-32x32.png">
<link rel="stylesheet" href="${docs}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${docs}/swagger-ui-bundle.js"></script>
<script src="${docs}/init.js"></script>
</body>
</html>
`;
  // A script file rather than an inline one, so a strict Content-Security-Policy can allow the page.
  const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`${prefix}/openapi.yaml`)}, dom_id: '#swagger-ui', deepLinking: true });\n`;
  const assets = new Map<string, Buffer>();
  const send = (reply: FastifyReply, type: string, body: string | Buffer) =>
    reply.header('cache-control', 'no-cache').type(type).send(body);

  server.get(`${prefix}/openapi.yaml`, (_req, reply) =>
    send(reply, 'application/yaml; charset=utf-8', document),
  );
  server.get(docs, (_req, reply) => send(reply, 'text/html; charset=utf-8', page));
  server.get(`${docs}/init.js`, (_req, reply) => send(reply, 'text/javascript; charset=utf-8', init));
  for (const [name, type] of Object.entries(ASSETS)) {
    server.get(`${docs}/${name}`, (_req, reply) => {
      let body = assets.get(name);
      if (body === undefined) {
        body = readFileSync(join(dir, name));
        assets.set(name, body);
      }
      return send(reply, type, body);
    });
  }
}
