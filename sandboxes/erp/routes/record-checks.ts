// Field checks the record types share: dates, choice lists, and invoice-style item lines
// (service items, quantity and rate), used by invoices and credit memos alike.
import { SERVICE_ITEMS } from '../account.js';
import { invalidField } from '../errors.js';
import type { NsInvoiceLine } from '../vendor-types.js';

type Body = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkDate(body: Body, field: string): void {
  const value = body[field];
  if (value === undefined) return;
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw invalidField(field);
}

export function checkChoice(body: Body, field: string, names: Record<string, string>): void {
  const value = body[field] as { id?: unknown } | undefined;
  if (value === undefined) return;
  const id = typeof value === 'object' && value ? String(value.id) : '';
  if (!(id in names)) throw invalidField(field);
  body[field] = { id, refName: names[id] };
}

export const PAYMENT_METHODS = { '1': 'Bank Transfer', '2': 'Card', '3': 'Direct Debit', '4': 'Other' };

export function normaliseLines(body: Body): void {
  const sublist = body.item as { items?: unknown } | undefined;
  if (!sublist || !Array.isArray(sublist.items) || sublist.items.length === 0)
    throw invalidField('item', "Invalid value for the field 'item': an invoice needs at least one line.");
  if (sublist.items.length > 500) throw invalidField('item', 'An invoice takes at most 500 lines.');
  body.item = {
    items: sublist.items.map((raw: unknown, i) => {
      const line = (raw ?? {}) as Partial<NsInvoiceLine>;
      const itemId = String(line.item?.id ?? '');
      if (!(itemId in SERVICE_ITEMS)) throw invalidField(`item.items[${i}].item`);
      if (typeof line.quantity !== 'number') throw invalidField(`item.items[${i}].quantity`);
      if (typeof line.rate !== 'number') throw invalidField(`item.items[${i}].rate`);
      return { ...line, item: { id: itemId, refName: SERVICE_ITEMS[itemId] } };
    }),
  };
}
