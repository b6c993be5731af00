// The durable runner on both engines: checkpoints, stable idempotency keys, retries with
// Retry-After, dead letters and operator actions, cancel with compensation, breakers,
// run-key de-duplication, takeover of a dead holder's run, queries and outcome events.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { ProblemError } from '../problems.js';
import { BreakerRegistry } from '../resilience/breakers.js';
import { PermanentError, TransientError, WaitingError } from '../resilience/errors.js';
import { withTransaction, type Store } from '../store/index.js';
import { CircuitState } from 'cockatiel';
import { Registry } from 'prom-client';
import {
  cancelRun,
  defineWorkflow,
  discardDeadLetter,
  promWorkflowMetrics,
  getRun,
  listDeadLetters,
  listRuns,
  replayDeadLetter,
  retryRun,
  stepResults,
  workflow,
  WorkflowEngine,
  type StepContext,
  type StepResults,
  type WorkflowDefinition,
} from './index.js';

type Input = { opportunityId: string };
const fast = { baseDelayMs: 1, maxDelayMs: 2 };

describe.each(testEngines())('workflows on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  const settle = async (wf: WorkflowEngine, rounds = 200) => {
    for (let i = 0; i < rounds; i++) {
      await wf.drain();
      const open = await store.db
        .selectFrom('workflow_runs')
        .select('id')
        .where('state', 'in', ['pending', 'waiting', 'running'])
        .execute();
      if (open.length === 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('runs the steps in order, hands each the earlier results and a stable key, and emits completion', async () => {
    const calls: Array<{ step: string; key: string; results: unknown }> = [];
    const record = (step: string) => async (ctx: StepContext<Input>) => {
      calls.push({ step, key: ctx.idempotencyKey, results: ctx.results });
      return { [`${step}Id`]: `${step}-for-${ctx.input.opportunityId}` };
    };
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow<Input>({
          name: 'provision',
          steps: [
            { name: 'client', run: record('client') },
            { name: 'project', run: record('project') },
          ],
        }),
      ],
    });
    const started = await wf.startRun('provision', { opportunityId: 'opp-1' }, { runKey: 'opp-1' });
    await settle(wf);
    const run = await getRun(store.db, started.id);
    expect(run.state).toBe('completed');
    expect(run.result).toEqual({ client: { clientId: 'client-for-opp-1' }, project: { projectId: 'project-for-opp-1' } });
    expect(calls).toEqual([
      { step: 'client', key: `${started.id}:client`, results: {} },
      { step: 'project', key: `${started.id}:project`, results: { client: { clientId: 'client-for-opp-1' } } },
    ]);
    expect(run.steps.map((s) => [s.name, s.state, s.attempts])).toEqual([
      ['client', 'completed', 1],
      ['project', 'completed', 1],
    ]);
    const events = await store.db.selectFrom('event_outbox').select(['type', 'envelope']).execute();
    expect(events.map((e) => e.type)).toEqual(['workflow.provision.run.completed']);
    expect(JSON.parse(events[0].envelope).data).toMatchObject({ runId: started.id, runKey: 'opp-1' });
  });

  it('records a refusal as the outcome of a completed run, apart from runs that did their work', async () => {
    const registry = new Registry();
    const wf = new WorkflowEngine({
      store,
      metrics: promWorkflowMetrics(registry),
      definitions: [
        workflow<Input>({ name: 'provision-or-refuse' })
          .step('validate', { run: async ({ input }) => ({ won: input.opportunityId !== 'opp-lost' }) })
          .step('create', { run: async ({ results }) => (results.validate.won ? { projectId: 'p-1' } : { skipped: true }) })
          .build({
            outcome: (results, input) =>
              results.validate.won ? undefined : { outcome: 'refused', reason: `/stage: ${input.opportunityId} is no longer won` },
          }),
      ],
    });
    const refused = await wf.startRun('provision-or-refuse', { opportunityId: 'opp-lost' }, { runKey: 'opp-lost' });
    const done = await wf.startRun('provision-or-refuse', { opportunityId: 'opp-won' }, { runKey: 'opp-won' });
    await settle(wf);
    const run = await getRun(store.db, refused.id);
    expect(run.state, 'a refusal is not a failure: the run completed').toBe('completed');
    expect(run.outcome, 'and says it was refused, and why').toEqual({ kind: 'refused', reason: '/stage: opp-lost is no longer won' });
    expect((await getRun(store.db, done.id)).outcome, 'a run that did its work has no outcome').toBeNull();
    const listed = (await listRuns(store.db, { definition: 'provision-or-refuse' })).runs;
    expect(listed.find((r) => r.id === refused.id)?.outcome?.kind, 'listed runs carry it too').toBe('refused');
    const events = await store.db.selectFrom('event_outbox').select(['subject', 'envelope']).where('subject', '=', refused.id).execute();
    expect(JSON.parse(events[0].envelope).data, 'the completion event says so').toMatchObject({ outcome: 'refused' });
    expect(await registry.metrics(), 'counted apart').toContain(
      'layer_workflow_run_outcomes_total{definition="provision-or-refuse",outcome="refused"} 1',
    );
  });

  it('observes the journey sync latency from the source event of runs that did their work, not of refused ones', async () => {
    const registry = new Registry();
    const hourAgo = Date.now() - 3_600_000;
    type Won = Input & { changedAtMs?: number };
    const wf = new WorkflowEngine({
      store,
      metrics: promWorkflowMetrics(registry),
      definitions: [
        workflow<Won>({ name: 'provision-timed', journey: 'opportunity-to-project' })
          .step('validate', { run: async ({ input }) => ({ won: input.opportunityId !== 'opp-lost' }) })
          .build({
            outcome: (results) => (results.validate.won ? undefined : { outcome: 'refused', reason: 'no longer won' }),
            sourceEventAt: (_results, input) => input.changedAtMs,
          }),
      ],
    });
    await wf.startRun('provision-timed', { opportunityId: 'opp-won', changedAtMs: hourAgo }, { runKey: 'opp-won' });
    await wf.startRun('provision-timed', { opportunityId: 'opp-lost', changedAtMs: hourAgo }, { runKey: 'opp-lost' });
    await wf.startRun('provision-timed', { opportunityId: 'opp-replayed' }, { runKey: 'opp-replayed' });
    await settle(wf);
    const text = await registry.metrics();
    expect(text, 'one observation: the refused run and the one without an event time are left out').toContain(
      'layer_journey_sync_latency_seconds_count{journey="opportunity-to-project"} 1',
    );
    expect(text, 'an hour and a little after the event').toContain(
      'layer_journey_sync_latency_seconds_bucket{le="3600",journey="opportunity-to-project"} 0',
    );
    expect(text).toContain('layer_journey_sync_latency_seconds_bucket{le="7200",journey="opportunity-to-project"} 1');
  });

  it('returns the same run for the same run key', async () => {
    const wf = new WorkflowEngine({ store, definitions: [defineWorkflow({ name: 'once', steps: [{ name: 'a', run: async () => 1 }] })] });
    const a = await wf.startRun('once', {}, { runKey: 'k' });
    const b = await wf.startRun('once', { different: true }, { runKey: 'k' });
    expect(b).toMatchObject({ id: a.id, created: false });
    expect((await listRuns(store.db, { definition: 'once' })).runs).toHaveLength(1);
    await expect(wf.startRun('nope', {})).rejects.toMatchObject({ type: 'not-found' });
  });

  it('retries a transient failure, waiting as long as Retry-After says', async () => {
    let calls = 0;
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow({
          name: 'ratelimited',
          retry: fast,
          steps: [
            {
              name: 'call',
              run: async () => {
                calls++;
                if (calls === 1) throw new TransientError('429', { retryAfterMs: 60_000 });
                return 'ok';
              },
            },
          ],
        }),
      ],
    });
    const { id } = await wf.startRun('ratelimited', {});
    const before = Date.now();
    await wf.drain();
    const waiting = await store.db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(waiting.state).toBe('waiting');
    expect(Number(waiting.next_attempt_ms)).toBeGreaterThanOrEqual(before + 60_000);
    await wf.drain();
    expect(calls).toBe(1);
    // Pretend the minute has passed.
    await store.db.updateTable('workflow_runs').set({ next_attempt_ms: 0 }).where('id', '=', id).execute();
    await settle(wf);
    const run = await getRun(store.db, id);
    expect(run.state).toBe('completed');
    expect(run.steps[0]).toMatchObject({ attempts: 2, errors: [{ attempt: 1, message: '429', retryAfterMs: 60_000 }] });
  });

  it('dead-letters after the last attempt, then resumes from the failed step when retried', async () => {
    const calls = { first: 0, second: 0 };
    let healthy = false;
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow({
          name: 'fragile',
          retry: { ...fast, maxAttempts: 3 },
          steps: [
            { name: 'first', run: async () => ++calls.first },
            {
              name: 'second',
              run: async () => {
                calls.second++;
                if (!healthy) throw new Error(`erp down (${calls.second})`);
                return 'posted';
              },
            },
          ],
        }),
      ],
    });
    const { id } = await wf.startRun('fragile', { invoice: 7 });
    await settle(wf);
    let run = await getRun(store.db, id);
    expect(run.state).toBe('failed');
    expect(calls).toEqual({ first: 1, second: 3 });
    const [letter] = await listDeadLetters(store.db, { state: 'open' });
    expect(letter).toMatchObject({ runId: id, step: 'second', input: { invoice: 7 }, state: 'open' });
    expect(letter.errors.map((e) => e.message)).toEqual(['erp down (1)', 'erp down (2)', 'erp down (3)']);
    expect((await store.db.selectFrom('event_outbox').select('type').execute()).map((e) => e.type)).toEqual([
      'workflow.fragile.run.failed',
    ]);

    await expect(retryRun(store.db, id)).resolves.toBeUndefined();
    await expect(retryRun(store.db, id)).rejects.toMatchObject({ type: 'conflict' });
    // Still broken: fails again into a second dead letter.
    await settle(wf);
    expect((await getRun(store.db, id)).state).toBe('failed');
    healthy = true;
    const open = await listDeadLetters(store.db, { state: 'open' });
    expect(open).toHaveLength(1);
    await replayDeadLetter(store.db, open[0].id);
    await expect(replayDeadLetter(store.db, open[0].id)).rejects.toMatchObject({ type: 'conflict' });
    await settle(wf);
    run = await getRun(store.db, id);
    expect(run.state).toBe('completed');
    expect(calls.first).toBe(1); // the completed step never re-ran
    expect(run.deadLetters.map((d) => d.state)).toEqual(['replayed', 'replayed']);
  });

  it('discards a dead letter once, with who and why, and never both replays and discards it', async () => {
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow({
          name: 'doomed',
          retry: { ...fast, maxAttempts: 1 },
          steps: [
            {
              name: 'only',
              run: async () => {
                throw new Error('gone for good');
              },
            },
          ],
        }),
      ],
    });
    const letterOf = async (runId: string) => (await getRun(store.db, runId)).deadLetters[0]!;
    const first = await wf.startRun('doomed', { n: 1 });
    const second = await wf.startRun('doomed', { n: 2 });
    await settle(wf);
    const a = await letterOf(first.id);
    const b = await letterOf(second.id);

    await expect(discardDeadLetter(store.db, a.id, { reason: '   ', by: 'ops-alice' })).rejects.toMatchObject({
      type: 'validation-failed',
    });
    const discarded = await discardDeadLetter(store.db, a.id, { reason: 'Re-entered by hand.', by: 'ops-alice', correlationId: 'req-1' });
    expect(discarded).toMatchObject({
      state: 'discarded',
      discard: { reason: 'Re-entered by hand.', by: 'ops-alice', correlationId: 'req-1' },
    });
    await expect(discardDeadLetter(store.db, a.id, { reason: 'again', by: 'ops-bob' })).rejects.toMatchObject({ type: 'conflict' });
    await expect(replayDeadLetter(store.db, a.id)).rejects.toMatchObject({ type: 'conflict' });
    await expect(discardDeadLetter(store.db, 987_654, { reason: 'x', by: 'ops-bob' })).rejects.toMatchObject({ type: 'not-found' });
    // Retrying the run itself stays possible, deliberately, and leaves the discarded letter as it is.
    await retryRun(store.db, first.id);
    await settle(wf);
    expect((await getRun(store.db, first.id)).deadLetters.map((d) => d.state)).toEqual(['discarded', 'open']);

    // A replay and a discard of one letter at the same moment: exactly one wins.
    const outcomes = await Promise.allSettled([
      replayDeadLetter(store.db, b.id),
      discardDeadLetter(store.db, b.id, { reason: 'race', by: 'ops-carol' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { type: 'conflict' } });
    expect(['replayed', 'discarded']).toContain((await letterOf(second.id)).state);
    expect((await listDeadLetters(store.db, { state: 'discarded', definition: 'doomed' })).length).toBeGreaterThanOrEqual(1);
  });

  it('fails at once on a permanent error', async () => {
    let calls = 0;
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow({
          name: 'invalid',
          retry: fast,
          steps: [
            {
              name: 'a',
              run: async () => {
                calls++;
                throw new PermanentError('contract terms invalid');
              },
            },
          ],
        }),
      ],
    });
    const { id } = await wf.startRun('invalid', {});
    await settle(wf);
    expect((await getRun(store.db, id)).state).toBe('failed');
    expect(calls).toBe(1);
  });

  it('hands each typed step the earlier results as checkpointed, with their types', async () => {
    const seen: unknown[] = [];
    const typed = workflow<Input>({ name: 'typed', retry: fast })
      .step('client', {
        run: async ({ input }) => ({ clientId: `client-for-${input.opportunityId}`, at: new Date(Date.UTC(2026, 0, 2)), note: undefined }),
      })
      .step('project', {
        async run({ results }) {
          // As persisted: the Date is its ISO string and the undefined field is gone, on the
          // first attempt exactly as after a takeover.
          expectTypeOf(results.client.at).toEqualTypeOf<string>();
          expectTypeOf(results.client.clientId).toEqualTypeOf<string>();
          // @ts-expect-error a step cannot read a step declared after it
          void results.project;
          // @ts-expect-error nor a field its predecessor does not return
          void results.client.clientName;
          seen.push(results.client);
          return { projectId: `project-of-${results.client.clientId}` };
        },
      })
      .step('write-back', {
        run: async ({ results }) => {
          expectTypeOf(results.project.projectId).toEqualTypeOf<string>();
          seen.push(results);
        },
      })
      .build();
    const once = workflow<Input>({ name: 'twice' }).step('a', { run: async () => 1 });
    // @ts-expect-error a name is declared once (and the builder refuses it at run time too)
    expect(() => once.step('a', { run: async () => 2 }).build()).toThrow(/duplicate step name a/);
    const wf = new WorkflowEngine({ store, definitions: [typed] });
    const { id } = await wf.startRun('typed', { opportunityId: 'opp-7' });
    await settle(wf);
    const run = await getRun(store.db, id);
    expect(run.state).toBe('completed');
    const client = { clientId: 'client-for-opp-7', at: '2026-01-02T00:00:00.000Z' };
    expect(seen).toEqual([client, { client, project: { projectId: 'project-of-client-for-opp-7' } }]);
    expect(run.result).toEqual({ client, project: { projectId: 'project-of-client-for-opp-7' }, 'write-back': null });
    // Views read a run's results back at the same types, and only from a run of that definition.
    const read = stepResults<StepResults<typeof typed>>(run, 'typed');
    expectTypeOf(read('project')).toEqualTypeOf<{ projectId: string } | undefined>();
    expect(read('project')).toEqual({ projectId: 'project-of-client-for-opp-7' });
    expect(() => stepResults<StepResults<typeof typed>>(run, 'provision')).toThrow(/a run of typed cannot be read as one of provision/);
  });

  describe("refusals: 'permanent'", () => {
    const failingOnce = (name: string, error: () => unknown, policy: { refusals?: 'permanent' | 'retry' } = { refusals: 'permanent' }) => {
      const calls = { n: 0 };
      const definition = workflow<Input>({ name, retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 }, ...policy })
        .step('call-platform', {
          platform: 'erp',
          run: async () => {
            calls.n++;
            if (calls.n === 1) throw error();
            return { done: calls.n };
          },
        })
        .build();
      return { calls, definition };
    };
    const runRow = (id: string) => store.db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it("fails the run at once on a 422 with the platform's reason, without counting it against the breaker", async () => {
      const refusal = () => new ProblemError('business-rule-violation', { detail: 'The subsidiary of legal entity DE01 is not mapped.' });
      const refused = failingOnce('refused', refusal);
      const retried = failingOnce(
        'retried',
        () => {
          throw refusal();
        },
        { refusals: 'retry' },
      );
      const breakers = new BreakerRegistry({ threshold: 1, halfOpenAfterMs: 60_000 });
      const wf = new WorkflowEngine({ store, breakers, definitions: [refused.definition, retried.definition] });
      const { id } = await wf.startRun('refused', { opportunityId: 'opp-1' });
      await wf.drain();
      const run = await getRun(store.db, id);
      expect(run.state).toBe('failed');
      expect(refused.calls.n).toBe(1);
      expect(run.error).toEqual({
        step: 'call-platform',
        attempts: 1,
        name: 'business-rule-violation',
        message: 'The subsidiary of legal entity DE01 is not mapped.',
      });
      expect(run.deadLetters.map((l) => l.errors.map((e) => e.name))).toEqual([['business-rule-violation']]);
      expect(breakers.state('erp')).toBe(CircuitState.Closed);

      // Without the policy the same refusal is retried with backoff like any failure.
      const other = await wf.startRun('retried', { opportunityId: 'opp-1' });
      await wf.drain();
      expect((await runRow(other.id)).state).toBe('waiting');
    });

    /** Runs the first attempt, checks the next is due `delayMs` later, then lets that time pass. */
    const retriedAfter = async (definition: WorkflowDefinition<Input>, delayMs: number) => {
      // random 0: the equal-jitter backoff is exactly half its step.
      const wf = new WorkflowEngine({ store, definitions: [definition], random: () => 0 });
      const { id } = await wf.startRun(definition.name, { opportunityId: definition.name });
      const before = Date.now();
      await wf.drain();
      const after = Date.now();
      const waiting = await runRow(id);
      expect(waiting.state).toBe('waiting');
      expect(Number(waiting.next_attempt_ms)).toBeGreaterThanOrEqual(before + delayMs);
      expect(Number(waiting.next_attempt_ms)).toBeLessThanOrEqual(after + delayMs);
      await store.db.updateTable('workflow_runs').set({ next_attempt_ms: 0 }).where('id', '=', id).execute();
      await settle(wf);
      return getRun(store.db, id);
    };

    it('waits out a 503 for as long as its Retry-After says', async () => {
      const { calls, definition } = failingOnce(
        'unavailable',
        () => new ProblemError('upstream-unavailable', { detail: 'ERP is down for maintenance.', headers: { 'Retry-After': '2' } }),
      );
      const run = await retriedAfter(definition, 2_000);
      expect(run.state).toBe('completed');
      expect(calls.n).toBe(2);
      expect(run.steps[0]).toMatchObject({
        attempts: 2,
        errors: [{ attempt: 1, name: 'upstream-unavailable', message: 'ERP is down for maintenance.', retryAfterMs: 2_000 }],
      });
    });

    it('retries a 500 with backoff', async () => {
      const { calls, definition } = failingOnce('flaky', () => new ProblemError('internal', { detail: 'ERP failed.' }));
      // Base 1 s: after a first attempt the backoff is between 500 ms and 1 s, 500 ms with random 0.
      const run = await retriedAfter(definition, 500);
      expect(run.state).toBe('completed');
      expect(calls.n).toBe(2);
      expect(run.steps[0]!.errors).toEqual([expect.objectContaining({ attempt: 1, name: 'ProblemError', message: 'ERP failed.' })]);
      expect(run.steps[0]!.errors[0]).not.toHaveProperty('retryAfterMs');
    });

    it("lets a step's own policy override the workflow's", async () => {
      let calls = 0;
      const definition = workflow<Input>({ name: 'overridden', retry: { ...fast, maxAttempts: 3 }, refusals: 'permanent' })
        .step('conflicting', {
          refusals: 'retry',
          run: async () => {
            calls++;
            throw new ProblemError('unprocessable-content', { detail: 'Not yet.' });
          },
        })
        .build();
      const wf = new WorkflowEngine({ store, definitions: [definition] });
      const { id } = await wf.startRun('overridden', { opportunityId: 'opp-4' });
      await settle(wf);
      expect((await getRun(store.db, id)).state).toBe('failed');
      expect(calls).toBe(3);
    });
  });

  it('cancels a run: completed steps are compensated in reverse order', async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const wf = new WorkflowEngine({
      store,
      heartbeatMs: 20,
      definitions: [
        defineWorkflow({
          name: 'undoable',
          steps: [
            {
              name: 'a',
              run: async () => 'A',
              compensate: async (c) => void log.push(`undo a ${String(c.result)} ${c.idempotencyKey.endsWith(':a:compensate')}`),
            },
            { name: 'b', run: async () => 'B', compensate: async () => void log.push('undo b') },
            {
              name: 'c',
              run: async ({ signal }) => {
                log.push('c started');
                await new Promise<void>((resolve) => {
                  signal.addEventListener('abort', () => resolve());
                  void gate.then(resolve);
                });
                throw new Error('stopped');
              },
            },
          ],
        }),
      ],
    });
    const { id } = await wf.startRun('undoable', {});
    wf.start();
    for (let i = 0; i < 400 && !log.includes('c started'); i++) await new Promise((r) => setTimeout(r, 10));
    await wf.cancel(id);
    for (let i = 0; i < 400 && !['cancelled', 'compensated'].includes((await getRun(store.db, id)).state); i++)
      await new Promise((r) => setTimeout(r, 10));
    release();
    await wf.stop();
    const run = await getRun(store.db, id);
    expect(run.state).toBe('cancelled');
    expect(log).toEqual(['c started', 'undo b', 'undo a A true']);
    expect(run.steps.map((s) => s.state)).toEqual(['compensated', 'compensated', 'pending']);
    await expect(cancelRun(store.db, id)).rejects.toMatchObject({ type: 'conflict' });
  });

  it('compensates automatically after failure when the definition asks', async () => {
    const log: string[] = [];
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow({
          name: 'saga',
          compensateOnFailure: true,
          retry: { ...fast, maxAttempts: 2 },
          steps: [
            { name: 'reserve', run: async () => 'r1', compensate: async () => void log.push('release r1') },
            {
              name: 'charge',
              run: async () => {
                throw new Error('card declined');
              },
            },
          ],
        }),
      ],
    });
    const { id } = await wf.startRun('saga', {});
    await settle(wf);
    const run = await getRun(store.db, id);
    expect(run.state).toBe('compensated');
    expect(log).toEqual(['release r1']);
    expect(run.deadLetters).toHaveLength(1);
  });

  it('waits while the platform breaker is open instead of failing', async () => {
    let calls = 0;
    const breakers = new BreakerRegistry({ threshold: 2, halfOpenAfterMs: 60_000 });
    const failing = defineWorkflow({
      name: 'crm-sync',
      retry: { ...fast, maxAttempts: 2 },
      steps: [
        {
          name: 'push',
          platform: 'crm',
          run: async () => {
            calls++;
            throw new Error('crm 503');
          },
        },
      ],
    });
    const wf = new WorkflowEngine({ store, breakers, definitions: [failing] });
    const a = await wf.startRun('crm-sync', {}, { runKey: 'a' });
    await settle(wf); // a: two failures → failed, and the breaker opens
    const b = await wf.startRun('crm-sync', {}, { runKey: 'b' });
    await wf.drain();
    expect((await getRun(store.db, a.id)).state).toBe('failed');
    const runB = await getRun(store.db, b.id);
    expect(runB.state).toBe('waiting');
    expect(runB.steps[0].attempts).toBe(0);
    expect(calls).toBe(2);
  });

  it("does not count a step that waits for the layer's own work against its platform breaker", async () => {
    const breakers = new BreakerRegistry({ threshold: 2, halfOpenAfterMs: 60_000 });
    let waits = 0;
    let pushed = 0;
    // One run waits (as the intake waits for a provisioning run) until another run, on the same
    // platform, has done its work. Counting the waits would open the breaker and hold back the
    // very run waited for.
    const waiter = defineWorkflow({
      name: 'await-push',
      retry: { ...fast, maxAttempts: 1_000 },
      steps: [
        {
          name: 'await',
          platform: 'crm',
          run: async () => {
            if (pushed === 0) {
              waits++;
              throw new WaitingError('the push is still running', { retryAfterMs: 1 });
            }
            return 'seen';
          },
        },
      ],
    });
    const pusher = defineWorkflow({ name: 'push', steps: [{ name: 'push', platform: 'crm', run: async () => ++pushed }] });
    const wf = new WorkflowEngine({ store, breakers, definitions: [waiter, pusher] });
    const a = await wf.startRun('await-push', {}, { runKey: 'a' });
    // One claim round at a time: an unbounded drain keeps claiming the waiter while its 1 ms
    // retry is due again by the time a round ends (as on PostgreSQL), spending its attempts.
    for (let i = 0; i < 10_000 && waits < 3; i++) await wf.drain(1);
    expect(waits, 'waits before the push starts').toBeGreaterThanOrEqual(3);
    const b = await wf.startRun('push', {}, { runKey: 'b' });
    await settle(wf);
    expect((await getRun(store.db, b.id)).state).toBe('completed');
    expect((await getRun(store.db, a.id)).state).toBe('completed');
    expect(breakers.state('crm')).toBe(CircuitState.Closed);
  });

  it('takes over a run whose holder died, resuming after the last checkpoint', async () => {
    const calls: string[] = [];
    const def = defineWorkflow({
      name: 'resumable',
      steps: ['one', 'two', 'three'].map((name) => ({
        name,
        run: async (c: StepContext<unknown>) => {
          calls.push(`${name}#${c.attempt}`);
          return name;
        },
      })),
    });
    const wf = new WorkflowEngine({ store, definitions: [def], leaseMs: 200 });
    const { id } = await wf.startRun('resumable', {});
    // A process that died: it claimed the run, checkpointed `one`, was mid-way through `two`.
    const now = Date.now();
    await store.db
      .updateTable('workflow_runs')
      .set({ state: 'running', claimed_by: 'dead-worker', lease_until_ms: now + 300 })
      .where('id', '=', id)
      .execute();
    await store.db
      .updateTable('workflow_steps')
      .set({ state: 'completed', attempts: 1, result: '"one"' })
      .where('run_id', '=', id)
      .where('name', '=', 'one')
      .execute();
    await store.db
      .updateTable('workflow_steps')
      .set({ state: 'running', attempts: 1 })
      .where('run_id', '=', id)
      .where('name', '=', 'two')
      .execute();
    await wf.drain();
    expect(calls).toEqual([]); // lease still valid: nobody touches it
    // Stays: lets the 200 ms lease expire (the time window under test); nothing asserts on timing.
    await new Promise((r) => setTimeout(r, 350));
    await settle(wf);
    const run = await getRun(store.db, id);
    expect(run.state).toBe('completed');
    expect(calls).toEqual(['two#2', 'three#1']);
    expect(run.result).toEqual({ one: 'one', two: 'two', three: 'three' });
    expect(run.steps[1].errors).toMatchObject([{ attempt: 1, name: 'InterruptedAttempt' }]);
  });

  it('takes over at start the runs of a process on this host that is gone, without waiting for the lease', async () => {
    const calls: string[] = [];
    const def = defineWorkflow({
      name: 'restartable',
      steps: [{ name: 'only', run: async (c: StepContext<unknown>) => calls.push(`only#${c.attempt}`) }],
    });
    const wf = new WorkflowEngine({ store, definitions: [def], leaseMs: 600_000 });
    const gone = await startRunHeldBy(store, wf, 'restartable', `${hostname()}:${await exitedPid()}:aaaa0000`);
    const alive = await startRunHeldBy(store, wf, 'restartable', `${hostname()}:${process.pid}:bbbb1111`);
    const elsewhere = await startRunHeldBy(store, wf, 'restartable', `another-host:${await exitedPid()}:cccc2222`);
    expect(await wf.reclaimFromDeadLocalProcesses(), 'only the run of the process that is gone is freed').toBe(1);
    await wf.drain();
    expect((await getRun(store.db, gone)).state, 'resumed long before its ten-minute lease').toBe('completed');
    expect((await getRun(store.db, alive)).state, 'a live process (another engine here) keeps its run').toBe('running');
    expect((await getRun(store.db, elsewhere)).state, 'a pid on another host says nothing here: the lease decides').toBe('running');
    expect(calls, 'the interrupted attempt counts').toEqual(['only#2']);
  });

  it('dead-letters a step whose every attempt was interrupted, instead of running it forever', async () => {
    let calls = 0;
    const def = defineWorkflow({
      name: 'poison',
      retry: { ...fast, maxAttempts: 2 },
      steps: [{ name: 'crashes', run: async () => ++calls }],
    });
    const wf = new WorkflowEngine({ store, definitions: [def] });
    const { id } = await wf.startRun('poison', { payload: 'x' });
    // Two holders already died inside this step.
    await store.db
      .updateTable('workflow_runs')
      .set({ state: 'running', claimed_by: 'dead-worker', lease_until_ms: Date.now() - 1 })
      .where('id', '=', id)
      .execute();
    await store.db.updateTable('workflow_steps').set({ state: 'running', attempts: 2 }).where('run_id', '=', id).execute();
    await settle(wf);
    const run = await getRun(store.db, id);
    expect(calls).toBe(0);
    expect(run.state).toBe('failed');
    expect(run.deadLetters).toMatchObject([
      { step: 'crashes', input: { payload: 'x' }, errors: [{ attempt: 2, name: 'InterruptedAttempt' }] },
    ]);
  });

  it('lists runs by definition, state and time, newest first, with a cursor', async () => {
    const wf = new WorkflowEngine({
      store,
      definitions: [
        defineWorkflow({ name: 'x', steps: [{ name: 's', run: async () => 1 }] }),
        defineWorkflow({ name: 'y', steps: [{ name: 's', run: async () => 1 }] }),
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await wf.startRun('x', { i })).id);
    await wf.startRun('y', {});
    await settle(wf);
    const first = await listRuns(store.db, { definition: 'x', state: 'completed', limit: 3 });
    expect(first.runs.map((r) => r.id)).toEqual(ids.slice(2).reverse());
    const second = await listRuns(store.db, { definition: 'x', limit: 3, after: first.next! });
    expect(second.runs.map((r) => r.id)).toEqual(ids.slice(0, 2).reverse());
    expect(second.next).toBeNull();
    expect((await listRuns(store.db, { since: new Date(Date.now() + 60_000) })).runs).toHaveLength(0);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately invalid input
    await expect(listRuns(store.db, { state: 'bogus' as any })).rejects.toMatchObject({ status: 400 });
    await expect(getRun(store.db, '00000000-0000-7000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });

  it("starts a run atomically with the caller's transaction", async () => {
    const wf = new WorkflowEngine({ store, definitions: [defineWorkflow({ name: 'tx', steps: [{ name: 'a', run: async () => 1 }] })] });
    await expect(
      withTransaction(store, async (trx) => {
        await wf.startRun('tx', {}, { runKey: 'rolled-back', db: trx });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const kept = await withTransaction(store, (trx) => wf.startRun('tx', {}, { runKey: 'kept', db: trx }));
    const { runs } = await listRuns(store.db, { definition: 'tx' });
    expect(runs.map((r) => r.runKey)).toEqual(['kept']);
    expect(runs[0].id).toBe(kept.id);
  });

  it('on shutdown interrupts a step that outlives the grace period and hands the run over at once', async () => {
    let started = 0;
    const def = defineWorkflow({
      name: 'long',
      steps: [
        {
          name: 'wait',
          run: async ({ attempt, signal }) => {
            started++;
            if (attempt > 1) return 'done';
            await new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
            return 'never';
          },
        },
      ],
    });
    const first = new WorkflowEngine({ store, definitions: [def], leaseMs: 60_000, pollMs: 10 });
    const { id } = await first.startRun('long', {});
    first.start();
    for (let i = 0; i < 300 && started === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await first.stop(50);
    const row = await store.db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.state).toBe('running');
    expect(Number(row.lease_until_ms)).toBeLessThan(Date.now());
    // Without the release, the 60 s lease would keep the second process waiting.
    const second = new WorkflowEngine({ store, definitions: [def] });
    await settle(second);
    const run = await getRun(store.db, id);
    expect(run.state).toBe('completed');
    expect(run.steps[0]).toMatchObject({ attempts: 2, errors: [{ attempt: 1, name: 'InterruptedAttempt' }] });
  });

  it('counts finished runs, step failures and dead letters for prom-client', async () => {
    const registry = new Registry();
    let calls = 0;
    const wf = new WorkflowEngine({
      store,
      metrics: promWorkflowMetrics(registry),
      definitions: [
        defineWorkflow({
          name: 'm',
          retry: { ...fast, maxAttempts: 2 },
          steps: [
            {
              name: 's',
              run: async ({ input }) => {
                calls++;
                if ((input as { fail: boolean }).fail) throw new Error('no');
                return 1;
              },
            },
          ],
        }),
      ],
    });
    await wf.startRun('m', { fail: false });
    await wf.startRun('m', { fail: true });
    await settle(wf);
    const text = await registry.metrics();
    expect(text).toContain('layer_workflow_runs_finished_total{definition="m",state="completed"} 1');
    expect(text).toContain('layer_workflow_runs_finished_total{definition="m",state="failed"} 1');
    expect(text).toContain('layer_workflow_step_failures_total{definition="m",step="s",final="false"} 1');
    expect(text).toContain('layer_workflow_step_failures_total{definition="m",step="s",final="true"} 1');
    expect(text).toContain('layer_workflow_dead_letters_total{definition="m",step="s"} 1');
    expect(calls).toBe(3);
  });
});

/** A pid that no process has any more: a child that has exited. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** Starts a run and marks it claimed by `holder` mid-way through its first step, with a long lease. */
async function startRunHeldBy(store: Store, wf: WorkflowEngine, definition: string, holder: string): Promise<string> {
  const { id } = await wf.startRun(definition, {}, { runKey: holder });
  const db = store.db;
  await db
    .updateTable('workflow_runs')
    .set({ state: 'running', claimed_by: holder, lease_until_ms: Date.now() + 600_000 })
    .where('id', '=', id)
    .execute();
  await db.updateTable('workflow_steps').set({ state: 'running', attempts: 1 }).where('run_id', '=', id).execute();
  return id;
}
