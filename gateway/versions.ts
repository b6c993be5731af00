// Version routing from each contract's lifecycle: active versions pass; deprecated ones
// answer normally plus Deprecation (RFC 9745), Sunset (RFC 8594) and Link headers; retired
// ones answer 410 naming the successor; an unknown major of a known API is a 404 that
// lists the versions that exist.
import type { RequestHandler, Response } from 'express';
import type { ApiContract } from '../core/contracts/types.js';
import { ProblemError } from '../core/problems.js';

const VERSIONED_PATH = /^\/(system|process|experience)\/([a-z0-9]+(?:-[a-z0-9]+)*)\/v(\d+)(?:\/|$)/;

export function docsPath(contract: Pick<ApiContract, 'layer' | 'api' | 'major'>): string {
  return `/docs/${contract.layer}/${contract.api}/v${contract.major}`;
}

/** The docs of a successor base path such as /experience/crm/v2. */
function successorDocs(successor: string): string {
  return `/docs${successor}`;
}

function deprecationHeaders(res: Response, contract: ApiContract): void {
  if (contract.deprecatedAt) res.setHeader('Deprecation', `@${Math.floor(contract.deprecatedAt.getTime() / 1000)}`);
  if (contract.sunset) res.setHeader('Sunset', contract.sunset.toUTCString());
  const links = contract.successor
    ? [`<${successorDocs(contract.successor)}>; rel="deprecation"`, `<${contract.successor}>; rel="successor-version"`]
    : [`<${docsPath(contract)}>; rel="deprecation"`];
  res.append('Link', links.join(', '));
}

export function versionRouting(catalogue: ApiContract[]): RequestHandler {
  const byApi = new Map<string, Map<number, ApiContract>>();
  for (const contract of catalogue) {
    if (contract.layer === 'gateway') continue;
    const key = `${contract.layer}/${contract.api}`;
    if (!byApi.has(key)) byApi.set(key, new Map());
    byApi.get(key)!.set(contract.major, contract);
  }
  return (req, res, next) => {
    const m = VERSIONED_PATH.exec(req.path);
    if (!m) return next();
    const [, layer, api, majorText] = m;
    const versions = byApi.get(`${layer}/${api}`);
    if (!versions) return next(); // unknown API: the ordinary 404
    const contract = versions.get(Number(majorText));
    if (!contract) {
      const existing = [...versions.values()]
        .sort((a, b) => a.major - b.major)
        .map((c) => ({ version: `v${c.major}`, lifecycle: c.lifecycle, basePath: c.basePath, docs: docsPath(c) }));
      throw new ProblemError('not-found', {
        detail: `${layer}/${api} has no version v${majorText}; it has ${existing.map((e) => e.version).join(', ')}.`,
        extensions: { versions: existing },
      });
    }
    if (contract.lifecycle === 'retired') {
      const sunset = contract.sunset ? ` on ${contract.sunset.toISOString().slice(0, 10)}` : '';
      throw new ProblemError('gone', {
        detail: `${contract.basePath} was retired${sunset}.${contract.successor ? ` Use ${contract.successor} instead.` : ''}`,
        extensions: contract.successor ? { successor: contract.successor, successorDocs: successorDocs(contract.successor) } : {},
        headers: contract.successor ? { Link: `<${contract.successor}>; rel="successor-version"` } : {},
      });
    }
    if (contract.lifecycle === 'deprecated') deprecationHeaders(res, contract);
    next();
  };
}
