// The staffing-conflict part of the `assignments-forecast` check, without I/O: the weeks each
// resource is over capacity on the scheduling platform (its assignments on forecast engagements,
// its capacity now) against the conflicts the layer holds open.
import type { Assignment } from '../../system-apis/scheduling/canonical.js';
import type { Finding, RecordRef } from '../kit/reconciliation.js';
import { schedulingRecord } from './forecast-comparison.js';
import type { AtfConflictsTable } from './schema.js';
import { bookedMinutes, weekStart } from './weeks.js';

export const CONFLICT_FINDINGS = {
  notFlagged: 'over-allocation-not-flagged',
  staleFlag: 'stale-over-allocation-flag',
} as const;

interface WeekLoad {
  assignedMinutes: number;
  assignmentIds: string[];
}

/** Per resource and week: the minutes the platform's live assignments book. */
function platformLoads(assignments: Assignment[]): Map<string, Map<string, WeekLoad>> {
  const byResource = new Map<string, Map<string, WeekLoad>>();
  for (const a of assignments) {
    if (a.status === 'cancelled') continue;
    const weeks = byResource.get(a.resourceId) ?? new Map<string, WeekLoad>();
    for (const [week, minutes] of bookedMinutes(a, weekStart)) {
      const load = weeks.get(week) ?? { assignedMinutes: 0, assignmentIds: [] };
      load.assignedMinutes += minutes;
      load.assignmentIds.push(a.id);
      weeks.set(week, load);
    }
    byResource.set(a.resourceId, weeks);
  }
  return byResource;
}

const resourceRef = (resourceId: string) => schedulingRecord('resource', resourceId);
const assignmentRef = (assignmentId: string) => schedulingRecord('assignment', assignmentId);
const conflictRef = (c: AtfConflictsTable): RecordRef => ({
  platform: 'layer',
  entity: 'resource',
  id: c.id,
  canonicalId: c.resource_id,
  label: `staffing conflict, week of ${c.week_start}`,
  url: `/process/assignment-to-forecast/v1/staffing-conflicts?resourceId=${c.resource_id}`,
});

export interface ConflictComparison {
  /** The platform's live assignments on forecast engagements. */
  assignments: Assignment[];
  /** Capacity per resource as the platform has it now (minutes a week). */
  capacities: Map<string, number>;
  /** Open conflicts in the layer. */
  openConflicts: AtfConflictsTable[];
  /** Resources with another finding in this pass: resyncing those settles their conflicts too. */
  skipResources: Set<string>;
}

/**
 * Weeks over capacity with no open conflict, and open conflicts for weeks no longer over capacity.
 * The repair resyncs one of the resource's assignments: the run reads the resource's capacity
 * again and brings its conflicts in step.
 */
export function compareConflicts(c: ConflictComparison): Finding[] {
  const loads = platformLoads(c.assignments);
  const liveIds = new Set(c.assignments.filter((a) => a.status !== 'cancelled').map((a) => a.id));
  const open = new Map(c.openConflicts.map((o) => [`${o.resource_id}|${o.week_start}`, o]));
  const findings: Finding[] = [];
  for (const [resourceId, weeks] of loads) {
    if (c.skipResources.has(resourceId)) continue;
    const capacity = c.capacities.get(resourceId);
    if (capacity === undefined) continue; // not a bookable person any more: nothing to compare against
    for (const [week, load] of [...weeks].sort(([a], [b]) => a.localeCompare(b))) {
      if (load.assignedMinutes <= capacity || open.has(`${resourceId}|${week}`)) continue;
      findings.push({
        type: CONFLICT_FINDINGS.notFlagged,
        key: `${resourceId}|${week}`,
        title: `Resource over capacity in the week of ${week} with no staffing conflict flagged`,
        detail: `Scheduling books ${load.assignedMinutes} min against a capacity of ${capacity} min; the layer has no open conflict for that week.`,
        records: [resourceRef(resourceId), ...load.assignmentIds.slice(0, 19).map(assignmentRef)],
        moneyAtRisk: null,
        repair: {
          safe: true,
          action: 'resync-assignment',
          description: 'Run assignment-to-forecast for one of the week’s assignments: it reads the capacity again and flags the conflict.',
        },
        run: null,
      });
    }
  }
  for (const conflict of c.openConflicts) {
    const { resource_id: resourceId, week_start: week } = conflict;
    if (c.skipResources.has(resourceId)) continue;
    const load = loads.get(resourceId)?.get(week);
    const capacity = c.capacities.get(resourceId);
    if (load && (capacity === undefined || load.assignedMinutes > capacity)) continue;
    // Resync one the platform still has; if it has none of the resource's, cancel one the conflict names.
    const flagged = JSON.parse(conflict.assignment_ids) as string[];
    const live = load?.assignmentIds[0] ?? [...(loads.get(resourceId)?.values() ?? [])][0]?.assignmentIds[0];
    const target = live ?? flagged.find((id) => !liveIds.has(id)) ?? flagged[0];
    if (!target) continue;
    findings.push({
      type: CONFLICT_FINDINGS.staleFlag,
      key: `${resourceId}|${week}`,
      title: `A staffing conflict is flagged for the week of ${week}, but the resource is no longer over capacity`,
      detail: `The layer's open conflict counts ${conflict.assigned_minutes} min against ${conflict.capacity_minutes} min; Scheduling books ${
        load?.assignedMinutes ?? 0
      } min against ${capacity ?? 'no'} capacity now.`,
      records: [resourceRef(resourceId), assignmentRef(target), conflictRef(conflict)],
      moneyAtRisk: null,
      since: new Date(Number(conflict.detected_at_ms)),
      repair: live
        ? {
            safe: true,
            action: 'resync-assignment',
            description:
              'Run assignment-to-forecast for one of the resource’s assignments: it reads the capacity again and resolves the conflict.',
          }
        : {
            safe: true,
            action: 'cancel-in-forecast',
            description:
              'Run assignment-to-forecast as a cancellation of an assignment Scheduling no longer has: the conflict it caused is resolved.',
          },
      run: null,
    });
  }
  return findings;
}
