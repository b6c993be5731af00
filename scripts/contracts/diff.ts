// npm run contracts:diff -- <base-ref> — what changed in every contract since a git ref,
// classified breaking / non-breaking by api-smart-diff. Exits 1 when a breaking change keeps
// the same major version, or a contract that is not retired disappears.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { compareTrees, type ContractChange } from './diff-core.js';

const run = promisify(execFile);

/** Extracts openapi/ as it was at `ref` into a temporary directory. */
async function checkoutContracts(ref: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'contracts-base-'));
  const archive = path.join(dir, 'openapi.tar');
  await run('git', ['archive', '--format=tar', `--output=${archive}`, ref, '--', 'openapi'], { cwd: PROJECT_ROOT });
  await run('tar', ['-xf', archive, '-C', dir]);
  return dir;
}

function report(results: ContractChange[]): void {
  for (const result of results) {
    if (result.status === 'unchanged') continue;
    const counts = new Map<string, number>();
    for (const change of result.changes) counts.set(change.type, (counts.get(change.type) ?? 0) + 1);
    const summary = [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
    console.log(`${result.violation ? 'FAIL' : 'ok  '} ${result.file}: ${result.status}${summary ? ` (${summary})` : ''}`);
    for (const change of result.changes.filter((c) => c.type === 'breaking')) {
      console.log(`       breaking  ${change.description}  [${change.path}]`);
    }
    if (result.violation) console.log(`       ${result.violation}`);
  }
}

async function main(): Promise<number> {
  const ref = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (!ref) {
    console.error('usage: npm run contracts:diff -- <base-ref>   (e.g. origin/main or HEAD~1)');
    return 2;
  }
  try {
    await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: PROJECT_ROOT });
  } catch {
    console.error(`Not a git revision: ${ref}`);
    return 2;
  }
  const baseDir = await checkoutContracts(ref);
  try {
    const results = await compareTrees(baseDir, PROJECT_ROOT);
    report(results);
    const failed = results.filter((r) => r.violation);
    const changed = results.filter((r) => r.status !== 'unchanged').length;
    console.log(`\n${changed} contract(s) changed since ${ref}; ${failed.length} break their major version.`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await rm(baseDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
