// Reconciliation of billing status (question mismatched-billing-status): mismatches made behind
// the layer's back — a CRM billing field edited on the CRM, a part payment entered by hand in ERP
// with no webhook and no change feed — are found with their records, links and money at risk,
// repaired through the journey (the CRM's fields read back by SOQL), and a clean state reports nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/xref/index.js';
import { billingStatusToCrmChecks } from '../../process-apis/billing-status-to-crm/index.js';
import { createProcessApis, type ProcessLayer } from '../../process-apis/index.js';
import type { Finding, ReconciliationCheck } from '../../process-apis/kit/reconciliation.js';
import { testEngines } from '../support/stores.js';
import { until } from './support/http.js';
import { crmAccessToken, crmSoql, erpByHand, postConsultingInvoice, provisionWonDeal, type ErpByHand } from './support/billing-fixtures.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';

type Row = Record<string, unknown>;
const ACTOR = { consumer: 'reconciliation-test' };

for (const engine of testEngines()) {
  describe(`billing status reconciliation (${engine.name})`, () => {
    let h: CrmHarness;
    let layer: ProcessLayer | undefined;
    let soql: (q: string) => Promise<Row[]>;
    let crmToken: string;
    let erp: ErpByHand;
    let check: ReconciliationCheck;
    let runsCheck: ReconciliationCheck;
    let accountId: string; // Salesforce Account Id
    let opportunityId: string; // Salesforce Opportunity Id
    let customerNative: string;
    let invoiceNative: string;
    const dealName = `Billing recon ${newId()}`;

    const run = async (c = check) => {
      let compared = 0;
      const findings = await c.run({ now: new Date(), compared: (n) => (compared += n), signal: new AbortController().signal });
      return { findings, compared };
    };
    const repair = async (finding: Finding, exceptionId = newId()) => {
      const { runId } = await check.repair({ ...finding, exceptionId }, ACTOR);
      const journey = (layer ?? h.journeys).apis.billingStatusToCrm;
      await until(
        () => journey.getRun(runId!),
        (r) => r.status === 'succeeded' || r.status === 'failed',
        'the repair run',
      );
      expect((await journey.getRun(runId!)).status, 'the repair run succeeded').toBe('succeeded');
      return runId!;
    };
    const account = async () =>
      (await soql(`SELECT Id, Billing_Status__c, Invoice_Status__c, Outstanding_Amount__c FROM Account WHERE Id = '${accountId}'`))[0]!;
    const opportunity = async () =>
      (await soql(`SELECT Id, Billing_Status__c, Invoice_Status__c FROM Opportunity WHERE Id = '${opportunityId}'`))[0]!;
    const crmPatch = async (object: string, id: string, fields: Row) => {
      const res = await fetch(`${h.sandboxUrls.crm}/services/data/v62.0/sobjects/${object}/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${crmToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      });
      expect(res.status, await res.text()).toBe(204);
    };
    const suiteql = (q: string) => erp.suiteql(q);
    const billingRunsSettled = () =>
      until(
        () =>
          h.store.db
            .selectFrom('workflow_runs')
            .select('id')
            .where('definition', '=', 'billing-status-to-crm')
            .where('state', 'not in', ['completed', 'failed'])
            .execute(),
        (rows) => rows.length === 0,
        'billing runs to settle',
      );
    const byType = (findings: Finding[], type: string) => findings.filter((f) => f.type === type);

    beforeAll(async () => {
      h = await startCrmHarness(engine);
      soql = await crmSoql(h.sandboxUrls.crm!);
      crmToken = await crmAccessToken(h.sandboxUrls.crm!);
      erp = await erpByHand(h.sandboxUrls.erp!);
      const checks = billingStatusToCrmChecks(
        { store: h.store, erp: h.systemApis.erp, crm: h.systemApis.crm },
        h.journeys.apis.billingStatusToCrm,
      );
      check = checks.find((c) => c.name === 'crm-billing-status')!;
      runsCheck = checks.find((c) => c.name === 'billing-status-runs')!;
      const { projectId } = await provisionWonDeal(h, dealName);
      const [opp] = await soql(`SELECT Id, AccountId FROM Opportunity WHERE Name = '${dealName}'`);
      opportunityId = String(opp!.Id);
      accountId = String(opp!.AccountId);
      // £1,680.00 with VAT, due far ahead: reaches the CRM by ERP's webhook.
      const invoice = await postConsultingInvoice(h.systemApis.erp, projectId, '2099-12-31');
      const [row] = await suiteql(`SELECT id, entity FROM transaction WHERE externalid = '${invoice.id}'`);
      invoiceNative = String(row!.id);
      customerNative = String(row!.entity);
      await until(
        account,
        (a) => a.Billing_Status__c === 'Invoiced' || a.Billing_Status__c === 'Overdue',
        'the CRM account to show the invoice',
      );
      await until(opportunity, (o) => o.Billing_Status__c === 'Invoiced', 'the CRM opportunity to show the invoice');
      // The journey's safety net brings the client's other (seeded) invoices in too; then the layer is in step.
      await h.journeys.apis.billingStatusToCrm.reconcile();
      await billingRunsSettled();
    }, 120_000);
    afterAll(async () => {
      await layer?.stop();
      await h?.close();
    });

    it('reports nothing once the journeys ran', async () => {
      const { findings, compared } = await run();
      expect(findings).toEqual([]);
      expect(compared, 'the account and the opportunity were compared').toBeGreaterThanOrEqual(2);
      expect((await run(runsCheck)).findings, 'no failed billing run').toEqual([]);
    }, 60_000);

    it('finds CRM billing fields edited behind the layer, with records, links and money, and repairs them', async () => {
      const before = await account();
      await crmPatch('Account', accountId, { Outstanding_Amount__c: 99, Billing_Status__c: 'Paid' });
      await crmPatch('Opportunity', opportunityId, { Billing_Status__c: 'Paid', Invoice_Status__c: 'Paid' });

      const { findings } = await run();
      expect(findings.map((f) => f.type).sort()).toEqual(['account-billing-status-differs', 'opportunity-billing-status-differs']);
      const [onAccount] = byType(findings, 'account-billing-status-differs');
      const owed = Math.round(Number(before.Outstanding_Amount__c) * 100);
      expect(onAccount!.records[0]).toMatchObject({ platform: 'crm', entity: 'account', id: accountId });
      expect(onAccount!.records[0]!.url).toMatch(new RegExp(`/lightning/r/Account/${accountId}/view$`));
      expect(onAccount!.records[1]).toMatchObject({ platform: 'erp', entity: 'client', id: customerNative });
      expect(onAccount!.records[1]!.url).toMatch(new RegExp(`/app/common/entity/custjob\\.nl\\?id=${customerNative}$`));
      expect(onAccount!.records.some((r) => r.entity === 'invoice' && r.id === invoiceNative)).toBe(true);
      expect(onAccount!.moneyAtRisk, 'what the CRM shows less than ERP holds').toEqual({ amountMinor: owed - 9_900, currency: 'GBP' });
      expect(onAccount!.repair).toMatchObject({ safe: true, action: 'sync-billing-status' });
      expect(onAccount!.detail).toContain('99.00 GBP outstanding');

      const [onOpportunity] = byType(findings, 'opportunity-billing-status-differs');
      expect(onOpportunity!.records[0]).toMatchObject({ platform: 'crm', entity: 'opportunity', id: opportunityId, label: dealName });
      expect(onOpportunity!.records.map((r) => r.entity)).toEqual(['opportunity', 'client', 'project', 'invoice']);
      expect(onOpportunity!.records[3]!.url).toMatch(new RegExp(`/app/accounting/transactions/custinvc\\.nl\\?id=${invoiceNative}$`));
      expect(onOpportunity!.moneyAtRisk, "the engagement's outstanding").toEqual({ amountMinor: 168_000, currency: 'GBP' });
      // The same mismatch keeps its key from pass to pass.
      expect((await run()).findings.map((f) => f.key).sort()).toEqual(findings.map((f) => f.key).sort());

      const exceptionId = newId();
      const runId = await repair(onAccount!, exceptionId);
      expect(await repair(onAccount!, exceptionId), 'a second repair of one exception is the same run').toBe(runId);
      await repair(onOpportunity!);
      expect(await account()).toMatchObject({
        Billing_Status__c: before.Billing_Status__c,
        Outstanding_Amount__c: before.Outstanding_Amount__c,
      });
      expect(await opportunity()).toMatchObject({ Billing_Status__c: 'Invoiced', Invoice_Status__c: 'Posted' });
      expect((await run()).findings, 'repaired: nothing left').toEqual([]);
    }, 90_000);

    it('finds a part payment entered in ERP with no webhook and no feed, names it, and repairs the CRM', async () => {
      // The layer runs on without the ERP change feed, and ERP's webhooks are off.
      await h.journeys.stop();
      layer = createProcessApis(
        {
          config: { ...h.config, platforms: { ...h.config.platforms, erp: { ...h.config.platforms.erp, pollIntervalMs: 0 } } },
          logger: h.logger,
          store: h.store,
        },
        h.systemApis,
        { engine: { pollMs: 20, leaseMs: 5_000, heartbeatMs: 1_000 }, inboxPollMs: 50, reconcileEveryMs: 0 },
      );
      layer.start();
      check = billingStatusToCrmChecks({ store: h.store, erp: h.systemApis.erp, crm: h.systemApis.crm }, layer.apis.billingStatusToCrm)[0]!;
      await fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks`, { method: 'DELETE' });
      const before = await account();
      const payment = await erp.enterByHand('customerPayment', {
        customer: { id: customerNative },
        payment: 300,
        apply: { items: [{ doc: { id: invoiceNative }, apply: true, amount: 300 }] },
      });
      const [paid] = await suiteql(`SELECT foreignamountremaining FROM transaction WHERE id = ${invoiceNative}`);
      expect(Number(paid!.foreignamountremaining), 'ERP holds the part payment').toBe(1380);
      expect((await account()).Outstanding_Amount__c, 'the CRM does not know').toBe(before.Outstanding_Amount__c);

      const { findings } = await run();
      expect(findings.map((f) => f.type).sort()).toEqual(['opportunity-billing-status-differs', 'payment-not-on-crm']);
      const [missed] = byType(findings, 'payment-not-on-crm');
      expect(missed!.moneyAtRisk).toEqual({ amountMinor: 30_000, currency: 'GBP' });
      const paymentRef = missed!.records.find((r) => r.entity === 'payment');
      expect(paymentRef).toMatchObject({ platform: 'erp', id: payment });
      expect(paymentRef!.url).toMatch(new RegExp(`/app/accounting/transactions/custpymt\\.nl\\?id=${payment}$`));
      expect(missed!.since, 'when ERP recorded it').toBeInstanceOf(Date);
      const [onOpportunity] = byType(findings, 'opportunity-billing-status-differs');
      expect(onOpportunity!.detail).toContain('partially-paid');
      expect(onOpportunity!.moneyAtRisk).toEqual({ amountMinor: 138_000, currency: 'GBP' });

      await repair(missed!);
      await repair(onOpportunity!);
      const shown = await account();
      expect(Number(shown.Outstanding_Amount__c), 'the CRM shows what ERP holds').toBe(Number(before.Outstanding_Amount__c) - 300);
      expect(await opportunity()).toMatchObject({ Billing_Status__c: 'Partially Paid' });
      expect((await run()).findings, 'repaired: nothing left').toEqual([]);
    }, 90_000);

    it('finds an invoice fallen overdue with the passing of days, which changes nothing in ERP for an event, the feed or reconcile() to see', async () => {
      // The journey's safety net has run: every invoice state it can see has had its run.
      await layer!.apis.billingStatusToCrm.reconcile();
      await billingRunsSettled();
      // The consulting invoice is due 2099-12-31: on New Year's Day 2100 it is overdue.
      const findings = (
        await check.run({ now: new Date('2100-01-01T09:00:00Z'), compared: () => undefined, signal: new AbortController().signal })
      ).filter((f) => f.records[0]!.id === opportunityId);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        type: 'opportunity-billing-status-differs',
        moneyAtRisk: { amountMinor: 138_000, currency: 'GBP' },
      });
      expect(findings[0]!.title).toContain('ERP says overdue');
      expect(findings[0]!.since, 'the day after it fell due').toEqual(new Date('2100-01-01T00:00:00Z'));
      expect(await layer!.apis.billingStatusToCrm.reconcile(), 'the safety net sees no change').toBe(0);
    }, 60_000);

    it('shows a failed billing run as a finding naming its ERP record, the step that stopped and the error', async () => {
      // ERP refuses a client it does not know: the run fails at once (a refusal is not retried).
      const unknownClient = newId();
      const { run: started } = await layer!.apis.billingStatusToCrm.syncClient(unknownClient, { reason: 'test', trigger: 'api' });
      await until(
        () => layer!.apis.billingStatusToCrm.getRun(started.id),
        (r) => r.status === 'failed',
        'the run to fail',
      );
      const { findings } = await run(runsCheck);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        type: 'billing-status-run-failed',
        key: started.id,
        records: [
          { platform: 'erp', entity: 'client', id: unknownClient, canonicalId: unknownClient },
          { platform: 'layer', entity: 'run', id: started.id },
        ],
        repair: { safe: false, action: 'retry-run' },
        run: { runId: started.id, step: 'read-invoice', state: 'failed' },
      });
      expect(findings[0]!.title).toContain(`client ${unknownClient}`);
      expect(findings[0]!.detail).toContain(`No client ${unknownClient} in ERP`);
    }, 60_000);
  });
}
