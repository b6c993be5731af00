// Pure mappings of NetSuite project tasks used as billing milestones to canonical milestones,
// and the writes that complete a milestone or record the invoice that billed it. The fee is a
// custom field in the project's currency; amounts become integer minor units.
import type { Milestone, MilestoneBillingStatus, MilestoneStatus } from './canonical.js';
import { instant, plainDate, upstream, vendorAmount, type ToCanonicalContext } from './mapping.js';
import type { NsProjectTask, NsProjectTaskStatusId } from './vendor-types.js';

const STATUSES: Record<NsProjectTaskStatusId, MilestoneStatus> = {
  NOTSTART: 'not-started',
  PROGRESS: 'in-progress',
  COMPLETE: 'completed',
};
export const MILESTONE_STATUS_IDS: Record<MilestoneStatus, NsProjectTaskStatusId> = {
  'not-started': 'NOTSTART',
  'in-progress': 'PROGRESS',
  completed: 'COMPLETE',
};

/** SuiteQL conditions (on `projecttask`) for a billing-status filter. */
export const MILESTONE_BILLING_CONDITIONS: Record<MilestoneBillingStatus, string> = {
  unbilled: 'custevent_ms_invoice IS NULL',
  billed: 'custevent_ms_invoice IS NOT NULL',
};

/**
 * A project task as a canonical milestone. `currencyId` is its project's currency (the task has
 * none of its own). A completed milestone without a completion date, or one billed before it
 * was completed, is unusable vendor data.
 */
export function milestoneToCanonical(ns: NsProjectTask, currencyId: string, ctx: ToCanonicalContext): Milestone {
  const status = STATUSES[ns.status?.id];
  if (!status) throw upstream(`project task ${ns.id} has unknown status ${JSON.stringify(ns.status?.id)}`);
  const currency = ctx.currencyCode(currencyId);
  const amount = vendorAmount(ns.custevent_ms_amount ?? 0, currency, 'custevent_ms_amount');
  if (amount.amountMinor < 0) throw upstream(`project task ${ns.id} has a negative milestone amount`);
  const name = (ns.title ?? '')
    .replace(/[\x00-\x1F]/g, ' ')
    .trim()
    .slice(0, 256);
  if (!name) throw upstream(`project task ${ns.id} has no title`);
  const completedOn = status === 'completed' ? plainDate(ns.custevent_ms_completed_on, 'custevent_ms_completed_on') : undefined;
  if (status === 'completed' && !completedOn) throw upstream(`project task ${ns.id} is completed without a completion date`);
  if (ns.custevent_ms_invoice && status !== 'completed') throw upstream(`project task ${ns.id} is billed but not completed`);
  const plannedDate = plainDate(ns.finishByDate, 'finishByDate');
  const updatedAt = instant(ns.lastModifiedDate, 'lastModifiedDate');
  if (!updatedAt) throw upstream(`project task ${ns.id} has no lastModifiedDate`);
  return {
    id: ctx.canonicalId('milestone', ns.id),
    engagementId: ctx.canonicalId('engagement', ns.project.id),
    name,
    amount,
    ...(plannedDate ? { plannedDate } : {}),
    status,
    ...(completedOn ? { completedOn } : {}),
    billingStatus: ns.custevent_ms_invoice ? 'billed' : 'unbilled',
    ...(ns.custevent_ms_invoice ? { invoiceId: ctx.canonicalId('invoice', ns.custevent_ms_invoice.id) } : {}),
    updatedAt,
  };
}

/** The patch that completes a project task on a day. */
export function completionToNs(completedOn: string): Record<string, unknown> {
  return { status: { id: MILESTONE_STATUS_IDS.completed }, custevent_ms_completed_on: completedOn };
}

/** The patch that records the invoice (native id) that billed a milestone. */
export function billingToNs(invoiceNativeId: string): Record<string, unknown> {
  return { custevent_ms_invoice: { id: invoiceNativeId } };
}
