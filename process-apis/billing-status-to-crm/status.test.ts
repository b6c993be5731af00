import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../system-apis/erp/canonical.js';
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
