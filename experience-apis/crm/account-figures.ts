// Gathers an account page from the process APIs (projects and staffing from
// opportunity-to-project, unbilled work from time-to-billing, invoices and days sales
// outstanding from billing-status-to-crm) into one neutral shape that v1 and v2 render.
import type { Money } from '../../core/money.js';
import type { ProcessApis } from '../../process-apis/index.js';
import type { AccountProjects } from '../../process-apis/opportunity-to-project/index.js';

export interface ProjectFigures {
  project: AccountProjects['projects'][number];
  unbilledMinutes: number;
  /** The unbilled hours exactly as recorded ("19.92"). */
  unbilledHours: string;
  unbilled: Money;
}

export interface AccountFigures {
  accountId: string;
  name: string;
  currency: string | null;
  projects: ProjectFigures[];
  openInvoiceCount: number;
  open: Money[];
  overdueInvoiceCount: number;
  overdue: Money[];
  daysSalesOutstanding: Record<string, number>;
  asOf: string;
}

/** The process APIs an account page reads. */
export type AccountSources = Pick<ProcessApis, 'opportunityToProject' | 'billingStatusToCrm' | 'timeToBilling'>;

export async function accountFigures(processApis: AccountSources, accountId: string): Promise<AccountFigures> {
  const account = await processApis.opportunityToProject.accountProjects(accountId);
  const [billing, projects] = await Promise.all([
    processApis.billingStatusToCrm.getAccountBillingStatus(accountId),
    Promise.all(
      account.projects.map(async (project): Promise<ProjectFigures> => {
        const work = await processApis.timeToBilling.listUnbilledWork({ engagementId: project.engagement.id, limit: 1 });
        const item = work.items.find((w) => w.engagementId === project.engagement.id);
        return {
          project,
          unbilledMinutes: item?.approvedMinutes ?? 0,
          unbilledHours: item?.approvedHours ?? '0.00',
          unbilled: item?.amount ?? { amountMinor: 0, currency: project.engagement.currency },
        };
      }),
    ),
  ]);
  return {
    accountId,
    name: account.name,
    currency: account.currency,
    projects,
    openInvoiceCount: billing.openInvoiceCount,
    open: billing.outstanding,
    overdueInvoiceCount: billing.overdueInvoiceCount,
    overdue: billing.overdue ?? [],
    daysSalesOutstanding: billing.daysSalesOutstanding,
    asOf: new Date().toISOString(),
  };
}

export function sumByCurrency(amounts: readonly Money[]): Money[] {
  const totals = new Map<string, number>();
  for (const m of amounts) totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.amountMinor);
  return [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountMinor]) => ({ amountMinor, currency }));
}
