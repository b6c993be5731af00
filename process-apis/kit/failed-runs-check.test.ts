// The failed-runs check on both engines: only failed runs of the named workflows become findings,
// each with its business record, step, error and open dead letter; the repair retries the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import { insertRun } from '../../test/support/workflow-runs.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { failedRunsCheck } from './failed-runs-check.js';

describe.each(testEngines())('failed runs check on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });

  const run = (definition: string, state: 'failed' | 'completed' | 'running', input: unknown) =>
    insertRun(store.db, {
      definition,
      state,
      input,
      currentStep: 'create-erp-project',
      // As the engine records it (core/workflows/execute.ts).
      error:
        state === 'failed'
          ? JSON.stringify({
              step: 'create-erp-project',
              attempts: 5,
              name: 'upstream-unavailable',
              message: 'ERP answered 503 five times',
            })
          : null,
      createdAt: Date.now() - 60_000,
      updatedAt: Date.now() - 30_000,
    }).then(async (id) => {
      const now = Date.now();
      await store.db
        .insertInto('workflow_steps')
        .values({
          run_id: id,
          name: 'create-erp-project',
          position: 0,
          state: state === 'failed' ? 'failed' : 'completed',
          errors: '[]',
          result: null,
          started_at_ms: now,
          finished_at_ms: now,
        })
        .execute();
      return id;
    });

  it('finds failed runs of its workflows only, names the record, the step and the open dead letter, and retries on repair', async () => {
    const failed = await run('provision', 'failed', { opportunityId: 'opp-1' });
    await run('provision', 'completed', { opportunityId: 'opp-2' });
    await run('provision.intake', 'failed', { opportunityId: 'opp-3' });
    const letter = await store.db
      .insertInto('workflow_dead_letters')
      .values({
        run_id: failed,
        definition: 'provision',
        step: 'create-erp-project',
        input: '{}',
        errors: '[]',
        state: 'open',
        created_at_ms: Date.now(),
        replayed_at_ms: null,
        discard_reason: null,
        discarded_by: null,
        discard_correlation_id: null,
        discarded_at_ms: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let kicked = 0;
    const check = failedRunsCheck({
      name: 'provisioning-runs',
      journey: 'opportunity-to-project',
      question: 'failed-provisioning',
      type: 'provisioning-run-failed',
      db: store.db,
      workflows: ['provision'],
      describe: (r) => ({
        records: [{ platform: 'crm', entity: 'opportunity', id: String((r.input as { opportunityId: string }).opportunityId) }],
        title: `Provisioning of ${(r.input as { opportunityId: string }).opportunityId} failed`,
        moneyAtRisk: { amountMinor: 4_800_000, currency: 'EUR' },
      }),
      kick: () => kicked++,
    });
    let compared = 0;
    expect(await check.estimate!()).toBe(1);
    const findings = await check.run({ now: new Date(), compared: (n) => (compared += n), signal: new AbortController().signal });
    expect(findings, 'one finding: the failed run of the named workflow').toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      type: 'provisioning-run-failed',
      key: failed,
      title: 'Provisioning of opp-1 failed',
      moneyAtRisk: { amountMinor: 4_800_000, currency: 'EUR' },
      repair: { safe: false, action: 'retry-run' },
      run: { runId: failed, workflow: 'provision', step: 'create-erp-project', state: 'failed', deadLetterId: Number(letter.id) },
    });
    expect(finding!.detail, 'the error in words').toContain(
      'failed at step create-erp-project: ERP answered 503 five times (upstream-unavailable)',
    );
    expect(finding!.records.map((r) => `${r.platform}:${r.entity}:${r.id}`)).toEqual(['crm:opportunity:opp-1', `layer:run:${failed}`]);
    expect(compared, 'records compared reported').toBe(1);

    expect(await check.repair({ ...finding!, exceptionId: newId() }, { consumer: 'ops' })).toEqual({ runId: failed });
    const after = await store.db.selectFrom('workflow_runs').select('state').where('id', '=', failed).executeTakeFirstOrThrow();
    expect(after.state, 'the repair resumed the run').toBe('pending');
    expect(kicked, 'the engine was woken').toBe(1);
    expect(
      await check.run({ now: new Date(), compared: () => {}, signal: new AbortController().signal }),
      'nothing failed any more',
    ).toEqual([]);
  });
});
