// How the sandbox's NetSuite account is set up: the names of the invoice and approval
// statuses, the service items invoice lines may bill, and the rounding of computed amounts.
// Kept here, not taken from the ERP connector, so that the two can disagree.
import type { NsApprovalStatusId, NsInvoiceStatusId } from './vendor-types.js';

/** Invoice status names as NetSuite lists them for the `CustInvc` transaction type. */
export const INVOICE_STATUSES: Record<NsInvoiceStatusId, string> = {
  A: 'Open',
  B: 'Paid In Full',
  D: 'Pending Approval',
  E: 'Rejected',
  V: 'Voided',
};

export const APPROVAL_STATUSES: Record<NsApprovalStatusId, string> = {
  '1': 'Pending Approval',
  '2': 'Approved',
  '3': 'Rejected',
};

/**
 * The service items of the account, by internal id. A line whose item is not here is refused
 * as an invalid field value, as NetSuite refuses a reference to an item that does not exist.
 */
export const SERVICE_ITEMS: Record<string, string> = {
  '1': 'Professional Services',
  '2': 'Milestone Fee',
  '3': 'Billable Expenses',
  '4': 'Adjustment',
  '5': 'Fixed Fee',
};

/**
 * The tax rounding level of each subsidiary's nexus (Setup > Accounting > Set Up Taxes, not
 * settable through web services), by subsidiary country. `line` rounds each line's tax;
 * `transaction` rounds round(subtotal × rate) once per rate and adjusts a line so the lines add up
 * to it. NetSuite offers the transaction level only to VAT/GST nexuses, never the US or Canada.
 */
export const TAX_ROUNDING_LEVEL: Record<string, 'line' | 'transaction'> = { GB: 'line', DE: 'transaction', US: 'line' };

/**
 * value × factor / divisor in integers, rounded half away from zero: how NetSuite rounds a
 * computed line amount or tax amount to the currency's precision. BigInt keeps large minor-unit
 * products exact.
 */
export function roundedProduct(value: number, factor: number, divisor: number): number {
  const product = BigInt(value) * BigInt(factor);
  const magnitude = product < 0n ? -product : product;
  const d = BigInt(divisor);
  const quotient = magnitude / d;
  const rounded = (magnitude % d) * 2n >= d ? quotient + 1n : quotient;
  return Number(product < 0n ? -rounded : rounded);
}
