// What `invoices-match-erp` calls a difference between the layer's invoice and ERP's, and the
// money it puts at risk: the totals' difference first, else the lines' net differences.
import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { invoiceDifferences } from './recon-invoices.js';
import type { LedgerInvoice } from './recon-records.js';

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const ENTRY_A = '01a216af-078d-7328-958b-b1f91e1e9d5b';
const ENTRY_B = '01a216af-078d-7328-958b-b1f91e1e9d5c';

function layerInvoice(): LedgerInvoice {
  return {
    key: 'k',
    engagementId: 'e',
    periodKey: '2026-11',
    sequence: 1,
    runId: 'r',
    state: 'marked',
    erpInvoiceId: 'i',
    currency: 'EUR',
    netMinor: 114_720,
    taxMinor: 21_797,
    totalMinor: 136_517,
    updatedAt: new Date(0),
    draft: {
      engagementId: 'e',
      clientId: 'c',
      legalEntityCode: 'DE01',
      period: { key: '2026-11', start: '2026-11-01', end: '2026-11-30' },
      currency: 'EUR',
      lines: [
        {
          kind: 'time',
          description: 'consultant: 7.17 h',
          quantity: 430,
          hoursHundredths: 717,
          unitPrice: EUR(16_000),
          amount: EUR(114_720),
          sourceIds: [ENTRY_A],
        },
      ],
      subtotal: EUR(114_720),
      tax: { ...EUR(21_797), rateBp: 1900, name: 'USt' },
      total: EUR(136_517),
    },
  };
}

function erpInvoice(): Invoice {
  return {
    id: 'i',
    engagementId: 'e',
    clientId: 'c',
    legalEntityId: 'l',
    currency: 'EUR',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    status: 'posted',
    lines: [
      {
        id: 'line',
        kind: 'time',
        description: 'consultant: 7.17 h',
        quantity: 430,
        hours: '7.17',
        unitPrice: EUR(16_000),
        netAmount: EUR(114_720),
        taxRateBasisPoints: 1900,
        taxAmount: EUR(21_797),
        sources: [{ kind: 'time-entry', id: ENTRY_A }],
      },
    ],
    netTotal: EUR(114_720),
    taxTotal: EUR(21_797),
    total: EUR(136_517),
    amountPaid: EUR(0),
    amountOutstanding: EUR(136_517),
  };
}

describe('invoiceDifferences', () => {
  it('finds none when ERP holds what the layer posted', () => {
    expect(invoiceDifferences(layerInvoice(), erpInvoice())).toEqual({ differences: [], moneyMinor: 0 });
  });

  it('names a changed rate and hours, and puts the totals’ difference at risk', () => {
    const erp = erpInvoice();
    erp.lines[0] = { ...erp.lines[0]!, hours: '7.50', unitPrice: EUR(17_000), netAmount: EUR(127_500) };
    erp.netTotal = EUR(127_500);
    erp.total = EUR(127_500 + 24_225);
    const { differences, moneyMinor } = invoiceDifferences(layerInvoice(), erp);
    expect(differences).toEqual(
      expect.arrayContaining([
        'net 1147.20 EUR in the layer, 1275.00 EUR in ERP',
        'line 1 rate 160.00 EUR in the layer, 170.00 EUR in ERP',
        'line 1 7.17 h in the layer, 7.50 h in ERP',
      ]),
    );
    expect(moneyMinor).toBe(151_725 - 136_517);
  });

  it('names a line that bills other entries even when every amount agrees', () => {
    const erp = erpInvoice();
    erp.lines[0] = { ...erp.lines[0]!, sources: [{ kind: 'time-entry', id: ENTRY_B }] };
    expect(invoiceDifferences(layerInvoice(), erp)).toEqual({ differences: ['line 1 bills other entries in ERP'], moneyMinor: 0 });
  });

  it('counts the lines’ net differences when the totals still agree, and a missing line', () => {
    const erp = erpInvoice();
    erp.lines[0] = { ...erp.lines[0]!, netAmount: EUR(114_700) };
    expect(invoiceDifferences(layerInvoice(), erp).moneyMinor).toBe(20);
    expect(invoiceDifferences(layerInvoice(), { ...erpInvoice(), lines: [] }).differences).toEqual(['1 line(s) in the layer, 0 in ERP']);
  });
});
