// The exceptions a check's findings become. A mismatch found again updates its exception (last
// seen, figures); a dismissed one still found stays dismissed; one no longer found becomes resolved
// (repaired, if a repair was running) and stops being live, so a later recurrence opens a new one.
import { sql } from 'kysely';
import { newId } from '../../core/ids.js';
import { fromJson, toIso, toJson, type DbExecutor } from '../../core/store/index.js';
import type { Journey } from '../kit/run-view.js';
import type {
  Finding,
  ProposedRepair,
  ReconciliationCheck,
  ReconciliationQuestion,
  StoppedRun,
  StoredFinding,
} from '../kit/reconciliation.js';
import type { ExceptionStatus, ReconExceptionsTable } from './schema.js';
import type { ExceptionView } from './views.js';

/** Who resolves an exception the passes no longer find. */
export const RESOLVED_BY_PASS = 'reconciliation';
const TERMINAL_RUN_STATES = ['completed', 'failed', 'cancelled', 'compensated'] as const;
const CHUNK = 500;

type Row = ReconExceptionsTable;

/** What one check's findings did to its exceptions. */
export interface CheckOutcome {
  found: number;
  /** New exceptions, by type (for the opened counter). */
  opened: Array<{ type: string }>;
  resolved: number;
  /** Open exceptions whose safe repair the pass may start: never attempted yet. */
  repairable: StoredFinding[];
}

const keyOf = (type: string, key: string) => `${type}\u0000${key}`;

// The contract refuses control characters in a title (any) and a detail (but line breaks and tabs).
export const oneLine = (text: string, max: number) => text.replace(/[\x00-\x1F\x7F-\x9F]+/g, ' ').slice(0, max);
const paragraph = (text: string, max: number) => text.replace(/[\x00-\x08\x0B-\x1F\x7F-\x9F]+/g, ' ').slice(0, max);

function contentOf(finding: Finding) {
  return {
    title: oneLine(finding.title, 200),
    detail: paragraph(finding.detail, 2000),
    records: toJson(finding.records.slice(0, 20)),
    money_minor: finding.moneyAtRisk?.amountMinor ?? null,
    money_currency: finding.moneyAtRisk?.currency ?? null,
    repair: toJson(finding.repair),
    run: finding.run ? toJson(finding.run) : null,
  };
}

export function storedFinding(
  row: Pick<
    Row,
    'id' | 'type' | 'key' | 'title' | 'detail' | 'records' | 'money_minor' | 'money_currency' | 'repair' | 'run' | 'first_seen_ms'
  >,
): StoredFinding {
  return {
    exceptionId: row.id,
    type: row.type,
    key: row.key,
    title: row.title,
    detail: row.detail,
    records: fromJson(row.records) ?? [],
    moneyAtRisk:
      row.money_minor !== null && row.money_currency ? { amountMinor: Number(row.money_minor), currency: row.money_currency } : null,
    since: new Date(Number(row.first_seen_ms)),
    repair: fromJson<ProposedRepair>(row.repair)!,
    run: fromJson<StoppedRun>(row.run),
  };
}

/**
 * Stores what one check found in this pass: call inside one transaction per check, only when the
 * check succeeded (a failed check leaves its exceptions as they were). `readFrom` is when the
 * check began reading: what it found may predate anything that happened since.
 */
export async function recordFindings(
  trx: DbExecutor,
  check: Pick<ReconciliationCheck, 'name' | 'journey' | 'question'>,
  findings: Finding[],
  passId: string,
  now: number,
  readFrom: number = now,
): Promise<CheckOutcome> {
  const live = await trx.selectFrom('recon_exceptions').selectAll().where('check_name', '=', check.name).where('live', '=', 1).execute();
  const byKey = new Map(live.map((row) => [keyOf(row.type, row.key), row]));
  const seen = new Set<string>();
  const outcome: CheckOutcome = { found: 0, opened: [], resolved: 0, repairable: [] };
  const touched: string[] = [];
  const backToOpen: Row[] = [];
  for (const finding of findings) {
    const k = keyOf(finding.type, finding.key.slice(0, 300));
    if (seen.has(k)) continue; // the same mismatch twice in one answer is one exception
    seen.add(k);
    outcome.found++;
    const content = contentOf(finding);
    const existing = byKey.get(k);
    if (!existing) {
      const row: Row = {
        id: newId(),
        check_name: check.name,
        journey: check.journey,
        question: check.question,
        type: finding.type,
        key: finding.key.slice(0, 300),
        ...content,
        status: 'open',
        live: 1,
        first_seen_ms: Math.min(finding.since?.getTime() ?? now, now),
        last_seen_ms: now,
        resolved_at_ms: null,
        resolved_by: null,
        dismiss_reason: null,
        repair_run_id: null,
        repair_attempts: 0,
        pass_id: passId,
      };
      await trx.insertInto('recon_exceptions').values(row).execute();
      outcome.opened.push({ type: finding.type });
      if (finding.repair.safe) outcome.repairable.push(storedFinding(row));
      continue;
    }
    const changed = (Object.keys(content) as Array<keyof typeof content>).some((c) => existing[c] !== content[c]);
    if (changed) await trx.updateTable('recon_exceptions').set(content).where('id', '=', existing.id).execute();
    touched.push(existing.id);
    if (existing.status === 'repairing') backToOpen.push(existing);
    else if (existing.status === 'open' && finding.repair.safe && Number(existing.repair_attempts) === 0)
      outcome.repairable.push(storedFinding({ ...existing, ...content }));
  }
  for (let i = 0; i < touched.length; i += CHUNK) {
    const ids = touched.slice(i, i + CHUNK);
    await trx.updateTable('recon_exceptions').set({ last_seen_ms: now, pass_id: passId }).where('id', 'in', ids).execute();
  }
  await reopenFinishedRepairs(trx, backToOpen, readFrom);

  const gone = live.filter((row) => !seen.has(keyOf(row.type, row.key)));
  for (let i = 0; i < gone.length; i += CHUNK) {
    const ids = gone.slice(i, i + CHUNK).map((row) => row.id);
    // Dismissed ones keep their status and resolution; the others are resolved, or repaired when a repair ran.
    await trx
      .updateTable('recon_exceptions')
      .set({
        live: 0,
        pass_id: passId,
        status: sql<ExceptionStatus>`case status when 'repairing' then 'repaired' when 'open' then 'resolved' else status end`,
        resolved_at_ms: sql<number>`case when status in ('open', 'repairing') then ${now} else resolved_at_ms end`,
        resolved_by: sql<string>`case status when 'open' then ${RESOLVED_BY_PASS} else coalesce(resolved_by, ${RESOLVED_BY_PASS}) end`,
      })
      .where('id', 'in', ids)
      .execute();
  }
  outcome.resolved = gone.filter((row) => row.status !== 'dismissed').length;
  return outcome;
}

/**
 * A repair still found after its run finished (failed, or completed without fixing it) did not
 * work: the exception is open again for an operator. Automatic repair is tried only once. Only a
 * run that finished before the check began reading counts: a check that read the platforms while
 * the run was still at work (a pass that overlapped an operator's retry) found the old state.
 */
async function reopenFinishedRepairs(trx: DbExecutor, repairing: Row[], readFrom: number): Promise<void> {
  if (repairing.length === 0) return;
  const runIds = repairing.map((row) => row.repair_run_id).filter((id): id is string => id !== null);
  const finished = new Set(
    runIds.length === 0
      ? []
      : (
          await trx
            .selectFrom('workflow_runs')
            .select('id')
            .where('id', 'in', runIds)
            .where('state', 'in', TERMINAL_RUN_STATES)
            .where('finished_at_ms', '<=', readFrom)
            .execute()
        ).map((r) => r.id),
  );
  const reopen = repairing.filter((row) => row.repair_run_id === null || finished.has(row.repair_run_id)).map((row) => row.id);
  if (reopen.length > 0)
    await trx.updateTable('recon_exceptions').set({ status: 'open' }).where('id', 'in', reopen).where('status', '=', 'repairing').execute();
}

export function exceptionView(row: Row, now = Date.now()): ExceptionView {
  const repair = fromJson<ProposedRepair>(row.repair)!;
  const firstSeen = Number(row.first_seen_ms);
  const end = row.live ? now : Math.max(firstSeen, Number(row.resolved_at_ms ?? row.last_seen_ms));
  return {
    id: row.id,
    question: row.question as ReconciliationQuestion,
    journey: row.journey as Journey,
    type: row.type,
    title: row.title,
    detail: row.detail,
    status: row.status,
    records: (fromJson<ExceptionView['records']>(row.records) ?? []).map((r) => ({
      platform: r.platform,
      entity: r.entity,
      id: r.id,
      canonicalId: r.canonicalId ?? null,
      label: r.label ?? null,
      url: r.url ?? null,
    })),
    moneyAtRisk:
      row.money_minor !== null && row.money_currency ? { amountMinor: Number(row.money_minor), currency: row.money_currency } : null,
    repair: { safe: repair.safe, action: repair.action, description: repair.description, runId: row.repair_run_id },
    run: fromJson<StoppedRun>(row.run),
    firstSeenAt: toIso(firstSeen),
    lastSeenAt: toIso(Number(row.last_seen_ms)),
    ageSeconds: Math.max(0, Math.floor((end - firstSeen) / 1000)),
    resolvedAt: row.resolved_at_ms === null ? null : toIso(Number(row.resolved_at_ms)),
    resolvedBy: row.resolved_by,
    dismissReason: row.dismiss_reason,
    passId: row.pass_id,
  };
}
