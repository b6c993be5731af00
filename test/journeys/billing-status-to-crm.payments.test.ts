// Payments, credit memos and refunds entered by hand in ERP (no external id) reach the CRM
// account and opportunity: by ERP's webhook, by the SuiteQL change feed when no webhook comes,
// once when both report the same change, and after the layer was stopped while a payment was
// entered. Counted on the platforms' own APIs: SuiteQL and REST records on ERP, SOQL on the CRM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/xref/index.js';
import { createProcessApis, type ProcessLayer } from '../../process-apis/index.js';
import { testEngines } from '../support/stores.js';
import { until } from './support/http.js';
import { crmSoql, erpByHand, postConsultingInvoice, provisionWonDeal, type ErpByHand } from './support/billing-fixtures.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';

for (const engine of testEngines()) {
  describe(`payments, credit memos and refunds to the CRM (${engine.name})`, () => {
    let h: CrmHarness;
    let layer: ProcessLayer | undefined;
    let erp: ErpByHand;
    let soql: (q: string) => Promise<Array<Record<string, unknown>>>;
    let customerNative: string;
    let invoiceNative: string;
    let accountName: string;
    const dealName = `Payments ${newId()}`;

    const suiteql = (q: string) => erp.suiteql(q);
    /** A record a person enters in NetSuite's UI: no external id; answers its internal id. */
    const enterByHand = (type: string, body: unknown) => erp.enterByHand(type, body);
    const amountRemaining = async () =>
      Number((await suiteql(`SELECT foreignamountremaining FROM transaction WHERE id = ${invoiceNative}`))[0]!.foreignamountremaining);
    const crmAccount = async () =>
      (await soql(`SELECT Billing_Status__c, Outstanding_Amount__c FROM Account WHERE Name = '${accountName.replace(/'/g, "\\'")}'`))[0]!;
    const crmOpportunity = async () =>
      (await soql(`SELECT Billing_Status__c, Invoice_Status__c FROM Opportunity WHERE Name = '${dealName}'`))[0]!;
    const showsOutstanding = (amount: number) =>
      until(crmAccount, (a) => a.Outstanding_Amount__c === amount, `the CRM account to show ${amount} outstanding`);
    /** The billing runs started for one ERP document (all its changes). */
    const runsFor = (document: string) =>
      h.store.db
        .selectFrom('workflow_runs')
        .select(['id', 'run_key', 'state', 'input'])
        .where('definition', '=', 'billing-status-to-crm')
        .where('run_key', 'like', `${document}#%`)
        .execute();
    /** Inbox messages about one document: the feed's carry it as `document`, the webhooks' as record type and id. */
    const inboxFor = (source: 'erp' | 'erp-poll', document: string) => {
      const [type, id] = document.split(':');
      const body = source === 'erp-poll' ? `%"document":"${document}"%` : `%"recordType":"${type}","id":"${id}"%`;
      return h.store.db
        .selectFrom('inbox_messages')
        .select(['webhook_id', 'state'])
        .where('source', '=', source)
        .where('body', 'like', body)
        .execute();
    };
    const subscribe = () =>
      fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiverUrl }),
      });
    let receiverUrl: string;
    const startLayer = () => {
      // A new process on the same store, polling ERP every 200 ms: the catch-up path within a test.
      const next = createProcessApis(
        {
          config: { ...h.config, platforms: { ...h.config.platforms, erp: { ...h.config.platforms.erp, pollIntervalMs: 200 } } },
          logger: h.logger,
          store: h.store,
        },
        h.systemApis,
        {
          engine: { pollMs: 20, leaseMs: 5_000, heartbeatMs: 1_000 },
          inboxPollMs: 50,
          reconcileEveryMs: 0,
        },
      );
      next.start();
      return next;
    };
    const cursorExists = () =>
      until(
        () => h.store.db.selectFrom('change_cursors').select('stream').where('stream', '=', 'erp:billing').execute(),
        (r) => r.length === 1,
        'the ERP billing cursor',
      );

    beforeAll(async () => {
      h = await startCrmHarness(engine);
      erp = await erpByHand(h.sandboxUrls.erp!);
      soql = await crmSoql(h.sandboxUrls.crm!);
      receiverUrl = ((await (await fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks`)).json()) as { subscribers: Array<{ url: string }> })
        .subscribers[0]!.url;

      const { client, projectId } = await provisionWonDeal(h, dealName);
      accountName = client.name;
      // 600 minutes at £140 an hour plus 20% VAT = £1,680.00, due far ahead (so a part payment reads as such, not overdue).
      const invoice = await postConsultingInvoice(h.systemApis.erp, projectId, '2099-12-31');
      const [row] = await suiteql(`SELECT id, entity FROM transaction WHERE externalid = '${invoice.id}'`);
      invoiceNative = row!.id!;
      customerNative = row!.entity!;
      await showsOutstanding(1680);
    }, 90_000);
    afterAll(async () => {
      await layer?.stop();
      await h?.close();
    });

    it('a partial payment entered by hand in ERP reaches the CRM by its webhook', async () => {
      const payment = await enterByHand('customerPayment', {
        customer: { id: customerNative },
        payment: 300,
        apply: { items: [{ doc: { id: invoiceNative }, apply: true, amount: 300 }] },
      });
      expect(await amountRemaining(), 'ERP holds the part payment').toBe(1380);
      await showsOutstanding(1380);
      expect((await crmAccount()).Billing_Status__c, 'the account reads partly paid').toBe('Partially Paid');
      await until(crmOpportunity, (o) => o.Billing_Status__c === 'Partially Paid', 'the opportunity to show the part payment');
      const runs = await runsFor(`customerPayment:${payment}`);
      expect(runs.length, 'one run for the payment').toBe(1);
      expect(JSON.parse(String(runs[0]!.input)).trigger, 'started by the webhook (the feed polls once a minute here)').toBe('event');
    }, 60_000);

    it('with webhooks off, the change feed brings a hand-entered payment within its interval', async () => {
      await h.journeys.stop();
      layer = startLayer();
      await cursorExists();
      await fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks`, { method: 'DELETE' });
      const payment = await enterByHand('customerPayment', {
        customer: { id: customerNative },
        payment: 200,
        apply: { items: [{ doc: { id: invoiceNative }, apply: true, amount: 200 }] },
      });
      await showsOutstanding(1180);
      // The feed reports the invoice's change and the payment's; each starts its run.
      const runs = await until(
        () => runsFor(`customerPayment:${payment}`),
        (r) => r.length > 0 && r.every((x) => x.state === 'completed'),
        'the payment run',
      );
      expect(runs.length, 'one run for the payment').toBe(1);
      expect(JSON.parse(String(runs[0]!.input)).trigger, 'started by the feed').toBe('schedule');
      expect(await inboxFor('erp', `customerPayment:${payment}`), 'no webhook came').toEqual([]);
    }, 60_000);

    it('credit memos and a refund reach the CRM; a change reported by webhook and by the feed starts one run', async () => {
      await subscribe();
      const memo = await enterByHand('creditMemo', {
        entity: { id: customerNative },
        item: { items: [{ item: { id: '4' }, quantity: 1, rate: 100, taxRate1: 20 }] },
        apply: { items: [{ doc: { id: invoiceNative }, apply: true, amount: 120 }] },
      });
      expect(await amountRemaining(), 'ERP credits the invoice').toBe(1060);
      await showsOutstanding(1060);
      // Both paths report the memo's change; one run follows it.
      await until(
        () => inboxFor('erp-poll', `creditMemo:${memo}`),
        (r) => r.length === 1 && r[0]!.state === 'processed',
        'the feed to record the memo',
      );
      await until(
        () => inboxFor('erp', `creditMemo:${memo}`),
        (r) => r.length === 1 && r[0]!.state === 'processed',
        'the webhook for the memo',
      );
      expect((await runsFor(`creditMemo:${memo}`)).length, 'one run for one change reported twice').toBe(1);

      // A second memo, half applied; its unapplied half is refunded to the client.
      const second = await enterByHand('creditMemo', {
        entity: { id: customerNative },
        item: { items: [{ item: { id: '4' }, quantity: 1, rate: 100, taxRate1: 20 }] },
        apply: { items: [{ doc: { id: invoiceNative }, apply: true, amount: 60 }] },
      });
      await showsOutstanding(1000);
      const refund = await enterByHand('customerRefund', {
        customer: { id: customerNative },
        apply: { items: [{ doc: { id: second }, apply: true, amount: 60 }] },
      });
      const [refunded] = await suiteql(`SELECT foreigntotal FROM transaction WHERE id = ${refund}`);
      expect(Number(refunded!.foreigntotal), 'ERP holds the refund').toBe(60);
      const [memoLeft] = await suiteql(`SELECT status, foreignamountremaining FROM transaction WHERE id = ${second}`);
      expect(memoLeft, 'the memo is fully applied after the refund').toMatchObject({ status: 'B', foreignamountremaining: '0' });
      // The refund's run follows it to the invoice its memo credited and rewrites the account from ERP.
      const [run] = await until(
        () => runsFor(`customerRefund:${refund}`),
        (r) => r.length === 1 && r[0]!.state === 'completed',
        'the refund run',
      );
      const steps = await h.store.db.selectFrom('workflow_steps').select(['name', 'result']).where('run_id', '=', run!.id).execute();
      const account = JSON.parse(String(steps.find((s) => s.name === 'update-account')!.result)) as { crmClientId?: string };
      expect(account.crmClientId, 'the refund reached the CRM account').toBeTruthy();
      expect((await crmAccount()).Outstanding_Amount__c, 'the CRM shows what ERP holds').toBe(await amountRemaining());
    }, 60_000);

    it('a payment entered while the layer was stopped reaches the CRM once when it starts', async () => {
      await layer!.stop();
      // Delivery gave up while the layer was down: no webhook will come.
      await fetch(`${h.sandboxUrls.erp}/_sandbox/webhooks`, { method: 'DELETE' });
      const payment = await enterByHand('customerPayment', {
        customer: { id: customerNative },
        payment: 100,
        apply: { items: [{ doc: { id: invoiceNative }, apply: true, amount: 100 }] },
      });
      expect(await amountRemaining()).toBe(900);
      layer = startLayer();
      await showsOutstanding(900);
      await until(
        () => runsFor(`customerPayment:${payment}`),
        (r) => r.every((x) => x.state === 'completed'),
        'the payment run',
      );
      expect((await runsFor(`customerPayment:${payment}`)).length, 'one run for the payment').toBe(1);
      expect(await inboxFor('erp-poll', `customerPayment:${payment}`), 'recorded once from the feed').toHaveLength(1);
      expect((await crmOpportunity()).Billing_Status__c, 'the opportunity too').toBe('Partially Paid');
    }, 60_000);
  });
}
