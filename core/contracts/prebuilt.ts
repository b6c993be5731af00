// The contract catalogue bundled at build time: `npm run build` writes every contract, bundled,
// to dist/contract-catalogue.json with a digest of the openapi/ sources it came from, and the
// compiled layer loads that instead of bundling 13 contracts at every start. A bundle whose digest
// no longer matches the sources is stale: the layer says so and bundles from the sources instead.
// Running from source, the same file under node_modules/.cache spares unchanged sources a bundling.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACT_LAYERS, describeContract, loadCatalogue, PROJECT_ROOT, type ContractFile } from './catalogue.js';
import type { ApiContract } from './types.js';

const FORMAT = 1;
/** What bundling reads: the contracts, their changelogs and the shared components they $ref. */
const SOURCE_DIRS = ['components', ...CONTRACT_LAYERS];

interface PrebuiltContract extends ContractFile {
  bundled: Record<string, unknown>;
  changelog?: string;
}

interface PrebuiltCatalogue {
  format: typeof FORMAT;
  /** sha256 of the openapi/ sources the bundles were made from (see sourcesDigest). */
  sourcesDigest: string;
  contracts: PrebuiltContract[];
}

/**
 * Where the compiled build keeps its bundled catalogue: dist/contract-catalogue.json beside the
 * compiled tree this module is part of. Undefined when running from the TypeScript sources
 * (tsx, tests), which always bundle from openapi/.
 */
export function prebuiltCatalogueFile(moduleUrl: string = import.meta.url): string | undefined {
  if (!moduleUrl.endsWith('.js')) return undefined;
  return fileURLToPath(new URL('../../contract-catalogue.json', moduleUrl));
}

/** sha256 over the path and content of every file bundling may read under {rootDir}/openapi. */
export async function sourcesDigest(rootDir: string = PROJECT_ROOT): Promise<string> {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) {
    const names = await readdir(path.join(rootDir, 'openapi', dir), { recursive: true, withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    for (const entry of names) {
      if (entry.isFile()) files.push(path.relative(rootDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    }
  }
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash
      .update(file)
      .update('\0')
      .update(await readFile(path.join(rootDir, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Bundles every contract under {rootDir}/openapi, with the digest of the sources it read. */
async function bundleWithDigest(rootDir: string): Promise<{ digest: string; catalogue: ApiContract[] }> {
  // Digest first: a source edited while bundling then makes the file stale rather than wrongly fresh.
  const digest = await sourcesDigest(rootDir);
  return { digest, catalogue: await loadCatalogue(rootDir) };
}

/** Writes a bundled catalogue and its sources' digest to `outFile`, whole or not at all (several processes may race). */
async function writeCatalogueFile(outFile: string, digest: string, catalogue: ApiContract[]): Promise<void> {
  const prebuilt: PrebuiltCatalogue = {
    format: FORMAT,
    sourcesDigest: digest,
    contracts: catalogue.map(({ layer, api, major, file, bundled, changelog }) => ({
      layer,
      api,
      major,
      file,
      bundled,
      ...(changelog === undefined ? {} : { changelog }),
    })),
  };
  await mkdir(path.dirname(outFile), { recursive: true });
  const partial = `${outFile}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(prebuilt));
  await rename(partial, outFile);
}

/** Bundles every contract under {rootDir}/openapi and writes them, with the sources' digest, to `outFile`. */
export async function writePrebuiltCatalogue(outFile: string, rootDir: string = PROJECT_ROOT): Promise<number> {
  const { digest, catalogue } = await bundleWithDigest(rootDir);
  await writeCatalogueFile(outFile, digest, catalogue);
  return catalogue.length;
}

export type PrebuiltRead = { status: 'fresh'; catalogue: ApiContract[] } | { status: 'missing' | 'stale'; reason: string };

/** Reads a prebuilt catalogue and checks it against the sources; describes each contract as loadCatalogue does. */
export async function readPrebuiltCatalogue(file: string, rootDir: string = PROJECT_ROOT): Promise<PrebuiltRead> {
  let prebuilt: PrebuiltCatalogue;
  try {
    prebuilt = JSON.parse(await readFile(file, 'utf8')) as PrebuiltCatalogue;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', reason: `${file} does not exist` };
    if (error instanceof SyntaxError) return { status: 'stale', reason: `${file} is not JSON (${error.message})` };
    throw error;
  }
  if (prebuilt.format !== FORMAT) return { status: 'stale', reason: `${file} has format ${String(prebuilt.format)}, not ${FORMAT}` };
  if (prebuilt.sourcesDigest !== (await sourcesDigest(rootDir))) {
    return { status: 'stale', reason: `openapi/ changed since ${file} was built` };
  }
  const catalogue = prebuilt.contracts.map(({ bundled, changelog, ...entry }) => {
    const contract = describeContract(entry, bundled);
    return changelog === undefined ? contract : { ...contract, changelog };
  });
  return { status: 'fresh', catalogue };
}

/** Running from source: the bundled catalogue cached by its sources' digest, so an unchanged openapi/ is bundled once. */
export function sourceCatalogueCache(rootDir: string = PROJECT_ROOT): string {
  return path.join(rootDir, 'node_modules', '.cache', 'ps-connectivity-layer', 'contract-catalogue.json');
}

export interface ServedCatalogue {
  catalogue: ApiContract[];
  /**
   * Where it came from: the build's bundle; when running from source, the cache of an earlier
   * bundling of the same sources; or the openapi/ sources bundled now (with why not the build's
   * bundle, when compiled).
   */
  source: { from: 'prebuilt'; file: string } | { from: 'cache'; file: string } | { from: 'sources'; prebuiltUnusable?: string };
}

/**
 * The catalogue the gateway serves: when compiled, the build's bundle if it matches the sources;
 * from source, the cache if it matches them; otherwise the sources bundled now.
 */
export async function loadServedCatalogue(file = prebuiltCatalogueFile(), rootDir: string = PROJECT_ROOT): Promise<ServedCatalogue> {
  if (file === undefined) {
    const cache = sourceCatalogueCache(rootDir);
    const cached = await readPrebuiltCatalogue(cache, rootDir);
    if (cached.status === 'fresh') return { catalogue: cached.catalogue, source: { from: 'cache', file: cache } };
    const { digest, catalogue } = await bundleWithDigest(rootDir);
    // Only a cache: a read-only or missing node_modules costs the next start a bundling, nothing more.
    await writeCatalogueFile(cache, digest, catalogue).catch(() => undefined);
    return { catalogue, source: { from: 'sources' } };
  }
  const read = await readPrebuiltCatalogue(file, rootDir);
  if (read.status === 'fresh') return { catalogue: read.catalogue, source: { from: 'prebuilt', file } };
  return {
    catalogue: await loadCatalogue(rootDir),
    source: { from: 'sources', prebuiltUnusable: `${read.reason} (npm run build refreshes it)` },
  };
}
