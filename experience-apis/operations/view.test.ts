// The operations console as served over HTTP: an HTML shell that loads its one script and one
// style sheet from this origin (with integrity hashes), each served with its media type and a
// Content-Security-Policy that admits nothing inline and nothing from elsewhere.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_SCRIPT_PATH, CONSOLE_STYLE_PATH, OPERATIONS_VIEW_PATH, operationsViewRouter } from './view-route.js';

describe('operations console files', () => {
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let origin: string;
  beforeAll(async () => {
    const app = express().use(operationsViewRouter());
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const policy = (csp: string | null) => {
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  };

  it('serves the shell with no inline code, loading its files from this origin by integrity hash', async () => {
    const res = await fetch(`${origin}${OPERATIONS_VIEW_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    policy(res.headers.get('content-security-policy'));
    const html = await res.text();
    expect(html).not.toMatch(/<style|<script(?![^>]*\bsrc=)|\son[a-z]+=/i);
    const script = /<script type="module" src="([^"]+)" integrity="([^"]+)">/.exec(html);
    const style = /<link rel="stylesheet" href="([^"]+)" integrity="([^"]+)">/.exec(html);
    expect(script?.[1]).toBe(CONSOLE_SCRIPT_PATH);
    expect(style?.[1]).toBe(CONSOLE_STYLE_PATH);
    const sha384 = async (path: string) =>
      `sha384-${createHash('sha384')
        .update(Buffer.from(await (await fetch(origin + path)).arrayBuffer()))
        .digest('base64')}`;
    expect(script?.[2]).toBe(await sha384(CONSOLE_SCRIPT_PATH));
    expect(style?.[2]).toBe(await sha384(CONSOLE_STYLE_PATH));
  });

  it('serves the script (uPlot bundled in) and the style sheet with their types and the policy', async () => {
    const js = await fetch(`${origin}${CONSOLE_SCRIPT_PATH}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    policy(js.headers.get('content-security-policy'));
    const code = await js.text();
    expect(code).toContain('uPlot');
    expect(code).not.toMatch(/\bimport\s*\(|from\s*["']https?:/); // one file, nothing loaded from elsewhere

    const css = await fetch(`${origin}${CONSOLE_STYLE_PATH}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    policy(css.headers.get('content-security-policy'));
    await expect(css.text()).resolves.toContain('.uplot'); // uPlot's own styles, bundled with the console's
    // Revalidated by its ETag on each load, so a new release is picked up at once.
    expect(js.headers.get('cache-control')).toBe('no-cache');
    expect(js.headers.get('etag')).toMatch(/^W\/"/);
  });
});
