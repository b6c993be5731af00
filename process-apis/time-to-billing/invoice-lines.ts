// Turns a drafted invoice into what ERP accepts: time lines bill at most 5,000 entries each
// (the ERP contract's bound on sources per line), so a large group is split into several
// lines of the same role and rate; each line is still hours × rate of exactly its entries.
import { hundredthsToHours, hundredthsToMinutes } from '../../core/hours.js';
import type { InvoiceLineInput } from '../../system-apis/erp/canonical.js';
import type { Allocation } from './billing-store.js';
import { timeLine, withTax, type InvoiceDraft, type InvoiceDraftLine } from './invoice-draft.js';

export const MAX_SOURCES_PER_LINE = 5_000;
export const MAX_LINES_PER_INVOICE = 500;

const SOURCE_KIND = { time: 'time-entry', expense: 'expense', milestone: 'milestone' } as const;

/** Splits oversized time lines; `hundredthsOf` gives each time entry's hours in hundredths. */
export function splitLines(draft: InvoiceDraft, hundredthsOf: ReadonlyMap<string, number>): InvoiceDraft {
  if (draft.lines.every((l) => l.kind !== 'time' || l.sourceIds.length <= MAX_SOURCES_PER_LINE)) return draft;
  const lines: InvoiceDraftLine[] = [];
  for (const line of draft.lines) {
    if (line.kind !== 'time' || line.sourceIds.length <= MAX_SOURCES_PER_LINE) {
      lines.push(line);
      continue;
    }
    const role = line.description.split(':')[0]!;
    for (let i = 0; i < line.sourceIds.length; i += MAX_SOURCES_PER_LINE) {
      const ids = line.sourceIds.slice(i, i + MAX_SOURCES_PER_LINE);
      const hundredths = ids.reduce((sum, id) => sum + (hundredthsOf.get(id) ?? 0), 0);
      lines.push(timeLine(role, hundredths, line.unitPrice, ids));
    }
  }
  const { subtotal: _s, tax, total: _t, ...rest } = draft;
  return withTax({ ...rest, lines }, { ...tax, rounding: tax.rounding ?? 'line' });
}

/** Which source is billed on which line of the draft. */
export function allocationsOfDraft(draft: InvoiceDraft, hundredthsOf: ReadonlyMap<string, number>): Allocation[] {
  return draft.lines.flatMap((line, lineIndex) =>
    line.sourceIds.map((sourceId) => {
      const hundredths = hundredthsOf.get(sourceId) ?? 0;
      return { sourceId, sourceKind: SOURCE_KIND[line.kind], lineIndex, minutes: hundredthsToMinutes(hundredths), hundredths };
    }),
  );
}

export function erpLines(draft: InvoiceDraft): InvoiceLineInput[] {
  return draft.lines.map((line) => ({
    kind: line.kind,
    description: line.description.slice(0, 500),
    ...(line.kind === 'time' ? { role: line.description.split(':')[0] } : {}),
    quantity: line.quantity,
    // The recorded hours, exactly: ERP bills them (a draft recorded before hours were kept bills its minutes).
    ...(line.kind === 'time' && line.hoursHundredths !== undefined ? { hours: hundredthsToHours(line.hoursHundredths) } : {}),
    unitPrice: line.unitPrice,
    taxRateBasisPoints: draft.tax.rateBp,
    sources: line.sourceIds.map((id) => ({ kind: SOURCE_KIND[line.kind], id })),
  }));
}
