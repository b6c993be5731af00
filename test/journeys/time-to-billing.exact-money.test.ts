// Money to the minor unit through the Harvest-shaped Time sandbox, the layer and the NetSuite-shaped
// ERP sandbox, on each store engine: recorded hours are billed as recorded (19.92 h, not 1195
// minutes), the layer's invoice equals ERP's, and, over random hours, rates, line counts and
// currencies of 0, 2 and 3 minor units, ERP computes exactly what the layer predicts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursToHundredths, hundredthsToHours } from '../../core/hours.js';
import { minorUnits, multiplyHundredthsByRate } from '../../core/money.js';
import { loadRegionalRules } from '../../core/regional/rules.js';
import { withTax, type InvoiceDraftLine } from '../../process-apis/time-to-billing/invoice-draft.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { testEngines } from '../support/stores.js';
import { createBillableProject, startBillingHarness, type BillingHarness } from './support/billing-harness.js';
import { callJson, idempotencyKey, until } from './support/http.js';
import { SandboxTimeWork } from './support/time-work.js';

const BASE = '/process/time-to-billing/v1';
const rules = loadRegionalRules();

describe.each(testEngines().map((e) => [e.name, e] as const))('exact money on %s', (_name, engine) => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBillingHarness(engine, { time: 'sandbox' });
  });
  afterAll(async () => {
    await h?.close();
    await engine.cleanup();
  });

  it('bills 19.92 recorded hours as 19.92 h × rate, and records the tax ERP holds', { timeout: 60_000 }, async () => {
    const work = new SandboxTimeWork(h.timeSandbox!, h.store, h.urls.time!);
    const project = await createBillableProject(h.erp, 'DE', 'Halbmond Optik GmbH', { taxId: 'DE811223344' });
    const row = await work.linkProject(project.engagement.id, 'Halbmond Optik');
    // Hours as people type them into the time platform: 7.17 + 6.58 + 6.17 = 19.92.
    for (const [day, hours] of [
      ['2026-11-02', 7.17],
      ['2026-11-03', 6.58],
      ['2026-11-04', 6.17],
    ] as const)
      work.addEntry({ projectRow: row, role: 'consultant', workDate: day, minutes: Math.round(hours * 60), hours });
    // Seven odd hours of other roles, so the invoice has lines whose taxes round apart.
    for (const [role, hours] of [
      ['analyst', 3.33],
      ['senior-consultant', 1.07],
      ['manager', 0.01],
    ] as const)
      work.addEntry({ projectRow: row, role, workDate: '2026-11-05', minutes: Math.round(hours * 60), hours });
    // Approved as people do in Harvest's screens.
    await work.approveWeeks();

    const headers = await h.headers('process:write process:read');
    const started = await callJson<Run>(
      h.gateway.url,
      'POST',
      `${BASE}/runs`,
      { ...headers, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: project.engagement.id },
    );
    const run = await until(
      async () => (await callJson<Run>(h.gateway.url, 'GET', `${BASE}/runs/${started.body.id}`, headers)).body,
      (r) => ['succeeded', 'failed'].includes(r.status),
      'billing run',
    );
    expect(run.status, 'the run bills the period').toBe('succeeded');

    const [invoice] = (await h.erp.listInvoices({ engagementId: project.engagement.id, limit: 10 })).items as Invoice[];
    const consultant = invoice!.lines.find((l) => l.role === 'consultant')!;
    const rate = project.rateCard.rates.find((r) => r.role === 'consultant')!.hourlyRate.amountMinor;
    expect(rate, 'the German consultant rate the issue was billed at').toBe(16_000);
    expect(consultant.hours, 'hours on the invoice = hours on the time platform').toBe('19.92');
    expect(consultant.netAmount.amountMinor, '19.92 h × 160.00 = 3187.20 (1195 min / 60 × 160 was 3186.67, 53 cents short)').toBe(318_720);
    const onPlatform = (await h.time.listTimeEntries({ engagementId: project.engagement.id, limit: 200 })).items.filter(
      (e) => e.role === 'consultant',
    );
    expect(
      hundredthsToHours(onPlatform.reduce((sum, e) => sum + hoursToHundredths(e.durationHours!), 0)),
      'the time platform records 19.92 h',
    ).toBe('19.92');

    // The NetSuite record itself: the quantity is the hours, exactly.
    const nsInvoice = [...h.erpSandbox.ctx.state().records.invoice.values()].find(
      (i) => i.job?.id && i.custbody_period_start === '2026-11-01' && i.item.items.some((l) => l.quantity === 19.92),
    );
    expect(nsInvoice, 'ERP holds a line of 19.92 hours').toBeDefined();

    const layer = await h.store.db
      .selectFrom('ttb_invoices')
      .select(['subtotal_minor', 'tax_minor', 'total_minor'])
      .where('erp_invoice_id', '=', invoice!.id)
      .executeTakeFirstOrThrow();
    expect(Number(layer.tax_minor), 'layer tax = ERP tax').toBe(invoice!.taxTotal.amountMinor);
    expect(Number(layer.subtotal_minor), 'layer net = ERP net').toBe(invoice!.netTotal.amountMinor);
    expect(Number(layer.total_minor), 'layer total = ERP total').toBe(invoice!.total.amountMinor);
    const steps = Object.fromEntries(run.steps.map((s) => [s.name, s]));
    expect(JSON.stringify(steps['post-invoice']), 'the draft predicted ERP: no difference reported').not.toMatch(/draftDiffers/);
  });

  it(
    'ERP computes what the layer predicts for random hours, rates, lines and currencies (0, 2, 3 minor units)',
    { timeout: 180_000 },
    async () => {
      // A client and project per entity and currency; the DE entity rounds tax once per invoice, the UK one per line.
      const projects = new Map<string, { engagementId: string; entity: 'UK01' | 'DE01'; currency: string }>();
      for (const [country, entity] of [
        ['GB', 'UK01'],
        ['DE', 'DE01'],
      ] as const) {
        const legalEntity = (await h.erp.listLegalEntities({ limit: 200 })).items.find((e) => e.country === country)!;
        const rateCard = (await h.erp.listRateCards({ limit: 200, legalEntityId: legalEntity.id })).items[0]!;
        for (const currency of ['JPY', legalEntity.baseCurrency, 'KWD']) {
          const { client } = await h.erp.findOrCreateClient({
            name: `Exact ${country} ${currency} Trading`,
            billingCountry: country,
            legalEntityId: legalEntity.id,
            defaultCurrency: currency,
            domain: `exact-${country}-${currency}.example`.toLowerCase(),
          });
          const engagement = await h.erp.createProject({
            clientId: client.id,
            name: `Exact ${country} ${currency}`,
            billingModel: 'time-and-materials',
            currency,
            legalEntityId: legalEntity.id,
            rateCardId: rateCard.id,
            startDate: '2026-01-01',
            status: 'active',
          });
          projects.set(`${entity}:${currency}`, { engagementId: engagement.id, entity, currency });
        }
      }
      let period = 0;
      const line = fc.record({
        hundredths: fc.integer({ min: 1, max: 2_400 * 20 }),
        rate: fc.integer({ min: 1, max: 2_000_000 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...projects.keys()), fc.array(line, { minLength: 1, maxLength: 12 }), async (key, lines) => {
          const { engagementId, entity, currency } = projects.get(key)!;
          const decision = rules.taxFor(entity, { country: entity === 'UK01' ? 'GB' : 'DE' });
          const draftLines: InvoiceDraftLine[] = lines.map((l, i) => ({
            kind: 'time',
            description: `Line ${i}`,
            quantity: 1,
            hoursHundredths: l.hundredths,
            unitPrice: { amountMinor: l.rate, currency },
            amount: { amountMinor: multiplyHundredthsByRate(l.hundredths, l.rate), currency },
            sourceIds: [],
          }));
          const month = String((period % 12) + 1).padStart(2, '0');
          const year = 2000 + Math.floor(period++ / 12);
          const predicted = withTax(
            {
              engagementId,
              clientId: '',
              legalEntityCode: entity,
              period: { key: `${year}-${month}`, start: `${year}-${month}-01`, end: `${year}-${month}-28` },
              currency,
              lines: draftLines,
            },
            decision,
          );
          const created = await h.erp.createInvoice({
            engagementId,
            periodStart: predicted.period.start,
            periodEnd: predicted.period.end,
            post: true,
            lines: predicted.lines.map((l) => ({
              kind: 'time',
              description: l.description,
              role: 'consultant',
              quantity: 1,
              hours: hundredthsToHours(l.hoursHundredths!),
              unitPrice: l.unitPrice,
              taxRateBasisPoints: decision.rateBp,
              sources: [],
            })),
          });
          // Read back through REST, as the layer does after posting.
          const erp = await h.erp.getInvoice(created.id);
          expect(minorUnits(erp.currency)).toBe(minorUnits(currency));
          expect(
            erp.lines.map((l) => l.hours),
            'hours on the invoice = hours recorded',
          ).toEqual(lines.map((l) => hundredthsToHours(l.hundredths)));
          expect(
            erp.lines.map((l) => l.netAmount.amountMinor),
            'each line = hours × rate, one rounding',
          ).toEqual(predicted.lines.map((l) => l.amount.amountMinor));
          expect(
            erp.lines.reduce((s, l) => s + l.netAmount.amountMinor, 0),
            'Σ lines = net',
          ).toBe(erp.netTotal.amountMinor);
          expect(erp.netTotal.amountMinor, 'layer net = ERP net').toBe(predicted.subtotal.amountMinor);
          expect(erp.taxTotal.amountMinor, 'layer tax = ERP tax').toBe(predicted.tax.amountMinor);
          expect(erp.total.amountMinor, 'layer total = ERP total').toBe(predicted.total.amountMinor);
          if (decision.rounding === 'line')
            expect(
              erp.lines.map((l) => l.taxAmount.amountMinor),
              'per-line tax = ERP per-line tax',
            ).toEqual(predicted.lines.map((l) => l.taxAmount!.amountMinor));
        }),
        { numRuns: 40, seed: 9 },
      );
    },
  );
});
