// Serialises a catalogue entry the way the gateway publishes it: the bundled contract as
// YAML or JSON, and the catalogue entry as GET /specs lists it (with its changelog's last date).
import { stringify } from 'yaml';
import { lastChanged } from './changelog.js';
import type { ApiContract } from './types.js';

export type SpecFormat = 'yaml' | 'json';

export function serializeContract(contract: Pick<ApiContract, 'bundled'>, format: SpecFormat): string {
  return format === 'json'
    ? JSON.stringify(contract.bundled, null, 2)
    : stringify(contract.bundled, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** One entry of GET /specs (schema SpecEntry in openapi/gateway/gateway.v1.yaml). */
export interface SpecEntry {
  name: string;
  layer: ApiContract['layer'];
  major: number;
  version: string;
  title: string;
  lifecycle: ApiContract['lifecycle'];
  owner: string;
  audience: ApiContract['audience'];
  deprecatedAt: string | null;
  sunset: string | null;
  successor: string | null;
  basePath: string;
  /** The date of the newest release in the changelog. */
  lastChanged: string | null;
  links: { yaml: string; json: string; docs: string; changelog?: string };
}

export function specEntry(contract: ApiContract): SpecEntry {
  const id = `${contract.layer}/${contract.api}`;
  return {
    name: contract.api,
    layer: contract.layer,
    major: contract.major,
    version: contract.version,
    title: contract.title,
    lifecycle: contract.lifecycle,
    owner: contract.owner,
    audience: contract.audience,
    deprecatedAt: contract.deprecatedAt?.toISOString() ?? null,
    sunset: contract.sunset?.toISOString() ?? null,
    successor: contract.successor ?? null,
    basePath: contract.basePath,
    lastChanged: contract.changelog ? (lastChanged(contract.changelog) ?? null) : null,
    links: {
      yaml: `/specs/${id}/v${contract.major}.yaml`,
      json: `/specs/${id}/v${contract.major}.json`,
      docs: `/docs/${id}/v${contract.major}`,
      ...(contract.changelog ? { changelog: `/specs/${id}/v${contract.major}/changelog` } : {}),
    },
  };
}
