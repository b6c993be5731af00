// Canonical records as the client portal shows them: only what the client may see, with
// invoice status in the client's terms (open, partially paid, paid, overdue, void).
import type { components } from '../../generated/openapi/experience/portal.v1.js';
import type { Engagement, Invoice, Payment } from '../../system-apis/erp/canonical.js';
import type { TimeEntry } from '../../process-apis/time-to-billing/ports.js';

type Schemas = components['schemas'];
export type PortalProject = Schemas['PortalProject'];
export type PortalInvoice = Schemas['PortalInvoice'];
export type PortalPayment = Schemas['PortalPayment'];
export type ApprovedHours = Schemas['ApprovedHours'];
export type PortalInvoiceStatus = PortalInvoice['status'];

export function portalProject(p: Engagement): PortalProject {
  return {
    id: p.id,
    ...(p.code ? { code: p.code } : {}),
    name: p.name,
    status: p.status,
    billingModel: p.billingModel,
    currency: p.currency,
    startDate: p.startDate,
    ...(p.endDate ? { endDate: p.endDate } : {}),
  };
}

export function portalInvoiceStatus(inv: Invoice, today: string): PortalInvoiceStatus {
  if (inv.status === 'paid') return 'paid';
  if (inv.status === 'void') return 'void';
  const due = inv.dueDate ?? inv.issueDate ?? inv.periodEnd;
  if (inv.amountOutstanding.amountMinor > 0 && due < today) return 'overdue';
  return inv.status === 'partially-paid' ? 'partially-paid' : 'open';
}

export function portalInvoice(inv: Invoice, today: string, withLines: boolean): PortalInvoice {
  const issueDate = inv.issueDate ?? inv.periodEnd;
  return {
    id: inv.id,
    number: inv.number ?? inv.id.replaceAll('-', '').slice(0, 32).toUpperCase(),
    projectId: inv.engagementId,
    issueDate,
    dueDate: inv.dueDate ?? issueDate,
    status: portalInvoiceStatus(inv, today),
    netTotal: inv.netTotal,
    taxTotal: inv.taxTotal,
    total: inv.total,
    amountPaid: inv.amountPaid,
    amountOutstanding: inv.amountOutstanding,
    ...(withLines
      ? {
          lines: inv.lines.map((l) => ({
            description: l.description,
            ...(l.role ? { role: l.role } : {}),
            quantity: l.quantity,
            ...(l.hours ? { hours: l.hours } : {}),
            unitPrice: l.unitPrice,
            netAmount: l.netAmount,
            taxAmount: l.taxAmount,
          })),
        }
      : {}),
  };
}

export function portalPayment(p: Payment): PortalPayment {
  return {
    id: p.id,
    invoiceId: p.invoiceId,
    amount: p.amount,
    receivedOn: p.receivedOn,
    ...(p.method ? { method: p.method } : {}),
    ...(p.reference ? { reference: p.reference } : {}),
  };
}

export function approvedHours(e: TimeEntry): ApprovedHours {
  return {
    projectId: e.engagementId,
    workDate: e.workDate,
    role: e.role,
    durationMinutes: e.durationMinutes,
    ...(e.durationHours ? { durationHours: e.durationHours } : {}),
    ...(e.description ? { description: e.description } : {}),
    billingStatus: e.billingStatus === 'billed' ? 'billed' : 'unbilled',
    ...(e.invoiceId ? { invoiceId: e.invoiceId } : {}),
  };
}
