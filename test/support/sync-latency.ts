// The journeys' sync latency as tests count it. A run's observation follows its commit (a failed
// commit must not count), so a test that has seen the run completed waits for the observation.
import type { Registry } from 'prom-client';
import { waitFor } from './wait-for.js';

/** How many sync latencies the registry holds for the journey (the histogram's count). */
export async function syncLatencyCount(metrics: Registry | (() => Promise<string>), journey: string): Promise<number> {
  const text = typeof metrics === 'function' ? await metrics() : await metrics.metrics();
  const line = new RegExp(`^layer_journey_sync_latency_seconds_count\\{journey="${journey}"\\} (\\d+)$`, 'm').exec(text);
  return Number(line?.[1] ?? 0);
}

/**
 * The count once it reaches `atLeast` (or what it is after a few seconds): the caller asserts it
 * exactly, so a second observation for one run fails as surely as a missing one.
 */
export async function settledSyncLatencyCount(
  metrics: Registry | (() => Promise<string>),
  journey: string,
  atLeast: number,
): Promise<number> {
  return waitFor(() => syncLatencyCount(metrics, journey), {
    until: (n) => n >= atLeast,
    what: `${atLeast} sync latency observations of ${journey}`,
    timeoutMs: 5_000,
  }).catch(() => syncLatencyCount(metrics, journey));
}
