// The catch-up feed of time entries (Harvest sends no webhooks): entries updated on the time
// platform, read on a schedule and recorded into the inbox under source `time-poll`, each change
// once (core/change-capture). Its handler bills time approved after its period was billed on a
// further invoice of that period, batched per engagement, period and day, through the same keyed
// run as reconciliation's repair; the billing ledger bills each entry once whichever run takes it.
import type { Transaction } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { ChangeFeed } from '../../core/change-capture/index.js';
import type { InboxMessage } from '../../core/inbox/index.js';
import type { Logger } from '../../core/observability/logger.js';
import { TransientError } from '../../core/resilience/errors.js';
import type { Database } from '../../core/store/schema.js';
import type { TimeEntryFeedPosition } from '../../system-apis/time/index.js';
import type { BillingPeriod } from '../kit/billing-model.js';
import { allocatedAmong } from './billing-store.js';
import { PERIOD_WORKFLOW } from './period-workflow.js';
import { billingPeriod, engagementRunKey, leftBehindRunKey, type BillingRunInput } from './period.js';
import type { TimeFeed } from './ports.js';
import type { TimeToBillingApi } from './service.js';
import { ENGAGEMENT_WORKFLOW } from './workflow.js';

export const TIME_POLLED_SOURCE = 'time-poll';
export const TIME_ENTRY_STREAM = 'time:time-entries';

/** What the inbox keeps for one polled change: the entry's state as the feed read it. */
export interface PolledTimeEntryMessage {
  timeEntryId: string;
  engagementId: string;
  workDate: string;
  approved: boolean;
  billable: boolean;
  billed: boolean;
  changeKey: string;
}

/** The first day of the month before `now`'s: a first start reads back over the last period billed. */
export function previousMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
}

export function timeEntryChangeFeed(
  time: TimeFeed,
  options: { lookbackFrom: () => Date; pageSize?: number },
): ChangeFeed<TimeEntryFeedPosition> {
  return {
    stream: TIME_ENTRY_STREAM,
    source: TIME_POLLED_SOURCE,
    // Not "now" and not the beginning of time: approvals of the periods billing may still look at.
    initial: () => time.timeEntryFeedStart(options.lookbackFrom()),
    async pull(from) {
      const page = await time.timeEntryChangesSince(from, options.pageSize ?? 500);
      return {
        // Only work billing may act on is recorded (approved and billable, or billed); drafts only move the cursor.
        changes: page.changes
          .filter(({ entry }) => (entry.approvalStatus === 'approved' && entry.billable) || entry.billingStatus === 'billed')
          .map(({ entry, changeKey, occurredAtMs }) => ({
            id: changeKey,
            occurredAtMs,
            payload: {
              timeEntryId: entry.id,
              engagementId: entry.engagementId,
              workDate: entry.workDate,
              approved: entry.approvalStatus === 'approved',
              billable: entry.billable,
              billed: entry.billingStatus === 'billed',
              changeKey,
            } satisfies PolledTimeEntryMessage,
          })),
        next: page.next,
        more: page.more,
      };
    },
  };
}

/** What came of one polled change. */
export type LateApprovalOutcome =
  | 'billing' // a further invoice of a billed period was started (or joined) for it
  | 'already-billed' // the ledger already bills it
  | 'period-not-billed' // its period's run will bill it
  | 'run-under-way' // its period's run has not completed (pending, waiting out a hold, or failed): it, or its retry, bills it
  | 'not-billable' // not approved, or not billable
  | 'changed-after-billing'; // billed, then changed on the platform: reconciliation reports it

export interface LateApprovalMetrics {
  polledChange(outcome: LateApprovalOutcome): void;
}

export function promLateApprovalMetrics(registry: Registry): LateApprovalMetrics {
  const changes = new Counter({
    name: 'layer_time_entry_changes_total',
    help: 'Time entry changes the catch-up feed brought to time-to-billing, by what came of them.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { polledChange: (outcome) => changes.inc({ outcome }) };
}

function isPolledEntry(payload: unknown): payload is PolledTimeEntryMessage {
  const p = payload as Partial<PolledTimeEntryMessage> | null;
  return (
    !!p &&
    typeof p.timeEntryId === 'string' &&
    typeof p.engagementId === 'string' &&
    typeof p.workDate === 'string' &&
    typeof p.changeKey === 'string' &&
    typeof p.approved === 'boolean' &&
    typeof p.billable === 'boolean' &&
    typeof p.billed === 'boolean'
  );
}

type Db = Transaction<Database>;
type RunRow = { id: string; definition: string; run_key: string; state: string; input: string };
const FINISHED = new Set(['completed', 'failed', 'compensated', 'cancelled']);

/** Whether a run has begun reading the work it bills (its allocation step is past pending). */
async function allocating(trx: Db, runId: string): Promise<boolean> {
  const step = await trx
    .selectFrom('workflow_steps')
    .select('state')
    .where('run_id', '=', runId)
    .where('name', '=', 'allocate-entries')
    .where('state', '!=', 'pending')
    .executeTakeFirst();
  return step !== undefined;
}

/**
 * Whether the entry's work was already billed: the latest period a completed run billed up to an
 * end on or after its work date (the engagement's own run, or the whole-period run that found no
 * work of it). `under-way` when the engagement's run of such a period has not completed and will
 * still read the work (or is failed, and its retry will); `allocating` when it is reading it now.
 */
async function billedPeriodFor(
  trx: Db,
  engagementId: string,
  workDate: string,
): Promise<BillingPeriod | 'under-way' | 'allocating' | undefined> {
  const runs: RunRow[] = await trx
    .selectFrom('workflow_runs')
    .select(['id', 'definition', 'run_key', 'state', 'input'])
    .where((eb) =>
      eb.or([
        eb.and([eb('definition', '=', ENGAGEMENT_WORKFLOW), eb('run_key', 'like', `${engagementId}#%`)]),
        eb.and([eb('definition', '=', PERIOD_WORKFLOW), eb('run_key', 'like', 'all:%')]),
      ]),
    )
    .execute();
  let billed: BillingPeriod | undefined;
  for (const run of runs) {
    const input = JSON.parse(run.input) as BillingRunInput;
    if (input.periodEnd < workDate) continue;
    const period = billingPeriod(input.periodStart, input.periodEnd);
    if (run.definition === ENGAGEMENT_WORKFLOW) {
      // Further invoices (keys with a suffix) follow a billed period; they do not bill one.
      if (run.run_key !== engagementRunKey(engagementId, period)) continue;
      if (!FINISHED.has(run.state) && (await allocating(trx, run.id))) return 'allocating';
      if (run.state !== 'completed') return 'under-way';
    }
    if (run.state !== 'completed') continue;
    if (!billed || period.end > billed.end) billed = period;
  }
  return billed;
}

/**
 * The repair key of the day's further invoice: `late-<day>` while its run has not allocated yet,
 * so entries found the same day share one invoice; once it has, the next batch (`late-<day>.2`, …).
 */
async function batchKey(trx: Db, engagementId: string, period: BillingPeriod, day: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const key = n === 1 ? `late-${day}` : `late-${day}.${n}`;
    const run = await trx
      .selectFrom('workflow_runs')
      .select(['id', 'state'])
      .where('definition', '=', ENGAGEMENT_WORKFLOW)
      .where('run_key', '=', leftBehindRunKey(engagementId, period, key))
      .executeTakeFirst();
    if (!run) return key;
    if (!FINISHED.has(run.state) && !(await allocating(trx, run.id))) return key;
  }
}

/**
 * Inbox handler for source `time-poll`. Returns whether it started (or joined) a run. The same
 * change read twice is one inbox message; an entry already billed is left alone by the ledger check here
 * and again by the run's allocation.
 */
export function lateApprovalHandler(deps: {
  billing: () => Pick<TimeToBillingApi, 'billLeftBehind'>;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  metrics?: LateApprovalMetrics;
  today?: () => string;
}) {
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10));
  return async (message: InboxMessage, { trx }: { trx: Db }): Promise<boolean> => {
    const entry = message.payload;
    if (!isPolledEntry(entry)) {
      deps.logger?.warn({ messageId: message.webhookId }, 'polled time change is not a time entry change; ignored');
      return false;
    }
    const seen = (outcome: LateApprovalOutcome, log?: string) => {
      deps.metrics?.polledChange(outcome);
      if (log) deps.logger?.info({ timeEntryId: entry.timeEntryId, engagementId: entry.engagementId, changeKey: entry.changeKey }, log);
      return false;
    };
    const inLedger = (await allocatedAmong(trx, [entry.timeEntryId])).has(entry.timeEntryId);
    if (inLedger && (!entry.approved || !entry.billable))
      return seen('changed-after-billing', 'billed time entry changed on the time platform after billing; reconciliation reports it');
    if (inLedger) return seen('already-billed');
    // Billed by the platform's own invoicing, or not billable work: not the layer's to bill.
    if (entry.billed || !entry.approved || !entry.billable) return seen('not-billable');
    const period = await billedPeriodFor(trx, entry.engagementId, entry.workDate);
    if (period === 'under-way') return seen('run-under-way');
    // The run may have read the work before this approval: asked again once it has finished.
    if (period === 'allocating')
      throw new TransientError(`A billing run of ${entry.engagementId} is allocating; the late approval waits for it.`);
    if (!period) return seen('period-not-billed');
    const day = today();
    const key = await batchKey(trx, entry.engagementId, period, day);
    const { run, created } = await deps
      .billing()
      .billLeftBehind({ engagementId: entry.engagementId, periodStart: period.start, periodEnd: period.end }, key, trx);
    deps.metrics?.polledChange('billing');
    deps.logger?.info(
      { timeEntryId: entry.timeEntryId, engagementId: entry.engagementId, period: period.key, runId: run.id, created },
      'billing time approved after its period was billed on a further invoice',
    );
    return true;
  };
}
