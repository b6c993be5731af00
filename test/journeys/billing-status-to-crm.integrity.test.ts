// Integrity of billing status under real-world faults: ERP delivers every webhook twice and
// out of order, ERP's queries fail 30% of the time and are slow at times, and the CRM
// refuses 30% of writes, while invoices are posted, paid in part and in full, put on hold
// and released. After the layer settles, every CRM opportunity and account shows exactly
// what ERP's invoices say, and a reconciling pass finds nothing left to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Money } from '../../core/money.js';
import { newId } from '../../core/xref/index.js';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { callJson, idempotencyKey, until } from './support/http.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { faultSeed } from '../support/fault-seed.js';

const SCOPES = 'crm-app:write crm-app:read process:read process:write';
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

for (const engine of testEngines()) {
  describe(`billing status to CRM under faults (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;
    const call = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
      callJson<Json>(h.gateway.url, method, path, { ...auth, ...extra }, body);

    beforeAll(async () => {
      h = await startCrmHarness(engine);
      auth = await h.headers(SCOPES);
    }, 60_000);
    afterAll(async () => h?.close());

    async function provision(clientId: string, name: string): Promise<{ deal: Opportunity; projectId: string }> {
      const deal = await h.systemApis.crm.createOpportunity({
        clientId,
        name,
        stage: 'closed-won',
        closeDate: day(-30),
        amount: { amountMinor: 5_000_000, currency: 'GBP' },
        contractTerms: {
          billingModel: 'time-and-materials',
          startDate: day(-20),
          endDate: day(90),
          legalEntityCountry: 'GB',
          rateCardCode: 'RC-GB-2026',
        },
      });
      const provisioned = await call('POST', `/experience/crm/v2/opportunities/${deal.id}/project`, undefined, {
        ...idempotencyKey(),
        Prefer: 'wait=20',
      });
      const project =
        provisioned.status === 200
          ? provisioned.body.project
          : (
              await until(
                () => call('GET', `/experience/crm/v2/opportunities/${deal.id}/project`),
                (r) => r.body.status === 'completed',
                'provisioning',
              )
            ).body.project;
      return { deal, projectId: project.id as string };
    }

    const invoice = (engagementId: string, minutes: number, dueDate: string) =>
      h.systemApis.erp.createInvoice({
        engagementId,
        periodStart: day(-60),
        periodEnd: day(-31),
        issueDate: day(-30),
        dueDate,
        post: true,
        lines: [
          {
            kind: 'time',
            description: 'Consulting',
            role: 'consultant',
            quantity: minutes,
            unitPrice: { amountMinor: 14_000, currency: 'GBP' },
            taxRateBasisPoints: 2000,
            sources: [{ kind: 'time-entry', id: newId() }],
          },
        ],
      });
    const pay = (inv: Invoice, amountMinor: number) =>
      h.systemApis.erp.recordPayment({
        invoiceId: inv.id,
        amount: { amountMinor, currency: 'GBP' },
        receivedOn: day(0),
        method: 'bank-transfer',
      });

    /** Every ERP webhook delivered and every billing run finished. */
    async function settle(): Promise<void> {
      await fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks/drain`, { method: 'POST' });
      await until(
        async () => {
          const inbox = await h.store.db.selectFrom('inbox_messages').select('webhook_id').where('state', '=', 'received').execute();
          const runs = await h.store.db
            .selectFrom('workflow_runs')
            .select('id')
            .where('definition', '=', 'billing-status-to-crm')
            .where('state', 'in', ['pending', 'running', 'waiting'])
            .execute();
          return inbox.length + runs.length;
        },
        (open) => open === 0,
        'inbox and billing runs to settle',
        150_000,
      );
    }

    it('leaves every CRM opportunity and account showing what ERP says', async () => {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find(
        (c) => c.billingCountry === 'GB' && c.defaultCurrency === 'GBP',
      )!;
      const a = await provision(client.id, 'Faulty billing A');
      const b = await provision(client.id, 'Faulty billing B');

      const seed = faultSeed();
      await h.faults('erp', {
        seed,
        webhookDuplicateRate: 1,
        webhookReorder: true,
        errorRate: 0.3,
        latencyMs: 0,
        latencyJitterMs: 150,
        paths: '/services/rest/query',
      });
      await h.faults('crm', { seed, errorRate: 0.3, errorStatus: 503, paths: '/services/data' });
      try {
        // A: one invoice long overdue and then paid in full; one put on hold, released, held again.
        const a1 = await invoice(a.projectId, 600, day(-10)); // £1,680.00 with VAT
        const a2 = await invoice(a.projectId, 300, day(20)); // £840.00
        await pay(a1, 68_000);
        await h.systemApis.erp.holdInvoice(a2.id, 'Client disputes the hours');
        await pay(a1, 100_000);
        await h.systemApis.erp.releaseInvoice(a2.id);
        await h.systemApis.erp.holdInvoice(a2.id, 'Disputed again');
        // B: one invoice paid in part, not yet due.
        const b1 = await invoice(b.projectId, 450, day(25)); // £1,260.00
        await pay(b1, 26_000);
        await settle();
      } finally {
        await h.faults('erp', { webhookDuplicateRate: 0, webhookReorder: false, errorRate: 0, latencyJitterMs: 0, paths: null });
        await h.faults('crm', { errorRate: 0, paths: null });
      }
      // The poll catches whatever was dead-lettered or missed; afterwards nothing is left to do.
      await h.journeys.apis.billingStatusToCrm.reconcile();
      await settle();
      expect(await h.journeys.apis.billingStatusToCrm.reconcile()).toBe(0);

      // What ERP says now…
      const invoices = (
        await h.systemApis.erp.listInvoices({ clientId: (await h.systemApis.erp.getProject(a.projectId)).clientId, limit: 200 })
      ).items;
      const byProject = (id: string) => invoices.filter((i) => i.engagementId === id);
      expect(
        byProject(a.projectId)
          .map((i) => i.status)
          .sort(),
      ).toEqual(['on-hold', 'paid']);
      expect(byProject(b.projectId).map((i) => i.status)).toEqual(['partially-paid']);
      const outstanding: Money = { amountMinor: 84_000 + 100_000, currency: 'GBP' };
      expect(invoices.filter((i) => i.status !== 'paid').reduce((s, i) => s + i.amountOutstanding.amountMinor, 0)).toBe(
        outstanding.amountMinor,
      );

      // …is what the CRM shows: the worst status first, the amount owed in the account's currency.
      expect((await h.systemApis.crm.getOpportunity(a.deal.id)).billing).toEqual({ status: 'on-hold', invoiceStatus: 'on-hold' });
      expect((await h.systemApis.crm.getOpportunity(b.deal.id)).billing).toEqual({ status: 'partially-paid', invoiceStatus: 'posted' });
      expect((await h.systemApis.crm.getClient(client.id)).billing).toEqual({
        status: 'on-hold',
        invoiceStatus: 'on-hold',
        outstanding,
      });

      // No run gave up for good: the faults only delayed them.
      const failed = await h.store.db
        .selectFrom('workflow_runs')
        .select(['id', 'state'])
        .where('definition', '=', 'billing-status-to-crm')
        .where('state', 'not in', ['completed'])
        .execute();
      expect(failed).toEqual([]);
      // …and they did bite: the CRM refused some of the layer's writes, which were tried again
      // (by the connector or as a step's next attempt) until the figures above were written.
      // Counted where they happened, on the CRM, since which layer retried depends on timing.
      const injected = await h.injectedFaults('crm');
      expect(injected['error PATCH'] ?? 0, `CRM writes refused with a 503: ${JSON.stringify(injected)}`).toBeGreaterThan(0);
    }, 300_000);
  });
}
