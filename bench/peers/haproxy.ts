// Runs HAProxy (Debian's 2.6, /usr/sbin/haproxy or on PATH) with bench/peers/haproxy.cfg in the
// foreground, in front of a backend the caller started, and reads its CPU time from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['/usr/sbin/haproxy', 'haproxy'];

/** The HAProxy binary and its version line, or undefined when none runs here. */
export function findHaproxy(): { bin: string; version: string } | undefined {
  for (const bin of CANDIDATES) {
    const probe = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    if (probe.status === 0) return { bin, version: probe.stdout.split('\n')[0] };
  }
  return undefined;
}

export interface RunningHaproxy {
  url: string;
  process: ChildProcess;
  close(): Promise<void>;
}

export async function startHaproxy(
  bin: string,
  settings: { backendPort: number; publicKeyPem: string; issuer: string; audience: string; path: string },
): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'ps-bench-haproxy-'));
  const keyFile = join(dir, 'es256.pub.pem');
  writeFileSync(keyFile, settings.publicKeyPem);
  const port = await freePort();
  const values: Record<string, string> = {
    PORT: String(port),
    BACKEND_PORT: String(settings.backendPort),
    PUBLIC_KEY: keyFile,
    ISSUER: settings.issuer,
    AUDIENCE: settings.audience,
  };
  const template = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'haproxy.cfg'), 'utf8');
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => values[name]),
  );
  const child = spawn(bin, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}${settings.path}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${stderr}`);
    const up = await fetch(url).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not listen within 10 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    process: child,
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User + system CPU time of a process, in µs, from /proc/<pid>/stat (clock-tick resolution). */
export function procCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
}
