// SIGTERM to one replica while requests keep coming through HAProxy and a few are in flight on
// the replica itself (ERP slowed, so they are still running when the signal comes). Records what
// every request got, what /readyz said on a new connection (as HAProxy's checks open one), whether
// the port still took new connections, what HAProxy made of the replica, and how it exited.
import { get } from 'node:http';
import type { Replica } from '../../../scripts/cluster/cluster.js';
import { waitFor } from '../../support/wait-for.js';
import type { ClusterHarness } from './cluster-harness.js';

export interface DrainResult {
  /** /readyz on a new connection after SIGTERM, and its problem detail. */
  readiness: { status: number; detail?: string };
  /** /healthz on a new connection while readiness fails: the port still serves. */
  newConnectionWhileDraining: number;
  proxyStateWhileDraining: string;
  /** Requests HAProxy sent the replica between marking it DOWN and its exit. */
  sentAfterDown: number;
  /** Requests HAProxy had to retry on another replica because this one refused or dropped them. */
  redispatched: number;
  /** Statuses of the requests sent straight to the replica just before SIGTERM. */
  inFlight: number[];
  /** Statuses (0: no answer) of every request sent through HAProxy from SIGTERM until the replica exited. */
  viaProxy: number[];
  exitCode: number | null;
}

const status = (res: Promise<Response>): Promise<number> =>
  res.then(
    async (r) => {
      await r.arrayBuffer();
      return r.status;
    },
    () => 0,
  );

/** GET on a connection of its own (no keep-alive pool), as a load balancer's health check makes it; 0 if refused. */
function freshGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

export async function drainUnderLoad(h: ClusterHarness, replica: Replica, engagementId: string): Promise<DrainResult> {
  const headers = await h.auth('erp:read');
  const path = `/system/erp/v1/projects/${engagementId}`;
  await h.faults('erp', { latencyMs: 300, latencyJitterMs: 0 });
  try {
    const before = (await h.cluster.haproxy.serverStats())[replica.name];
    const inFlight = [1, 2, 3].map(() => status(fetch(`${replica.url}${path}`, { headers })));
    await new Promise((resolve) => setTimeout(resolve, 50)); // accepted and waiting on ERP
    const exit = new Promise<number | null>((resolve) => replica.process.once('exit', (code) => resolve(code)));
    replica.process.kill('SIGTERM');
    let stopped = false;
    void exit.then(() => (stopped = true));
    const viaProxy: number[] = [];
    const load = [1, 2, 3, 4].map(async () => {
      while (!stopped) viaProxy.push(await status(fetch(`${h.cluster.url}${path}`, { headers })));
    });
    const ready = await waitFor(() => freshGet(`${replica.url}/readyz`), {
      until: (r) => r.status !== 200,
      what: `${replica.name}'s readiness to change after SIGTERM`,
      timeoutMs: 10_000,
    });
    const newConnection = await freshGet(`${replica.url}/healthz`);
    const down = await waitFor(() => h.cluster.haproxy.serverStats(), {
      until: (s) => /^DOWN/.test(s[replica.name]?.status ?? '') || stopped,
      what: `HAProxy to take ${replica.name} out of rotation`,
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const exitCode = await exit;
    await Promise.all(load);
    const after = (await h.cluster.haproxy.serverStats())[replica.name];
    return {
      readiness: { status: ready.status, detail: ready.status ? (JSON.parse(ready.body) as { detail?: string }).detail : undefined },
      newConnectionWhileDraining: newConnection.status,
      proxyStateWhileDraining: down[replica.name]?.status ?? 'unknown',
      sentAfterDown: (after?.sessions ?? 0) - (down[replica.name]?.sessions ?? 0),
      redispatched: (after?.redispatched ?? 0) - (before?.redispatched ?? 0),
      inFlight: await Promise.all(inFlight),
      viaProxy,
      exitCode,
    };
  } finally {
    await h.faults('erp', null);
  }
}
