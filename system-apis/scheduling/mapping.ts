// Pure mapping between Float-shaped payloads and canonical scheduling records, both ways.
// Native ids are resolved to canonical ids by the caller (cross-reference store) and passed in.
import { fromMinor, toMinor, type Money } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type {
  Assignment,
  AssignmentInput,
  AssignmentStatus,
  EmploymentType,
  Resource,
  SchedulingProject,
  SchedulingProjectInput,
  StaffingRequest,
  StaffingRequestStatus,
} from './canonical.js';
import type {
  FloatPeopleType,
  FloatPerson,
  FloatPersonInput,
  FloatProject,
  FloatProjectInput,
  FloatTask,
  FloatTaskInput,
  FloatTaskStatus,
} from './vendor-types.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Decimal hours → whole minutes: round(hours × 60), half away from zero (hours are never negative). */
export function hoursToMinutes(hours: number): number {
  if (!Number.isFinite(hours) || hours < 0) {
    throw new ProblemError('upstream-error', { detail: `Platform sent invalid hours: ${hours}` });
  }
  return Math.round(hours * 60);
}

/** Whole minutes → decimal hours with two places; round(hoursToMinutes(x)) recovers the minutes exactly. */
export function minutesToHours(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw new ProblemError('validation-failed', { detail: `Minutes must be a non-negative integer, got ${minutes}` });
  }
  return Math.round((minutes / 60) * 100) / 100;
}

/** Float's "YYYY-MM-DD HH:MM:SS" (UTC) → RFC 3339 UTC. Already-RFC 3339 values pass through normalised. */
export function floatTimestampToIso(value: string): string {
  const text = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ProblemError('upstream-error', { detail: `Platform sent an invalid timestamp: ${value}` });
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function plainDate(value: string, field: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ProblemError('validation-failed', { detail: `${field} must be a plain date (YYYY-MM-DD)`, errors: [{ pointer: `/${field}`, detail: 'not a date' }] });
  }
  return value;
}

function rate(value: string | null, currency: string): Money | null {
  if (value === null || value === '') return null;
  // More precision than the currency has is a platform error, never a silent rounding.
  try {
    return { amountMinor: toMinor(value, currency), currency };
  } catch (err) {
    throw new ProblemError('upstream-error', { detail: `Platform sent an amount ${value} not representable in ${currency}`, cause: err });
  }
}

function rateOut(value: Money | null | undefined, currency: string): string | null {
  if (!value) return null;
  if (value.currency !== currency) {
    throw new ProblemError('business-rule-violation', {
      detail: `The scheduling platform holds amounts in ${currency}; got ${value.currency}`,
    });
  }
  return fromMinor(value.amountMinor, currency);
}

const EMPLOYMENT: Record<FloatPeopleType, EmploymentType> = { 1: 'employee', 2: 'contractor', 3: 'placeholder' };
const PEOPLE_TYPE: Record<EmploymentType, FloatPeopleType> = { employee: 1, contractor: 2, placeholder: 3 };

export function personToResource(person: FloatPerson, id: string, currency: string): Resource {
  const employmentType = EMPLOYMENT[person.people_type_id];
  if (!employmentType) throw new ProblemError('upstream-error', { detail: `Unknown people_type_id ${person.people_type_id}` });
  const days = person.work_days_hours.length === 7 ? person.work_days_hours : [8, 8, 8, 8, 8, 0, 0];
  const dailyCapacityMinutes = days.map(hoursToMinutes);
  return {
    id,
    name: person.name,
    email: person.email,
    role: person.job_title,
    department: person.department?.name ?? null,
    employmentType,
    fullTime: person.employee_type === 1,
    costRate: rate(person.cost_rate, currency),
    billRate: rate(person.default_hourly_rate, currency),
    dailyCapacityMinutes,
    weeklyCapacityMinutes: dailyCapacityMinutes.reduce((a, b) => a + b, 0),
    active: person.active === 1,
    updatedAt: floatTimestampToIso(person.modified),
  };
}

/** Canonical resource fields → a Float person body (department is matched by name by the caller). */
export function resourceToPersonInput(resource: Omit<Resource, 'id' | 'updatedAt' | 'weeklyCapacityMinutes' | 'department'>, currency: string): FloatPersonInput {
  if (resource.dailyCapacityMinutes.length !== 7) {
    throw new ProblemError('validation-failed', { detail: 'dailyCapacityMinutes needs 7 values, Monday first' });
  }
  return {
    name: resource.name,
    email: resource.email,
    job_title: resource.role,
    employee_type: resource.fullTime ? 1 : 0,
    people_type_id: PEOPLE_TYPE[resource.employmentType],
    default_hourly_rate: rateOut(resource.billRate, currency),
    cost_rate: rateOut(resource.costRate, currency),
    work_days_hours: resource.dailyCapacityMinutes.map(minutesToHours),
    active: resource.active ? 1 : 0,
  };
}

export function floatProjectToProject(project: FloatProject, id: string, currency: string): SchedulingProject {
  return {
    id,
    name: project.name,
    billable: project.non_billable === 0,
    tentative: project.tentative === 1,
    active: project.active === 1,
    budget: rate(project.budget_total, currency),
    tags: [...project.tags],
    updatedAt: floatTimestampToIso(project.modified),
  };
}

export function projectToFloatInput(input: SchedulingProjectInput, currency: string): FloatProjectInput {
  return {
    name: input.name,
    non_billable: input.billable === false ? 1 : 0,
    tentative: input.tentative ? 1 : 0,
    budget_total: rateOut(input.budget, currency),
    tags: input.tags ?? [],
  };
}

const ASSIGNMENT_STATUS: Record<FloatTaskStatus, AssignmentStatus> = { 1: 'tentative', 2: 'confirmed', 3: 'completed' };
const TASK_STATUS: Record<AssignmentStatus, FloatTaskStatus> = { tentative: 1, confirmed: 2, completed: 3 };

export function taskStatusToCanonical(status: number): AssignmentStatus {
  const mapped = ASSIGNMENT_STATUS[status as FloatTaskStatus];
  if (!mapped) throw new ProblemError('upstream-error', { detail: `Unknown allocation status ${status}` });
  return mapped;
}

export function assignmentStatusToFloat(status: AssignmentStatus): FloatTaskStatus {
  return TASK_STATUS[status];
}

export function taskToAssignment(task: FloatTask, ids: { id: string; resourceId: string; projectId: string }): Assignment {
  return {
    id: ids.id,
    resourceId: ids.resourceId,
    projectId: ids.projectId,
    startDate: task.start_date,
    endDate: task.end_date,
    minutesPerDay: hoursToMinutes(task.hours),
    status: taskStatusToCanonical(task.status),
    notes: task.notes,
    updatedAt: floatTimestampToIso(task.modified),
  };
}

function checkRange(startDate: string, endDate: string, minutesPerDay: number): void {
  plainDate(startDate, 'startDate');
  plainDate(endDate, 'endDate');
  if (endDate < startDate) {
    throw new ProblemError('validation-failed', { detail: 'endDate is before startDate', errors: [{ pointer: '/endDate', detail: 'before startDate' }] });
  }
  if (!Number.isInteger(minutesPerDay) || minutesPerDay <= 0 || minutesPerDay > 24 * 60) {
    throw new ProblemError('validation-failed', { detail: 'minutesPerDay must be an integer between 1 and 1440', errors: [{ pointer: '/minutesPerDay', detail: 'out of range' }] });
  }
}

export function assignmentToTaskInput(input: AssignmentInput, native: { peopleId: number; projectId: number }): FloatTaskInput {
  checkRange(input.startDate, input.endDate, input.minutesPerDay);
  return {
    project_id: native.projectId,
    people_id: native.peopleId,
    start_date: input.startDate,
    end_date: input.endDate,
    hours: minutesToHours(input.minutesPerDay),
    status: assignmentStatusToFloat(input.status ?? 'confirmed'),
    notes: input.notes ?? null,
  };
}

/** A placeholder person for a role: how a staffing request is seated on the platform. */
export function placeholderForRole(role: string): FloatPersonInput {
  return { name: `Placeholder: ${role}`, job_title: role, people_type_id: 3, employee_type: 1, active: 1, tags: ['staffing-request'] };
}

export function staffingRequestToTaskInput(
  input: { startDate: string; endDate: string; minutesPerDay: number; notes?: string | null },
  native: { placeholderId: number; projectId: number },
): FloatTaskInput {
  checkRange(input.startDate, input.endDate, input.minutesPerDay);
  return {
    project_id: native.projectId,
    people_id: native.placeholderId,
    start_date: input.startDate,
    end_date: input.endDate,
    hours: minutesToHours(input.minutesPerDay),
    status: 1,
    notes: input.notes ?? null,
  };
}

/**
 * Reads a staffing request back from its allocation. While the allocation sits on a
 * placeholder it is open; once on a real person it is filled; `task` null means deleted.
 */
export function taskToStaffingRequest(
  task: FloatTask | null,
  seat: { role: string; person: FloatPerson | null },
  ids: { id: string; projectId: string; resourceId: string | null },
  fallback: { startDate: string; endDate: string; minutesPerDay: number; updatedAt: string },
): StaffingRequest {
  let status: StaffingRequestStatus = 'cancelled';
  if (task) status = seat.person && seat.person.people_type_id !== 3 ? 'filled' : 'open';
  return {
    id: ids.id,
    projectId: ids.projectId,
    role: seat.role,
    startDate: task?.start_date ?? fallback.startDate,
    endDate: task?.end_date ?? fallback.endDate,
    minutesPerDay: task ? hoursToMinutes(task.hours) : fallback.minutesPerDay,
    status,
    resourceId: status === 'filled' ? ids.resourceId : null,
    notes: task?.notes ?? null,
    updatedAt: task ? floatTimestampToIso(task.modified) : fallback.updatedAt,
  };
}
