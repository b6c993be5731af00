// What `npm start` suggests trying first: the scopes the contracts use, and one simple
// authenticated GET to call with curl.
import type { ApiContract } from '../core/contracts/types.js';

type Operation = { security?: Array<Record<string, string[]>> };
type PathItem = Record<string, Operation | unknown>;

function operationScopes(op: Operation | undefined, doc: Record<string, unknown>): string[] {
  const requirements = op?.security ?? (doc.security as Operation['security']);
  return [...new Set((requirements?.[0] ? Object.values(requirements[0]) : []).flat())];
}

export function allScopes(catalogue: ApiContract[]): string[] {
  const scopes = new Set<string>();
  for (const c of catalogue) {
    for (const item of Object.values((c.bundled.paths ?? {}) as Record<string, PathItem>)) {
      for (const op of Object.values(item)) {
        if (op && typeof op === 'object' && 'security' in op) {
          for (const req of (op as Operation).security ?? []) for (const list of Object.values(req)) list.forEach((s) => scopes.add(s));
        }
      }
    }
  }
  return [...scopes].sort();
}

/** The first GET without path parameters on an active API, with the scopes it needs. */
export function exampleCall(catalogue: ApiContract[]): { path: string; scopes: string[] } {
  for (const c of catalogue) {
    if (c.layer === 'gateway' || c.lifecycle !== 'active') continue;
    for (const [path, item] of Object.entries((c.bundled.paths ?? {}) as Record<string, PathItem>)) {
      const get = item.get as Operation | undefined;
      if (!get || path.includes('{')) continue;
      const scopes = operationScopes(get, c.bundled);
      if (scopes.length) return { path: `${c.basePath}${path}`, scopes };
    }
  }
  return { path: '/metrics', scopes: ['ops:read'] };
}
