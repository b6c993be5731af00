// Turns a drafted invoice into what ERP accepts: time lines bill at most 5,000 entries each
// (the ERP contract's bound on sources per line), so a large group is split into several
// lines of the same role and rate; each line is still hours × rate of exactly its entries.
import { addMoney, multiplyMinutesByRate } from '../../core/money.js';
import { taxAmount } from '../../core/regional/rules.js';
import type { InvoiceLineInput } from '../../system-apis/erp/canonical.js';
import type { Allocation } from './billing-store.js';
import type { InvoiceDraft, InvoiceDraftLine } from './invoice-draft.js';

export const MAX_SOURCES_PER_LINE = 5_000;
export const MAX_LINES_PER_INVOICE = 500;

const SOURCE_KIND = { time: 'time-entry', expense: 'expense', milestone: 'milestone' } as const;

function hours(minutes: number): string {
  const h = minutes / 60;
  return Number.isInteger(h) ? `${h} h` : `${h.toFixed(2).replace(/0$/, '')} h`;
}

/** Splits oversized time lines; `minutesOf` gives each time entry's minutes. */
export function splitLines(draft: InvoiceDraft, minutesOf: ReadonlyMap<string, number>): InvoiceDraft {
  const lines: InvoiceDraftLine[] = [];
  for (const line of draft.lines) {
    if (line.kind !== 'time' || line.sourceIds.length <= MAX_SOURCES_PER_LINE) {
      lines.push(line);
      continue;
    }
    const role = line.description.split(':')[0];
    for (let i = 0; i < line.sourceIds.length; i += MAX_SOURCES_PER_LINE) {
      const ids = line.sourceIds.slice(i, i + MAX_SOURCES_PER_LINE);
      const minutes = ids.reduce((sum, id) => sum + (minutesOf.get(id) ?? 0), 0);
      lines.push({
        ...line,
        description: `${role}: ${hours(minutes)}`,
        quantity: minutes,
        amount: { amountMinor: multiplyMinutesByRate(minutes, line.unitPrice.amountMinor), currency: line.unitPrice.currency },
        sourceIds: ids,
      });
    }
  }
  const subtotal = { amountMinor: lines.reduce((sum, l) => sum + l.amount.amountMinor, 0), currency: draft.currency };
  const tax = { ...draft.tax, ...taxAmount(subtotal, draft.tax.rateBp) };
  return { ...draft, lines, subtotal, tax, total: addMoney(subtotal, tax) };
}

/** Which source is billed on which line of the draft. */
export function allocationsOfDraft(draft: InvoiceDraft, minutesOf: ReadonlyMap<string, number>): Allocation[] {
  return draft.lines.flatMap((line, lineIndex) =>
    line.sourceIds.map((sourceId) => ({ sourceId, sourceKind: SOURCE_KIND[line.kind], lineIndex, minutes: minutesOf.get(sourceId) ?? 0 })),
  );
}

export function erpLines(draft: InvoiceDraft): InvoiceLineInput[] {
  return draft.lines.map((line) => ({
    kind: line.kind,
    description: line.description.slice(0, 500),
    ...(line.kind === 'time' ? { role: line.description.split(':')[0] } : {}),
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    taxRateBasisPoints: draft.tax.rateBp,
    sources: line.sourceIds.map((id) => ({ kind: SOURCE_KIND[line.kind], id })),
  }));
}
