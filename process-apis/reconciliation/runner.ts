// A reconciliation pass under the one pass lease (heartbeats keep it): each check in turn, its
// findings stored in one transaction (what it no longer finds resolved, only when it succeeded),
// the safe repairs started when asked, progress reported.
import { hostname } from 'node:os';
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import { nowMs, withTransaction, type DbExecutor, type Store } from '../../core/store/index.js';
import { newId } from '../../core/ids.js';
import type { ReconciliationCheck, RepairActor } from '../kit/reconciliation.js';
import type { Journey } from '../kit/run-view.js';
import { oneLine, recordFindings, RESOLVED_BY_PASS } from './exceptions.js';
import { claimPassLease, releasePassLease, renewPassLease, type PassLease } from './lease.js';
import type { ReconciliationMetrics } from './metrics.js';
import { abandonPass, getPass, insertPass, prunePasses, updatePass, type PassTotals } from './passes.js';
import { openFigures } from './queries.js';
import { startRepair } from './repairs.js';
import type { PassScope, PassTrigger } from './schema.js';
import type { CheckTally, PassView } from './views.js';

export interface PassProgress {
  passId: string;
  /** The check running now (undefined once all are done). */
  check?: string;
  checksDone: number;
  checksTotal: number;
  /** Records the checks expect to compare, where they can tell. */
  estimate: number | undefined;
  compared: number;
}

export interface PassRequest {
  journey?: Journey;
  repair: boolean;
  trigger: PassTrigger;
  /** Who started it (an operator, the command); null for the schedule. */
  actor: RepairActor | null;
  /** Default `platforms` (every check). */
  scope?: PassScope;
  onProgress?(progress: PassProgress): void;
}

export interface StartedPass {
  pass: PassView;
  /** Settles when the pass ends, with the pass as stored. Never rejects. */
  done: Promise<PassView>;
}

export interface RunnerOptions {
  store: Store;
  checks: readonly ReconciliationCheck[];
  logger: Logger;
  metrics: ReconciliationMetrics;
  leaseMs: number;
  /** This replica's name in the lease. */
  holder?: string;
}

/** A check's last run: a success moves its "last checked"; a failure keeps it and records the error. */
async function recordCheckRun(db: DbExecutor, check: ReconciliationCheck, at: number, error: string | null): Promise<void> {
  const outcome = error === null ? { last_success_ms: at, last_error: null } : { last_error: error };
  await db
    .insertInto('recon_check_results')
    .values({
      check_name: check.name,
      question: check.question,
      journey: check.journey,
      last_run_ms: at,
      last_success_ms: null,
      ...outcome,
    })
    .onConflict((oc) =>
      oc.column('check_name').doUpdateSet({ question: check.question, journey: check.journey, last_run_ms: at, ...outcome }),
    )
    .execute();
}

const errorText = (err: unknown) => oneLine(err instanceof Error ? err.message : String(err), 1000);

export class ReconciliationRunner {
  readonly holder: string;
  private readonly running = new Set<{ abort: AbortController; done: Promise<PassView> }>();

  constructor(private readonly options: RunnerOptions) {
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${newId().slice(-8)}`;
  }

  get checks(): readonly ReconciliationCheck[] {
    return this.options.checks;
  }

  /** Claims the lease and starts the pass in the background; 409 when a pass is running on any replica. */
  async start(request: PassRequest): Promise<StartedPass> {
    const { store, leaseMs, logger } = this.options;
    const passId = newId();
    const claimed = await claimPassLease(store.db, { holder: this.holder, passId }, leaseMs);
    if (!claimed) throw new ProblemError('conflict', { detail: 'A reconciliation pass is running; start another once it has finished.' });
    try {
      if (claimed.tookOverPassId) {
        await abandonPass(store.db, claimed.tookOverPassId);
        logger.warn({ passId: claimed.tookOverPassId }, 'reconciliation pass lease taken over from a replica that stopped');
      }
      await insertPass(store.db, {
        id: passId,
        journey: request.journey ?? null,
        scope: request.scope ?? 'platforms',
        trigger: request.trigger,
        repair: request.repair,
        startedBy: request.actor?.subject ?? request.actor?.consumer ?? null,
        startedAt: nowMs(),
      });
    } catch (err) {
      await releasePassLease(store.db, claimed.lease);
      throw err;
    }
    const pass = await getPass(store.db, passId);
    const abort = new AbortController();
    const entry = { abort, done: Promise.resolve(pass) };
    // Never rejects: a pass started in the background has no one awaiting it.
    entry.done = this.execute(claimed.lease, request, abort)
      .catch((err: unknown): PassView => {
        logger.error({ passId, err: errorText(err) }, 'reconciliation pass ended without its result stored');
        return { ...pass, status: 'failed', error: errorText(err) };
      })
      .finally(() => this.running.delete(entry));
    this.running.add(entry);
    return { pass, done: entry.done };
  }

  /** Whether a pass of this scope would run any check. */
  hasChecks(scope: PassScope): boolean {
    return this.options.checks.some((c) => scope === 'platforms' || c.reads === 'layer');
  }

  /** Runs a pass to its end (the command, the schedule, tests). */
  async run(request: PassRequest): Promise<PassView> {
    return (await this.start(request)).done;
  }

  /** Asks running passes to stop and waits for them. */
  async stop(): Promise<void> {
    for (const entry of this.running) entry.abort.abort();
    await Promise.all([...this.running].map((entry) => entry.done));
  }

  /** Sets the open-exception gauges from the store. */
  async refreshFigures(): Promise<void> {
    this.options.metrics.openFigures(await openFigures(this.options.store.db));
  }

  private async execute(lease: PassLease, request: PassRequest, abort: AbortController): Promise<PassView> {
    const { store, logger, metrics, leaseMs } = this.options;
    const scope = request.scope ?? 'platforms';
    const checks = this.options.checks.filter(
      (c) => (!request.journey || c.journey === request.journey) && (scope === 'platforms' || c.reads === 'layer'),
    );
    const started = nowMs();
    const log = logger.child({ passId: lease.passId, scope, trigger: request.trigger });
    log.info({ journey: request.journey ?? null, repair: request.repair, checks: checks.length }, 'reconciliation pass started');
    const totals: PassTotals = { compared: 0, found: 0, opened: 0, resolved: 0, repairsStarted: 0 };
    const results: CheckTally[] = [];
    let lost = false;
    const heartbeat = setInterval(
      () =>
        void renewPassLease(store.db, lease, leaseMs).then(
          (held) => {
            if (!held) {
              lost = true;
              abort.abort();
            }
          },
          (err: unknown) => log.warn({ err: errorText(err) }, 'reconciliation pass lease not renewed; retrying'),
        ),
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    let passError: string | null = null;
    try {
      const estimates = await Promise.all(checks.map((c) => (c.estimate ? c.estimate().catch(() => undefined) : undefined)));
      const estimate = estimates.some((e) => e !== undefined) ? estimates.reduce<number>((sum, e) => sum + (e ?? 0), 0) : undefined;
      const progress = (checksDone: number, check?: string) =>
        request.onProgress?.({ passId: lease.passId, check, checksDone, checksTotal: checks.length, estimate, compared: totals.compared });
      for (const [index, check] of checks.entries()) {
        if (abort.signal.aborted) break;
        progress(index, check.name);
        results.push(await this.runCheck(check, lease.passId, request, totals, abort.signal, () => progress(index, check.name), log));
        await updatePass(store.db, lease.passId, totals, results);
      }
      progress(checks.length);
      const failed = results.filter((r) => r.error !== null);
      if (lost) passError = 'The pass lost its lease (a heartbeat was late) and stopped; another replica may run the next one.';
      else if (abort.signal.aborted) passError = 'The pass was stopped (the layer is shutting down).';
      else if (failed.length > 0) passError = failed.map((r) => `${r.check}: ${r.error}`).join('; ');
    } catch (err) {
      passError = errorText(err);
    } finally {
      clearInterval(heartbeat);
    }
    const finished = nowMs();
    try {
      await updatePass(store.db, lease.passId, totals, results, {
        status: passError ? 'failed' : 'completed',
        error: passError,
        at: finished,
      });
      await prunePasses(store.db, scope);
    } catch (err) {
      log.error({ err: errorText(err) }, 'reconciliation pass result not stored');
    } finally {
      await releasePassLease(store.db, lease).catch((err: unknown) =>
        log.warn({ err: errorText(err) }, 'reconciliation lease not released'),
      );
    }
    metrics.passFinished(scope, (finished - started) / 1000, passError === null);
    await this.refreshFigures().catch((err: unknown) => log.warn({ err: errorText(err) }, 'reconciliation figures not refreshed'));
    log[passError ? 'warn' : 'info'](
      { ...totals, durationMs: finished - started, error: passError },
      passError ? 'reconciliation pass failed' : 'reconciliation pass completed',
    );
    return getPass(store.db, lease.passId);
  }

  private async runCheck(
    check: ReconciliationCheck,
    passId: string,
    request: PassRequest,
    totals: PassTotals,
    signal: AbortSignal,
    moved: () => void,
    log: Logger,
  ): Promise<CheckTally> {
    const { store, metrics } = this.options;
    const started = nowMs();
    let compared = 0;
    const result: CheckTally = {
      check: check.name,
      journey: check.journey,
      question: check.question,
      compared: 0,
      found: 0,
      durationMs: 0,
      error: null,
      opened: 0,
      resolved: 0,
      repairsStarted: 0,
    };
    try {
      const findings = await check.run({
        now: new Date(started),
        signal,
        compared(count) {
          if (!(count > 0)) return;
          compared += count;
          totals.compared += count;
          metrics.compared(check.name, count);
          moved();
        },
      });
      const outcome = await withTransaction(store, async (trx) => {
        const stored = await recordFindings(trx, check, findings, passId, nowMs(), started);
        await recordCheckRun(trx, check, started, null);
        return stored;
      });
      result.found = outcome.found;
      result.opened = outcome.opened.length;
      result.resolved = outcome.resolved;
      totals.found += outcome.found;
      totals.opened += outcome.opened.length;
      totals.resolved += outcome.resolved;
      for (const o of outcome.opened) metrics.opened(check.question, o.type);
      if (request.repair) {
        const actor: RepairActor = request.actor ?? { consumer: RESOLVED_BY_PASS };
        for (const finding of outcome.repairable) {
          if (signal.aborted) break;
          // A repair that does not start is logged and counted; the exception stays open for an operator.
          const ok = await startRepair({ store, logger: log, metrics }, check, finding, actor).then(
            () => true,
            () => false,
          );
          if (ok) result.repairsStarted++;
        }
        totals.repairsStarted += result.repairsStarted;
      }
    } catch (err) {
      result.error = errorText(err);
      log.warn({ check: check.name, err: result.error }, 'reconciliation check failed; its exceptions are kept as they were');
      await recordCheckRun(store.db, check, started, result.error).catch(() => undefined);
    }
    result.compared = compared;
    result.durationMs = nowMs() - started;
    return result;
  }
}
