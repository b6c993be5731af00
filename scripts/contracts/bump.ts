// npm run contracts:bump [-- --dry-run] — sets each changed contract's info.version to the
// smallest version its change since the release needs (patch, minor), editing only that line.
// A breaking change cannot be bumped within its file: it is reported, to be published as a new major.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { runWhenExecuted } from './run-main.js';
import { assessContracts } from './version-rules.js';

// The info block's own version line: two-space indent, before any deeper key named version.
const INFO_VERSION = /^(info:\n(?:(?: {2,}.*|[ \t]*)\n)*? {2}version: *)['"]?([0-9]+\.[0-9]+\.[0-9]+)['"]?[ \t]*$/m;

export async function bump(rootDir: string, options: { dryRun?: boolean } = {}): Promise<{ bumped: string[]; blocked: string[] }> {
  const bumped: string[] = [];
  const blocked: string[] = [];
  for (const a of await assessContracts(rootDir)) {
    if (a.state !== 'changed') continue;
    if (a.required === 'major' || !a.proposed) {
      blocked.push(`${a.file}: ${a.problems.join('; ')}`);
      continue;
    }
    if (a.proposed === a.version) continue;
    const file = path.join(rootDir, a.file);
    const text = await readFile(file, 'utf8');
    if (!INFO_VERSION.test(text)) {
      blocked.push(`${a.file}: no "  version:" line under info: to edit; set info.version to ${a.proposed} by hand`);
      continue;
    }
    if (!options.dryRun) await writeFile(file, text.replace(INFO_VERSION, `$1${a.proposed}`));
    bumped.push(`${a.file}: ${a.version} -> ${a.proposed} (${a.required}; released ${a.released?.version})`);
  }
  return { bumped, blocked };
}

async function main(): Promise<number> {
  const dryRun = process.argv.includes('--dry-run');
  const { bumped, blocked } = await bump(PROJECT_ROOT, { dryRun });
  if (bumped.length > 0) console.log(`${dryRun ? 'Would bump' : 'Bumped'}:\n  ${bumped.join('\n  ')}`);
  else console.log('No version bump needed.');
  if (blocked.length > 0) console.error(`\nNot bumped:\n  ${blocked.join('\n  ')}`);
  return blocked.length > 0 ? 1 : 0;
}

runWhenExecuted(import.meta.filename, main);
