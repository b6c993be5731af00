// Time-to-billing's reconciliation checks, for the reconciliation runner: approved time against
// the billing ledger, the layer's invoices against ERP's, invoices ERP holds or left unposted, and
// the journey's failed runs. Finding types and repairs are documented in this folder's README.
import { failedRunsCheck } from '../kit/failed-runs-check.js';
import type { ReconciliationCheck } from '../kit/reconciliation.js';
import { recordRefs } from '../kit/platform-records.js';
import { invoiceOfRun } from './billing-store.js';
import { PERIOD_WORKFLOW } from './period-workflow.js';
import type { BillingRunInput } from './period.js';
import { invoicesBlockedCheck, invoicesMatchErpCheck } from './recon-invoices.js';
import { approvedTimeBilledCheck, type BillingCheckDeps } from './recon-time.js';
import type { TimeToBillingApi } from './service.js';
import { ENGAGEMENT_WORKFLOW } from './workflow.js';

export type { BillingCheckDeps } from './recon-time.js';

export interface TimeToBillingCheckOptions {
  /** How long an invoice the layer created may stay unposted in ERP before it is reported. Default 1 hour. */
  postingGraceMs?: number;
  /** Wakes the workflow engine after an operator retries a run. */
  kick?: () => void;
}

export function timeToBillingChecks(
  deps: BillingCheckDeps,
  api: Pick<TimeToBillingApi, 'billLeftBehind' | 'getRun' | 'retryRun'>,
  options: TimeToBillingCheckOptions = {},
): ReconciliationCheck[] {
  const db = deps.store.db;
  return [
    approvedTimeBilledCheck(deps, api),
    invoicesMatchErpCheck(deps),
    invoicesBlockedCheck({ ...deps, ...(options.postingGraceMs === undefined ? {} : { postingGraceMs: options.postingGraceMs }) }, api),
    failedRunsCheck({
      name: 'billing-runs',
      journey: 'time-to-billing',
      question: 'unbilled-approved-time',
      type: 'billing-run-failed',
      db,
      workflows: [ENGAGEMENT_WORKFLOW, PERIOD_WORKFLOW],
      ...(options.kick ? { kick: options.kick } : {}),
      async describe(run) {
        const input = (run.input ?? {}) as Partial<BillingRunInput>;
        const period = input.periodStart && input.periodEnd ? `${input.periodStart} to ${input.periodEnd}` : 'a period';
        if (!input.engagementId) return { records: [], title: `Billing of ${period} failed` };
        // The invoice the run had drafted, if it got that far: what waits to be billed.
        const invoice = await invoiceOfRun(db, run.id);
        return {
          records: await recordRefs(deps, [{ platform: 'erp', entity: 'project', canonicalId: input.engagementId }]),
          title: `Billing of engagement ${input.engagementId} for ${period} failed`,
          moneyAtRisk: invoice ? invoice.draft.total : null,
        };
      },
    }),
  ];
}
