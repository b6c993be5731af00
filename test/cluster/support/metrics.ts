// What the replicas report on /metrics, summed over them (each counts only its own rounds).
import { RECONCILE_JOB } from '../../../process-apis/index.js';
import type { ClusterHarness } from './cluster-harness.js';

/** layer_schedule_rounds_total of the reconciliation poll, summed over the replicas' /metrics. */
export async function reconcileRounds(h: ClusterHarness): Promise<{ ran: number; skipped: number }> {
  const ops = await h.auth('ops:read');
  const rounds = { ran: 0, skipped: 0 };
  for (const replica of h.cluster.replicas) {
    const text = await (await fetch(`${replica.url}/metrics`, { headers: ops })).text();
    for (const outcome of ['ran', 'skipped'] as const) {
      const line = text.split('\n').find((l) => l.startsWith(`layer_schedule_rounds_total{job="${RECONCILE_JOB}",outcome="${outcome}"}`));
      rounds[outcome] += Number(line?.split(' ').at(-1) ?? 0);
    }
  }
  return rounds;
}
