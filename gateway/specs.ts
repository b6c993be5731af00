// Published specs and docs (public): the catalogue at /specs, each bundled contract as
// YAML or JSON, an HTML index at /docs and each contract's HTML docs, built on first
// request by the docs builder and cached by the contract's content hash.
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { stringify } from 'yaml';
import type { ApiContract } from '../core/contracts/types.js';
import { ProblemError } from '../core/problems.js';
import { escapeHtml, page } from './html.js';
import { docsPath } from './versions.js';
import { methodNotAllowed } from './errors.js';

/** Builds the self-contained HTML docs of one contract. */
export type DocsBuilder = (contract: ApiContract) => Promise<string>;

// Redoc-style docs run inline scripts and a search worker from a blob: URL; nothing from other hosts.
const DOCS_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function specEntry(c: ApiContract) {
  const base = `/specs/${c.layer}/${c.api}/v${c.major}`;
  return {
    name: c.api,
    layer: c.layer,
    major: c.major,
    version: c.version,
    title: c.title,
    lifecycle: c.lifecycle,
    owner: c.owner,
    audience: c.audience,
    ...(c.deprecatedAt ? { deprecatedAt: c.deprecatedAt.toISOString() } : {}),
    ...(c.sunset ? { sunset: c.sunset.toISOString() } : {}),
    ...(c.successor ? { successor: c.successor } : {}),
    basePath: c.basePath,
    links: { yaml: `${base}.yaml`, json: `${base}.json`, docs: docsPath(c) },
  };
}

function hashOf(contract: ApiContract): string {
  return createHash('sha256').update(JSON.stringify(contract.bundled)).digest('hex').slice(0, 16);
}

export function specsRouter(catalogue: ApiContract[], buildDocs?: DocsBuilder): Router {
  const router = Router();
  const sorted = [...catalogue].sort((a, b) => a.layer.localeCompare(b.layer) || a.api.localeCompare(b.api) || a.major - b.major);
  const byKey = new Map(sorted.map((c) => [`${c.layer}/${c.api}/v${c.major}`, c]));
  const rendered = new Map<string, string>();
  const docsCache = new Map<string, Promise<string>>();

  const find = (layer: string, api: string, version: string): ApiContract => {
    const contract = byKey.get(`${layer}/${api}/${version}`);
    if (!contract) throw new ProblemError('not-found', { detail: `No published contract ${layer}/${api}/${version}; GET /specs lists them all.` });
    return contract;
  };

  router
    .route('/specs')
    .get((req, res) => {
      req.routeTemplate = '/specs';
      res.json({ apis: sorted.map(specEntry) });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/specs/:layer/:api/:file')
    .get((req, res) => {
      req.routeTemplate = '/specs/{layer}/{api}/{file}';
      const m = /^(v\d{1,3})\.(yaml|json)$/.exec(req.params.file);
      if (!m) throw new ProblemError('not-found', { detail: 'Spec files are named v{major}.yaml or v{major}.json.' });
      const contract = find(req.params.layer, req.params.api, m[1]);
      const key = `${contract.file}:${m[2]}`;
      let body = rendered.get(key);
      if (!body) {
        body = m[2] === 'yaml' ? stringify(contract.bundled, { aliasDuplicateObjects: false }) : JSON.stringify(contract.bundled, null, 2);
        rendered.set(key, body);
      }
      res.type(m[2] === 'yaml' ? 'application/yaml' : 'application/json').send(body);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/docs')
    .get((req, res) => {
      req.routeTemplate = '/docs';
      const rows = sorted
        .map((c) => {
          const e = specEntry(c);
          const status = c.lifecycle === 'active' ? 'active' : `<span class="${c.lifecycle}">${c.lifecycle}${c.sunset ? `, sunset ${c.sunset.toISOString().slice(0, 10)}` : ''}</span>`;
          return `<tr><td><a href="${e.links.docs}">${escapeHtml(c.title)}</a></td><td><code>${escapeHtml(c.basePath)}</code></td><td>${escapeHtml(c.version)}</td><td>${status}</td><td>${escapeHtml(c.owner)}</td><td><a href="${e.links.yaml}">yaml</a> · <a href="${e.links.json}">json</a></td></tr>`;
        })
        .join('\n');
      res
        .type('html')
        .send(
          page(
            'API docs',
            `<h1>API docs</h1><p>Every API version this layer serves. The machine-readable catalogue is at <a href="/specs">/specs</a>.</p>
<table><thead><tr><th>API</th><th>Base path</th><th>Version</th><th>Lifecycle</th><th>Owner</th><th>Contract</th></tr></thead><tbody>${rows}</tbody></table>`,
          ),
        );
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/docs/:layer/:api/:version')
    .get(async (req, res) => {
      req.routeTemplate = '/docs/{layer}/{api}/{version}';
      const contract = find(req.params.layer, req.params.api, req.params.version);
      if (!buildDocs) throw new ProblemError('service-unavailable', { detail: 'The docs builder is not available in this deployment; the contract is at /specs.' });
      const key = `${contract.file}:${hashOf(contract)}`;
      let html = docsCache.get(key);
      if (!html) {
        html = buildDocs(contract);
        docsCache.set(key, html);
        // A failed build is not cached: the next request tries again.
        html.catch(() => docsCache.delete(key));
      }
      let body: string;
      try {
        body = await html;
      } catch (err) {
        req.log.error({ err: String(err), contract: contract.file }, 'docs build failed');
        throw new ProblemError('service-unavailable', { detail: 'The docs for this contract could not be built; the contract itself is at /specs.' });
      }
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      res.type('html').send(body);
    })
    .all(methodNotAllowed(['GET']));

  return router;
}
