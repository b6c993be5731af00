// npm run contracts:review -- [<git-ref>] [--out <dir>] — the board's review report of every
// contract that changed since the released baseline (or since <git-ref>), written as
// contracts-review.md and .html to reports/ (or --out), with consumer impact read from the
// configured store (DATABASE_URL, else the SQLite file under VAR_DIR).
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../core/config/index.js';
import { bundleContract, listContractFiles, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { createStore, type Store } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';
import { daysAgo, queryUsage, type UsageRow } from '../../core/usage/index.js';
import { hashDocument, writeLock, writeReleased, type LockEntry } from './baseline.js';
import { renderHtml, renderMarkdown, reviewContract, type ReviewReport } from './review-report.js';
import { runWhenExecuted } from './run-main.js';
import { runSpectral } from './spectral.js';
import { assessContracts } from './version-rules.js';

const run = promisify(execFile);

/** A scratch copy of the working tree whose released baseline is the contracts as at `ref`. */
async function baselineAt(rootDir: string, ref: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'contracts-review-'));
  const archive = path.join(dir, 'base.tar');
  await mkdir(path.join(dir, 'base'));
  await run('git', ['archive', '--format=tar', `--output=${archive}`, ref, '--', 'openapi'], { cwd: rootDir });
  await run('tar', ['-xf', archive, '-C', path.join(dir, 'base')]);
  const work = path.join(dir, 'work');
  await cp(path.join(rootDir, 'openapi'), path.join(work, 'openapi'), { recursive: true });
  const entries: LockEntry[] = [];
  for (const file of await listContractFiles(path.join(dir, 'base'))) {
    const bundled = await bundleContract(path.join(dir, 'base', file.file), file.file);
    const version = String(((bundled.info ?? {}) as Record<string, unknown>).version ?? '');
    entries.push({ contract: file.file, version, sha256: hashDocument(bundled), releasedAt: ref });
    await writeReleased(work, file.file, bundled);
  }
  await writeLock(work, entries);
  return work;
}

export async function buildReview(rootDir: string, options: { ref?: string; store?: Store; now?: number } = {}): Promise<ReviewReport> {
  const workDir = options.ref ? await baselineAt(rootDir, options.ref) : rootDir;
  try {
    const since = daysAgo(29, options.now);
    const assessments = (await assessContracts(workDir)).filter((a) => a.state !== 'unchanged');
    const usage: UsageRow[] = options.store ? await queryUsage(options.store.db, { since }) : [];
    const files = assessments.filter((a) => a.state !== 'removed').map((a) => path.join(rootDir, a.file));
    const findings = await runSpectral(files, { rootDir: PROJECT_ROOT });
    return {
      base: options.ref ?? 'the released baseline (openapi/contracts.lock.yaml)',
      since,
      contracts: assessments.map((a) =>
        reviewContract(
          a,
          usage,
          findings.filter((f) => path.resolve(f.source) === path.resolve(rootDir, a.file)),
        ),
      ),
    };
  } finally {
    if (options.ref) await rm(path.dirname(workDir), { recursive: true, force: true });
  }
}

export async function writeReview(report: ReviewReport, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const md = path.join(outDir, 'contracts-review.md');
  const html = path.join(outDir, 'contracts-review.html');
  await writeFile(md, renderMarkdown(report));
  await writeFile(html, renderHtml(report));
  return [md, html];
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = path.resolve(outAt >= 0 ? args[outAt + 1] : path.join(PROJECT_ROOT, 'reports'));
  const ref = args.find((a, i) => !a.startsWith('-') && (outAt < 0 || i !== outAt + 1));
  if (ref) {
    try {
      await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: PROJECT_ROOT });
    } catch {
      console.error(`Not a git revision: ${ref}`);
      return 2;
    }
  }
  const config = loadConfig();
  const store = createStore({ databaseUrl: config.store.databaseUrl, varDir: config.runtime.varDir });
  try {
    // The layer migrates at start-up too; a store it never ran on simply has no usage yet.
    await migrateToLatest(store);
    const report = await buildReview(PROJECT_ROOT, { ref, store });
    const written = await writeReview(report, outDir);
    console.log(
      `${report.contracts.length} changed contract(s) reviewed; wrote ${written.map((f) => path.relative(process.cwd(), f)).join(' and ')}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

runWhenExecuted(import.meta.filename, main);
