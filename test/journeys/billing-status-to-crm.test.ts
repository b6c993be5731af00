// Billing status back to the CRM, end to end: an ERP invoice posted, partly paid and put on
// hold reaches the CRM account and opportunity through ERP's signed webhooks; a change the
// webhooks missed is found by the reconciling poll; the CRM experience API shows the account
// page in v1 (decimals in the account currency) and v2 (Money objects) side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { callJson, until } from './support/http.js';
import { postConsultingInvoice, provisionWonDeal } from './support/billing-fixtures.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';

const SCOPES = 'crm-app:write crm-app:read process:read process:write';

for (const engine of testEngines()) {
  describe(`billing status to CRM (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;
    const call = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
      callJson<Json>(h.gateway.url, method, path, { ...auth, ...extra }, body);

    beforeAll(async () => {
      h = await startCrmHarness(engine);
      auth = await h.headers(SCOPES);
    }, 60_000);
    afterAll(async () => h?.close());

    it('shows invoice and payment status on the CRM account and opportunity, and on the account page', async () => {
      const { client, dealId, projectId } = await provisionWonDeal(h, 'Claims analytics rollout', 8_000_000);

      // ERP posts an invoice: 600 minutes at £140 an hour plus 20% VAT = £1,680.00, due long ago (overdue).
      const invoice = await postConsultingInvoice(h.systemApis.erp, projectId, '2026-11-15');
      expect(invoice.total).toEqual({ amountMinor: 168_000, currency: 'GBP' });
      const crmAccount = () => h.systemApis.crm.getClient(client.id);
      await until(crmAccount, (c) => c.billing.status === 'overdue', 'the CRM account to show the overdue invoice');
      expect((await crmAccount()).billing).toEqual({
        status: 'overdue',
        invoiceStatus: 'posted',
        outstanding: { amountMinor: 168_000, currency: 'GBP' },
      });
      await until(
        () => h.systemApis.crm.getOpportunity(dealId),
        (o) => o.billing.status === 'overdue',
        'the opportunity to show it',
      );

      // A partial payment: outstanding goes down, the invoice stays overdue.
      await h.systemApis.erp.recordPayment({
        invoiceId: invoice.id,
        amount: { amountMinor: 68_000, currency: 'GBP' },
        receivedOn: '2026-11-20',
        method: 'bank-transfer',
      });
      await until(crmAccount, (c) => c.billing.outstanding?.amountMinor === 100_000, 'the CRM account to show the partial payment');

      const status = await call('GET', `/process/billing-status-to-crm/v1/accounts/${client.id}/billing-status`);
      expect(status.status).toBe(200);
      expect(status.body.invoices).toEqual([
        expect.objectContaining({
          invoiceId: invoice.id,
          engagementId: projectId,
          opportunityId: dealId,
          total: { amountMinor: 168_000, currency: 'GBP' },
          amountPaid: { amountMinor: 68_000, currency: 'GBP' },
          amountOutstanding: { amountMinor: 100_000, currency: 'GBP' },
          overdue: true,
        }),
      ]);
      expect(status.body.outstanding).toEqual([{ amountMinor: 100_000, currency: 'GBP' }]);

      // The account page, v1 and v2 side by side.
      const v1 = await call('GET', `/experience/crm/v1/accounts/${client.id}/overview`);
      const v2 = await call('GET', `/experience/crm/v2/accounts/${client.id}/overview`);
      expect(v1.status).toBe(200);
      expect(v1.headers.get('deprecation')).toBeTruthy();
      expect(v1.body).toMatchObject({
        accountId: client.id,
        currency: 'GBP',
        openInvoiceCount: 1,
        openAmount: '1000.00',
        overdueInvoiceCount: 1,
        overdueAmount: '1000.00',
      });
      expect(v1.body.projects).toEqual([
        expect.objectContaining({ projectId: projectId, staffingState: 'unstaffed', unbilledHours: '0.00', unbilledAmount: '0.00' }),
      ]);
      expect(v2.status).toBe(200);
      expect(v2.headers.get('deprecation')).toBeNull();
      expect(v2.body).toMatchObject({
        accountId: client.id,
        openInvoiceCount: 1,
        open: [{ amountMinor: 100_000, currency: 'GBP' }],
        overdue: [{ amountMinor: 100_000, currency: 'GBP' }],
      });
      expect(v2.body.projects[0]).toMatchObject({
        projectId: projectId,
        billingModel: 'time-and-materials',
        unbilledMinutes: 0,
        unbilledAmount: { amountMinor: 0, currency: 'GBP' },
      });
      expect(v2.body.daysSalesOutstanding).toBe(v1.body.daysSalesOutstanding);

      // On hold in ERP → on hold in the CRM.
      await h.systemApis.erp.holdInvoice(invoice.id, 'Client disputes two hours');
      await until(crmAccount, (c) => c.billing.status === 'on-hold', 'the CRM account to show the hold');
      await h.systemApis.erp.releaseInvoice(invoice.id);
      await until(crmAccount, (c) => c.billing.status === 'overdue', 'the CRM account to show the release');

      // Webhooks lost: the reconciling poll still brings the CRM in step.
      await fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks`, { method: 'DELETE' });
      await h.systemApis.erp.recordPayment({
        invoiceId: invoice.id,
        amount: { amountMinor: 100_000, currency: 'GBP' },
        receivedOn: '2026-11-25',
        method: 'bank-transfer',
      });
      expect(await h.journeys.apis.billingStatusToCrm.reconcile()).toBeGreaterThanOrEqual(1);
      await until(crmAccount, (c) => c.billing.status === 'paid', 'the CRM account to show it paid');
      expect((await crmAccount()).billing.outstanding).toEqual({ amountMinor: 0, currency: 'GBP' });
      expect((await h.systemApis.crm.getOpportunity(dealId)).billing).toEqual({ status: 'paid', invoiceStatus: 'paid' });
      // Nothing changed since: a second pass starts no run.
      await until(
        () =>
          h.store.db
            .selectFrom('workflow_runs')
            .select('id')
            .where('definition', '=', 'billing-status-to-crm')
            .where('state', '!=', 'completed')
            .execute(),
        (r) => r.length === 0,
        'billing runs to finish',
      );
      expect(await h.journeys.apis.billingStatusToCrm.reconcile()).toBe(0);

      const runs = await call('GET', `/process/billing-status-to-crm/v1/runs?subject=${invoice.id}&status=succeeded`);
      expect(runs.body.items.length).toBeGreaterThanOrEqual(4);
      expect(runs.body.items[0]).toMatchObject({ journey: 'billing-status-to-crm', subject: invoice.id });
    }, 120_000);
  });
}
