// The cost of the gateway beside its peers: the same authenticated JSON GET through bare node:http,
// Express alone, a Fastify 5 pipeline doing comparable work, HAProxy 2.6 with native JWT checks in
// front of a bare backend (when installed), and this gateway. Saturation in alternating rounds
// (req/s, p50/p99, server CPU per request), then each server at half its own saturation (p50/p99).
// `npm run bench -- gateway [--seconds=4] [--rounds=3] [--connections=16] [--profile=<dir>]`.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { exportSPKI, importJWK } from 'jose';

type KeyObjectOrCryptoKey = Parameters<typeof exportSPKI>[0];
import { AUDIENCE, ISSUER, makeKey, token } from '../test/gateway/support.js';
import { printStageShares } from './peers/profile-stages.js';
import { findHaproxy, procCpuUs, startHaproxy, type RunningHaproxy } from './peers/haproxy.js';
import { BODY, PATH, type Role, type Served } from './peers/servers.js';

/** A server under measurement: where to send the request, and its CPU time so far in µs. */
interface Contender {
  name: string;
  url: string;
  headers: Record<string, string>;
  cpuUs(): Promise<number>;
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

const SERVERS = fileURLToPath(new URL('./peers/servers.ts', import.meta.url));

function spawnRole(role: Role, env: Record<string, string>, profileDir?: string): Promise<{ child: ChildProcess; served: Served }> {
  // `--profile=<dir>` writes a V8 CPU profile of each server child there (open it in Chrome DevTools).
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${role}`] : [];
  const child = fork(SERVERS, [], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, ...env, BENCH_GATEWAY_ROLE: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (served) => resolve({ child, served: served as Served }));
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

function childCpuUs(child: ChildProcess): Promise<number> {
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

async function measure(c: Contender, connections: number, seconds: number, overallRate?: number): Promise<Figures> {
  const before = await c.cpuUs();
  const result = await autocannon({ url: c.url, headers: c.headers, connections, duration: seconds, pipelining: 1, overallRate });
  const cpu = (await c.cpuUs()) - before;
  return {
    rps: result.requests.average,
    cpuUs: cpu / Math.max(1, result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function check(c: Contender): Promise<void> {
  const res = await fetch(c.url, { headers: c.headers });
  const body = await res.text();
  if (res.status !== 200 || body !== BODY) throw new Error(`${c.name} answered ${res.status} ${body.slice(0, 200)}`);
}

const medianBy = (runs: Figures[], pick: (f: Figures) => number): number =>
  runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)];

const ms = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1)).padStart(5);
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

export async function run(args: string[]): Promise<void> {
  const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const seconds = option('seconds', 4);
  const connections = option('connections', 16);
  const rounds = option('rounds', 3);
  const fixedSeconds = option('fixed-seconds', 4);
  const warmup = 2;
  const profileDir = args.find((a) => a.startsWith('--profile='))?.split('=')[1];
  const loadBefore = loadavg();

  const key = await makeKey('ES256');
  const jwt = await token({ key, scope: 'widgets:read', clientId: 'bench-client', expiresIn: 3600 });
  const headers = { Authorization: `Bearer ${jwt}` };
  const env = { BENCH_PUBLIC_JWK: JSON.stringify(key.publicJwk) };
  const haproxyBin = findHaproxy();
  const roles: Role[] = ['bare', 'express', 'fastify', 'gateway', ...(haproxyBin ? (['backend'] as const) : [])];
  const children = new Map<Role, { child: ChildProcess; served: Served }>();
  let haproxy: RunningHaproxy | undefined;
  const contenders: Contender[] = [];
  try {
    for (const [role, spawned] of await Promise.all(roles.map(async (r) => [r, await spawnRole(r, env, profileDir)] as const)))
      children.set(role, spawned);
    const node = (role: Role, name: string, auth: boolean): Contender => {
      const { child, served } = children.get(role)!;
      return { name, url: served.url, headers: auth ? headers : {}, cpuUs: () => childCpuUs(child) };
    };
    contenders.push(node('bare', 'bare node:http', false), node('express', 'Express 5 alone', false));
    contenders.push(node('fastify', 'Fastify 5 pipeline', true));
    if (haproxyBin) {
      const backend = children.get('backend')!;
      haproxy = await startHaproxy(haproxyBin.bin, {
        backendPort: backend.served.port,
        publicKeyPem: await exportSPKI((await importJWK(key.publicJwk, 'ES256')) as KeyObjectOrCryptoKey),
        issuer: ISSUER,
        audience: AUDIENCE,
        path: PATH,
      });
      const pid = haproxy.process.pid!;
      contenders.push({
        name: 'HAProxy 2.6 + backend',
        url: haproxy.url,
        headers,
        cpuUs: async () => procCpuUs(pid) + (await childCpuUs(backend.child)),
      });
    } else {
      console.log('HAProxy skipped: no haproxy binary (/usr/sbin/haproxy or on PATH); install Debian\'s "haproxy" to measure it.');
    }
    contenders.push(node('gateway', 'this gateway', true));

    const saturated = new Map<string, Figures[]>(contenders.map((c) => [c.name, []]));
    const fixed = new Map<string, Figures>();
    for (const c of contenders) {
      await check(c);
      await measure(c, connections, warmup);
    }
    // Every server runs for the whole benchmark and is measured in alternating rounds, so that a
    // change in the machine's load affects all alike; the median round is reported.
    for (let round = 0; round < rounds; round++) {
      for (const c of contenders) saturated.get(c.name)!.push(await measure(c, connections, seconds));
    }
    // Latency where a server is meant to run: at half of its own saturation throughput.
    for (const c of contenders) {
      const rate = Math.max(1, Math.round(medianBy(saturated.get(c.name)!, (f) => f.rps) / 2));
      fixed.set(c.name, await measure(c, connections, fixedSeconds, rate));
    }
    report({ contenders, saturated, fixed, connections, warmup, rounds, seconds, fixedSeconds, loadBefore, haproxy: haproxyBin?.version });
  } finally {
    await haproxy?.close();
    for (const { child } of children.values()) {
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    }
  }
  // Each child writes its profile as it exits, so the gateway's is complete only now.
  if (profileDir) printStageShares(`${profileDir}/gateway`);
}

function report(r: {
  contenders: Contender[];
  saturated: Map<string, Figures[]>;
  fixed: Map<string, Figures>;
  connections: number;
  warmup: number;
  rounds: number;
  seconds: number;
  fixedSeconds: number;
  loadBefore: number[];
  haproxy?: string;
}): void {
  const figure = (name: string) => {
    const runs = r.saturated.get(name)!;
    const fixed = r.fixed.get(name)!;
    return {
      rps: medianBy(runs, (f) => f.rps),
      p50: medianBy(runs, (f) => f.p50),
      p99: medianBy(runs, (f) => f.p99),
      cpuUs: medianBy(runs, (f) => f.cpuUs),
      failures: runs.reduce((n, f) => n + f.errors + f.non2xx, 0) + fixed.errors + fixed.non2xx,
      fixed,
    };
  };
  console.log(
    `\nGET ${PATH} (authenticated where the server checks tokens, JSON), ${r.connections} connections; ` +
      `${r.warmup} s warm-up, ${r.rounds} alternating rounds of ${r.seconds} s (median), then ${r.fixedSeconds} s at half of each server's saturation`,
  );
  console.log(
    `load average before ${r.loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}${r.haproxy ? `; ${r.haproxy}` : ''}\n`,
  );
  console.log(
    `${'server'.padEnd(24)} ${'req/s'.padStart(8)}  ${'p50'.padStart(5)}  ${'p99'.padStart(5)}  ${'CPU/req'.padStart(8)}   │ at half: ${'req/s'.padStart(7)}  ${'p50'.padStart(5)}  ${'p99'.padStart(5)}  failures`,
  );
  const figures = new Map(r.contenders.map((c) => [c.name, figure(c.name)]));
  for (const [name, f] of figures) {
    console.log(
      `${name.padEnd(24)} ${f.rps.toFixed(0).padStart(8)}  ${ms(f.p50)}  ${ms(f.p99)}  ${f.cpuUs.toFixed(0).padStart(5)} µs   │          ${f.fixed.rps.toFixed(0).padStart(7)}  ${ms(f.fixed.p50)}  ${ms(f.fixed.p99)}  ${f.failures}`,
    );
  }
  console.log("(latencies in ms; CPU of the server processes per request; HAProxy counts its own CPU and its backend's)");
  console.log(
    `per round req/s: ${r.contenders
      .map(
        (c) =>
          `${c.name} ${r.saturated
            .get(c.name)!
            .map((f) => f.rps.toFixed(0))
            .join('/')}`,
      )
      .join('; ')}\n`,
  );
  const gateway = figures.get('this gateway')!;
  const fastify = figures.get('Fastify 5 pipeline')!;
  const express = figures.get('Express 5 alone')!;
  const bare = figures.get('bare node:http')!;
  const haproxy = figures.get('HAProxy 2.6 + backend');
  const throughput = gateway.rps / fastify.rps;
  console.log(`gateway / Fastify pipeline throughput: ${throughput.toFixed(2)}x (target >= 1.0x): ${verdict(throughput >= 1)}`);
  if (haproxy) {
    const cpu = gateway.cpuUs / haproxy.cpuUs;
    console.log(`gateway / HAProxy+backend CPU per request: ${cpu.toFixed(2)}x (target <= 2.0x): ${verdict(cpu <= 2)}`);
  } else {
    console.log('gateway / HAProxy+backend CPU per request: not measured (no haproxy)');
  }
  const p99Gap = gateway.fixed.p99 - express.fixed.p99;
  console.log(`p99 at half of saturation, gateway - Express alone: ${p99Gap.toFixed(1)} ms (target <= 2 ms): ${verdict(p99Gap <= 2)}`);
  console.log(
    `for reference: gateway / bare throughput ${(gateway.rps / bare.rps).toFixed(2)}x, gateway / Express alone ${(gateway.rps / express.rps).toFixed(2)}x; ` +
      `CPU per request gateway / Fastify ${(gateway.cpuUs / fastify.cpuUs).toFixed(2)}x\n`,
  );
}
