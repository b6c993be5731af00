// N replicas of the layer on one PostgreSQL and one Redis behind HAProxy, on this machine: the
// embedded sandboxes start once, here, outside the replicas; each replica is `gateway/main.ts`
// in its own process with the same store, Redis, signing keys and secrets, on its own port.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../core/config/index.js';
import { projectFile, PROJECT_ROOT } from '../../core/project-root.js';
import { createStore } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';
import { loadOrCreateDevKey } from '../../gateway/auth/dev-keys.js';
import { relayCrmChangeEvents } from '../../gateway/platforms.js';
import { writeSandboxesFile } from '../../gateway/sandboxes-file.js';
import { SANDBOX_PLATFORMS, startSandboxes, type RunningSandboxes } from '../../sandboxes/index.js';
import type { SandboxPlatform } from '../../sandboxes/kit/index.js';
import { findHaproxy, startHaproxy, type RunningHaproxy } from './haproxy.js';

/** The platforms whose webhooks the layer's inbox takes (process-apis/index.ts). */
const WEBHOOK_SOURCES: readonly SandboxPlatform[] = ['crm', 'scheduling', 'erp'];

export class ClusterConfigError extends Error {}

/** Replicas share one store and one rate-limit count: refuse what cannot be shared, saying why. */
export function requireSharedServices(env: NodeJS.ProcessEnv): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ClusterConfigError(
      databaseUrl
        ? `DATABASE_URL is ${databaseUrl.startsWith('sqlite:') ? 'a SQLite file' : 'not a PostgreSQL URL'}: replicas need one PostgreSQL they all share (DATABASE_URL=postgres://user@host:5432/db). SQLite is a file for one process.`
        : 'DATABASE_URL is not set: replicas need one PostgreSQL they all share (DATABASE_URL=postgres://user@host:5432/db); the embedded SQLite file is for one process.',
    );
  const redisUrl = env.REDIS_URL?.trim();
  if (!redisUrl || !/^rediss?:\/\//.test(redisUrl))
    throw new ClusterConfigError(
      'REDIS_URL is not set: replicas count rate limits in one Redis they all share (REDIS_URL=redis://host:6379).',
    );
  return { databaseUrl, redisUrl };
}

export interface Replica {
  /** 1-based, as HAProxy names it (replica1…). */
  index: number;
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  pid: number;
  /** Resolves once the process has exited. */
  exited: Promise<void>;
}

export interface ClusterOptions {
  replicas: number;
  databaseUrl: string;
  redisUrl: string;
  /** Where the shared development signing key and the rendered HAProxy configuration live. */
  varDir: string;
  /** Front (HAProxy) port; the replicas take the next N ports and the stats page the one after. 0: free ports. */
  port?: number;
  host?: string;
  /** Variables for every replica, over this process's environment (the caller's own settings). */
  env?: NodeJS.ProcessEnv;
  /** Called once the sandboxes listen and before any replica starts (tests set faults or take snapshots). */
  beforeReplicas?: (sandboxes: RunningSandboxes) => Promise<void>;
  /** Where each replica's log (stdout) and errors (stderr) go; default this process's, each line marked with the replica. */
  replicaOutput?: 'inherit' | 'ignore';
  log?: (line: string) => void;
}

export interface RunningCluster {
  url: string;
  statsUrl: string;
  sandboxes: RunningSandboxes;
  replicas: Replica[];
  haproxy: RunningHaproxy;
  /** The environment every replica got (without this process's own). */
  replicaEnv: NodeJS.ProcessEnv;
  /** A layer configuration as the replicas see it (for minting development tokens). */
  config: Config;
  /** Starts a replica again in a slot whose process has exited (as an orchestrator would), with `env` over the shared settings. */
  restart(index: number, env?: NodeJS.ProcessEnv): Promise<Replica>;
  stop(): Promise<void>;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitReady(replica: Replica, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (replica.process.exitCode !== null || replica.process.signalCode !== null)
      throw new Error(`${replica.name} exited while starting (${replica.process.exitCode ?? replica.process.signalCode})`);
    const ready = await fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`${replica.name} was not ready on ${replica.url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startCluster(o: ClusterOptions): Promise<RunningCluster> {
  if (!Number.isInteger(o.replicas) || o.replicas < 1 || o.replicas > 16) throw new ClusterConfigError('--replicas must be 1 to 16');
  const bin = findHaproxy();
  if (!bin) throw new ClusterConfigError('haproxy is not installed (Debian: apt-get install haproxy; or set HAPROXY_BIN).');
  const host = o.host ?? '127.0.0.1';
  const log = o.log ?? (() => undefined);
  const varDir = resolve(o.varDir);
  mkdirSync(varDir, { recursive: true });
  const closers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const base = o.port ?? 0;
    const ports = base
      ? { front: base, replicas: Array.from({ length: o.replicas }, (_, i) => base + 1 + i), stats: base + o.replicas + 1 }
      : {
          front: await freePort(host),
          replicas: await Promise.all(Array.from({ length: o.replicas }, () => freePort(host))),
          stats: await freePort(host),
        };
    const callerEnv = { ...process.env, ...o.env };
    // What every replica must share: the store, Redis, the cursor key, the token key, the secrets.
    const layerConfig = loadConfig({ ...callerEnv, VAR_DIR: varDir, DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl });
    const p = layerConfig.platforms;
    // As `npm run sandbox -- all` starts them: each signs its webhooks with the secret the replicas verify.
    const sandboxes = await startSandboxes({
      host,
      webhookSecrets: Object.fromEntries(SANDBOX_PLATFORMS.map((platform) => [platform, p[platform].webhookSecret])),
    });
    closers.push(() => sandboxes.close());
    // With CRM_CHANGE_EVENTS=relay the replicas take the CRM's change events as webhooks: the sandbox relays them.
    if (p.crm.changeEvents.mode === 'relay' && sandboxes.urls.crm) await relayCrmChangeEvents(sandboxes.urls.crm);
    log(
      `  Sandboxes: ${Object.entries(sandboxes.urls)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );

    // Migrate once here, so the replicas start on an up-to-date schema instead of queueing on its lock.
    const store = createStore({ databaseUrl: o.databaseUrl, poolMax: 2 });
    try {
      await migrateToLatest(store);
    } finally {
      await store.close();
    }
    // The development key, made once before any replica could race to make its own.
    if (!layerConfig.gateway.auth.jwksUrl) await loadOrCreateDevKey(varDir);
    if (o.beforeReplicas) await o.beforeReplicas(sandboxes);

    const replicaEnv: NodeJS.ProcessEnv = {
      VAR_DIR: varDir,
      HOST: host,
      DATABASE_URL: o.databaseUrl,
      REDIS_URL: o.redisUrl,
      SANDBOXES: 'off',
      CRM_BASE_URL: sandboxes.urls.crm,
      SCHEDULING_BASE_URL: sandboxes.urls.scheduling,
      TIME_BASE_URL: sandboxes.urls.time,
      ERP_BASE_URL: sandboxes.urls.erp,
      // Generated once for this cluster unless the caller set one: every replica must verify every other's cursors.
      CURSOR_SIGNING_KEY: callerEnv.CURSOR_SIGNING_KEY ?? randomBytes(32).toString('base64url'),
      // HAProxy is the one trusted hop: per-address limits see the caller behind it.
      TRUST_PROXY: callerEnv.TRUST_PROXY ?? host,
      // Long enough for HAProxy (checks 1 s apart, 2 failures) to take a draining replica out of rotation.
      SHUTDOWN_DRAIN_MS: callerEnv.SHUTDOWN_DRAIN_MS ?? '3000',
      PUBLIC_URL: callerEnv.PUBLIC_URL ?? `http://${host}:${ports.front}`,
      ...o.env,
    };
    const replicas: Replica[] = [];
    const output = o.replicaOutput === 'ignore' ? 'ignore' : 'pipe';
    const spawnReplica = (index: number, env: NodeJS.ProcessEnv = {}): Replica => {
      const port = ports.replicas[index - 1]!;
      const child = spawn(process.execPath, ['--import', 'tsx', projectFile('gateway', 'main.ts')], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...replicaEnv, ...env, PORT: String(port) },
        stdio: ['ignore', output, output],
        // A process group of its own: Ctrl-C reaches this process only, which then drains each replica once.
        detached: true,
      });
      // Each line of a replica's log and start-up text, marked with the replica it came from.
      if (output === 'pipe') {
        for (const [stream, target] of [
          [child.stdout, process.stdout],
          [child.stderr, process.stderr],
        ] as const)
          if (stream) createInterface({ input: stream }).on('line', (line) => target.write(`[replica${index}] ${line}\n`));
      }
      const exited = new Promise<void>((done) =>
        child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done()),
      );
      return { index, name: `replica${index}`, port, url: `http://${host}:${port}`, process: child, pid: child.pid!, exited };
    };
    const killReplicas = async () => {
      for (const r of replicas) if (r.process.exitCode === null && r.process.signalCode === null) r.process.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exited));
    };
    // Should this process end without stop(), the replicas (in groups of their own) must not outlive it.
    const orphanGuard = () => {
      for (const r of replicas) if (r.process.exitCode === null && r.process.signalCode === null) r.process.kill('SIGKILL');
    };
    process.once('exit', orphanGuard);
    closers.push(async () => void process.off('exit', orphanGuard)); // after the replicas have stopped
    closers.push(killReplicas);
    for (let i = 1; i <= o.replicas; i++) replicas.push(spawnReplica(i));
    await Promise.all(replicas.map((r) => waitReady(r, 90_000)));
    for (const r of replicas) log(`  ${r.name}: ${r.url} (pid ${r.pid})`);

    const haproxy = await startHaproxy({
      bin,
      dir: varDir,
      front: { host, port: ports.front },
      stats: { host, port: ports.stats },
      replicas: replicas.map((r) => `${host}:${r.port}`),
    });
    closers.push(() => haproxy.stop()); // closers run last first: the front door closes before the replicas stop
    // The platforms' webhooks go to the front door, so any replica may take each one.
    for (const source of WEBHOOK_SOURCES)
      sandboxes.subscribe(source, { url: `${haproxy.url}/webhooks/${source}`, secret: p[source].webhookSecret });
    // `npm run demo` (and people) find the sandboxes and the front door here.
    const removeFile = writeSandboxesFile(varDir, sandboxes.urls, haproxy.url);
    closers.push(async () => removeFile());

    return {
      url: haproxy.url,
      statsUrl: haproxy.statsUrl,
      sandboxes,
      replicas,
      haproxy,
      replicaEnv,
      config: layerConfig,
      async restart(index, env) {
        const old = replicas[index - 1];
        if (!old) throw new Error(`There is no replica ${index}`);
        if (old.process.exitCode === null && old.process.signalCode === null) throw new Error(`${old.name} is still running`);
        const fresh = spawnReplica(index, env);
        replicas[index - 1] = fresh;
        await waitReady(fresh, 90_000);
        return fresh;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Where the cluster keeps its key and rendered configuration by default. */
export const DEFAULT_CLUSTER_VAR_DIR = join('var', 'cluster');
