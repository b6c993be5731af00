// Background work every replica runs: the workflow engine's leases and the periodic jobs.
// Replicas that share a store should share these settings; tests shorten them.
import { z } from 'zod';
import { read, nonNegativeInt, positiveInt, type Env } from './parse.js';
import type { RuntimeConfig } from './runtime.js';

export interface JobsConfig {
  workflows: {
    /** How long a claimed run stays this process's without a heartbeat; after it, another replica takes the run over. */
    leaseMs: number;
    /** How often a holder renews its leases; well under leaseMs. */
    heartbeatMs: number;
    /** How often an idle engine looks for due runs. */
    pollMs: number;
  };
  /** How often the billing schedule starts the previous month's billing; 0 = off. */
  billingScheduleEveryMs: number;
  /** How often ERP invoices are polled for changes their webhooks missed; 0 = off. */
  reconcileEveryMs: number;
  /** The reconciliation journey's passes (process-apis/reconciliation). */
  reconciliation: ReconciliationJobsConfig;
  businessFigures: {
    /** How often the business figures (DSO, utilisation, …) are computed from the platforms; 0 = off. */
    everyMs: number;
    /** The days each computation looks back over (invoices issued, hours recorded, weeks forecast). */
    windowDays: number;
    /** How long computed figures are kept for the trends. */
    retentionDays: number;
  };
}

export interface ReconciliationJobsConfig {
  /** How often a full pass compares the platforms' records; 0 = off. */
  passEveryMs: number;
  /** How often the checks that read only the layer's tables run (a failed run shows within one interval); 0 = off. */
  liveEveryMs: number;
  /** Whether scheduled passes run the safe repairs they find. */
  autoRepair: boolean;
  /** How long the pass lease holds without a heartbeat; after it, another replica may start a pass. */
  leaseMs: number;
}

export function jobsConfig(env: Env, runtime: RuntimeConfig): JobsConfig {
  const leaseMs = read(env, 'WORKFLOW_LEASE_MS', positiveInt.min(100).default(30_000));
  const heartbeatMs = read(env, 'WORKFLOW_HEARTBEAT_MS', positiveInt.max(leaseMs - 1).default(Math.max(50, Math.floor(leaseMs / 3))));
  // Under NODE_ENV=test the schedules are off unless a test turns them on: tests start their own runs.
  const test = runtime.nodeEnv === 'test';
  return {
    workflows: { leaseMs, heartbeatMs, pollMs: read(env, 'WORKFLOW_POLL_MS', positiveInt.default(250)) },
    billingScheduleEveryMs: read(env, 'BILLING_SCHEDULE_EVERY_MS', nonNegativeInt.default(test ? 0 : 24 * 3_600_000)),
    // A safety net behind ERP's change feed (ERP_POLL_INTERVAL_MS), which brings what webhooks miss.
    reconcileEveryMs: read(env, 'RECONCILE_EVERY_MS', nonNegativeInt.default(6 * 3_600_000)),
    reconciliation: {
      passEveryMs: read(env, 'RECONCILE_PASS_EVERY_MS', nonNegativeInt.default(test ? 0 : 15 * 60_000)),
      liveEveryMs: read(env, 'RECONCILE_LIVE_EVERY_MS', nonNegativeInt.default(test ? 0 : 30_000)),
      autoRepair: read(env, 'RECONCILE_AUTO_REPAIR', z.enum(['on', 'off']).default('on')) === 'on',
      leaseMs: read(env, 'RECONCILE_LEASE_MS', positiveInt.min(1_000).default(60_000)),
    },
    businessFigures: {
      everyMs: read(env, 'BUSINESS_FIGURES_EVERY_MS', nonNegativeInt.default(test ? 0 : 15 * 60_000)),
      windowDays: read(env, 'BUSINESS_FIGURES_WINDOW_DAYS', positiveInt.max(3660).default(90)),
      retentionDays: read(env, 'BUSINESS_FIGURES_RETENTION_DAYS', positiveInt.max(3660).default(90)),
    },
  };
}
