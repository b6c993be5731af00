// The operations API's reconciliation operations through the real gateway (JWT, scopes,
// Idempotency-Key, request and response validation against the contract) on each store engine,
// with fake checks: exceptions listed, filtered and paged; one exception; repair 202/409/422;
// dismiss 200/409/400; passes started (409 while one runs); business views; the signed-in operator;
// every operator action in the audit trail with the person and the request id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import type { Store } from '../../core/store/index.js';
import { createReconciliation, type Reconciliation } from '../../process-apis/reconciliation/index.js';
import type { Json } from '../../test/gateway/support.js';
import { opsCaller, startOperationsGateway, type OpsHarness } from '../../test/support/operations-gateway.js';
import { fakeCheck, wonDealWithoutProject } from '../../test/support/reconciliation-checks.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { waitFor } from '../../test/support/wait-for.js';

const BASE = '/experience/operations/v1';
const idem = () => ({ 'Idempotency-Key': `"${crypto.randomUUID()}"` });
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

describe.each(testEngines().map((e) => [e.name, e] as const))('operations API: reconciliation on %s', (_name, engine) => {
  let store: Store;
  let ops: OpsHarness;
  let recon: Reconciliation;
  const provisioning = fakeCheck({ name: 'fake-won-deals' });
  const billing = fakeCheck({ name: 'invoices-posted', journey: 'time-to-billing', question: 'blocked-invoices' });

  const call = opsCaller(() => ops);
  const audit = async (query: string) => (await call('GET', `/audit?${query}`)).body.items as Json[];
  const pass = () => recon.api.runPass({ repair: false, trigger: 'command', actor: null });
  const openIdOf = async (key: string) =>
    ((await call('GET', '/reconciliation/exceptions?limit=200')).body.items as Json[]).find((e) => e.records[0].id === key)!.id as string;

  beforeAll(async () => {
    store = await migratedStore(engine);
    recon = createReconciliation({ config, logger: createLogger(config.runtime), store }, [provisioning, billing]);
    ops = await startOperationsGateway(store, {}, { processApis: { reconciliation: recon.api } });
    provisioning.findings = [
      wonDealWithoutProject('006H1', { safe: false }),
      wonDealWithoutProject('006H2', { safe: false, action: 'by-hand' }),
      wonDealWithoutProject('006H3', { safe: false }),
      wonDealWithoutProject('006H4', { safe: false }),
    ];
    billing.findings = [{ ...wonDealWithoutProject('INV-9', { safe: false, amountMinor: 12_345 }), type: 'invoice-not-posted' }];
    await pass();
  });
  afterAll(async () => {
    await recon?.stop();
    await ops?.close();
    await store?.close();
    await engine.cleanup();
  });

  it('lists open exceptions oldest first, filtered by question, journey and type, page by page', async () => {
    const all = await call('GET', '/reconciliation/exceptions');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(5);
    expect(all.body.items[0]).toMatchObject({ status: 'open', question: 'failed-provisioning', journey: 'opportunity-to-project' });
    const byQuestion = await call('GET', '/reconciliation/exceptions?question=blocked-invoices');
    expect(byQuestion.body.items.map((e: Json) => [e.type, e.moneyAtRisk])).toEqual([
      ['invoice-not-posted', { amountMinor: 12_345, currency: 'EUR' }],
    ]);
    expect((await call('GET', '/reconciliation/exceptions?journey=time-to-billing')).body.items).toHaveLength(1);
    expect((await call('GET', '/reconciliation/exceptions?type=won-deal-without-project')).body.items).toHaveLength(4);
    expect((await call('GET', '/reconciliation/exceptions?status=resolved')).body.items).toEqual([]);
    const first = await call('GET', '/reconciliation/exceptions?type=won-deal-without-project&limit=3');
    expect(first.body.items).toHaveLength(3);
    const rest = await call('GET', `/reconciliation/exceptions?type=won-deal-without-project&limit=3&cursor=${first.body.nextCursor}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
    const wrongFilter = await call('GET', `/reconciliation/exceptions?type=invoice-not-posted&cursor=${first.body.nextCursor}`);
    expect(wrongFilter.status, 'a cursor used with other filters').toBe(400);
    expect((await call('GET', '/reconciliation/exceptions?status=closed')).status, 'an unknown status').toBe(400);
    expect((await call('GET', '/reconciliation/exceptions?limit=201')).status).toBe(400);
  });

  it('answers one exception, or 404 problem details', async () => {
    const id = await openIdOf('006H1');
    const one = await call('GET', `/reconciliation/exceptions/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id,
      records: [{ platform: 'crm', entity: 'opportunity', id: '006H1' }],
      repair: { action: 'start-provisioning', runId: null },
    });
    const missing = await call('GET', '/reconciliation/exceptions/01a216af-0000-7000-8000-00000000beef');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await call('GET', '/reconciliation/exceptions/not-an-id')).status).toBe(400);
  });

  it('repairs on the operator word: 202 repairing, replayed for the same key, 409 once not open, 422 for a by-hand repair, audited', async () => {
    const id = await openIdOf('006H1');
    provisioning.repairRunId = '01a216af-0000-7000-8000-0000000000bb';
    expect((await call('POST', `/reconciliation/exceptions/${id}/repair`, { token: ops.tokens.read, headers: idem() })).status).toBe(403);
    expect((await call('POST', `/reconciliation/exceptions/${id}/repair`)).status, 'no Idempotency-Key').toBe(400);
    const key = idem();
    const repaired = await call('POST', `/reconciliation/exceptions/${id}/repair`, { headers: { ...key, 'X-Request-Id': 'repair-req-1' } });
    expect(repaired.status).toBe(202);
    expect(repaired.body).toMatchObject({
      id,
      status: 'repairing',
      resolvedBy: 'ops-alice',
      repair: { runId: '01a216af-0000-7000-8000-0000000000bb' },
    });
    const again = await call('POST', `/reconciliation/exceptions/${id}/repair`, { headers: key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(provisioning.repairs, 'one repair for the replayed request').toHaveLength(1);
    expect(provisioning.repairs[0].actor).toEqual({
      consumer: 'ops-alice',
      subject: 'alice.operator@firm.example',
      correlationId: 'repair-req-1',
    });
    const conflict = await call('POST', `/reconciliation/exceptions/${id}/repair`, { headers: idem() });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ status: 409, type: '/problems/conflict' });
    const byHand = await call('POST', `/reconciliation/exceptions/${await openIdOf('006H2')}/repair`, { headers: idem() });
    expect(byHand.status).toBe(422);
    expect(byHand.body.detail).toContain('Create the ERP project by hand');
    expect((await call('POST', '/reconciliation/exceptions/01a216af-0000-7000-8000-00000000beef/repair', { headers: idem() })).status).toBe(
      404,
    );
    expect(await audit('correlationId=repair-req-1')).toEqual([
      expect.objectContaining({
        consumer: 'ops-alice',
        subject: 'alice.operator@firm.example',
        action: 'reconciliation.exception.repair-started',
        targetType: 'reconciliation-exception',
        targetId: id,
        correlationId: 'repair-req-1',
      }),
    ]);
  });

  it('dismisses with a reason: 200, 409 once not open, 400 without a reason, audited', async () => {
    const id = await openIdOf('006H3');
    expect((await call('POST', `/reconciliation/exceptions/${id}/dismiss`, { body: {}, headers: idem() })).status).toBe(400);
    expect((await call('POST', `/reconciliation/exceptions/${id}/dismiss`, { body: { reason: '' }, headers: idem() })).status).toBe(400);
    const dismissed = await call('POST', `/reconciliation/exceptions/${id}/dismiss`, {
      body: { reason: 'Client cancelled the project.' },
      headers: { ...idem(), 'X-Request-Id': 'dismiss-req-1' },
    });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({ status: 'dismissed', dismissReason: 'Client cancelled the project.', resolvedBy: 'ops-alice' });
    expect(dismissed.body.resolvedAt).not.toBeNull();
    const again = await call('POST', `/reconciliation/exceptions/${id}/dismiss`, { body: { reason: 'Again.' }, headers: idem() });
    expect(again.status).toBe(409);
    expect(await audit('correlationId=dismiss-req-1')).toEqual([
      expect.objectContaining({
        action: 'reconciliation.exception.dismissed',
        targetId: id,
        details: { type: 'won-deal-without-project', reason: 'Client cancelled the project.' },
      }),
    ]);
    await pass();
    expect((await call('GET', `/reconciliation/exceptions/${id}`)).body.status, 'still found, still dismissed').toBe('dismissed');
  });

  it('starts a pass in the background (202 with its location), 409 while one runs, and lists passes newest first', async () => {
    const held = provisioning.hold();
    const started = await call('POST', '/reconciliation/passes', {
      body: { repair: false },
      headers: { ...idem(), 'X-Request-Id': 'pass-req-1' },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      status: 'running',
      trigger: 'operator',
      repair: false,
      journey: null,
      startedBy: 'alice.operator@firm.example',
    });
    expect(started.headers.get('location')).toBe(`${BASE}/reconciliation/passes/${started.body.id}`);
    await held.started;
    const second = await call('POST', '/reconciliation/passes', { body: { journey: 'time-to-billing' }, headers: idem() });
    expect(second.status).toBe(409);
    expect(second.body.type).toBe('/problems/conflict');
    held.release();
    const finished = await waitFor(() => call('GET', `/reconciliation/passes/${started.body.id}`), {
      until: (r) => r.body.status !== 'running',
      what: 'the pass to finish',
    });
    expect(finished.body).toMatchObject({ status: 'completed', compared: 20 });
    expect(finished.body.checks.map((c: Json) => c.check)).toEqual(['fake-won-deals', 'invoices-posted']);
    const list = await call('GET', '/reconciliation/passes?limit=1');
    expect(list.body.items[0].id).toBe(started.body.id);
    expect(list.body.nextCursor).not.toBeNull();
    expect((await call('GET', `/reconciliation/passes?journey=time-to-billing`)).body.items).toEqual([]);
    expect((await call('GET', '/reconciliation/passes/01a216af-0000-7000-8000-00000000beef')).status).toBe(404);
    expect((await call('POST', '/reconciliation/passes', { body: { journey: 'nowhere' }, headers: idem() })).status).toBe(400);
    expect(await audit('correlationId=pass-req-1')).toEqual([
      expect.objectContaining({ action: 'reconciliation.pass.started', targetId: started.body.id }),
    ]);
  });

  it('shows the five business views with counts, money at risk and when they were last checked', async () => {
    const views = await call('GET', '/business-views', { token: ops.tokens.read });
    expect(views.status).toBe(200);
    expect(views.body.items).toHaveLength(5);
    const blocked = views.body.items.find((v: Json) => v.question === 'blocked-invoices');
    expect(blocked).toMatchObject({
      title: 'Blocked invoices',
      openExceptions: 1,
      moneyAtRisk: [{ amountMinor: 12_345, currency: 'EUR' }],
    });
    expect(blocked.lastCheckedAt).not.toBeNull();
    const provisioningView = views.body.items.find((v: Json) => v.question === 'failed-provisioning');
    expect(provisioningView.openExceptions, 'open and repairing ones; not the dismissed one').toBe(3);
  });

  it('says who is signed in and whether they may act', async () => {
    expect((await call('GET', '/operator')).body).toEqual({
      consumer: 'ops-alice',
      subject: 'alice.operator@firm.example',
      scopes: ['ops:read', 'ops:write'],
      canWrite: true,
    });
    expect((await call('GET', '/operator', { token: ops.tokens.read })).body).toEqual({
      consumer: 'ops-viewer',
      subject: 'test-user',
      scopes: ['ops:read'],
      canWrite: false,
    });
    expect((await call('GET', '/operator', { token: ops.tokens.other })).status).toBe(403);
  });
});
