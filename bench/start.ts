// Cold start: time from launching the layer on the embedded defaults (SQLite, sandboxes) with a
// fresh state directory to its first 200 on /readyz, for the development start (tsx, as `npm start`)
// beside the compiled build (`npm run build`, then node on dist/), alternating rounds; and a second
// start on the same state directory (migrations and seeds already done). Beside the wall time, the
// CPU the started processes spent until ready (Linux), which a machine busy with other work
// inflates far less than the wall time.
// `npm run bench -- start [--rounds N]`. Builds first when dist/ is missing or older than a source
// or a contract, so the compiled start always meets a fresh contract bundle.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../core/project-root.js';
import { freePort } from './peers/free-port.js';

type Mode = 'development (tsx)' | 'compiled (node dist/)';
const MODES: Record<Mode, string[]> = {
  'development (tsx)': [join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), 'gateway/main.ts'],
  'compiled (node dist/)': [process.execPath, '--enable-source-maps', 'dist/gateway/main.js'],
};
const TARGET_MS = 3_000;

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux build in use

/** CPU milliseconds (user + system) of a process and its descendants, from /proc; undefined elsewhere. */
function cpuMsOfTree(pid: number): number | undefined {
  try {
    // utime and stime are the 14th and 15th fields; the command name (2nd) may hold spaces, so split after it.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    let ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children ? children.split(' ') : []) ms += cpuMsOfTree(Number(child)) ?? 0;
    return ms;
  } catch {
    return undefined;
  }
}

interface Start {
  wallMs: number;
  cpuMs?: number;
}

/** From spawn to the first 200 on /readyz: wall and CPU milliseconds; the process is stopped after. */
async function timeToReady(mode: Mode, varDir: string): Promise<Start> {
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
      if (ok) return { wallMs: performance.now() - started, cpuMs: cpuMsOfTree(child.pid!) };
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

function buildIfStale(): void {
  // The contract bundle is the build's last step: older than it, nothing is stale.
  const out = join(PROJECT_ROOT, 'dist', 'contract-catalogue.json');
  const sources = ['core', 'gateway', 'system-apis', 'process-apis', 'experience-apis', 'sandboxes', 'generated', 'scripts', 'openapi'];
  const stale =
    !existsSync(out) ||
    spawnSync('find', [...sources, '(', '-name', '*.ts', '-o', '-name', '*.yaml', '-o', '-name', '*.md', ')', '-newer', out], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    }).stdout.trim() !== '';
  if (!stale) return;
  console.log('building (npm run build) …');
  const built = spawnSync('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (starts: Start[], of: keyof Start): string => {
  const values = starts.map((st) => st[of]).filter((v): v is number => v !== undefined);
  return values.length === starts.length ? `${Math.round(median(values))} ms` : 'n/a';
};

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Math.max(1, Number(values.rounds));
  buildIfStale();
  const { loadavg } = await import('node:os');
  const loadBefore = loadavg()[0]!;
  const fresh: Record<Mode, Start[]> = { 'development (tsx)': [], 'compiled (node dist/)': [] };
  const second: Record<Mode, Start[]> = { 'development (tsx)': [], 'compiled (node dist/)': [] };
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
  console.log('| start | fresh state dir | CPU until ready | second start | target |');
  console.log('|---|---|---|---|---|');
  for (const mode of Object.keys(MODES) as Mode[]) {
    const f = median(fresh[mode].map((st) => st.wallMs));
    const met = f < TARGET_MS ? 'met' : 'not met';
    console.log(`| ${mode} | ${Math.round(f)} ms | ${ms(fresh[mode], 'cpuMs')} | ${ms(second[mode], 'wallMs')} | ${met} |`);
  }
  const wall = (mode: Mode) => median(fresh[mode].map((st) => st.wallMs));
  const ratio = wall('compiled (node dist/)') / wall('development (tsx)');
  console.log(
    `\ncompiled / development (fresh): ${ratio.toFixed(2)}x; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
  );
}
