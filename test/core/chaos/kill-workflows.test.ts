// Proof under faults (a): a worker process is SIGKILLed at random points mid-step and
// restarted; in the end every run completed exactly once and the downstream applied each
// step's effect once, although it may have seen a step's request more than once.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../support/stores.js';
import { createStore } from '../../../core/store/index.js';
import { seededRandom } from '../../../core/resilience/backoff.js';
import { CHAOS_STEPS } from './steps.js';
import { startDownstream } from './downstream.js';

const here = dirname(fileURLToPath(import.meta.url));
const JOBS = 60;
const KILLS = 6;

function spawnWorker(databaseUrl: string, downstreamUrl: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(here, 'workflow-worker.ts'), databaseUrl, downstreamUrl, String(JOBS)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('workflow worker killed mid-step (SQLite file shared with a child process)', () => {
  const sqlite = testEngines().find((e) => e.name === 'sqlite')!;
  afterAll(() => sqlite.cleanup());

  it('completes every run exactly once with no duplicated downstream effect', { timeout: 240_000 }, async () => {
    const setup = await migratedStore(sqlite);
    const databaseUrl = `sqlite:${setup.location}`;
    await setup.close();
    const downstream = await startDownstream({ seed: 1234, delayMs: [20, 60] });
    const random = seededRandom(99);
    let killsWithWorkLeft = 0;
    const totalRequests = () => [...downstream.requests.values()].reduce((a, b) => a + b, 0);
    try {
      for (let k = 0; k < KILLS; k++) {
        const child = spawnWorker(databaseUrl, downstream.url);
        // Let the worker get going (a few downstream calls, bounded wait), then kill it at a random moment.
        const seen = totalRequests();
        for (let i = 0; i < 400 && totalRequests() < seen + 4; i++) await new Promise((r) => setTimeout(r, 50));
        // Stays: the kill lands at a random moment on purpose (the chaos), not a wait for something.
        await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
        child.kill('SIGKILL');
        await exited(child);
        const probe = createStore({ databaseUrl });
        const open = await probe.db.selectFrom('workflow_runs').select('id').where('state', '!=', 'completed').execute();
        const total = await probe.db.selectFrom('workflow_runs').select('id').execute();
        await probe.close();
        if (open.length > 0 || total.length < JOBS) killsWithWorkLeft++;
      }
      const last = spawnWorker(databaseUrl, downstream.url);
      const timer = setTimeout(() => last.kill('SIGKILL'), 60_000);
      const code = await exited(last);
      clearTimeout(timer);
      expect(code).toBe(0);
    } finally {
      await downstream.close();
    }

    const store = createStore({ databaseUrl });
    try {
      const runs = await store.db.selectFrom('workflow_runs').selectAll().execute();
      expect(runs).toHaveLength(JOBS);
      expect(new Set(runs.map((r) => r.run_key)).size).toBe(JOBS);
      expect(runs.every((r) => r.state === 'completed')).toBe(true);
      // Each step's checkpointed result is the one effect the downstream applied for its key.
      const expectedKeys = runs.flatMap((r) => CHAOS_STEPS.map((s) => `${r.id}:${s}`));
      expect([...downstream.effects.keys()].sort()).toEqual([...expectedKeys].sort());
      expect([...downstream.applied.values()].every((n) => n === 1)).toBe(true);
      for (const run of runs) {
        const result = JSON.parse(run.result ?? '{}') as Record<string, string>;
        for (const step of CHAOS_STEPS) expect(result[step]).toBe(downstream.effects.get(`${run.id}:${step}`));
      }
      // Exactly one completion event per run.
      const completed = await store.db
        .selectFrom('event_outbox')
        .select('subject')
        .where('type', '=', 'workflow.chaos-provision.run.completed')
        .execute();
      expect(completed.map((e) => e.subject).sort()).toEqual(runs.map((r) => r.id).sort());
      // The kills really landed mid-step while work remained (otherwise this test would prove
      // nothing): some step requests were sent again after a kill, and applied once.
      expect(killsWithWorkLeft).toBeGreaterThanOrEqual(KILLS - 1);
      const requests = totalRequests();
      expect(requests).toBeGreaterThan(downstream.effects.size);
      console.info(
        `[chaos a] ${KILLS} kills (${killsWithWorkLeft} with work left), ${requests} downstream requests for ${downstream.effects.size} effects`,
      );
    } finally {
      await store.close();
    }
  });
});
