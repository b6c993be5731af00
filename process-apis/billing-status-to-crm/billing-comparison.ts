// What the CRM shows against what ERP's invoices imply, for one account or one opportunity:
// the expected view comes from the journey's own roll-up (status.ts), so the check and the runs
// can never disagree on what "in step" means. Pure; reconciliation.ts turns a difference into a finding.
import { minorToDecimalString, type Money } from '../../core/money.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import {
  accountBillingView,
  isOverdue,
  opportunityBillingView,
  rollup,
  type AccountBillingView,
  type CrmBillingStatus,
  type CrmInvoiceStatus,
} from './status.js';

/** The billing fields as the CRM record holds them (null where never written). */
export interface ShownBilling {
  status: CrmBillingStatus | null;
  invoiceStatus?: CrmInvoiceStatus | null;
  outstanding?: Money | null;
}

export interface BillingDifference {
  shown: ShownBilling;
  expected: ShownBilling;
  /** For an account: the difference between the amounts shown and owed, else the amount whose status is wrong. */
  moneyAtRisk: Money | null;
  /** When ERP says the expected state began, where it can tell (an invoice falling overdue). */
  since?: Date;
  /** The CRM shows more owed than ERP: money came in (or was credited) that the CRM does not reflect. */
  crmShowsMoreOwed: boolean;
}

const amountOf = (m: Money | null | undefined) => m?.amountMinor ?? 0;

/** A record never written reads as nothing invoiced and nothing owed. */
function normalized(shown: ShownBilling): Required<ShownBilling> {
  return { status: shown.status ?? 'not-invoiced', invoiceStatus: shown.invoiceStatus ?? null, outstanding: shown.outstanding ?? null };
}

function differs(shown: ShownBilling, expected: ShownBilling, withAmount: boolean): boolean {
  const a = normalized(shown);
  const b = normalized(expected);
  if (a.status !== b.status || a.invoiceStatus !== b.invoiceStatus) return true;
  if (!withAmount) return false;
  if (amountOf(a.outstanding) !== amountOf(b.outstanding)) return true;
  // Equal amounts in two currencies only matter when something is owed.
  return amountOf(b.outstanding) !== 0 && !!a.outstanding && !!b.outstanding && a.outstanding.currency !== b.outstanding.currency;
}

/** The day after the earliest due date among overdue invoices: when the roll-up became overdue. */
function overdueSince(invoices: readonly Invoice[], today: string): Date | undefined {
  const due = invoices
    .filter((i) => isOverdue(i, today))
    .map((i) => i.dueDate!)
    .sort()[0];
  return due ? new Date(Date.parse(`${due}T00:00:00Z`) + 86_400_000) : undefined;
}

const nonZero = (m: Money | null | undefined): Money | null => (m && m.amountMinor !== 0 ? m : null);

/** The account's difference, if any: status, invoice status and what is owed in the account's currency. */
export function accountDifference(
  shown: ShownBilling,
  accountCurrency: string | null,
  clientInvoices: readonly Invoice[],
  today: string,
): BillingDifference | undefined {
  const expected: AccountBillingView = accountBillingView(rollup(clientInvoices, today), accountCurrency);
  if (!differs(shown, expected, true)) return undefined;
  const currency = expected.outstanding?.currency ?? shown.outstanding?.currency;
  const gap = Math.abs(amountOf(shown.outstanding) - amountOf(expected.outstanding));
  const since = expected.status === 'overdue' && shown.status !== 'overdue' ? overdueSince(clientInvoices, today) : undefined;
  return {
    shown,
    expected: { status: expected.status, invoiceStatus: expected.invoiceStatus ?? null, outstanding: expected.outstanding ?? null },
    moneyAtRisk: currency ? (nonZero({ amountMinor: gap, currency }) ?? nonZero(expected.outstanding)) : null,
    ...(since ? { since } : {}),
    crmShowsMoreOwed: amountOf(shown.outstanding) > amountOf(expected.outstanding),
  };
}

/** The opportunity's difference, if any: status and invoice status of its engagement's invoices. */
export function opportunityDifference(
  shown: ShownBilling,
  engagementInvoices: readonly Invoice[],
  today: string,
): BillingDifference | undefined {
  const view = rollup(engagementInvoices, today);
  const expected = opportunityBillingView(view);
  if (!differs(shown, expected, false)) return undefined;
  const since = expected.status === 'overdue' && shown.status !== 'overdue' ? overdueSince(engagementInvoices, today) : undefined;
  return {
    shown: { status: shown.status, invoiceStatus: shown.invoiceStatus },
    expected: { status: expected.status, invoiceStatus: expected.invoiceStatus ?? null },
    // The CRM opportunity holds no amount: what is at stake is what its engagement still owes.
    moneyAtRisk: nonZero(view.outstanding[0]),
    ...(since ? { since } : {}),
    crmShowsMoreOwed: false,
  };
}

/** `partially-paid, posted, 1380.00 GBP` — as a person reads it in the finding. */
export function describeBilling(view: ShownBilling): string {
  const parts = [view.status ?? 'nothing', view.invoiceStatus ? `invoice ${view.invoiceStatus}` : 'no invoice status'];
  if (view.outstanding !== undefined)
    parts.push(
      view.outstanding
        ? `${minorToDecimalString(view.outstanding.amountMinor, view.outstanding.currency)} ${view.outstanding.currency} outstanding`
        : 'no amount',
    );
  return parts.join(', ');
}

/** A compact, stable form of a view for a finding's key. */
export function keyOf(view: ShownBilling): string {
  const o = view.outstanding;
  return [view.status ?? '-', view.invoiceStatus ?? '-', ...(o === undefined ? [] : [o ? `${o.amountMinor}${o.currency}` : '-'])].join('/');
}
