// Published specs and docs (public): the catalogue at /specs, each bundled contract as
// YAML or JSON, its changelog, an HTML index at /docs and each contract's HTML docs, built on first
// request by the docs builder and cached by the contract's content hash.
import { Router } from 'express';
import { contractHash } from '../core/contracts/docs.js';
import { renderDocsIndex } from '../core/contracts/docs-index.js';
import { serializeContract, specEntry } from '../core/contracts/publish.js';
import type { ApiContract } from '../core/contracts/types.js';
import { ProblemError } from '../core/problems.js';
import { methodNotAllowed } from './errors.js';

/** Builds the self-contained HTML docs of one contract. */
export type DocsBuilder = (contract: ApiContract) => Promise<string>;

// Redoc-style docs run inline scripts and a search worker from a blob: URL; nothing from other hosts.
const DOCS_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function specsRouter(catalogue: ApiContract[], buildDocs?: DocsBuilder): Router {
  const router = Router();
  const sorted = [...catalogue].sort((a, b) => a.layer.localeCompare(b.layer) || a.api.localeCompare(b.api) || a.major - b.major);
  const byKey = new Map(sorted.map((c) => [`${c.layer}/${c.api}/v${c.major}`, c]));
  const rendered = new Map<string, string>();
  const docsCache = new Map<string, Promise<string>>();

  const find = (layer: string, api: string, version: string): ApiContract => {
    const contract = byKey.get(`${layer}/${api}/${version}`);
    if (!contract)
      throw new ProblemError('not-found', { detail: `No published contract ${layer}/${api}/${version}; GET /specs lists them all.` });
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
        body = serializeContract(contract, m[2] as 'yaml' | 'json');
        rendered.set(key, body);
      }
      res.type(m[2] === 'yaml' ? 'application/yaml' : 'application/json').send(body);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/specs/:layer/:api/:version/changelog')
    .get((req, res) => {
      req.routeTemplate = '/specs/{layer}/{api}/{version}/changelog';
      const contract = find(req.params.layer, req.params.api, req.params.version);
      if (!contract.changelog) throw new ProblemError('not-found', { detail: `${contract.file} has no changelog yet.` });
      res.type('text/markdown').send(contract.changelog);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/docs')
    .get((req, res) => {
      req.routeTemplate = '/docs';
      res.type('html').send(renderDocsIndex(sorted, undefined, 'API docs'));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/docs/:layer/:api/:version')
    .get(async (req, res) => {
      req.routeTemplate = '/docs/{layer}/{api}/{version}';
      const contract = find(req.params.layer, req.params.api, req.params.version);
      if (!buildDocs)
        throw new ProblemError('service-unavailable', {
          detail: 'The docs builder is not available in this deployment; the contract is at /specs.',
        });
      const key = `${contract.file}:${contractHash(contract)}`;
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
        throw new ProblemError('service-unavailable', {
          detail: 'The docs for this contract could not be built; the contract itself is at /specs.',
        });
      }
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      res.type('html').send(body);
    })
    .all(methodNotAllowed(['GET']));

  return router;
}
