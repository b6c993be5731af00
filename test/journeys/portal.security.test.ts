// The client portal API v1 through the gateway: a client sees its own projects, posted
// invoices, payments and approved hours; another client's ids answer 404 exactly like ids
// that do not exist (OWASP API1); tokens without the client claim or the scope get 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalModule } from '../../experience-apis/portal/index.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { testEngines } from '../support/stores.js';
import { createBillableProject, startBillingHarness, type BillableProject, type BillingHarness } from './support/billing-harness.js';
import { callJson, until } from './support/http.js';

const BASE = '/experience/portal/v1';
const MISSING = '01a216af-078d-7328-958b-9a2e69a1e260';

describe.each(testEngines().map((e) => [e.name, e] as const))('portal v1 on %s', (_name, engine) => {
  let h: BillingHarness;
  let a: BillableProject;
  let b: BillableProject;
  let asA: Record<string, string>;
  const get = <T>(path: string, headers = asA) => callJson<T>(h.gateway.url, 'GET', `${BASE}${path}`, headers);

  async function bill(p: BillableProject): Promise<string> {
    const { run } = await h.billing.startRun({ periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: p.engagement.id }, 'api');
    const done = await until(
      () => h.billing.getRun(run.id),
      (r: Run) => r.status === 'succeeded' || r.status === 'failed',
      `billing ${p.client.name}`,
    );
    expect(done.status).toBe('succeeded');
    return (await h.erp.listInvoices({ engagementId: p.engagement.id, limit: 10 })).items[0]!.id;
  }

  beforeAll(async () => {
    h = await startBillingHarness(engine, { modules: [portalModule], contracts: [{ layer: 'experience', api: 'portal', major: 1 }] });
    a = await createBillableProject(h.erp, 'GB', 'Kingsbridge Pharma Ltd');
    b = await createBillableProject(h.erp, 'DE', 'Oberland Textil GmbH');
    for (const p of [a, b]) {
      h.timeDouble!.addEntry({
        engagementId: p.engagement.id,
        role: 'consultant',
        workDate: '2026-11-09',
        durationMinutes: 480,
        description: 'Requirements workshop',
      });
      h.timeDouble!.addEntry({ engagementId: p.engagement.id, role: 'analyst', workDate: '2026-11-10', durationMinutes: 240 });
    }
    h.timeDouble!.addEntry({
      engagementId: a.engagement.id,
      role: 'consultant',
      workDate: '2026-11-11',
      durationMinutes: 60,
      approvalStatus: 'submitted',
    });
    asA = await h.headers('portal:read', { client_account: a.client.id });
  });
  afterAll(async () => {
    await h?.close();
    await engine.cleanup();
  });

  it('shows client A its own projects, invoices with lines, payments and approved hours, never cached', async () => {
    const invoiceA = await bill(a);
    await bill(b);
    const invoice = await h.erp.getInvoice(invoiceA);
    await h.erp.recordPayment({
      invoiceId: invoiceA,
      amount: { amountMinor: 10_000, currency: 'GBP' },
      receivedOn: '2026-12-10',
      method: 'bank-transfer',
      reference: 'REMIT 4471',
    });

    const projects = await get<{ items: Array<{ id: string }> }>('/projects');
    expect(projects.status).toBe(200);
    expect(projects.headers.get('cache-control')).toBe('no-store');
    expect(projects.body.items.map((p) => p.id)).toEqual([a.engagement.id]);
    expect(Object.keys(projects.body.items[0]!).sort()).toEqual(
      ['billingModel', 'code', 'currency', 'id', 'name', 'startDate', 'status'].filter((k) => k !== 'code' || a.engagement.code),
    );

    const invoices = await get<{ items: Array<{ id: string; status: string; amountPaid: { amountMinor: number } }> }>('/invoices');
    expect(invoices.body.items.map((i) => [i.id, i.status, i.amountPaid.amountMinor])).toEqual([[invoiceA, 'partially-paid', 10_000]]);
    const detail = await get<{ lines: Array<{ role?: string; quantity: number }>; total: { amountMinor: number } }>(
      `/invoices/${invoiceA}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body.total.amountMinor).toBe(invoice.total.amountMinor);
    expect(detail.body.lines.map((l) => [l.role, l.quantity])).toEqual([
      ['analyst', 240],
      ['consultant', 480],
    ]);
    expect(JSON.stringify(detail.body)).not.toMatch(/legalEntityId|clientId|sources/);

    const payments = await get<{ items: Array<{ invoiceId: string; amount: { amountMinor: number }; reference?: string }> }>(
      `/payments?invoiceId=${invoiceA}`,
    );
    expect(payments.body.items).toEqual([
      expect.objectContaining({ invoiceId: invoiceA, amount: { amountMinor: 10_000, currency: 'GBP' }, reference: 'REMIT 4471' }),
    ]);

    const hours = await get<{ items: Array<{ projectId: string; durationMinutes: number; billingStatus: string; invoiceId?: string }> }>(
      '/approved-hours?limit=1',
    );
    expect(hours.body.items).toHaveLength(1);
    const rest = await get<{
      items: Array<{ projectId: string; durationMinutes: number; billingStatus: string; invoiceId?: string }>;
      nextCursor: string | null;
    }>(`/approved-hours?limit=1&cursor=${(hours.body as unknown as { nextCursor: string }).nextCursor}`);
    const all = [...hours.body.items, ...rest.body.items];
    expect(all.map((x) => [x.projectId, x.durationMinutes, x.billingStatus, x.invoiceId]).sort()).toEqual([
      [a.engagement.id, 240, 'billed', invoiceA],
      [a.engagement.id, 480, 'billed', invoiceA],
    ]);
  });

  it("answers 404 for client B's project, invoice and hours exactly as for ids that do not exist", async () => {
    const invoiceB = (await h.erp.listInvoices({ engagementId: b.engagement.id, limit: 10 })).items[0]!.id;
    const probes = [
      `/projects/${b.engagement.id}`,
      `/invoices/${invoiceB}`,
      `/payments?invoiceId=${invoiceB}`,
      `/approved-hours?projectId=${b.engagement.id}`,
      `/invoices?projectId=${b.engagement.id}`,
    ];
    for (const path of probes) {
      const theirs = await get<{ status: number; type: string; title: string }>(path);
      const missing = await get<{ status: number; type: string; title: string }>(
        path.replace(b.engagement.id, MISSING).replace(invoiceB, MISSING),
      );
      expect([path, theirs.status]).toEqual([path, 404]);
      expect(theirs.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect([theirs.body.type, theirs.body.title]).toEqual([missing.body.type, missing.body.title]);
      expect(missing.status).toBe(404);
    }
    // B's own token sees B's invoice.
    const asB = await h.headers('portal:read', { client_account: b.client.id });
    expect((await get(`/invoices/${invoiceB}`, asB)).status).toBe(200);
  });

  it('refuses a token without the client claim or without the portal scope', async () => {
    expect((await get('/projects', await h.headers('portal:read'))).status).toBe(403);
    expect((await get('/projects', await h.headers('process:read', { client_account: a.client.id }))).status).toBe(403);
    expect((await callJson(h.gateway.url, 'GET', `${BASE}/projects`, {})).status).toBe(401);
  });
});
