// Version 1 shapes (deprecated): a coarse provisioning status with one message, and amounts
// as decimal strings in the account's currency.
import { minorToDecimalString, type Money } from '../../core/money.js';
import type { components } from '../../generated/openapi/experience/crm.v1.js';
import type { ProvisioningWithProject } from '../../process-apis/opportunity-to-project/index.js';
import { sumByCurrency, type AccountFigures } from './account-figures.js';

type ProjectProvisioning = components['schemas']['ProjectProvisioning'];
type AccountOverview = components['schemas']['AccountOverview'];

export function provisioningV1(p: ProvisioningWithProject, statusUrl: string): ProjectProvisioning {
  const status = p.status === 'completed' ? 'completed' : p.status === 'rejected' || p.status === 'failed' ? 'failed' : 'in-progress';
  const message = p.error
    ? [p.error.detail, ...(p.error.errors ?? []).map((e) => `${e.pointer}: ${e.detail}`)].join(' ').slice(0, 2000)
    : undefined;
  return {
    opportunityId: p.opportunityId,
    status,
    ...(p.engagementId ? { erpProjectId: p.engagementId } : {}),
    ...(p.erpProjectCode ? { erpProjectCode: p.erpProjectCode } : {}),
    ...(message ? { message } : {}),
    ...(status === 'in-progress' ? { statusUrl } : {}),
  };
}

/** One currency only: amounts in other currencies cannot be shown in v1 and are left out (v2 lists them). */
function decimalIn(currency: string, amounts: readonly Money[]): string {
  const found = amounts.find((m) => m.currency === currency);
  return minorToDecimalString(found?.amountMinor ?? 0, currency);
}

export function overviewV1(f: AccountFigures): AccountOverview {
  const currency = f.currency ?? f.projects[0]?.project.engagement.currency ?? f.open[0]?.currency ?? 'EUR';
  return {
    accountId: f.accountId,
    name: f.name,
    currency,
    projects: f.projects.map((p) => ({
      projectId: p.project.engagement.id,
      name: p.project.engagement.name,
      status: p.project.engagement.status,
      staffingState: p.project.staffingState,
      unbilledHours: p.unbilledHours,
      unbilledAmount: decimalIn(currency, [p.unbilled]),
    })),
    unbilledAmount: decimalIn(currency, sumByCurrency(f.projects.map((p) => p.unbilled))),
    openInvoiceCount: f.openInvoiceCount,
    openAmount: decimalIn(currency, f.open),
    overdueInvoiceCount: f.overdueInvoiceCount,
    overdueAmount: decimalIn(currency, f.overdue),
    daysSalesOutstanding: f.daysSalesOutstanding[currency] ?? 0,
  };
}
