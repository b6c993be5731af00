// Billing milestones in the canonical model: NetSuite project tasks flagged as milestones
// (found through SuiteQL, since the REST record does not expose the flag), completed once and
// billed by exactly one invoice of their project.
import { ProblemError } from '../../core/problems.js';
import type { Milestone, MilestoneBilling, MilestoneBillingStatus, MilestoneCompletion, MilestoneStatus } from './canonical.js';
import type { Page } from '../../core/paging.js';
import {
  billingToNs,
  completionToNs,
  MILESTONE_BILLING_CONDITIONS,
  MILESTONE_STATUS_IDS,
  milestoneToCanonical,
} from './mapping-milestones.js';
import type { ErpBilling } from './service-billing.js';
import { type ErpContext, sqlNativeId, type PageRequest } from './service-context.js';
import type { NsJob, NsProjectTask } from './vendor-types.js';

export interface MilestoneQuery extends PageRequest {
  engagementId?: string;
  status?: MilestoneStatus;
  billingStatus?: MilestoneBillingStatus;
}

export class ErpMilestones {
  constructor(
    private readonly ctx: ErpContext,
    private readonly billing: ErpBilling,
  ) {}

  /** Maps tasks with one fetch per project (a task's fee is in its project's currency). */
  private async milestones(records: NsProjectTask[]): Promise<Milestone[]> {
    const jobs = await this.ctx.fetchRecords<NsJob>('job', [...new Set(records.map((r) => r.project.id))]);
    const currencyOf = new Map(jobs.map((job) => [job.id, job.currency.id]));
    const currency = (ns: NsProjectTask) => {
      const id = currencyOf.get(ns.project.id);
      if (!id)
        throw new ProblemError('upstream-error', {
          detail: `The ERP project ${ns.project.id} of milestone ${ns.id} no longer exists.`,
          extensions: { platform: 'erp' },
        });
      return id;
    };
    return this.ctx.mapPage(
      records,
      (ns) => [
        { entity: 'milestone', nativeId: ns.id },
        { entity: 'engagement', nativeId: ns.project.id },
        ...(ns.custevent_ms_invoice ? [{ entity: 'invoice' as const, nativeId: ns.custevent_ms_invoice.id }] : []),
      ],
      currency,
      (ns, c) => milestoneToCanonical(ns, currency(ns), c),
    );
  }

  async listMilestones(page: MilestoneQuery): Promise<Page<Milestone>> {
    const at = this.ctx.pageAt('milestones', page);
    const conditions = ["ismilestone = 'T'"];
    if (page.engagementId)
      conditions.push(`project = ${sqlNativeId(await this.ctx.nativeOf('engagement', page.engagementId, '/query/engagementId'))}`);
    if (page.status) conditions.push(`status = '${MILESTONE_STATUS_IDS[page.status]}'`);
    if (page.billingStatus) conditions.push(MILESTONE_BILLING_CONDITIONS[page.billingStatus]);
    const { ids, nextCursor } = await this.ctx.pageOfIds('projecttask', conditions, at);
    const records = await this.ctx.fetchRecords<NsProjectTask>('projectTask', ids);
    return { items: await this.milestones(records), nextCursor };
  }

  /** Only tasks seen as milestones (listed through the milestone filter) have a canonical milestone id. */
  async getMilestone(id: string): Promise<Milestone> {
    const [milestone] = await this.milestones([
      await this.ctx.mustFetch<NsProjectTask>('projectTask', await this.ctx.nativeOf('milestone', id)),
    ]);
    return milestone!;
  }

  /** Completes the milestone; again on the same day (or with no day) it is answered unchanged. */
  async markCompleted(id: string, input: MilestoneCompletion = {}): Promise<Milestone> {
    const native = await this.ctx.nativeOf('milestone', id);
    const milestone = await this.getMilestone(id);
    if (milestone.status === 'completed') {
      if (input.completedOn && input.completedOn !== milestone.completedOn) {
        throw new ProblemError('conflict', { detail: `The milestone was completed on ${milestone.completedOn}.` });
      }
      return milestone;
    }
    const completedOn = input.completedOn ?? new Date().toISOString().slice(0, 10);
    await this.ctx.connector.updateRecord('projectTask', native, completionToNs(completedOn));
    return this.getMilestone(id);
  }

  /** Records the invoice that billed the milestone: once, by one invoice of its own project. */
  async markBilled(id: string, input: MilestoneBilling): Promise<Milestone> {
    const native = await this.ctx.nativeOf('milestone', id);
    const invoiceNative = await this.ctx.nativeOf('invoice', input.invoiceId, '/invoiceId');
    const milestone = await this.getMilestone(id);
    if (milestone.billingStatus === 'billed') {
      if (milestone.invoiceId === input.invoiceId) return milestone;
      throw new ProblemError('conflict', { detail: `The milestone is already billed on invoice ${milestone.invoiceId}.` });
    }
    if (milestone.status !== 'completed') {
      throw new ProblemError('business-rule-violation', {
        detail: `The milestone is ${milestone.status}; only a completed milestone is billed.`,
      });
    }
    const invoice = await this.billing.getInvoice(input.invoiceId);
    if (invoice.engagementId !== milestone.engagementId) {
      throw new ProblemError('unprocessable-content', {
        detail: 'The invoice bills another project.',
        errors: [{ pointer: '/invoiceId', detail: 'invoice of another project' }],
      });
    }
    await this.ctx.connector.updateRecord('projectTask', native, billingToNs(invoiceNative));
    return this.getMilestone(id);
  }
}
