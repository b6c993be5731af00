// Fake reconciliation checks for the reconciliation journey's tests: the test says what the check
// finds next (or that it fails), and the check records the repairs it was asked for.
import { ProblemError } from '../../core/problems.js';
import type {
  Finding,
  ReconciliationCheck,
  ReconciliationQuestion,
  RepairActor,
  StoredFinding,
} from '../../process-apis/kit/reconciliation.js';
import type { Journey } from '../../process-apis/kit/run-view.js';

export interface FakeCheck extends ReconciliationCheck {
  /** What the next runs find. */
  findings: Finding[];
  /** When set, the next runs throw it. */
  failure: Error | undefined;
  /** Records compared per run. */
  comparedPerRun: number;
  /** Resolves when a run has started (for holding a pass open); the run waits for `release()`. */
  hold(): { started: Promise<void>; release(): void };
  repairs: Array<{ finding: StoredFinding; actor: RepairActor }>;
  /** The stop signal of the latest run. */
  signal: AbortSignal | undefined;
  /** The run id the next repairs return. */
  repairRunId: string | undefined;
  /** When set, repairs throw it. */
  repairFailure: Error | undefined;
}

export interface FakeCheckOptions {
  name?: string;
  journey?: Journey;
  question?: ReconciliationQuestion;
  reads?: 'platforms' | 'layer';
}

export function fakeCheck(o: FakeCheckOptions = {}): FakeCheck {
  let gate: { started: () => void; released: Promise<void> } | undefined;
  const check: FakeCheck = {
    name: o.name ?? 'fake-won-deals',
    journey: o.journey ?? 'opportunity-to-project',
    question: o.question ?? 'failed-provisioning',
    reads: o.reads ?? 'platforms',
    findings: [],
    failure: undefined,
    comparedPerRun: 10,
    repairs: [],
    signal: undefined,
    repairRunId: undefined,
    repairFailure: undefined,
    hold() {
      let started!: () => void;
      let release!: () => void;
      const startedP = new Promise<void>((r) => (started = r));
      const released = new Promise<void>((r) => (release = r));
      gate = { started, released };
      return { started: startedP, release };
    },
    async estimate() {
      return check.comparedPerRun;
    },
    async run(ctx) {
      check.signal = ctx.signal;
      if (gate) {
        const g = gate;
        gate = undefined;
        g.started();
        await g.released;
      }
      ctx.compared(check.comparedPerRun);
      if (check.failure) throw check.failure;
      return check.findings.map((f) => ({ ...f }));
    },
    async repair(finding, actor) {
      if (finding.repair.action === 'by-hand') throw new ProblemError('unprocessable-content', { detail: finding.repair.description });
      if (check.repairFailure) throw check.repairFailure;
      check.repairs.push({ finding, actor });
      return check.repairRunId ? { runId: check.repairRunId } : {};
    },
  };
  return check;
}

/** A finding of a won deal without a project, for opportunity `id`. */
export function wonDealWithoutProject(
  id: string,
  o: { safe?: boolean; action?: string; amountMinor?: number; since?: Date } = {},
): Finding {
  return {
    type: 'won-deal-without-project',
    key: id,
    title: `Deal ${id} won on the CRM has no ERP project`,
    detail: `Opportunity ${id} is closed-won; ERP holds no project for it.`,
    records: [{ platform: 'crm', entity: 'opportunity', id, label: `Deal ${id}` }],
    moneyAtRisk: { amountMinor: o.amountMinor ?? 480_000, currency: 'EUR' },
    ...(o.since ? { since: o.since } : {}),
    repair: {
      safe: o.safe ?? true,
      action: o.action ?? 'start-provisioning',
      description:
        o.action === 'by-hand'
          ? 'Create the ERP project by hand: the legal entity is not mapped.'
          : 'Start provisioning for the opportunity.',
    },
    run: null,
  };
}
