// The cost of the gateway pipeline: the same small authenticated JSON GET through the full
// gateway (request id, trace, helmet, JWT, rate limit, version routing, contract validation,
// scopes, logging, metrics) and through a bare node:http server returning the same body.
// Each server runs in its own child process so that autocannon, in this process, does not
// share an event loop with it. Target: the gateway at >= 0.5x the bare server's throughput.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { pino } from 'pino';

const PATH = '/system/widgets/v3/widgets/w-1';
const BODY = JSON.stringify({ id: 'w-1', name: 'First widget' });

type Role = 'bare' | 'express' | 'gateway';
const ROLES: readonly Role[] = ['bare', 'express', 'gateway'];

interface Target {
  url: string;
  headers: Record<string, string>;
}

/** Child process: serve one target and report its URL (and a token) to the parent. */
async function serve(role: Role): Promise<void> {
  // The parent asks for this process's CPU time around each round: CPU per request is the
  // server's own cost, which (unlike req/s) other load on a shared machine barely changes.
  process.on('message', (msg) => {
    if (msg === 'cpu') process.send!({ cpu: process.cpuUsage() });
  });
  if (role === 'express') {
    // Reference only: Express 5 with the same route and nothing else, the framework's own floor.
    const { default: express } = await import('express');
    const app = express();
    app.get(PATH, (_req, res) => {
      res.type('json').send(BODY);
    });
    process.on('disconnect', () => process.exit(0));
    const server = app.listen(0, '127.0.0.1', () =>
      process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`, headers: {} }),
    );
    return;
  }
  if (role === 'bare') {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
    process.on('disconnect', () => process.exit(0));
    server.listen(0, '127.0.0.1', () =>
      process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`, headers: {} }),
    );
    return;
  }
  const { loadConfig } = await import('../core/config/index.js');
  const { createLogger } = await import('../core/observability/logger.js');
  const { start } = await import('../gateway/server.js');
  const { makeKey, startJwks, token, fixtureCatalogue, ISSUER, AUDIENCE } = await import('../test/gateway/support.js');
  const { widgetModules } = await import('../test/gateway/fixtures/widgets-module.js');
  const key = await makeKey('ES256');
  const jwks = await startJwks([key]);
  const dir = mkdtempSync(join(tmpdir(), 'ps-bench-'));
  const loaded = loadConfig({
    NODE_ENV: 'development',
    PORT: '0',
    VAR_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'layer.db')}`,
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    // Both limiters run on every request but never refuse: the benchmark is one address and one consumer.
    RATE_LIMIT_LIMIT: '1000000000',
    RATE_LIMIT_ADDRESS_LIMIT: '1000000000',
    SANDBOXES: 'off', // the embedded platform sandboxes would share this process's CPU
  });
  // Production behaviour (no response validation, no internals) without the production-only
  // platform credentials the config would demand; the benchmark calls no platform.
  const config = { ...loaded, runtime: { ...loaded.runtime, nodeEnv: 'production' as const } };
  // The production logger (format, redaction, ISO time) at info level, one access line per request,
  // written synchronously as pino writes to stdout, but to /dev/null so the terminal stays readable.
  const logger = createLogger({ nodeEnv: 'production', logLevel: 'info' }, 'ps-layer', pino.destination({ dest: '/dev/null', sync: true }));
  const gw = await start(config, { catalogue: await fixtureCatalogue(), apis: widgetModules, layers: { infra: { logger } } });
  const jwt = await token({ key, scope: 'widgets:read', clientId: 'bench-client', expiresIn: 3600 });
  process.on('disconnect', () => {
    void gw
      .close()
      .then(() => jwks.close())
      .then(() => rmSync(dir, { recursive: true, force: true }))
      .then(() => process.exit(0));
  });
  process.send!({ url: `${gw.url}${PATH}`, headers: { Authorization: `Bearer ${jwt}` } });
}

function spawnTarget(role: Role, profileDir?: string): Promise<{ child: ChildProcess; target: Target }> {
  // `--profile=<dir>` writes a V8 CPU profile of each server child there (open it in Chrome DevTools).
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${role}`] : [];
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, BENCH_GATEWAY_ROLE: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (target) => resolve({ child, target: target as Target }));
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

interface Figures {
  rps: number;
  /** Server CPU time (user + system) per request answered, in µs. */
  cpuUs: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (msg: unknown) => {
      const cpu = (msg as { cpu?: NodeJS.CpuUsage }).cpu;
      if (!cpu) return;
      child.off('message', onMessage);
      resolve(cpu.user + cpu.system);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

async function measure(target: Target, child: ChildProcess, connections: number, seconds: number): Promise<Figures> {
  const before = await cpuOf(child);
  const result = await autocannon({ url: target.url, headers: target.headers, connections, duration: seconds, pipelining: 1 });
  const cpu = (await cpuOf(child)) - before;
  return {
    rps: result.requests.average,
    cpuUs: cpu / Math.max(1, result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function check(target: Target): Promise<void> {
  const res = await fetch(target.url, { headers: target.headers });
  const body = await res.text();
  if (res.status !== 200 || body !== BODY) throw new Error(`${target.url} answered ${res.status} ${body.slice(0, 200)}`);
}

function cpuMedian(runs: Figures[]): number {
  return [...runs].sort((a, b) => a.cpuUs - b.cpuUs)[Math.floor(runs.length / 2)].cpuUs;
}

function median(runs: Figures[]): Figures {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
}

export async function run(args: string[]): Promise<void> {
  const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const seconds = option('seconds', 4);
  const connections = option('connections', 16);
  const rounds = option('rounds', 3);
  const warmup = 2;
  // Both servers run for the whole benchmark and are measured in alternating rounds, so that
  // a change in the machine's load affects both sides alike; the median round is reported.
  const profileDir = args.find((a) => a.startsWith('--profile='))?.split('=')[1];
  const children = await Promise.all(ROLES.map((role) => spawnTarget(role, profileDir)));
  const targets = Object.fromEntries(ROLES.map((role, i) => [role, children[i].target])) as Record<Role, Target>;
  const childOf = Object.fromEntries(ROLES.map((role, i) => [role, children[i].child])) as Record<Role, ChildProcess>;
  const runs: Record<Role, Figures[]> = { bare: [], express: [], gateway: [] };
  try {
    for (const role of ROLES) {
      await check(targets[role]);
      await measure(targets[role], childOf[role], connections, warmup);
    }
    for (let round = 0; round < rounds; round++) {
      for (const role of ROLES) runs[role].push(await measure(targets[role], childOf[role], connections, seconds));
    }
  } finally {
    for (const { child } of children) {
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    }
  }
  const bare = median(runs.bare);
  const gateway = median(runs.gateway);
  const bareExpress = median(runs.express);
  const row = (name: string, f: Figures) =>
    `${name.padEnd(22)} ${f.rps.toFixed(0).padStart(9)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   ${cpuMedian(runs[roleOf(name)]).toFixed(0).padStart(5)} µs CPU/req   errors ${f.errors}  non-2xx ${f.non2xx}`;
  const roleOf = (name: string): Role => (name.startsWith('bare') ? 'bare' : name.startsWith('full') ? 'gateway' : 'express');
  console.log(
    `\nGET ${PATH} (authenticated, JSON), ${connections} connections, ${warmup} s warm-up, ${rounds} alternating rounds of ${seconds} s; median round\n`,
  );
  console.log(row('bare node:http', bare));
  console.log(row('full gateway pipeline', gateway));
  console.log(row('(ref) express 5 only', bareExpress));
  console.log(`\nper round (req/s): ${ROLES.map((r) => `${r} ${runs[r].map((f) => f.rps.toFixed(0)).join(' / ')}`).join('; ')}`);
  console.log(
    `express 5 alone / bare: ${(bareExpress.rps / bare.rps).toFixed(2)}x; gateway / express 5 alone: ${(gateway.rps / bareExpress.rps).toFixed(2)}x`,
  );
  const [cpuBare, cpuExpress, cpuGateway] = [cpuMedian(runs.bare), cpuMedian(runs.express), cpuMedian(runs.gateway)];
  // On a machine with spare cores req/s is bounded by the server's CPU per request; the CPU
  // ratio is what the throughput ratio converges to when the client and other load stop competing.
  console.log(
    `server CPU per request: bare ${cpuBare.toFixed(0)} µs, express ${cpuExpress.toFixed(0)} µs, gateway ${cpuGateway.toFixed(0)} µs; ` +
      `CPU ratio bare/gateway ${(cpuBare / cpuGateway).toFixed(2)}x, bare/express ${(cpuBare / cpuExpress).toFixed(2)}x`,
  );
  const ratio = gateway.rps / bare.rps;
  console.log(`ratio gateway/bare: ${ratio.toFixed(2)}x (target >= 0.50x) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}\n`);
}

const role = process.env.BENCH_GATEWAY_ROLE;
if (role && (ROLES as readonly string[]).includes(role)) await serve(role as Role);
