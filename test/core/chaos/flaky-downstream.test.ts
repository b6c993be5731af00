// Proof under faults (c): a downstream that fails 30% of calls (half of them after applying
// the effect, so the response is lost) and sometimes answers 429 with Retry-After: every run
// completes, none twice, and no effect is applied twice.
import { afterAll, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../support/stores.js';
import { BreakerRegistry } from '../../../core/resilience/breakers.js';
import { seededRandom } from '../../../core/resilience/backoff.js';
import { WorkflowEngine } from '../../../core/workflows/index.js';
import { CHAOS_STEPS, chaosWorkflow } from './steps.js';
import { startDownstream } from './downstream.js';
import { waitFor } from '../../support/wait-for.js';

const RUNS = 30;

describe.each(testEngines())('workflows against a flaky, throttling downstream on $name', (engine) => {
  afterAll(() => engine.cleanup());

  it('completes all runs once despite 30% failures and 429s', { timeout: 60_000 }, async () => {
    const store = await migratedStore(engine);
    const downstream = await startDownstream({ seed: 4242, failureRate: 0.3, throttleRate: 0.08, delayMs: [0, 5] });
    const wf = new WorkflowEngine({
      store,
      definitions: [chaosWorkflow(downstream.url, { maxAttempts: 40, baseDelayMs: 10, maxDelayMs: 200 })],
      breakers: new BreakerRegistry({ threshold: 6, halfOpenAfterMs: 200 }),
      concurrency: 8,
      pollMs: 20,
      random: seededRandom(7),
    });
    try {
      const started = [];
      for (let job = 0; job < RUNS; job++) started.push(await wf.startRun('chaos-provision', { job }, { runKey: `job-${job}` }));
      // Asking again for the same business keys changes nothing.
      for (let job = 0; job < RUNS; job++)
        expect((await wf.startRun('chaos-provision', { job }, { runKey: `job-${job}` })).created).toBe(false);
      wf.start();
      await waitFor(() => store.db.selectFrom('workflow_runs').select('id').where('state', 'not in', ['completed', 'failed']).execute(), {
        until: (open) => open.length === 0,
        what: 'every run to finish',
        timeoutMs: 50_000,
        intervalMs: 100,
      });
      await wf.stop();

      const runs = await store.db.selectFrom('workflow_runs').selectAll().execute();
      expect(runs).toHaveLength(RUNS);
      expect(runs.filter((r) => r.state !== 'completed').map((r) => `${r.run_key}:${r.state}`)).toEqual([]);
      const expectedKeys = runs.flatMap((r) => CHAOS_STEPS.map((s) => `${r.id}:${s}`)).sort();
      expect([...downstream.effects.keys()].sort()).toEqual(expectedKeys);
      expect([...downstream.applied.values()].every((n) => n === 1)).toBe(true);
      for (const run of runs) {
        const result = JSON.parse(run.result ?? '{}') as Record<string, string>;
        for (const step of CHAOS_STEPS) expect(result[step]).toBe(downstream.effects.get(`${run.id}:${step}`));
      }
      const completed = await store.db
        .selectFrom('event_outbox')
        .select('subject')
        .where('type', '=', 'workflow.chaos-provision.run.completed')
        .execute();
      expect(completed).toHaveLength(RUNS);
      // The faults really happened.
      expect(downstream.statuses.get(500) ?? 0).toBeGreaterThan(5);
      expect(downstream.statuses.get(429) ?? 0).toBeGreaterThan(0);
      const steps = await store.db.selectFrom('workflow_steps').select(['attempts', 'errors']).execute();
      expect(steps.some((s) => (JSON.parse(s.errors) as Array<{ retryAfterMs?: number }>).some((e) => e.retryAfterMs === 1000))).toBe(true);
      console.info(
        `[chaos c/${engine.name}] statuses ${JSON.stringify(Object.fromEntries(downstream.statuses))}, ${downstream.effects.size} effects`,
      );
    } finally {
      await wf.stop();
      await downstream.close();
      await store.close();
    }
  });
});
