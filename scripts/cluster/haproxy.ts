// HAProxy for the local cluster: deploy/haproxy.cfg with one server line per replica, run in the
// foreground as a child process, and its view of each replica read from the stats page (CSV).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectFile } from '../../core/project-root.js';

export const HAPROXY_TEMPLATE = projectFile('deploy', 'haproxy.cfg');
const BEGIN = '# replicas: begin';
const END = '# replicas: end';

/** The haproxy binary: HAPROXY_BIN, else the first of the usual places; undefined when there is none. */
export function findHaproxy(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.HAPROXY_BIN, '/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].filter(Boolean) as string[];
  for (const path of candidates) if (existsSync(path)) return path;
  const which = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? found : undefined;
}

/** deploy/haproxy.cfg with the server lines between the markers replaced by one per replica. */
export function renderHaproxyConfig(template: string, replicas: number): string {
  const begin = template.indexOf(BEGIN);
  const end = template.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`deploy/haproxy.cfg has lost its "${BEGIN}" / "${END}" markers`);
  const indent = template.slice(template.lastIndexOf('\n', begin) + 1, begin);
  const servers = Array.from({ length: replicas }, (_, i) => `${indent}server replica${i + 1} "\${LAYER_REPLICA_${i + 1}}"\n`).join('');
  return `${template.slice(0, begin + BEGIN.length)}\n${servers}${indent}${template.slice(end)}`;
}

export interface RunningHaproxy {
  url: string;
  statsUrl: string;
  process: ChildProcess;
  /**
   * Each replica as HAProxy sees it, by server name (replica1…): `status` from the health checks
   * (`UP`, `DOWN`, `NOLB`, `MAINT`…), `sessions`, how many requests it has been sent so far, and
   * `redispatched`, how many of them HAProxy had to retry elsewhere (connection refused or dropped).
   */
  serverStats(): Promise<Record<string, ServerStats>>;
  stop(): Promise<void>;
}

export interface ServerStats {
  status: string;
  sessions: number;
  redispatched: number;
}

export interface HaproxyOptions {
  bin: string;
  /** Where to write the rendered configuration. */
  dir: string;
  front: { host: string; port: number };
  stats: { host: string; port: number };
  /** host:port of each replica, in order. */
  replicas: string[];
}

export async function startHaproxy(o: HaproxyOptions): Promise<RunningHaproxy> {
  const cfg = join(o.dir, 'haproxy.cfg');
  writeFileSync(cfg, renderHaproxyConfig(readFileSync(HAPROXY_TEMPLATE, 'utf8'), o.replicas.length));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LAYER_FRONT: `${o.front.host}:${o.front.port}`,
    LAYER_STATS: `${o.stats.host}:${o.stats.port}`,
  };
  o.replicas.forEach((address, i) => (env[`LAYER_REPLICA_${i + 1}`] = address));
  const check = spawnSync(o.bin, ['-c', '-q', '-f', cfg], { env, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy refuses ${cfg}: ${check.stderr || check.stdout}`);
  // -db: stay in the foreground, so the process is ours to stop.
  const child = spawn(o.bin, ['-db', '-f', cfg], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  // Stopped by stop(), not by the terminal's Ctrl-C (its own process group), and never left behind.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://${o.front.host}:${o.front.port}`;
  const statsUrl = `http://${o.stats.host}:${o.stats.port}/stats`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited at start (${child.exitCode}): ${stderr}`);
    const up = await fetch(`${statsUrl};csv`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not listen on ${statsUrl} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    statsUrl,
    process: child,
    async serverStats() {
      const csv = await (await fetch(`${statsUrl};csv`)).text();
      const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
      const cols = header!.split(',');
      const [px, sv, status, stot, wredis] = ['pxname', 'svname', 'status', 'stot', 'wredis'].map((c) => cols.indexOf(c));
      const stats: Record<string, ServerStats> = {};
      for (const row of rows) {
        const f = row.split(',');
        if (f[px!] === 'replicas' && f[sv!] !== 'BACKEND')
          stats[f[sv!]!] = { status: f[status!]!, sessions: Number(f[stot!]), redispatched: Number(f[wredis!] || 0) };
      }
      return stats;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
