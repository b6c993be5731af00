// Rounds of periodic jobs by outcome: `ran` on the replica whose claim was written, `skipped` on
// the others. Summed over replicas, `ran` grows by one a period.
import { Counter, type Registry } from 'prom-client';

export interface ScheduleMetrics {
  round(job: string, outcome: 'ran' | 'skipped'): void;
}

export const noopScheduleMetrics: ScheduleMetrics = { round: () => {} };

export function promScheduleMetrics(registry: Registry): ScheduleMetrics {
  const rounds = new Counter({
    name: 'layer_schedule_rounds_total',
    help: 'Rounds of periodic jobs on this replica: ran (it claimed the period) or skipped (another replica had).',
    labelNames: ['job', 'outcome'],
    registers: [registry],
  });
  return { round: (job, outcome) => rounds.inc({ job, outcome }) };
}
