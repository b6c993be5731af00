import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { accountDifference, describeBilling, keyOf, opportunityDifference } from './billing-comparison.js';
import { daysSalesOutstanding, invoiceBillingStatus, rollup } from './status.js';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
function invoice(over: Partial<Omit<Invoice, 'total'>> & { total: number; paid?: number }): Invoice {
  const { total, paid = 0, ...rest } = over;
  return {
    id: 'inv',
    engagementId: 'eng',
    clientId: 'cli',
    legalEntityId: 'le',
    currency: 'GBP',
    periodStart: '2026-10-01',
    periodEnd: '2026-10-31',
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    status: 'posted',
    lines: [],
    netTotal: gbp(total),
    taxTotal: gbp(0),
    total: gbp(total),
    amountPaid: gbp(paid),
    amountOutstanding: gbp(total - paid),
    ...rest,
  } as Invoice;
}

describe('billing status rules', () => {
  it('names each invoice state the way the CRM shows it', () => {
    expect(invoiceBillingStatus(invoice({ total: 100 }), '2026-11-10')).toBe('invoiced');
    expect(invoiceBillingStatus(invoice({ total: 100, paid: 40, status: 'partially-paid' }), '2026-11-10')).toBe('partially-paid');
    expect(invoiceBillingStatus(invoice({ total: 100, paid: 40, status: 'partially-paid' }), '2026-12-02')).toBe('overdue');
    expect(invoiceBillingStatus(invoice({ total: 100, paid: 100, status: 'paid' }), '2026-12-02')).toBe('paid');
    expect(invoiceBillingStatus(invoice({ total: 100, status: 'on-hold' }), '2026-12-02')).toBe('on-hold');
    expect(invoiceBillingStatus(invoice({ total: 100, status: 'draft' }), '2026-12-02')).toBe('not-invoiced');
  });

  it('rolls up worst first, sums outstanding per currency and leaves drafts out', () => {
    const r = rollup(
      [
        invoice({ id: 'a', total: 1000, paid: 1000, status: 'paid' }),
        invoice({ id: 'b', total: 500, paid: 200, status: 'partially-paid' }),
        invoice({ id: 'c', total: 300, status: 'posted', dueDate: '2026-11-05' }),
        invoice({ id: 'd', total: 900, status: 'draft' }),
        invoice({ id: 'e', total: 700, currency: 'EUR', amountOutstanding: { amountMinor: 700, currency: 'EUR' } }),
      ],
      '2026-11-10',
    );
    expect(r.status).toBe('overdue');
    expect(r.invoiceStatus).toBe('posted');
    expect(r.outstanding).toEqual([{ amountMinor: 700, currency: 'EUR' }, gbp(600)]);
    expect(r.overdue).toEqual([gbp(300)]);
    expect(rollup([invoice({ total: 1, status: 'void' })], '2026-11-10')).toEqual({
      status: 'not-invoiced',
      invoiceStatus: null,
      outstanding: [],
      overdue: [],
    });
  });

  it('computes days sales outstanding over the window in one currency', () => {
    const invoices = [invoice({ total: 9000, paid: 6000, issueDate: '2026-10-15' }), invoice({ total: 3000, issueDate: '2026-11-01' })];
    // receivable 6000 of 12000 billed in 90 days → 45 days
    expect(daysSalesOutstanding(invoices, 'GBP', '2026-11-10')).toBe(45);
    expect(daysSalesOutstanding(invoices, 'EUR', '2026-11-10')).toBe(0);
  });
});

const TODAY = '2026-11-20';

describe('billing status comparison (billing-comparison.ts)', () => {
  it('finds nothing where the CRM shows what the roll-up implies, and reads a never-written record as nothing invoiced', () => {
    expect(
      accountDifference(
        { status: 'invoiced', invoiceStatus: 'posted', outstanding: gbp(10_000) },
        'GBP',
        [invoice({ total: 10_000 })],
        TODAY,
      ),
    ).toBeUndefined();
    expect(accountDifference({ status: null, invoiceStatus: null, outstanding: null }, 'GBP', [], TODAY)).toBeUndefined();
    expect(
      accountDifference({ status: null, invoiceStatus: null, outstanding: null }, 'GBP', [invoice({ total: 500, status: 'draft' })], TODAY),
    ).toBeUndefined();
    expect(opportunityDifference({ status: null, invoiceStatus: null }, [], TODAY)).toBeUndefined();
  });

  it('puts the amount shown wrongly at risk, and flags when the CRM shows more owed than ERP', () => {
    const more = accountDifference(
      { status: 'invoiced', invoiceStatus: 'posted', outstanding: gbp(10_000) },
      'GBP',
      [invoice({ total: 10_000, paid: 3_000, status: 'partially-paid' })],
      TODAY,
    )!;
    expect(more.expected).toEqual({ status: 'partially-paid', invoiceStatus: 'posted', outstanding: gbp(7_000) });
    expect(more.moneyAtRisk).toEqual(gbp(3_000));
    expect(more.crmShowsMoreOwed).toBe(true);
    const less = accountDifference(
      { status: 'paid', invoiceStatus: 'paid', outstanding: gbp(0) },
      'GBP',
      [invoice({ total: 10_000 })],
      TODAY,
    )!;
    expect(less.moneyAtRisk).toEqual(gbp(10_000));
    expect(less.crmShowsMoreOwed).toBe(false);
  });

  it('when only the status differs, puts what is owed at risk and dates an overdue roll-up from the day after it fell due', () => {
    const overdue = accountDifference(
      { status: 'invoiced', invoiceStatus: 'posted', outstanding: gbp(10_000) },
      'GBP',
      [invoice({ total: 10_000 })],
      '2026-12-03',
    )!;
    expect(overdue.expected.status).toBe('overdue');
    expect(overdue.moneyAtRisk).toEqual(gbp(10_000));
    expect(overdue.since).toEqual(new Date('2026-12-02T00:00:00Z'));
  });

  it("compares an opportunity's status and invoice status, with its engagement's outstanding at risk", () => {
    const d = opportunityDifference(
      { status: 'paid', invoiceStatus: 'paid' },
      [invoice({ total: 10_000, paid: 2_500, status: 'partially-paid' })],
      TODAY,
    )!;
    expect(d.expected).toEqual({ status: 'partially-paid', invoiceStatus: 'posted' });
    expect(d.moneyAtRisk).toEqual(gbp(7_500));
    expect(opportunityDifference({ status: 'invoiced', invoiceStatus: 'paid' }, [invoice({ total: 10_000 })], TODAY)).toBeDefined();
  });

  it('describes and keys a view in a stable, readable form', () => {
    const view = { status: 'partially-paid' as const, invoiceStatus: 'posted' as const, outstanding: gbp(138_000) };
    expect(describeBilling(view)).toBe('partially-paid, invoice posted, 1380.00 GBP outstanding');
    expect(keyOf(view)).toBe('partially-paid/posted/138000GBP');
    expect(keyOf({ status: null, invoiceStatus: null })).toBe('-/-');
  });
});
