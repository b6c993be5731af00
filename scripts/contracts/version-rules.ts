// The version rules the board enforces against the released baseline: any change since a
// contract's release bumps info.version (patch: documentation only; minor: additive or a
// deprecation; a breaking change: only as a new major file, the old one deprecated with a
// successor). Used by lint:contracts (so by npm test), contracts:bump and contracts:release.
import path from 'node:path';
import { bundleContract, listContractFiles, type ContractFile } from '../../core/contracts/catalogue.js';
import { hashDocument, readAcceptedChanges, readLock, readReleased, type AcceptedChange, type LockEntry } from './baseline.js';
import { compareDocuments, type Change } from './diff-core.js';

export type Bump = 'none' | 'patch' | 'minor' | 'major';

export interface ContractAssessment {
  file: string;
  /** Undefined for a contract that was never released. */
  released?: LockEntry;
  /** info.version in the working tree (undefined when the file was removed). */
  version?: string;
  state: 'unchanged' | 'changed' | 'new' | 'removed';
  /** Consumer-facing changes since the release, as api-smart-diff classifies them. */
  changes: Change[];
  /** The smallest bump this change needs from the released version. */
  required: Bump;
  /** The smallest version that satisfies the rules (for contracts:bump). */
  proposed?: string;
  /** Why the working contract breaks a rule; empty when it does not. */
  problems: string[];
  bundled?: Record<string, unknown>;
  releasedDocument?: Record<string, unknown>;
}

type Semver = [number, number, number];

export function parseVersion(version: string): Semver | undefined {
  const m = /^([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareVersions(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The smallest version above `released` that a change of kind `bump` needs. */
export function nextVersion(released: string, bump: Exclude<Bump, 'none'>): string {
  const [major, minor, patch] = parseVersion(released) ?? [0, 0, 0];
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Whether `current` is a big enough step from `released` for a change of kind `bump`. */
export function satisfies(current: string, released: string, bump: Bump): boolean {
  const c = parseVersion(current);
  const r = parseVersion(released);
  if (!c || !r) return false;
  if (bump === 'none') return compareVersions(c, r) >= 0;
  return compareVersions(c, parseVersion(nextVersion(released, bump))!) >= 0 && c[0] === r[0];
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

export interface OperationRef {
  method?: string;
  route?: string;
  operationId?: string;
}

/** The operation a change under paths.<route>.<method> belongs to, looked up in the given documents. */
export function locateOperation(change: Change, documents: Array<Record<string, unknown> | undefined>): OperationRef {
  const [root, route, method] = change.path.split('.');
  if ((root !== 'paths' && root !== 'webhooks') || !route) return {};
  if (!method || !METHODS.has(method)) return { route };
  for (const document of documents) {
    const operation = (document?.[root] as Record<string, Record<string, { operationId?: string }>> | undefined)?.[route]?.[method];
    if (operation?.operationId) return { method, route, operationId: operation.operationId };
  }
  return { method, route };
}

/** "GET /widgets (listWidgets)" for a change under paths.<path>.<method>, else the path itself. */
export function operationOf(change: Change, documents: Array<Record<string, unknown> | undefined>): string {
  const { method, route, operationId } = locateOperation(change, documents);
  if (!route) return change.path;
  if (!method) return `path ${route}`;
  return `${method.toUpperCase()} ${route}${operationId ? ` (${operationId})` : ''}`;
}

/** One line per change: the operation, then what changed in plain words. */
export function describeChange(change: Change, documents: Array<Record<string, unknown> | undefined>): string {
  const words = change.description.replace(/^\[(\w+)\]\s*/, (_, verb: string) => `${verb.toLowerCase()} `);
  return `${operationOf(change, documents)}: ${words}`;
}

function lifecycleOf(document: Record<string, unknown> | undefined): string {
  return String(((document?.info ?? {}) as Record<string, unknown>)['x-lifecycle'] ?? 'active');
}

function requiredBump(changes: Change[], before: Record<string, unknown>, after: Record<string, unknown>): Exclude<Bump, 'none'> {
  if (changes.some((c) => c.type === 'breaking' && !c.acceptedBecause)) return 'major';
  // A breaking change the board accepted within the major is announced like an addition.
  if (changes.some((c) => c.type === 'breaking')) return 'minor';
  if (changes.some((c) => c.type === 'non-breaking' || c.type === 'deprecated')) return 'minor';
  // Deprecating the whole version is announced like a deprecated operation.
  if (lifecycleOf(before) !== lifecycleOf(after)) return 'minor';
  return 'patch';
}

/** Marks the breaking changes an entry of openapi/accepted-changes.yaml covers. */
function applyAccepted(changes: Change[], entry: LockEntry, accepted: AcceptedChange[]): Change[] {
  const waivers = accepted.filter((a) => a.contract === entry.contract && a.since === entry.version);
  if (waivers.length === 0) return changes;
  return changes.map((change) => {
    if (change.type !== 'breaking') return change;
    const keyword = change.path.split('.').at(-1) ?? '';
    const waiver = waivers.find((w) => w.keywords.includes(keyword));
    return waiver ? { ...change, acceptedBecause: waiver.reason } : change;
  });
}

export function assessChanged(
  entry: LockEntry,
  bundled: Record<string, unknown>,
  released: Record<string, unknown>,
  accepted: AcceptedChange[],
): ContractAssessment {
  const version = String(((bundled.info ?? {}) as Record<string, unknown>).version ?? '');
  const changes = applyAccepted(compareDocuments(released, bundled), entry, accepted);
  const required = requiredBump(changes, released, bundled);
  const problems: string[] = [];
  const base = {
    file: entry.contract,
    released: entry,
    version,
    state: 'changed' as const,
    changes,
    required,
    bundled,
    releasedDocument: released,
  };
  if (required === 'major') {
    const breaking = changes.filter((c) => c.type === 'breaking' && !c.acceptedBecause);
    const major = parseVersion(entry.version)?.[0] ?? 0;
    problems.push(
      `${breaking.length} breaking change(s) since release ${entry.version}; a breaking change is published as v${major + 1} ` +
        `(a new file) while this version is deprecated (x-lifecycle, x-deprecated-at, x-sunset, x-successor):\n` +
        breaking.map((c) => `    ${describeChange(c, [bundled, released])}  [${c.path}]`).join('\n'),
    );
    return { ...base, problems };
  }
  const proposed = satisfies(version, entry.version, required) ? version : nextVersion(entry.version, required);
  if (proposed !== version) {
    const why =
      required === 'minor'
        ? 'the change adds to or deprecates part of the contract (or makes a breaking change the board accepted)'
        : 'the change touches only documentation or descriptions';
    problems.push(
      `info.version is ${version}, released as ${entry.version}; ${why}, so it needs a ${required} bump: ` +
        `${proposed} (npm run contracts:bump applies it)`,
    );
  }
  return { ...base, proposed, problems };
}

/** A new major must deprecate the major it replaces, naming it as successor. */
function successorProblems(file: ContractFile, all: ContractFile[], documents: Map<string, Record<string, unknown>>): string[] {
  const previous = all.find((other) => other.layer === file.layer && other.api === file.api && other.major === file.major - 1);
  if (!previous) return [];
  const info = (documents.get(previous.file)?.info ?? {}) as Record<string, unknown>;
  const basePath = `/${file.layer}/${file.api}/v${file.major}`;
  const problems: string[] = [];
  if (info['x-lifecycle'] === 'active')
    problems.push(
      `${previous.file} must be deprecated now that v${file.major} exists (x-lifecycle: deprecated, x-deprecated-at, x-sunset)`,
    );
  if (info['x-successor'] !== basePath) problems.push(`${previous.file} must name its successor: x-successor: ${basePath}`);
  return problems;
}

/** Compares every contract under rootDir/openapi with the released baseline. */
export async function assessContracts(rootDir: string): Promise<ContractAssessment[]> {
  const [files, lock, accepted] = await Promise.all([listContractFiles(rootDir), readLock(rootDir), readAcceptedChanges(rootDir)]);
  const documents = new Map<string, Record<string, unknown>>();
  await Promise.all(files.map(async (f) => documents.set(f.file, await bundleContract(path.join(rootDir, f.file), f.file))));
  const byFile = new Map(lock.map((entry) => [entry.contract, entry]));
  const results: ContractAssessment[] = [];
  for (const file of files) {
    const bundled = documents.get(file.file)!;
    const version = String(((bundled.info ?? {}) as Record<string, unknown>).version ?? '');
    const entry = byFile.get(file.file);
    if (!entry) {
      const problems = successorProblems(file, files, documents);
      results.push({ file: file.file, version, state: 'new', changes: [], required: 'none', proposed: version, problems, bundled });
      continue;
    }
    if (hashDocument(bundled) === entry.sha256) {
      results.push({ file: file.file, released: entry, version, state: 'unchanged', changes: [], required: 'none', problems: [], bundled });
      continue;
    }
    const released = await readReleased(rootDir, file.file);
    if (!released || hashDocument(released) !== entry.sha256) {
      results.push({
        file: file.file,
        released: entry,
        version,
        state: 'changed',
        changes: [],
        required: 'none',
        problems: [`the released copy of ${file.file} is missing or does not match ${entry.sha256.slice(0, 12)}… in the lock file`],
        bundled,
      });
      continue;
    }
    results.push(assessChanged(entry, bundled, released, accepted));
  }
  for (const entry of lock) {
    if (documents.has(entry.contract)) continue;
    const released = await readReleased(rootDir, entry.contract);
    const lifecycle = lifecycleOf(released);
    results.push({
      file: entry.contract,
      released: entry,
      state: 'removed',
      changes: [],
      required: 'none',
      problems:
        lifecycle === 'retired'
          ? []
          : [`removed while released as ${lifecycle}; retire it (x-lifecycle: retired, x-sunset, x-successor) and release that first`],
      ...(released ? { releasedDocument: released } : {}),
    });
  }
  return results;
}
