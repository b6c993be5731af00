// The operations API through the real gateway (JWT, scopes, Idempotency-Key, request and
// response validation against the contract) on each store engine: what failed, what is
// stuck, replay, discard, retry, cancel, webhook subscriptions, event replay, rejected
// webhooks, the audit trail of every operator action, and the business metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../core/events/index.js';
import { verifyAndRecord } from '../../core/inbox/index.js';
import { registerBusinessMetrics } from '../../core/observability/business-metrics.js';
import type { Store } from '../../core/store/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { bearer, type Json } from '../../test/gateway/support.js';
import { opsCaller, startOperationsGateway, type OpsHarness } from '../../test/support/operations-gateway.js';

const BASE = '/experience/operations/v1';
const idem = () => ({ 'Idempotency-Key': `"${crypto.randomUUID()}"` });

describe.each(testEngines().map((e) => [e.name, e] as const))('operations API on %s', (_name, engine) => {
  let store: Store;
  let ops: OpsHarness;

  const call = opsCaller(() => ops);
  const audit = async (query: string) => (await call('GET', `/audit?${query}`)).body.items as Json[];

  beforeAll(async () => {
    store = await migratedStore(engine);
    ops = await startOperationsGateway(store);
  });
  afterAll(async () => {
    await ops?.close();
    await store?.close();
    await engine.cleanup();
  });

  it('needs a token, ops:read to look and ops:write to act', async () => {
    const { deadLetterId } = await ops.failedRun('01a216af-0000-7000-8000-00000000a001');
    const anonymous = await call('GET', '/summary', { token: '' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await call('GET', '/summary', { token: ops.tokens.other })).status).toBe(403);
    expect((await call('GET', '/summary', { token: ops.tokens.read })).status).toBe(200);
    const readOnlyReplay = await call('POST', `/dead-letters/${deadLetterId}/replay`, { token: ops.tokens.read, headers: idem() });
    expect(readOnlyReplay.status).toBe(403);
    expect(readOnlyReplay.body.status).toBe(403);
    expect((await call('GET', `/dead-letters/${deadLetterId}`, { token: ops.tokens.write })).status).toBe(403);
    const noKey = await call('POST', `/dead-letters/${deadLetterId}/replay`);
    expect(noKey.status).toBe(400);
    // None of the refused calls touched the letter.
    expect((await call('GET', `/dead-letters/${deadLetterId}`)).body.status).toBe('open');
  });

  it('shows a refused run as refused, with why, apart from completed work', async () => {
    const { runId } = await ops.refusedRun('01a216af-0000-7000-8000-00000000a0ff');
    const run = (await call('GET', `/runs/${runId}`)).body;
    expect(run.state, 'nothing failed').toBe('completed');
    expect(run.outcome, 'the run says it was refused and why').toEqual({
      kind: 'refused',
      reason: '/stage: 01a216af-0000-7000-8000-00000000a0ff is no longer won',
    });
    const listed = (await call('GET', '/runs?journey=opportunity-to-project&state=completed&limit=200')).body.items as Json[];
    expect(listed.find((r) => r.id === runId)?.outcome?.kind, 'the list says so too').toBe('refused');
    const rows = (await call('GET', '/summary')).body.runs as Json[];
    expect(rows, 'the summary counts refused runs in a row of their own').toContainEqual(
      expect.objectContaining({ workflow: 'opportunity-to-project-recheck', state: 'completed', outcome: 'refused', count: 1 }),
    );
  });

  it("counts and filters a journey's intake with its journey, but not as failed provisioning", async () => {
    const before = (await call('GET', '/summary')).body.failedProvisioning as number;
    const { runId } = await ops.failedIntake('006000000000INTAKE');
    const summary = (await call('GET', '/summary')).body;
    expect(summary.runs, 'the intake is labelled with its journey').toContainEqual(
      expect.objectContaining({ journey: 'opportunity-to-project', workflow: 'opportunity-to-project.crm-change', state: 'failed' }),
    );
    expect(summary.failedProvisioning, 'an intake failing is not a project failing to provision').toBe(before);
    const byJourney = await call('GET', '/runs?journey=opportunity-to-project&state=failed&limit=200');
    expect(
      byJourney.body.items.map((r: Json) => r.id),
      "the journey's filter finds its intake",
    ).toContain(runId);
    expect(byJourney.body.items.find((r: Json) => r.id === runId)?.journey, 'each run says its journey').toBe('opportunity-to-project');
  });

  it('shows what failed: the summary, failed runs with their steps, and the dead letter with its input and errors', async () => {
    const opportunityId = '01a216af-0000-7000-8000-00000000a002';
    const { runId, deadLetterId } = await ops.failedRun(opportunityId);
    const summary = (await call('GET', '/summary')).body;
    expect(summary.openDeadLetters).toBeGreaterThanOrEqual(1);
    expect(summary.failedProvisioning).toBeGreaterThanOrEqual(1);
    expect(summary.runs).toContainEqual(
      expect.objectContaining({ journey: 'opportunity-to-project', workflow: 'opportunity-to-project', state: 'failed' }),
    );
    // The failed runs emitted workflow events that no dispatcher has delivered yet.
    expect(summary.outbox.undispatchedEvents).toBeGreaterThanOrEqual(1);
    expect(summary.outbox.oldestUndispatchedAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(summary).not.toHaveProperty('approvedUnbilledMinutes'); // time-to-billing is not wired here: left out, not zero

    const failed = await call('GET', '/runs?journey=opportunity-to-project&state=failed&limit=200');
    expect(failed.status).toBe(200);
    expect(failed.body.items.map((r: Json) => r.id)).toContain(runId);
    expect((await call('GET', '/runs?state=completed')).body.items.map((r: Json) => r.id)).not.toContain(runId);

    const run = (await call('GET', `/runs/${runId}`)).body;
    expect(run).toMatchObject({
      id: runId,
      state: 'failed',
      runKey: opportunityId,
      currentStep: 'create-erp-project',
      input: { opportunityId },
    });
    expect(run.steps.map((s: Json) => [s.name, s.state])).toEqual([
      ['validate-terms', 'completed'],
      ['create-erp-project', 'failed'],
    ]);
    expect(run.steps[1].errors[0].message).toContain('subsidiary not mapped');
    expect(run.deadLetters.map((d: Json) => d.id)).toEqual([deadLetterId]);

    const letter = (await call('GET', `/dead-letters/${deadLetterId}`)).body;
    expect(letter).toMatchObject({
      id: deadLetterId,
      runId,
      journey: 'opportunity-to-project',
      step: 'create-erp-project',
      status: 'open',
      input: { opportunityId },
    });
    expect(letter.errors[0]).toMatchObject({ name: 'PermanentError' });
    expect((await call('GET', '/dead-letters?journey=opportunity-to-project&limit=200')).body.items.map((d: Json) => d.id)).toContain(
      deadLetterId,
    );
    expect((await call('GET', '/runs/01a216af-0000-7000-8000-00000000ffff')).status).toBe(404);
    expect((await call('GET', '/dead-letters/999999')).status).toBe(404);
    expect((await call('GET', '/dead-letters/abc')).status).toBe(400);
  });

  it('replays a dead letter once the cause is fixed, audited with the operator and request id; a second replay is a conflict', async () => {
    const { runId, deadLetterId } = await ops.failedRun('01a216af-0000-7000-8000-00000000a003');
    ops.platform.fixed = true;
    try {
      const key = idem();
      const replay = await call('POST', `/dead-letters/${deadLetterId}/replay`, { headers: { ...key, 'X-Request-Id': 'replay-req-1' } });
      expect(replay.status).toBe(202);
      expect(replay.headers.get('location')).toBe(`${BASE}/runs/${runId}`);
      expect(replay.body).toMatchObject({ runId, deadLetter: { id: deadLetterId, status: 'replayed' } });
      // The same key again: the first answer, not a second replay.
      const again = await call('POST', `/dead-letters/${deadLetterId}/replay`, { headers: key });
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      await ops.settle();
      expect((await call('GET', `/runs/${runId}`)).body.state).toBe('completed');
      const conflict = await call('POST', `/dead-letters/${deadLetterId}/replay`, { headers: idem() });
      expect(conflict.status).toBe(409);
      const entries = await audit('correlationId=replay-req-1');
      expect(entries).toEqual([
        expect.objectContaining({
          consumer: 'ops-alice',
          action: 'workflow.dead-letter.replayed',
          targetType: 'workflow-dead-letter',
          targetId: String(deadLetterId),
          correlationId: 'replay-req-1',
        }),
      ]);
      expect(await audit(`targetType=workflow-dead-letter&targetId=${deadLetterId}`)).toHaveLength(1);
    } finally {
      ops.platform.fixed = false;
    }
  });

  it('discards a dead letter with a reason: no longer open, not replayable, audited', async () => {
    const { deadLetterId } = await ops.failedRun('01a216af-0000-7000-8000-00000000a004');
    expect((await call('POST', `/dead-letters/${deadLetterId}/discard`, { headers: idem(), body: {} })).status).toBe(400);
    const discarded = await call('POST', `/dead-letters/${deadLetterId}/discard`, {
      headers: { ...idem(), 'X-Request-Id': 'discard-req-1' },
      body: { reason: 'Opportunity was re-entered by hand.' },
    });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toMatchObject({
      id: deadLetterId,
      status: 'discarded',
      resolvedBy: 'ops-alice',
      discardReason: 'Opportunity was re-entered by hand.',
    });
    expect((await call('GET', '/dead-letters?limit=200')).body.items.map((d: Json) => d.id)).not.toContain(deadLetterId);
    expect((await call('GET', '/dead-letters?status=discarded')).body.items.map((d: Json) => d.id)).toContain(deadLetterId);
    expect((await call('POST', `/dead-letters/${deadLetterId}/replay`, { headers: idem() })).status).toBe(409);
    expect((await call('POST', `/dead-letters/${deadLetterId}/discard`, { headers: idem(), body: { reason: 'again' } })).status).toBe(409);
    expect(await audit('correlationId=discard-req-1')).toEqual([
      expect.objectContaining({
        consumer: 'ops-alice',
        subject: 'alice.operator@firm.example',
        action: 'workflow.dead-letter.discarded',
        details: { reason: 'Opportunity was re-entered by hand.' },
      }),
    ]);
  });

  it('retries a failed run from its failed step and cancels an unfinished one; finished runs cannot be cancelled', async () => {
    const { runId, deadLetterId } = await ops.failedRun('01a216af-0000-7000-8000-00000000a005');
    const retried = await call('POST', `/runs/${runId}/retry`, { headers: { ...idem(), 'X-Request-Id': 'retry-req-1' } });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: runId, state: 'pending' });
    expect(retried.body.deadLetters).toEqual([expect.objectContaining({ id: deadLetterId, status: 'replayed' })]);
    expect((await call('POST', `/runs/${runId}/retry`, { headers: idem() })).status).toBe(409);
    expect(await audit('correlationId=retry-req-1')).toEqual([
      expect.objectContaining({
        action: 'workflow.run.retried',
        targetId: runId,
        consumer: 'ops-alice',
        subject: 'alice.operator@firm.example',
      }),
    ]);

    const cancelled = await call('POST', `/runs/${runId}/cancel`, { headers: { ...idem(), 'X-Request-Id': 'cancel-req-1' } });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ id: runId, cancelRequested: true });
    await ops.settle();
    expect((await call('GET', `/runs/${runId}`)).body.state).toBe('cancelled');
    expect((await call('POST', `/runs/${runId}/cancel`, { headers: idem() })).status).toBe(409);
    expect(await audit(`targetType=workflow-run&targetId=${runId}`)).toEqual([
      expect.objectContaining({ action: 'workflow.run.cancel-requested', correlationId: 'cancel-req-1' }),
      expect.objectContaining({ action: 'workflow.run.retried', correlationId: 'retry-req-1' }),
    ]);
  });

  it('manages webhook subscriptions: the secret is shown once and never audited; disabling is audited', async () => {
    const created = await call('POST', '/webhook-subscriptions', {
      headers: { ...idem(), 'X-Request-Id': 'sub-create-1' },
      body: { url: 'http://127.0.0.1:9/hooks/ops-test', eventTypes: ['workflow.*'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.headers.get('location')).toBe(`${BASE}/webhook-subscriptions/${created.body.id}`);
    const listed = (await call('GET', '/webhook-subscriptions')).body.items as Json[];
    expect(listed.find((s) => s.id === created.body.id)).toEqual(expect.not.objectContaining({ secret: expect.anything() }));
    expect(JSON.stringify(await audit('correlationId=sub-create-1'))).not.toContain(created.body.secret);

    const disabled = await call('PATCH', `/webhook-subscriptions/${created.body.id}`, {
      headers: idem(),
      body: { state: 'disabled', reason: 'Receiver decommissioned.' },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ state: 'disabled', disabledReason: 'Receiver decommissioned.' });
    expect((await call('GET', '/webhook-subscriptions?state=disabled')).body.items.map((s: Json) => s.id)).toContain(created.body.id);
    expect((await audit(`targetType=webhook-subscription&targetId=${created.body.id}`)).map((e) => e.action)).toEqual([
      'webhook-subscription.disabled',
      'webhook-subscription.created',
    ]);
    expect(
      (await call('PATCH', '/webhook-subscriptions/01a216af-0000-7000-8000-00000000ffff', { headers: idem(), body: { state: 'active' } }))
        .status,
    ).toBe(404);
  });

  it('re-delivers events since a point in time to one webhook subscription, within the types it wants', async () => {
    await ops.failedRun('01a216af-0000-7000-8000-00000000a006');
    const sub = (
      await call('POST', '/webhook-subscriptions', {
        headers: idem(),
        body: { url: 'http://127.0.0.1:9/hooks/replay', eventTypes: ['workflow.*'] },
      })
    ).body;
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const expected = await store.db.selectFrom('event_outbox').select('seq').where('type', 'like', 'workflow.%').execute();
    const replay = await call('POST', '/event-replays', {
      headers: { ...idem(), 'X-Request-Id': 'event-replay-1' },
      body: { subscriber: `webhook:${sub.id}`, since },
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ subscriber: `webhook:${sub.id}`, scheduled: expected.length });
    const deliveries = await store.db
      .selectFrom('event_deliveries')
      .select('event_seq')
      .where('subscriber', '=', `webhook:${sub.id}`)
      .execute();
    expect(deliveries).toHaveLength(expected.length);
    expect(await audit('correlationId=event-replay-1')).toEqual([
      expect.objectContaining({
        action: 'events.replayed',
        targetId: sub.id,
        details: expect.objectContaining({ scheduled: expected.length }),
      }),
    ]);
    const outside = await call('POST', '/event-replays', {
      headers: idem(),
      body: { subscriber: `webhook:${sub.id}`, since, eventTypes: ['billing.*'] },
    });
    expect(outside.status).toBe(422);
    const unknown = await call('POST', '/event-replays', {
      headers: idem(),
      body: { subscriber: 'webhook:01a216af-0000-7000-8000-00000000ffff', since },
    });
    expect(unknown.status).toBe(404);
  });

  it('lists inbound webhooks refused for their signature and counts them in the summary', async () => {
    const before = (await call('GET', '/summary')).body.rejectedWebhooksLastDay as number;
    await expect(
      verifyAndRecord(store.db, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], {
        source: 'crm',
        headers: { id: 'msg_forged_1', timestamp: String(Math.floor(Date.now() / 1000)), signature: 'v1,AAAA' },
        rawBody: Buffer.from('{"forged":true}'),
        remoteAddress: '203.0.113.9',
      }),
    ).rejects.toMatchObject({ status: 401 });
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = Buffer.from('{"event":"opportunity.updated"}');
    const timestamp = String(Math.floor(Date.now() / 1000));
    await verifyAndRecord(store.db, [secret], {
      source: 'crm',
      headers: { id: 'msg_real_1', timestamp, signature: signWebhook(secret, 'msg_real_1', Number(timestamp), body) },
      rawBody: body,
    });
    const freshness = (await call('GET', '/summary')).body.platforms as Json[];
    expect(freshness).toEqual([expect.objectContaining({ platform: 'crm', lastWebhookAgeSeconds: expect.any(Number) })]);
    const listed = (await call('GET', '/rejected-webhooks?source=crm')).body.items as Json[];
    expect(listed[0]).toMatchObject({ source: 'crm', webhookId: 'msg_forged_1', reason: 'bad-signature', remoteAddress: '203.0.113.9' });
    expect((await call('GET', '/summary')).body.rejectedWebhooksLastDay).toBe(before + 1);
  });

  it('exposes the business figures as Prometheus gauges on the gateway registry', async () => {
    // The composition root may already have registered them on this registry; registering twice would throw.
    if (!ops.gateway.metrics.registry.getSingleMetric('layer_dead_letters_open'))
      registerBusinessMetrics(ops.gateway.metrics.registry, ops.gateway.layers.infra, ops.gateway.layers.shape);
    const open = (await call('GET', '/summary')).body.openDeadLetters as number;
    const res = await fetch(`${ops.gateway.url}/metrics`, { headers: bearer(ops.tokens.read) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`layer_dead_letters_open ${open}`);
    expect(text).toMatch(/layer_workflow_runs\{journey="opportunity-to-project",workflow="opportunity-to-project",state="failed"\} [1-9]/);
    expect(text).toMatch(/layer_provisioning_failed_runs [1-9]/);
    expect(text).toMatch(/layer_outbox_undispatched_events [1-9]/);
    expect(text).toMatch(/layer_platform_last_webhook_age_seconds\{platform="crm"\} \d/);
  });
});
