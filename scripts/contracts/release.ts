// npm run contracts:release [-- --dry-run] — records the working contracts as released: the
// bundled copy under openapi/released/, the lock entry (version, hash, date) and the changelog's
// Unreleased notes stamped with the version. Refuses, changing nothing, when a contract breaks
// its major, lacks the version bump its change needs, or has no notes under "## Unreleased".
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { changelogFile, parseChangelog, stampRelease } from '../../core/contracts/changelog.js';
import {
  hashDocument,
  readAcceptedChanges,
  readLock,
  removeReleased,
  writeAcceptedChanges,
  writeLock,
  writeReleased,
  type LockEntry,
} from './baseline.js';
import { runWhenExecuted } from './run-main.js';
import { assessContracts } from './version-rules.js';

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function release(
  rootDir: string,
  options: { dryRun?: boolean; date?: string } = {},
): Promise<{ released: string[]; refused: string[] }> {
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  const assessments = await assessContracts(rootDir);
  const pending = assessments.filter((a) => a.state !== 'unchanged');
  const refused: string[] = [];
  const changelogs = new Map<string, string>();
  for (const a of pending) {
    for (const problem of a.problems) refused.push(`${a.file}: ${problem}`);
    if (a.state === 'removed') continue;
    const file = changelogFile(a.file);
    const text = await readText(path.join(rootDir, file));
    if (text === undefined) refused.push(`${a.file}: ${file} is missing; create it with a "## Unreleased" section that says what changed`);
    else if (parseChangelog(text).unreleased === '')
      refused.push(`${a.file}: no notes under "## Unreleased" in ${file}; say what changed for consumers`);
    else changelogs.set(a.file, text);
  }
  if (refused.length > 0 || options.dryRun) return { released: pending.map((a) => `${a.file} ${a.version ?? '(removed)'}`), refused };

  const lock = new Map((await readLock(rootDir)).map((entry) => [entry.contract, entry]));
  for (const a of pending) {
    if (a.state === 'removed') {
      lock.delete(a.file);
      await removeReleased(rootDir, a.file);
      continue;
    }
    const entry: LockEntry = { contract: a.file, version: a.version!, sha256: hashDocument(a.bundled), releasedAt: date };
    lock.set(a.file, entry);
    await writeReleased(rootDir, a.file, a.bundled);
    await writeFile(path.join(rootDir, changelogFile(a.file)), stampRelease(changelogs.get(a.file)!, a.version!, date));
  }
  await writeLock(rootDir, [...lock.values()]);
  // An accepted breaking change is part of the released baseline now; its entry has done its work.
  const accepted = await readAcceptedChanges(rootDir);
  const current = accepted.filter((a) => lock.get(a.contract)?.version === a.since);
  if (current.length !== accepted.length) await writeAcceptedChanges(rootDir, current);
  return { released: pending.map((a) => `${a.file} ${a.version ?? '(removed)'}`), refused };
}

async function main(): Promise<number> {
  const dryRun = process.argv.includes('--dry-run');
  const { released, refused } = await release(PROJECT_ROOT, { dryRun });
  if (refused.length > 0) {
    console.error(`Release refused; nothing was changed:\n  ${refused.join('\n  ')}`);
    return 1;
  }
  if (released.length === 0) {
    console.log('Nothing to release: every contract matches the released baseline.');
    return 0;
  }
  console.log(`${dryRun ? 'Would release' : 'Released'}:\n  ${released.join('\n  ')}`);
  if (!dryRun) console.log('\nCommit openapi/contracts.lock.yaml, openapi/released/ and the changelogs with the contracts.');
  return 0;
}

runWhenExecuted(import.meta.filename, main);
