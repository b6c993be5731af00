// Billing milestones and invoice keys of the ERP system API, through the real gateway (JWT,
// scopes, Idempotency-Key, contract validation of every request and response) against the ERP
// sandbox's seeded fixed-bid projects, on each store engine.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { m2mToken } from '../../test/support/netsuite-m2m.js';
import { testEngines } from '../../test/support/stores.js';
import { idempotencyHeader } from '../../test/support/api-client.js';
import { startErpSystemFixture, type ErpSystemFixture } from '../../test/support/erp-system-fixture.js';
import type { Engagement, Invoice, Milestone } from './canonical.js';
import type { Page } from '../../core/paging.js';
import { invoiceExternalId } from './mapping-billing.js';

const engines = testEngines();

describe.each(engines.map((e) => [e.name, e] as const))('ERP milestones and invoice keys on %s', (_name, engine) => {
  let f: ErpSystemFixture;
  let sandbox: ErpSystemFixture['sandbox'];
  const call = <T = unknown>(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }) =>
    f.call<T>(method, path, opts);
  const write = <T = unknown>(method: string, path: string, body?: unknown) => f.write<T>(method, path, body);
  const idem = idempotencyHeader;
  const list = async (query: string) => {
    const page = await call<Page<Milestone>>('GET', `/milestones${query}`);
    expect(page.status).toBe(200);
    return page.body;
  };
  const project = async (id: string) => (await call<Engagement>('GET', `/projects/${id}`)).body;
  const invoiceBody = (engagementId: string, milestone: Milestone, extra: Record<string, unknown> = {}) => ({
    engagementId,
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    issueDate: '2026-11-30',
    dueDate: '2026-12-30',
    post: true,
    lines: [
      {
        kind: 'milestone',
        description: `Milestone: ${milestone.name}`,
        quantity: 1,
        unitPrice: milestone.amount,
        taxRateBasisPoints: 2000,
        sources: [{ kind: 'milestone', id: milestone.id }],
      },
    ],
    ...extra,
  });

  beforeAll(async () => {
    f = await startErpSystemFixture(engine);
    sandbox = f.sandbox;
  });
  afterAll(async () => f?.close());
  beforeEach(() => sandbox.ctx.faults.clear());

  it('lists the milestones of the fixed-bid projects, by project, status and billing status, in the project currency', async () => {
    const all = await list('?limit=200');
    // Four open fixed-bid projects, three milestones each (30/50/20 % of the budget).
    expect(all.items).toHaveLength(12);
    expect(all.nextCursor).toBeNull();
    const byProject = new Map<string, Milestone[]>();
    for (const m of all.items) byProject.set(m.engagementId, [...(byProject.get(m.engagementId) ?? []), m]);
    expect(byProject.size).toBe(4);
    for (const [engagementId, milestones] of byProject) {
      const p = await project(engagementId);
      expect(p.billingModel).not.toBe('time-and-materials');
      expect(milestones.map((m) => m.name)).toEqual(['Discovery and plan agreed', 'Solution delivered', 'Acceptance and handover']);
      expect(milestones.map((m) => m.amount.amountMinor)).toEqual([30, 50, 20].map((pct) => (p.budget!.amountMinor * pct) / 100));
      expect(milestones.every((m) => m.amount.currency === p.currency)).toBe(true);
      expect(milestones.map((m) => [m.status, m.billingStatus])).toEqual([
        ['completed', 'billed'],
        ['in-progress', 'unbilled'],
        ['not-started', 'unbilled'],
      ]);
      expect((await list(`?engagementId=${engagementId}`)).items).toEqual(milestones);
    }
    const billed = all.items.filter((m) => m.billingStatus === 'billed');
    expect((await list('?status=completed')).items).toEqual(billed);
    expect((await list('?billingStatus=billed')).items).toEqual(billed);
    expect((await list('?status=completed&billingStatus=unbilled')).items).toEqual([]);
    for (const m of billed) expect((await call<Invoice>('GET', `/invoices/${m.invoiceId}`)).body.engagementId).toBe(m.engagementId);
    // Paged by keyset: two pages of five and one of two, the same twelve in the same order.
    const pages: Milestone[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Milestone> = await list(`?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.items);
    expect((await call('GET', `/milestones?engagementId=${crypto.randomUUID().replace(/^(.{14})./, '$17')}`)).status).toBe(422);
    expect((await call('GET', '/milestones?status=done')).status).toBe(400);
  });

  it('completes a milestone once: replayed, repeated and conflicting completions', async () => {
    const inProgress = (await list('?status=in-progress')).items[0]!;
    expect((await call('POST', `/milestones/${inProgress.id}/complete`, { body: { completedOn: '2026-11-18' } })).status).toBe(400);
    const key = idem();
    const done = await call<Milestone>('POST', `/milestones/${inProgress.id}/complete`, {
      body: { completedOn: '2026-11-18' },
      headers: key,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: inProgress.id,
      status: 'completed',
      completedOn: '2026-11-18',
      billingStatus: 'unbilled',
      amount: inProgress.amount,
    });
    const replay = await call<Milestone>('POST', `/milestones/${inProgress.id}/complete`, {
      body: { completedOn: '2026-11-18' },
      headers: key,
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(done.body);
    const again = await write<Milestone>('POST', `/milestones/${inProgress.id}/complete`, {});
    expect(again.status).toBe(200);
    expect(again.body.completedOn).toBe('2026-11-18');
    expect((await write('POST', `/milestones/${inProgress.id}/complete`, { completedOn: '2026-11-19' })).status).toBe(409);
    const task = [...sandbox.ctx.state().records.projectTask.values()].find(
      (t) => t.status.id === 'COMPLETE' && t.custevent_ms_completed_on === '2026-11-18',
    )!;
    expect(task.custevent_ms_invoice).toBeUndefined();
    expect((await list('?status=completed&billingStatus=unbilled')).items.map((m) => m.id)).toEqual([inProgress.id]);
    // Without a date: completed today.
    const notStarted = (await list(`?engagementId=${inProgress.engagementId}&status=not-started`)).items[0]!;
    const today = await write<Milestone>('POST', `/milestones/${notStarted.id}/complete`);
    expect(today.body).toMatchObject({ status: 'completed', completedOn: new Date().toISOString().slice(0, 10) });
    expect(
      (await call('POST', `/milestones/${crypto.randomUUID().replace(/^(.{14})./, '$17')}/complete`, { headers: idem() })).status,
    ).toBe(404);
  });

  it('records the invoice that billed a milestone once, and only an invoice of its own project', async () => {
    const milestone = (await list('?status=completed&billingStatus=unbilled')).items[0]!;
    const invoice = await write<Invoice>('POST', '/invoices', invoiceBody(milestone.engagementId, milestone));
    expect(invoice.status).toBe(201);
    expect(invoice.body.lines[0]).toMatchObject({
      kind: 'milestone',
      quantity: 1,
      netAmount: milestone.amount,
      sources: [{ kind: 'milestone', id: milestone.id }],
    });

    const other = (await list('?status=completed&billingStatus=billed')).items.find((m) => m.engagementId !== milestone.engagementId)!;
    const foreign = await write<{ title: string; errors: unknown[] }>('POST', `/milestones/${milestone.id}/bill`, {
      invoiceId: other.invoiceId,
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ title: 'Unprocessable content', errors: [{ pointer: '/invoiceId' }] });
    // Not completed: not billable, even by an invoice of its own project.
    const notStarted = (await list(`?engagementId=${other.engagementId}&status=not-started`)).items[0]!;
    const early = await write<{ title: string }>('POST', `/milestones/${notStarted.id}/bill`, { invoiceId: other.invoiceId });
    expect(early.status).toBe(422);
    expect(early.body.title).toBe('Business rule violated');
    expect((await call<Milestone>('GET', `/milestones/${notStarted.id}`)).body.billingStatus).toBe('unbilled');

    const billed = await write<Milestone>('POST', `/milestones/${milestone.id}/bill`, { invoiceId: invoice.body.id });
    expect(billed.status).toBe(200);
    expect(billed.body).toMatchObject({ id: milestone.id, billingStatus: 'billed', invoiceId: invoice.body.id, status: 'completed' });
    expect((await write<Milestone>('POST', `/milestones/${milestone.id}/bill`, { invoiceId: invoice.body.id })).body).toEqual(billed.body);
    const second = await write<Invoice>(
      'POST',
      '/invoices',
      invoiceBody(milestone.engagementId, milestone, { periodStart: '2026-12-01', periodEnd: '2026-12-31' }),
    );
    expect((await write('POST', `/milestones/${milestone.id}/bill`, { invoiceId: second.body.id })).status).toBe(409);
    // A billed milestone cannot be reopened in ERP either.
    const native = [...sandbox.ctx.state().records.projectTask.values()].find(
      (t) => t.custevent_ms_invoice && t.custevent_ms_completed_on === milestone.completedOn && t.title === milestone.name,
    )!;
    expect(native.custevent_ms_invoice!.refName).toBe(invoice.body.number);
    await expect(f.connector.updateRecord('projectTask', native.id, { status: { id: 'PROGRESS' } })).rejects.toMatchObject({ status: 422 });
    expect((await call<Milestone>('GET', `/milestones/${milestone.id}`)).body).toEqual(billed.body);
  });

  it('keys an invoice by project, period and sequence: a create whose answer was lost finds the invoice it made', async () => {
    const milestone = (await list('?status=in-progress')).items[0]!;
    const body = invoiceBody(milestone.engagementId, milestone, { periodStart: '2027-01-01', periodEnd: '2027-01-31', sequence: 1 });
    const invoices = () => [...sandbox.ctx.state().records.invoice.values()].filter((i) => i.custbody_period_start === '2027-01-01');

    const first = await write<Invoice>('POST', '/invoices', body);
    expect(first.status).toBe(201);
    // The caller crashed before recording the answer: it creates again, under a new Idempotency-Key.
    const retried = await write<Invoice>('POST', '/invoices', body);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect(invoices()).toHaveLength(1);
    // The key is the invoice's external id and its canonical id, as for every record the layer creates.
    expect(invoices()[0]!.externalId).toBe(invoiceExternalId(milestone.engagementId, '2027-01-01', '2027-01-31', 1));
    expect(first.body.id).toBe(invoices()[0]!.externalId);
    // The next invoice of the same period is another key, so another invoice.
    const next = await write<Invoice>('POST', '/invoices', { ...body, sequence: 2 });
    expect(next.status).toBe(201);
    expect(next.body.id).not.toBe(first.body.id);
    expect(invoices()).toHaveLength(2);
  });

  it('adopts the invoice ERP holds for a key when the layer died before it recorded even the invoice id', async () => {
    const milestone = (await list('?status=not-started')).items.at(-1)!;
    const p = await project(milestone.engagementId);
    const job = [...sandbox.ctx.state().records.job.values()].find((j) => j.entityId === p.code)!;
    const externalId = invoiceExternalId(p.id, '2027-02-01', '2027-02-28', 1);
    // What the first attempt wrote to NetSuite before the layer was killed: no cross-reference yet.
    const put = await fetch(`${f.sandboxUrl}/services/rest/record/v1/invoice/eid:${externalId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await m2mToken(f.sandboxUrl)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        entity: { id: job.parent.id },
        job: { id: job.id },
        custbody_period_start: '2027-02-01',
        custbody_period_end: '2027-02-28',
        approvalStatus: { id: '2' },
        item: {
          items: [
            {
              item: { id: '2' },
              description: `Milestone: ${milestone.name}`,
              quantity: 1,
              rate: milestone.amount.amountMinor / 100,
              amount: milestone.amount.amountMinor / 100,
              taxRate1: 0,
              tax1Amt: 0,
            },
          ],
        },
      }),
    });
    expect(put.status).toBe(204);
    const before = sandbox.ctx.state().records.invoice.size;
    const retried = await write<Invoice>(
      'POST',
      '/invoices',
      invoiceBody(p.id, milestone, { periodStart: '2027-02-01', periodEnd: '2027-02-28', sequence: 1 }),
    );
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({
      id: externalId,
      engagementId: p.id,
      periodStart: '2027-02-01',
      status: 'posted',
      netTotal: milestone.amount,
    });
    expect(sandbox.ctx.state().records.invoice.size).toBe(before);
    expect((await call<Invoice>('GET', `/invoices/${retried.body.id}`)).body).toEqual(retried.body);
  });
});
