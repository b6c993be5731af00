// Cold start: time from launching the layer on the embedded defaults (SQLite, sandboxes) with a
// fresh state directory to its first 200 on /readyz, for the development start (tsx, as `npm start`)
// beside the compiled build (`npm run build`, then node on dist/), alternating rounds; and a second
// start on the same state directory (migrations and seeds already done).
// `npm run bench -- start [--rounds N]`. Builds first when dist/ is missing or older than a source.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './peers/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../core/project-root.js';

type Mode = 'development (tsx)' | 'compiled (node dist/)';
const MODES: Record<Mode, string[]> = {
  'development (tsx)': [join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), 'gateway/main.ts'],
  'compiled (node dist/)': [process.execPath, '--enable-source-maps', 'dist/gateway/main.js'],
};
const TARGET_MS = 3_000;

/** Milliseconds from spawn to the first 200 on /readyz; the process is stopped after. */
async function timeToReady(mode: Mode, varDir: string): Promise<number> {
  const port = await freePort();
  const [cmd, ...args] = MODES[mode];
  const started = performance.now();
  const child = spawn(cmd!, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', VAR_DIR: varDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${mode} exited with ${child.exitCode}: ${stderr.slice(-500)}`);
      if (performance.now() - started > 120_000) throw new Error(`${mode} was not ready within 120 s`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

function buildIfStale(): void {
  const out = join(PROJECT_ROOT, 'dist', 'gateway', 'main.js');
  const stale =
    !existsSync(out) ||
    spawnSync(
      'find',
      ['core', 'gateway', 'system-apis', 'process-apis', 'experience-apis', 'sandboxes', 'generated', '-name', '*.ts', '-newer', out],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    ).stdout.trim() !== '';
  if (!stale) return;
  console.log('building (npm run build) …');
  const built = spawnSync('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Math.max(1, Number(values.rounds));
  buildIfStale();
  const fresh: Record<Mode, number[]> = { 'development (tsx)': [], 'compiled (node dist/)': [] };
  const second: Record<Mode, number[]> = { 'development (tsx)': [], 'compiled (node dist/)': [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which mode goes first, so that neither always meets a warm disk cache.
    const order = (round % 2 === 0 ? Object.keys(MODES) : Object.keys(MODES).reverse()) as Mode[];
    for (const mode of order) {
      const dir = mkdtempSync(join(tmpdir(), 'ps-layer-start-'));
      try {
        fresh[mode].push(await timeToReady(mode, dir));
        second[mode].push(await timeToReady(mode, dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(`\nCold start to /readyz, embedded defaults, median of ${rounds} (target < ${TARGET_MS} ms on a fresh state directory)\n`);
  console.log('| start | fresh state dir | second start | target |');
  console.log('|---|---|---|---|');
  for (const mode of Object.keys(MODES) as Mode[]) {
    const f = median(fresh[mode]);
    console.log(`| ${mode} | ${Math.round(f)} ms | ${Math.round(median(second[mode]))} ms | ${f < TARGET_MS ? 'met' : 'not met'} |`);
  }
  const ratio = median(fresh['compiled (node dist/)']) / median(fresh['development (tsx)']);
  console.log(`\ncompiled / development (fresh): ${ratio.toFixed(2)}x; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
}
