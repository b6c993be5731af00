// The durable runner: claims due runs with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED;
// SQLite: one atomic UPDATE … RETURNING), keeps the lease alive with heartbeats while a run
// executes, and takes over runs whose holder died once their lease has expired.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from '../observability/logger.js';
import { ProblemError } from '../problems.js';
import type { Random } from '../resilience/backoff.js';
import { BreakerRegistry } from '../resilience/breakers.js';
import type { Store } from '../store/index.js';
import type { Database } from '../store/schema.js';
import type { WorkflowDefinition } from './definition.js';
import { executeRun, type ExecutionContext } from './execute.js';
import { noopWorkflowMetrics, type WorkflowMetrics } from './metrics.js';
import { cancelRun, insertRun, type StartedRun } from './runs.js';
import type { WorkflowRunsTable } from './schema.js';

export interface WorkflowEngineOptions {
  store: Store;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own input type; the engine stores inputs as JSON
  definitions: WorkflowDefinition<any>[];
  workerId?: string;
  /** How long a claim lasts without a heartbeat; a dead holder's runs resume after this. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** Runs executed at once by this process. */
  concurrency?: number;
  pollMs?: number;
  breakers?: BreakerRegistry;
  logger?: Logger;
  metrics?: WorkflowMetrics;
  random?: Random;
}

export class WorkflowEngine {
  readonly workerId: string;
  private readonly definitions = new Map<string, WorkflowDefinition<unknown>>();
  private readonly active = new Set<Promise<void>>();
  /** Abort controllers of the runs executing here, so that stop() can interrupt them. */
  private readonly controllers = new Set<AbortController>();
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly concurrency: number;
  private readonly breakers: BreakerRegistry;
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: WorkflowEngineOptions) {
    // Host and pid first: an operator (or a test) reading claimed_by sees which replica holds a run.
    this.workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    for (const d of o.definitions) this.definitions.set(d.name, d as WorkflowDefinition<unknown>);
    this.leaseMs = o.leaseMs ?? 30_000;
    this.heartbeatMs = o.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 3));
    this.concurrency = o.concurrency ?? 8;
    this.breakers = o.breakers ?? new BreakerRegistry();
  }

  private get db(): Kysely<Database> {
    return this.o.store.db;
  }

  /**
   * Starts a run of `definition` (or returns the existing one for the same `runKey`).
   * Pass `db` = the caller's transaction to start it atomically with a state change.
   */
  async startRun<I>(definition: string, input: I, options: { runKey?: string; db?: Kysely<Database> } = {}): Promise<StartedRun> {
    const def = this.definitions.get(definition);
    if (!def) throw new ProblemError('not-found', { detail: `No workflow definition named ${definition}.` });
    const started = await insertRun(options.db ?? this.db, def, input, options.runKey);
    if (started.created && !options.db) this.kick();
    return started;
  }

  async cancel(runId: string): Promise<void> {
    await cancelRun(this.db, runId);
    this.kick();
  }

  /** Claims as many due runs as there is room for and starts executing them; returns how many. */
  async claimAndStart(): Promise<number> {
    const room = this.concurrency - this.active.size;
    if (room <= 0 || this.definitions.size === 0) return 0;
    const now = Date.now();
    let candidates = this.db
      .selectFrom('workflow_runs')
      .select('id')
      .where('state', 'in', ['pending', 'waiting', 'running'])
      .where('next_attempt_ms', '<=', now)
      .where((eb) => eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', now)]))
      .where('definition', 'in', [...this.definitions.keys()])
      .orderBy('next_attempt_ms')
      .limit(room);
    if (this.o.store.engine === 'postgres') candidates = candidates.forUpdate().skipLocked();
    const claimed = await this.db
      .updateTable('workflow_runs')
      .set({ state: 'running', claimed_by: this.workerId, lease_until_ms: now + this.leaseMs, updated_at_ms: now })
      .where('id', 'in', candidates)
      .returningAll()
      .execute();
    for (const run of claimed) {
      const p = this.execute(run).finally(() => this.active.delete(p));
      this.active.add(p);
    }
    return claimed.length;
  }

  private async execute(run: Selectable<WorkflowRunsTable>): Promise<void> {
    const def = this.definitions.get(run.definition)!;
    const controller = new AbortController();
    this.controllers.add(controller);
    let cancelRequested = Number(run.cancel_requested);
    const heartbeat = setInterval(() => {
      void this.db
        .updateTable('workflow_runs')
        .set({ lease_until_ms: Date.now() + this.leaseMs })
        .where('id', '=', run.id)
        .where('claimed_by', '=', this.workerId)
        .returning('cancel_requested')
        .executeTakeFirst()
        .then((row) => {
          if (!row) controller.abort(new Error('lease lost'));
          else if (Number(row.cancel_requested) !== 0) {
            cancelRequested = Number(row.cancel_requested);
            controller.abort(new Error('run cancelled'));
          }
        })
        .catch((err: unknown) => this.o.logger?.warn({ err, runId: run.id }, 'workflow heartbeat failed'));
    }, this.heartbeatMs);
    const ctx: ExecutionContext = {
      db: this.db,
      workerId: this.workerId,
      breakers: this.breakers,
      random: this.o.random ?? Math.random,
      logger: this.o.logger,
      metrics: this.o.metrics ?? noopWorkflowMetrics,
      signal: controller.signal,
      cancelRequested: () => cancelRequested,
    };
    try {
      await executeRun(ctx, def, run);
    } catch (err) {
      // A store error mid-run: the lease expires and the run resumes from its last checkpoint.
      this.o.logger?.error({ err, runId: run.id }, 'workflow run execution failed; it resumes after its lease expires');
    } finally {
      clearInterval(heartbeat);
      this.controllers.delete(controller);
      if (this.stopping) {
        // Interrupted by shutdown: give the lease up so another process resumes the run now.
        await this.db
          .updateTable('workflow_runs')
          .set({ lease_until_ms: 0 })
          .where('id', '=', run.id)
          .where('claimed_by', '=', this.workerId)
          .where('state', '=', 'running')
          .execute()
          .catch(() => {});
      }
    }
  }

  /** Executes until no run is due now and none is executing (tests, benchmarks, shutdown). */
  async drain(maxRounds = 1_000_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const started = await this.claimAndStart();
      if (started === 0 && this.active.size === 0) return;
      if (this.active.size > 0 && (started === 0 || this.active.size >= this.concurrency)) await Promise.race(this.active);
    }
  }

  kick(): void {
    this.wake?.();
  }

  /**
   * Expires the leases of runs held by a process on this host that no longer exists (a layer
   * killed and restarted on the same machine), so they resume now instead of after the lease.
   * Only a pid the operating system says is gone counts: an engine of a live process (another
   * engine in this one, say) keeps its runs, and a reused pid only delays, never steals.
   * Resolves how many runs were freed.
   */
  async reclaimFromDeadLocalProcesses(): Promise<number> {
    const host = hostname();
    const holders = await this.db
      .selectFrom('workflow_runs')
      .select('claimed_by')
      .distinct()
      .where('state', '=', 'running')
      .where('claimed_by', 'like', `${host}:%`)
      .where('lease_until_ms', '>', Date.now())
      .execute();
    let freed = 0;
    for (const { claimed_by: holder } of holders) {
      if (!holder || holder === this.workerId) continue;
      const pid = Number(holder.slice(host.length + 1).split(':')[0]);
      if (!Number.isInteger(pid) || pid <= 0 || processExists(pid)) continue;
      const released = await this.db
        .updateTable('workflow_runs')
        .set({ lease_until_ms: Date.now() - 1 })
        .where('state', '=', 'running')
        .where('claimed_by', '=', holder)
        .executeTakeFirst();
      freed += Number(released.numUpdatedRows);
      this.o.logger?.warn({ holder, runs: Number(released.numUpdatedRows) }, 'took over the runs of a process on this host that is gone');
    }
    return freed;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = (async () => {
      await this.reclaimFromDeadLocalProcesses().catch((err: unknown) =>
        this.o.logger?.warn({ err }, 'could not look for runs of processes gone from this host; their leases expire as usual'),
      );
      while (this.running) {
        let started = 0;
        try {
          started = await this.claimAndStart();
        } catch (err) {
          this.o.logger?.error({ err }, 'claiming workflow runs failed');
        }
        if (!this.running) break;
        if (started > 0 && this.active.size < this.concurrency) continue;
        const sleep = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.pollMs ?? 250);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        await Promise.race([sleep, ...this.active]);
        this.wake = undefined;
      }
    })();
  }

  /**
   * Stops claiming, lets the runs in progress finish their current step for up to `graceMs`,
   * then aborts their steps' signals; interrupted runs are released for another process to
   * resume from their last checkpoint.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    this.kick();
    await this.loopDone;
    const settled = Promise.allSettled([...this.active]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    if ((await Promise.race([settled, grace])) === 'timeout') {
      this.stopping = true;
      for (const controller of this.controllers) controller.abort(new Error('worker shutting down'));
    }
    clearTimeout(timer);
    await settled;
  }
}

/** True unless the operating system says no process has this pid (EPERM: it exists, not ours). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
