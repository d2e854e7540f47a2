import { describe, expect, it } from 'vitest';
import { mountApiDocs } from '../index.ts';
import { httpServers } from '../testdata/serve.ts';

const { start } = httpServers();
const document = 'openapi: 3.1.0\ninfo:\n  title: T\n  version: 1.0.0\npaths: {}\n';

describe('mountApiDocs', () => {
  it('serves the document and a swagger-ui page with its assets from swagger-ui-dist, no CDN', async () => {
    const base = await start((s) => mountApiDocs(s, { openapi: document, title: 'Greeter <API>' }));
    const doc = await fetch(`${base}/q/openapi.yaml`);
    expect(doc.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(await doc.text()).toBe(document);
    const page = await (await fetch(`${base}/q/docs`)).text();
    expect(page).toContain('<title>Greeter &#60;API&#62;</title>');
    const srcs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.every((s) => s.startsWith('/q/docs/'))).toBe(true);
    for (const src of srcs) expect((await fetch(`${base}${src}`)).status, src).toBe(200);
    expect(await (await fetch(`${base}/q/docs/init.js`)).text()).toContain('"/q/openapi.yaml"');
    expect((await fetch(`${base}/q/docs/index.html`)).status).toBe(404);
  });

  it('reads the document from a file URL and takes another prefix', async () => {
    const file = new URL('../../../../examples/helloworld/api/openapi.yaml', import.meta.url);
    const base = await start((s) => mountApiDocs(s, { openapi: file, prefix: '/admin/' }));
    expect(await (await fetch(`${base}/admin/openapi.yaml`)).text()).toContain(
      'operationId: Greeter_SayHello',
    );
    expect((await fetch(`${base}/admin/docs`)).status).toBe(200);
  });

  it('is off unless mounted', async () => {
    const base = await start(() => {});
    expect((await fetch(`${base}/q/docs`)).status).toBe(404);
    expect((await fetch(`${base}/q/openapi.yaml`)).status).toBe(404);
  });
});
