// Reads every published contract (openapi/{gateway,system,process,experience}/{api}.v{N}.yaml),
// bundles it in-process and describes it as an ApiContract: the catalogue the gateway routes
// versions by and serves specs and docs from.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ProblemError } from '../problems.js';
import { PROJECT_ROOT } from '../project-root.js';
import { changelogFile } from './changelog.js';
import type { ApiContract, ContractLayer, Lifecycle } from './types.js';

export const CONTRACT_LAYERS: readonly ContractLayer[] = ['gateway', 'system', 'process', 'experience'];

/** `{api}.v{major}.yaml`, the api name in kebab-case. */
export const CONTRACT_FILE_NAME = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)\.yaml$/;

const DATE_OR_INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2}))?$/;
const BASE_PATH = /^\/(system|process|experience)\/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\/v([1-9][0-9]*)$/;
const AUDIENCES = ['internal', 'partner', 'public'] as const;
const LIFECYCLES: readonly Lifecycle[] = ['active', 'deprecated', 'retired'];

/** The project root (see core/project-root.ts). */
export { PROJECT_ROOT };

export interface ContractFile {
  layer: ContractLayer;
  api: string;
  major: number;
  /** Relative to the project root, with forward slashes. */
  file: string;
}

/** Lists the contract files without reading them, in catalogue order. */
export async function listContractFiles(rootDir: string = PROJECT_ROOT): Promise<ContractFile[]> {
  const files: ContractFile[] = [];
  for (const layer of CONTRACT_LAYERS) {
    let names: string[];
    try {
      names = await readdir(path.join(rootDir, 'openapi', layer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names.sort()) {
      const match = CONTRACT_FILE_NAME.exec(name);
      if (!match) continue;
      files.push({ layer, api: match[1], major: Number(match[2]), file: `openapi/${layer}/${name}` });
    }
  }
  return files.sort(compareContracts);
}

function compareContracts(a: ContractFile, b: ContractFile): number {
  return CONTRACT_LAYERS.indexOf(a.layer) - CONTRACT_LAYERS.indexOf(b.layer) || a.api.localeCompare(b.api) || a.major - b.major;
}

function invalid(file: string, detail: string): ProblemError {
  return new ProblemError('internal', { detail: `Contract ${file}: ${detail}` });
}

/** Parses an RFC 3339 date (midnight UTC) or date-time. */
export function parseLifecycleDate(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  // YAML parses an unquoted 2027-06-30 as a string in the core schema redocly uses, but be lenient.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string' || !DATE_OR_INSTANT.test(value)) return undefined;
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function optionalDate(file: string, info: Record<string, unknown>, field: string): Date | undefined {
  if (info[field] === undefined) return undefined;
  const date = parseLifecycleDate(info[field]);
  if (!date) throw invalid(file, `info.${field} must be an RFC 3339 date or date-time, got ${JSON.stringify(info[field])}`);
  return date;
}

function requiredString(file: string, info: Record<string, unknown>, field: string): string {
  const value = info[field];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(file, `info.${field} is required`);
  return value;
}

/** Builds the catalogue entry from a bundled document; throws naming the file and field when it is inconsistent. */
export function describeContract(entry: ContractFile, bundled: Record<string, unknown>): ApiContract {
  const { file, layer, api, major } = entry;
  const info = (bundled.info ?? {}) as Record<string, unknown>;
  const title = requiredString(file, info, 'title');
  const version = requiredString(file, info, 'version');
  const versionMajor = /^([0-9]+)\.[0-9]+\.[0-9]+$/.exec(version);
  if (!versionMajor || Number(versionMajor[1]) !== major) {
    throw invalid(file, `info.version ${version} does not match the file's major version v${major}`);
  }
  const owner = requiredString(file, info, 'x-owner');
  const audience = info['x-audience'];
  if (!AUDIENCES.includes(audience as (typeof AUDIENCES)[number])) {
    throw invalid(file, `info.x-audience must be one of ${AUDIENCES.join(', ')}`);
  }
  const lifecycle = info['x-lifecycle'] as Lifecycle;
  if (!LIFECYCLES.includes(lifecycle)) throw invalid(file, `info.x-lifecycle must be one of ${LIFECYCLES.join(', ')}`);
  const deprecatedAt = optionalDate(file, info, 'x-deprecated-at');
  const sunset = optionalDate(file, info, 'x-sunset');
  if (lifecycle === 'deprecated' && (!deprecatedAt || !sunset)) {
    throw invalid(file, 'a deprecated contract needs info.x-deprecated-at and info.x-sunset');
  }
  if (lifecycle === 'retired' && (!sunset || info['x-successor'] === undefined)) {
    throw invalid(file, 'a retired contract needs info.x-sunset and info.x-successor');
  }
  const successor = info['x-successor'];
  if (successor !== undefined && (typeof successor !== 'string' || !BASE_PATH.test(successor))) {
    throw invalid(file, 'info.x-successor must be a base path /{layer}/{api}/v{major}');
  }
  const servers = bundled.servers as Array<{ url?: unknown }> | undefined;
  const basePath = servers?.[0]?.url;
  const expected = layer === 'gateway' ? '/' : `/${layer}/${api}/v${major}`;
  if (basePath !== expected) throw invalid(file, `servers[0].url must be ${expected}, got ${JSON.stringify(basePath)}`);
  return {
    layer,
    api,
    major,
    file,
    title,
    version,
    owner,
    audience: audience as ApiContract['audience'],
    lifecycle,
    ...(deprecatedAt ? { deprecatedAt } : {}),
    ...(sunset ? { sunset } : {}),
    ...(typeof successor === 'string' ? { successor } : {}),
    basePath: expected,
    bundled,
  };
}

type Redocly = typeof import('@redocly/openapi-core');
let redocly: Promise<{ bundle: Redocly['bundle']; config: Awaited<ReturnType<Redocly['createConfig']>> }> | undefined;

/** Bundles one contract file: every $ref resolved into one document, shared components under components/. */
export async function bundleContract(absolutePath: string, relativeName = absolutePath): Promise<Record<string, unknown>> {
  // Loaded on first use: a compiled start that serves the prebuilt catalogue never needs the bundler.
  // An empty config: no redocly.yaml lookup, no network, no lint rules — bundling only.
  redocly ??= import('@redocly/openapi-core').then(async ({ bundle, createConfig }) => ({ bundle, config: await createConfig({}) }));
  const { bundle, config } = await redocly;
  const result = await bundle({ ref: absolutePath, config, dereference: false });
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw invalid(relativeName, errors.map((problem) => problem.message).join('; '));
  }
  return result.bundle.parsed as Record<string, unknown>;
}

/**
 * Loads every contract under `{rootDir}/openapi`, bundled, in catalogue order (gateway, system,
 * process, experience; then by name and major). Throws a ProblemError naming the file when a
 * contract cannot be bundled or its info/servers are inconsistent.
 */
export async function loadCatalogue(rootDir: string = PROJECT_ROOT): Promise<ApiContract[]> {
  const files = await listContractFiles(rootDir);
  return Promise.all(
    files.map(async (entry) => {
      const contract = describeContract(entry, await bundleContract(path.join(rootDir, entry.file), entry.file));
      const changelog = await readFile(path.join(rootDir, changelogFile(entry.file)), 'utf8').catch(() => undefined);
      return changelog === undefined ? contract : { ...contract, changelog };
    }),
  );
}

/** The catalogue entry for one API version, if published. */
export function findContract(catalogue: readonly ApiContract[], layer: ContractLayer, api: string, major: number): ApiContract | undefined {
  return catalogue.find((contract) => contract.layer === layer && contract.api === api && contract.major === major);
}
