// Version 2 shapes: provisioning stage by stage with the problems to fix, and money as
// `{amountMinor, currency}` objects, one per currency.
import type { components } from '../../generated/openapi/experience/crm.v2.js';
import type { ProvisioningWithProject } from '../../process-apis/opportunity-to-project/index.js';
import { sumByCurrency, type AccountFigures } from './account-figures.js';

type ProjectProvisioning = components['schemas']['ProjectProvisioning'];
type AccountOverview = components['schemas']['AccountOverview'];

function statusV2(p: ProvisioningWithProject): ProjectProvisioning['status'] {
  if (p.status === 'completed' || p.status === 'rejected' || p.status === 'failed') return p.status;
  const done = (name: string) => p.stages.some((s) => s.name === name && (s.status === 'succeeded' || s.status === 'skipped'));
  if (p.stages.every((s) => s.status === 'pending')) return 'queued';
  if (!done('validate-terms')) return 'validating';
  if (!done('create-project')) return 'provisioning';
  return 'awaiting-staffing';
}

export function provisioningV2(p: ProvisioningWithProject, statusUrl: string): ProjectProvisioning {
  const status = statusV2(p);
  const finished = status === 'completed' || status === 'rejected' || status === 'failed';
  return {
    opportunityId: p.opportunityId,
    status,
    stages: p.stages,
    ...(p.engagementId && p.project?.name
      ? {
          project: {
            id: p.engagementId,
            ...(p.erpProjectCode ? { code: p.erpProjectCode } : {}),
            name: p.project.name,
            ...(p.project.budget ? { budget: p.project.budget } : {}),
          },
        }
      : {}),
    ...(p.staffingRequestIds ? { staffingRequestIds: p.staffingRequestIds } : {}),
    ...(p.error ? { problems: [p.error] } : {}),
    ...(finished ? {} : { statusUrl }),
    updatedAt: p.updatedAt,
  };
}

export function overviewV2(f: AccountFigures): AccountOverview {
  return {
    accountId: f.accountId,
    name: f.name,
    projects: f.projects.map((p) => ({
      projectId: p.project.engagement.id,
      ...(p.project.engagement.code ? { code: p.project.engagement.code } : {}),
      name: p.project.engagement.name,
      status: p.project.engagement.status,
      billingModel: p.project.engagement.billingModel,
      staffingState: p.project.staffingState,
      unbilledMinutes: p.unbilledMinutes,
      unbilledAmount: p.unbilled,
      billingHold: p.project.engagement.billingHold,
    })),
    unbilled: sumByCurrency(f.projects.map((p) => p.unbilled)).filter((m) => m.amountMinor !== 0),
    openInvoiceCount: f.openInvoiceCount,
    open: f.open,
    overdueInvoiceCount: f.overdueInvoiceCount,
    overdue: f.overdue,
    daysSalesOutstanding: Math.max(0, ...Object.values(f.daysSalesOutstanding)),
    asOf: f.asOf,
  };
}
