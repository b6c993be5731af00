// SIGTERM to one replica while requests keep coming through HAProxy and a few are in flight on
// the replica itself (ERP slowed, so they are still running when the signal comes). Records what
// every request got, what /readyz and HAProxy said meanwhile, and how the replica exited.
import type { Replica } from '../../../scripts/cluster/cluster.js';
import { waitFor } from '../../support/wait-for.js';
import type { ClusterHarness } from './cluster-harness.js';

export interface DrainResult {
  readinessWhileDraining: number;
  proxyStateWhileDraining: string;
  /** Requests HAProxy sent the replica between marking it DOWN and its exit. */
  sentAfterDown: number;
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

export async function drainUnderLoad(h: ClusterHarness, replica: Replica, engagementId: string): Promise<DrainResult> {
  const headers = await h.auth('erp:read');
  const path = `/system/erp/v1/projects/${engagementId}`;
  await h.faults('erp', { latencyMs: 300, latencyJitterMs: 0 });
  try {
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
    const readiness = await waitFor(() => status(fetch(`${replica.url}/readyz`)), {
      until: (s) => s === 503,
      what: `${replica.name}'s readiness to fail while it drains`,
      timeoutMs: 10_000,
    });
    const down = await waitFor(() => h.cluster.haproxy.serverStats(), {
      until: (s) => /^DOWN/.test(s[replica.name]?.status ?? '') || stopped,
      what: `HAProxy to take ${replica.name} out of rotation`,
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const exitCode = await exit;
    await Promise.all(load);
    const after = await h.cluster.haproxy.serverStats();
    return {
      readinessWhileDraining: readiness,
      proxyStateWhileDraining: down[replica.name]?.status ?? 'unknown',
      sentAfterDown: (after[replica.name]?.sessions ?? 0) - (down[replica.name]?.sessions ?? 0),
      inFlight: await Promise.all(inFlight),
      viaProxy,
      exitCode,
    };
  } finally {
    await h.faults('erp', null);
  }
}
