import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { accountDifference, describeBilling, keyOf, opportunityDifference } from './billing-comparison.js';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
function invoice(total: number, over: Partial<Invoice> & { paid?: number } = {}): Invoice {
  const { paid = 0, ...rest } = over;
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
    status: paid > 0 ? 'partially-paid' : 'posted',
    lines: [],
    netTotal: gbp(total),
    taxTotal: gbp(0),
    total: gbp(total),
    amountPaid: gbp(paid),
    amountOutstanding: gbp(total - paid),
    ...rest,
  } as Invoice;
}
const TODAY = '2026-11-20';

describe('billing status comparison', () => {
  it('finds nothing where the CRM shows what the roll-up implies, and reads a never-written record as nothing invoiced', () => {
    expect(
      accountDifference({ status: 'invoiced', invoiceStatus: 'posted', outstanding: gbp(10_000) }, 'GBP', [invoice(10_000)], TODAY),
    ).toBeUndefined();
    expect(accountDifference({ status: null, invoiceStatus: null, outstanding: null }, 'GBP', [], TODAY)).toBeUndefined();
    expect(
      accountDifference({ status: null, invoiceStatus: null, outstanding: null }, 'GBP', [invoice(500, { status: 'draft' })], TODAY),
    ).toBeUndefined();
    expect(opportunityDifference({ status: null, invoiceStatus: null }, [], TODAY)).toBeUndefined();
  });

  it('puts the amount shown wrongly at risk, and flags when the CRM shows more owed than ERP', () => {
    const more = accountDifference(
      { status: 'invoiced', invoiceStatus: 'posted', outstanding: gbp(10_000) },
      'GBP',
      [invoice(10_000, { paid: 3_000 })],
      TODAY,
    )!;
    expect(more.expected).toEqual({ status: 'partially-paid', invoiceStatus: 'posted', outstanding: gbp(7_000) });
    expect(more.moneyAtRisk).toEqual(gbp(3_000));
    expect(more.crmShowsMoreOwed).toBe(true);
    const less = accountDifference({ status: 'paid', invoiceStatus: 'paid', outstanding: gbp(0) }, 'GBP', [invoice(10_000)], TODAY)!;
    expect(less.moneyAtRisk).toEqual(gbp(10_000));
    expect(less.crmShowsMoreOwed).toBe(false);
  });

  it('when only the status differs, puts what is owed at risk and dates an overdue roll-up from the day after it fell due', () => {
    const overdue = accountDifference(
      { status: 'invoiced', invoiceStatus: 'posted', outstanding: gbp(10_000) },
      'GBP',
      [invoice(10_000)],
      '2026-12-03',
    )!;
    expect(overdue.expected.status).toBe('overdue');
    expect(overdue.moneyAtRisk).toEqual(gbp(10_000));
    expect(overdue.since).toEqual(new Date('2026-12-02T00:00:00Z'));
  });

  it("compares an opportunity's status and invoice status, with its engagement's outstanding at risk", () => {
    const d = opportunityDifference({ status: 'paid', invoiceStatus: 'paid' }, [invoice(10_000, { paid: 2_500 })], TODAY)!;
    expect(d.expected).toEqual({ status: 'partially-paid', invoiceStatus: 'posted' });
    expect(d.moneyAtRisk).toEqual(gbp(7_500));
    expect(opportunityDifference({ status: 'invoiced', invoiceStatus: 'paid' }, [invoice(10_000)], TODAY)).toBeDefined();
  });

  it('describes and keys a view in a stable, readable form', () => {
    const view = { status: 'partially-paid' as const, invoiceStatus: 'posted' as const, outstanding: gbp(138_000) };
    expect(describeBilling(view)).toBe('partially-paid, invoice posted, 1380.00 GBP outstanding');
    expect(keyOf(view)).toBe('partially-paid/posted/138000GBP');
    expect(keyOf({ status: null, invoiceStatus: null })).toBe('-/-');
  });
});
