// Pure mapping between Float-shaped payloads and canonical scheduling records, both ways.
// Native ids are resolved to canonical ids by the caller (cross-reference store) and passed in.
//
// Time: Float books hours per working day (decimals, e.g. 7.5); canonical assignments book
// minutes per week. minutesPerDay = round(hours × 60); minutesPerWeek = minutesPerDay × 5
// (Monday to Friday). Writing back needs minutesPerWeek divisible by 5 (else 422, never a
// silent rounding); hours are sent with two decimals, which always read back to the same minutes.
import { minorToDecimalString, decimalToMinor } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type {
  Assignment,
  AssignmentInput,
  AssignmentStatus,
  AssignmentUpdate,
  Money,
  Resource,
  SchedulingProject,
  SchedulingProjectInput,
  StaffingRequestStatus,
} from './canonical.js';
import type {
  FloatPerson,
  FloatPersonInput,
  FloatProject,
  FloatProjectInput,
  FloatTask,
  FloatTaskInput,
  FloatTaskStatus,
} from './vendor-types.js';

export const WORKING_DAYS_PER_WEEK = 5;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Decimal hours → whole minutes: round(hours × 60), half away from zero (hours are never negative). */
export function hoursToMinutes(hours: number): number {
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
    throw new ProblemError('upstream-error', { detail: `Platform sent invalid hours: ${String(hours)}` });
  }
  return Math.round(hours * 60);
}

/** Whole minutes → decimal hours with two places; hoursToMinutes() of it gives the minutes back exactly. */
export function minutesToHours(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw new ProblemError('validation-failed', { detail: `Minutes must be a non-negative integer, got ${minutes}` });
  }
  return Math.round((minutes / 60) * 100) / 100;
}

/** Float's "YYYY-MM-DD HH:MM:SS" (UTC) → RFC 3339 UTC. RFC 3339 values pass through normalised. */
export function floatTimestampToIso(value: string): string {
  const text = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ProblemError('upstream-error', { detail: `Platform sent an invalid timestamp: ${value}` });
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A job title as a canonical role code: "Senior Consultant" → "senior-consultant". */
export function roleCode(title: string | null | undefined): string {
  const code = (title ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return code.length >= 2 ? code : 'unspecified';
}

/** A role code as the job title the platform shows: "senior-consultant" → "Senior Consultant". */
export function roleLabel(code: string): string {
  return code
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

function amount(value: string | null, currency: string): Money | undefined {
  if (value === null || value === '') return undefined;
  // More precision than the currency has is a platform error, never a silent rounding.
  try {
    return { amountMinor: decimalToMinor(value, currency), currency };
  } catch (err) {
    throw new ProblemError('upstream-error', { detail: `Platform sent an amount ${value} not representable in ${currency}`, cause: err });
  }
}

function amountOut(value: Money | undefined, currency: string): string | null {
  if (!value) return null;
  if (value.currency !== currency) {
    throw new ProblemError('business-rule-violation', {
      detail: `The scheduling platform holds amounts in ${currency}; got ${value.currency}`,
    });
  }
  return minorToDecimalString(value.amountMinor, currency);
}

function plainDate(value: string, field: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ProblemError('validation-failed', {
      detail: `${field} must be a plain date (YYYY-MM-DD)`,
      errors: [{ pointer: `/${field}`, detail: 'not a date' }],
    });
  }
  return value;
}

function checkPeriod(startDate: string, endDate: string): void {
  plainDate(startDate, 'startDate');
  plainDate(endDate, 'endDate');
  if (endDate < startDate) {
    throw new ProblemError('validation-failed', {
      detail: 'endDate is before startDate',
      errors: [{ pointer: '/endDate', detail: 'before startDate' }],
    });
  }
}

// --- people ↔ resources --------------------------------------------------------------------

export function personToResource(person: FloatPerson, id: string): Resource {
  const week = person.work_days_hours.length === 7 ? person.work_days_hours : [8, 8, 8, 8, 8, 0, 0];
  const resource: Resource = {
    id,
    displayName: person.name,
    primaryRole: roleCode(person.job_title),
    capacityMinutesPerWeek: Math.min(
      10080,
      week.reduce((sum, h) => sum + hoursToMinutes(h), 0),
    ),
    status: person.active === 1 ? 'active' : 'inactive',
  };
  if (person.email) resource.email = person.email;
  return resource;
}

/** A person's bill and cost rates in minor units of the account currency (for forecasts). */
export function personRates(person: FloatPerson, currency: string): { billRate?: Money; costRate?: Money } {
  return { billRate: amount(person.default_hourly_rate, currency), costRate: amount(person.cost_rate, currency) };
}

/** Canonical resource → Float person body; weekly capacity spread evenly over Monday–Friday. */
export function resourceToPersonInput(resource: Omit<Resource, 'id'>): FloatPersonInput {
  const perDay = resource.capacityMinutesPerWeek / WORKING_DAYS_PER_WEEK;
  if (!Number.isInteger(perDay)) {
    throw new ProblemError('business-rule-violation', { detail: 'capacityMinutesPerWeek must be a multiple of 5 (five working days)' });
  }
  const day = minutesToHours(perDay);
  return {
    name: resource.displayName,
    email: resource.email ?? null,
    job_title: roleLabel(resource.primaryRole),
    people_type_id: 1,
    work_days_hours: [day, day, day, day, day, 0, 0],
    active: resource.status === 'active' ? 1 : 0,
  };
}

export function placeholderForRole(role: string): FloatPersonInput {
  return {
    name: `${roleLabel(role)} (placeholder)`,
    job_title: roleLabel(role),
    people_type_id: 3,
    employee_type: 1,
    active: 1,
    tags: ['staffing-request'],
  };
}

// --- projects ------------------------------------------------------------------------------

export function floatProjectToProject(project: FloatProject, engagementId: string, currency: string): SchedulingProject {
  const out: SchedulingProject = {
    engagementId,
    name: project.name,
    billable: project.non_billable === 0,
    tentative: project.tentative === 1,
    updatedAt: floatTimestampToIso(project.modified),
  };
  const budget = amount(project.budget_total, currency);
  if (budget) out.budget = budget;
  return out;
}

export function projectToFloatInput(input: SchedulingProjectInput, currency: string): FloatProjectInput {
  return {
    name: input.name,
    non_billable: input.billable === false ? 1 : 0,
    tentative: input.tentative ? 1 : 0,
    budget_total: amountOut(input.budget, currency),
  };
}

// --- allocations ↔ assignments -------------------------------------------------------------

const TASK_STATUS: Record<'tentative' | 'confirmed', FloatTaskStatus> = { tentative: 1, confirmed: 2 };

/** Float 1 tentative → tentative; 2 confirmed and 3 complete → confirmed. */
export function taskStatusToCanonical(status: number): Exclude<AssignmentStatus, 'cancelled'> {
  if (status === 1) return 'tentative';
  if (status === 2 || status === 3) return 'confirmed';
  throw new ProblemError('upstream-error', { detail: `Unknown allocation status ${status}` });
}

export function minutesPerWeekToHours(minutesPerWeek: number): number {
  if (!Number.isInteger(minutesPerWeek) || minutesPerWeek <= 0 || minutesPerWeek % WORKING_DAYS_PER_WEEK !== 0) {
    throw new ProblemError('validation-failed', {
      detail: 'minutesPerWeek must be a positive multiple of 5: the platform books the same time on each of five working days',
      errors: [{ pointer: '/minutesPerWeek', detail: 'not a positive multiple of 5' }],
    });
  }
  const perDay = minutesPerWeek / WORKING_DAYS_PER_WEEK;
  if (perDay > 24 * 60)
    throw new ProblemError('validation-failed', {
      detail: 'More than 24 hours a day',
      errors: [{ pointer: '/minutesPerWeek', detail: 'too large' }],
    });
  return minutesToHours(perDay);
}

export interface AssignmentIds {
  id: string;
  engagementId: string;
  resourceId: string;
  staffingRequestId?: string;
}

/** The role is the allocation's name when set (the layer writes the role there), else the person's job title. */
export function taskToAssignment(task: FloatTask, ids: AssignmentIds, personTitle: string | null): Assignment {
  const assignment: Assignment = {
    id: ids.id,
    engagementId: ids.engagementId,
    resourceId: ids.resourceId,
    role: roleCode(task.name ?? personTitle),
    startDate: task.start_date,
    endDate: task.end_date,
    minutesPerWeek: Math.max(1, Math.min(10080, hoursToMinutes(task.hours) * WORKING_DAYS_PER_WEEK)),
    status: taskStatusToCanonical(task.status),
    updatedAt: floatTimestampToIso(task.modified),
  };
  if (ids.staffingRequestId) assignment.staffingRequestId = ids.staffingRequestId;
  return assignment;
}

export function assignmentToTaskInput(input: AssignmentInput, native: { peopleId: number; projectId: number }): FloatTaskInput {
  checkPeriod(input.startDate, input.endDate);
  return {
    project_id: native.projectId,
    people_id: native.peopleId,
    start_date: input.startDate,
    end_date: input.endDate,
    hours: minutesPerWeekToHours(input.minutesPerWeek),
    status: TASK_STATUS[input.status ?? 'confirmed'],
    name: roleLabel(input.role),
  };
}

/** A partial update for an allocation (cancellation is a delete, handled by the caller). */
export function assignmentUpdateToTaskPatch(update: AssignmentUpdate, current: FloatTask): Partial<FloatTaskInput> {
  const patch: Partial<FloatTaskInput> = {};
  if (update.startDate !== undefined) patch.start_date = update.startDate;
  if (update.endDate !== undefined) patch.end_date = update.endDate;
  checkPeriod(patch.start_date ?? current.start_date, patch.end_date ?? current.end_date);
  if (update.minutesPerWeek !== undefined) patch.hours = minutesPerWeekToHours(update.minutesPerWeek);
  if (update.status === 'tentative' || update.status === 'confirmed') patch.status = TASK_STATUS[update.status];
  return patch;
}

// --- staffing requests ---------------------------------------------------------------------

/** Monday–Friday days in [startDate, endDate]. */
export function workingDays(startDate: string, endDate: string): number {
  checkPeriod(startDate, endDate);
  const start = Date.parse(`${startDate}T00:00:00Z`) / 86_400_000;
  const end = Date.parse(`${endDate}T00:00:00Z`) / 86_400_000;
  let days = 0;
  for (let d = start; d <= end; d++) {
    const weekday = (d + 4) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
    if (weekday !== 0 && weekday !== 6) days++;
  }
  return days;
}

/**
 * The placeholder allocation that seats a staffing request: the effort spread over the
 * period's working days, at least 0.01 h a day. The request keeps the exact effort; the
 * allocation is its rounded realisation on the platform.
 */
export function staffingRequestToTaskInput(
  input: { role: string; startDate: string; endDate: string; effortMinutes: number; notes?: string; externalReference?: string },
  native: { placeholderId: number; projectId: number },
): FloatTaskInput {
  const days = workingDays(input.startDate, input.endDate);
  if (days === 0) {
    throw new ProblemError('business-rule-violation', {
      detail: 'The period has no working day (Monday to Friday)',
      errors: [{ pointer: '/endDate', detail: 'no working day in the period' }],
    });
  }
  const hours = Math.max(0.01, Math.round((input.effortMinutes / days / 60) * 100) / 100);
  if (hours > 24)
    throw new ProblemError('business-rule-violation', {
      detail: 'The effort needs more than 24 hours a working day',
      errors: [{ pointer: '/effortMinutes', detail: 'too much for the period' }],
    });
  const body: FloatTaskInput = {
    project_id: native.projectId,
    people_id: native.placeholderId,
    start_date: input.startDate,
    end_date: input.endDate,
    hours,
    status: 1,
    name: roleLabel(input.role),
  };
  const notes = staffingRequestNotes(input.notes, input.externalReference);
  if (notes !== null) body.notes = notes;
  return body;
}

// The platform has no external id on an allocation and no upsert; its free-text notes are the
// one field it keeps for us. A request's reference goes there as a tagged line, so that a
// create whose answer was lost can be found on the platform before seating a second one.
const REFERENCE_TAG = /\[staffing-request-ref ([A-Za-z0-9][A-Za-z0-9.:_#/-]*)\]/g;

/** The allocation notes of a staffing request: its notes, then the reference tag on a line of its own. */
export function staffingRequestNotes(notes: string | undefined, reference: string | undefined): string | null {
  const tag = reference === undefined ? undefined : `[staffing-request-ref ${reference}]`;
  const parts = [notes, tag].filter((p): p is string => p !== undefined && p !== '');
  return parts.length ? parts.join('\n') : null;
}

/** The reference a placeholder allocation was seated under, read back from its notes. */
export function staffingRequestReference(notes: string | null): string | undefined {
  // The last tag counts: the layer writes it after the requester's own notes.
  return notes ? [...notes.matchAll(REFERENCE_TAG)].at(-1)?.[1] : undefined;
}

/** open while on a placeholder, filled once on a real person, cancelled when the allocation is gone. */
export function staffingRequestStatus(task: FloatTask | null, person: FloatPerson | null): StaffingRequestStatus {
  if (!task) return 'cancelled';
  return person && person.people_type_id !== 3 ? 'filled' : 'open';
}
