// The released baseline: openapi/contracts.lock.yaml (contract, version, content hash, date)
// and openapi/released/{layer}/{api}.v{major}.yaml, the bundled contract as it was released.
// The version rules compare the working contracts with it; `contracts:release` rewrites it.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';

export const LOCK_FILE = 'openapi/contracts.lock.yaml';
export const RELEASED_DIR = 'openapi/released';

export interface LockEntry {
  /** The contract's source file, e.g. openapi/system/crm.v1.yaml. */
  contract: string;
  version: string;
  /** sha256 of the bundled contract as JSON: any change to what consumers see changes it. */
  sha256: string;
  /** The UTC day of the release, YYYY-MM-DD. */
  releasedAt: string;
}

const LOCK_HEADER =
  '# The contracts as last released: written by `npm run contracts:release`, never by hand.\n' +
  '# The bundled copy of each is under openapi/released/; `npm run lint:contracts` compares with it.\n';

export function hashDocument(bundled: unknown): string {
  return createHash('sha256').update(JSON.stringify(bundled)).digest('hex');
}

/** openapi/system/crm.v1.yaml -> openapi/released/system/crm.v1.yaml */
export function releasedFile(contract: string): string {
  return contract.replace(/^openapi\//, `${RELEASED_DIR}/`);
}

/** The parsed YAML file, or undefined when it does not exist (a first release has no lock, no snapshot). */
async function readYamlIfPresent(file: string): Promise<unknown> {
  try {
    return parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function readLock(rootDir: string): Promise<LockEntry[]> {
  const parsed = ((await readYamlIfPresent(path.join(rootDir, LOCK_FILE))) ?? {}) as { contracts?: LockEntry[] };
  return (parsed.contracts ?? []).map((entry) => ({ ...entry, version: String(entry.version), releasedAt: String(entry.releasedAt) }));
}

export async function writeLock(rootDir: string, entries: LockEntry[]): Promise<void> {
  const sorted = [...entries].sort((a, b) => a.contract.localeCompare(b.contract));
  await writeFile(path.join(rootDir, LOCK_FILE), LOCK_HEADER + stringify({ contracts: sorted }, { lineWidth: 0 }));
}

/** The bundled contract as released; undefined when the snapshot is missing. */
export async function readReleased(rootDir: string, contract: string): Promise<Record<string, unknown> | undefined> {
  return (await readYamlIfPresent(path.join(rootDir, releasedFile(contract)))) as Record<string, unknown> | undefined;
}

export async function writeReleased(rootDir: string, contract: string, bundled: unknown): Promise<void> {
  const file = path.join(rootDir, releasedFile(contract));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    `# ${contract} as released; written by \`npm run contracts:release\`, never by hand.\n` +
      stringify(bundled, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
}

export async function removeReleased(rootDir: string, contract: string): Promise<void> {
  await rm(path.join(rootDir, releasedFile(contract)), { force: true });
}

export const ACCEPTED_FILE = 'openapi/accepted-changes.yaml';

/** A breaking change the governance board accepted within a major version, with its reason. */
export interface AcceptedChange {
  contract: string;
  /** The released version the change is measured from; the next release retires the entry. */
  since: string;
  /** The schema keywords whose changes are accepted (the last segment of the change's path), e.g. pattern. */
  keywords: string[];
  reason: string;
}

export async function readAcceptedChanges(rootDir: string): Promise<AcceptedChange[]> {
  const parsed = ((await readYamlIfPresent(path.join(rootDir, ACCEPTED_FILE))) ?? {}) as { accepted?: AcceptedChange[] };
  return (parsed.accepted ?? []).map((entry) => ({ ...entry, since: String(entry.since), keywords: entry.keywords ?? [] }));
}

/** Rewrites the file without the entries a release has made obsolete, keeping its header comment. */
export async function writeAcceptedChanges(rootDir: string, entries: AcceptedChange[]): Promise<void> {
  const file = path.join(rootDir, ACCEPTED_FILE);
  let header = '';
  try {
    header = (await readFile(file, 'utf8')).match(/^(#.*\n)*/)?.[0] ?? '';
  } catch {
    // no file yet
  }
  await writeFile(file, header + stringify({ accepted: entries }, { lineWidth: 0 }));
}
