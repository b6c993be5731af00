// The billing status the CRM shows, derived from ERP invoices: per invoice, and rolled up
// per opportunity (its engagement's invoices) and per account (all its invoices). Pure.
import type { Invoice } from '../../system-apis/erp/canonical.js';
import type { components } from '../../generated/openapi/system/crm.v1.js';
import type { Money } from '../../core/money.js';

export type CrmBillingStatus = components['schemas']['BillingStatus'];
export type CrmInvoiceStatus = components['schemas']['InvoiceStatus'];
export type AccountBillingView = components['schemas']['ClientBillingUpdate'];
export type OpportunityBillingView = components['schemas']['OpportunityBillingUpdate'];

/** Invoices that count toward what the client owes: posted, on hold, or paid (drafts are not sent). */
export const isIssued = (inv: Invoice) =>
  inv.status === 'posted' || inv.status === 'partially-paid' || inv.status === 'on-hold' || inv.status === 'paid';
const isOpen = (inv: Invoice) => inv.status === 'posted' || inv.status === 'partially-paid';

/** ERP's invoice status in the CRM's vocabulary (the CRM has no partly-paid or void invoice). */
export function crmInvoiceStatus(status: Invoice['status']): CrmInvoiceStatus {
  if (status === 'partially-paid') return 'posted';
  if (status === 'void') return 'cancelled';
  return status;
}

export function isOverdue(inv: Invoice, today: string): boolean {
  return isOpen(inv) && inv.amountOutstanding.amountMinor > 0 && !!inv.dueDate && inv.dueDate < today;
}

export function invoiceBillingStatus(inv: Invoice, today: string): CrmBillingStatus {
  if (inv.status === 'on-hold') return 'on-hold';
  if (inv.status === 'paid' || (isIssued(inv) && inv.amountOutstanding.amountMinor <= 0)) return 'paid';
  if (!isOpen(inv)) return 'not-invoiced';
  if (isOverdue(inv, today)) return 'overdue';
  return inv.amountPaid.amountMinor > 0 ? 'partially-paid' : 'invoiced';
}

// Worst first: what the account team must act on shows.
const PRECEDENCE: CrmBillingStatus[] = ['on-hold', 'overdue', 'partially-paid', 'invoiced', 'paid', 'not-invoiced'];

export interface Rollup {
  status: CrmBillingStatus;
  /** The status of the invoice that decided `status` (the most recent among equals). */
  invoiceStatus: CrmInvoiceStatus | null;
  outstanding: Money[];
  overdue: Money[];
}

function sumByCurrency(amounts: Money[]): Money[] {
  const totals = new Map<string, number>();
  for (const m of amounts) totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.amountMinor);
  return [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountMinor]) => ({ amountMinor, currency }));
}

export function rollup(invoices: readonly Invoice[], today: string): Rollup {
  const issued = invoices.filter(isIssued);
  if (issued.length === 0) return { status: 'not-invoiced', invoiceStatus: null, outstanding: [], overdue: [] };
  const ranked = issued
    .map((inv) => ({ inv, status: invoiceBillingStatus(inv, today) }))
    .sort(
      (a, b) => PRECEDENCE.indexOf(a.status) - PRECEDENCE.indexOf(b.status) || (b.inv.issueDate ?? '').localeCompare(a.inv.issueDate ?? ''),
    );
  const top = ranked[0]!;
  return {
    status: top.status,
    invoiceStatus: crmInvoiceStatus(top.inv.status),
    outstanding: sumByCurrency(issued.filter((i) => i.status !== 'paid').map((i) => i.amountOutstanding)),
    overdue: sumByCurrency(issued.filter((i) => isOverdue(i, today)).map((i) => i.amountOutstanding)),
  };
}

/**
 * What the CRM account shows for a roll-up of the client's invoices. A CRM record holds one
 * currency: what is owed in the account's currency (the first owed currency when it has none).
 */
export function accountBillingView(view: Rollup, accountCurrency: string | null): AccountBillingView {
  const currency = accountCurrency ?? view.outstanding[0]?.currency;
  const outstanding = currency ? (view.outstanding.find((m) => m.currency === currency) ?? { amountMinor: 0, currency }) : null;
  return { status: view.status, invoiceStatus: view.invoiceStatus, outstanding };
}

/** What the CRM opportunity shows for a roll-up of its engagement's invoices. */
export function opportunityBillingView(view: Rollup): OpportunityBillingView {
  return { status: view.status, invoiceStatus: view.invoiceStatus };
}

/**
 * Days sales outstanding over the last `days` days, in one currency: receivables now over the
 * amount invoiced in the window, times the window. 0 when nothing was invoiced in the window.
 */
export function daysSalesOutstanding(invoices: readonly Invoice[], currency: string, today: string, days = 90): number {
  const from = new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
  const inCurrency = invoices.filter((i) => isIssued(i) && i.currency === currency);
  const billed = inCurrency.filter((i) => (i.issueDate ?? '') >= from).reduce((s, i) => s + i.total.amountMinor, 0);
  const receivable = inCurrency.reduce((s, i) => s + Math.max(0, i.amountOutstanding.amountMinor), 0);
  if (billed <= 0) return 0;
  return Math.min(3650, Math.round((receivable / billed) * days));
}
